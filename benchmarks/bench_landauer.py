"""Throughput of :func:`apcfem.landauer.circular_conductance` on one core.

Evaluates 10^6 random Ag necks (radius 0.1–1.5 nm, temperature 4–400 K, E_F = 5.49 eV, m* = 1)
for an abrupt neck (hbar*omega = 0, closed-form Fermi smearing) and for a saddle-point neck with
hbar*omega = 0.05 eV (numerical quadrature over the sharper of the two smearings).  Target:
≥ 1e6 evaluations per second.  Run: ``python benchmarks/bench_landauer.py [n_points]``.
"""

import sys
import time

import numpy as np

from apcfem.landauer import circular_conductance

AG_FERMI_EV = 5.49
AG_MASS_ME = 1.0


def _points(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Random radii [m] and temperatures [K]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1e-9, 1.5e-9, n), rng.uniform(4.0, 400.0, n)


def _rate(radius: np.ndarray, temperature: np.ndarray, hbar_omega_eV: float,
          repeats: int = 3) -> float:
    """Best-of-``repeats`` evaluations per second [1/s]."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        circular_conductance(radius, fermi_energy_eV=AG_FERMI_EV, effective_mass_me=AG_MASS_ME,
                             temperature_K=temperature, hbar_omega_eV=hbar_omega_eV)
        best = min(best, time.perf_counter() - start)
    return radius.size / best


def main(n: int = 1_000_000) -> None:
    """Time both cases on ``n`` points and print the rates."""
    radius, temperature = _points(n)
    circular_conductance(radius[:10], fermi_energy_eV=AG_FERMI_EV)  # build the mode table
    for label, hbar_omega in (("abrupt, T > 0", 0.0), ("saddle 0.05 eV, T > 0", 0.05)):
        rate = _rate(radius, temperature, hbar_omega)
        verdict = "meets" if rate >= 1e6 else "below"
        print(f"{label}: evaluations per second: {rate:.3g} ({verdict} the 1e6/s target)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
