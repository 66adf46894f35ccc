"""Throughput of the Landauer counter on one core.

:func:`apcfem.landauer.circular_conductance` evaluates 10^6 random Ag necks (radius 0.1–1.5 nm,
temperature 4–400 K, E_F = 5.49 eV, m* = 1) for an abrupt neck (hbar*omega = 0, closed-form Fermi
smearing) and for a saddle-point neck with hbar*omega = 0.05 eV (numerical quadrature over the
sharper of the two smearings).  Target: ≥ 1e6 evaluations per second.

:func:`apcfem.landauer.profile_conductance` (transfer matrix through a whole profile) is timed on
parabolic Ag necks ``a(z) = a0 (1 + z^2/(2 a0 R))``, R = 100 nm, 401 samples, at 0 K (one energy)
and at 300 K (adaptive energy integral); it is reported in profiles per second (no target: it
serves single necks, e.g. the CLI, not sweeps).

Run: ``python benchmarks/bench_landauer.py [n_points]``.
"""

import sys
import time

import numpy as np
from scipy import constants as const

from apcfem.landauer import Electrons, circular_conductance, profile_conductance

AG_FERMI_EV = 5.49
AG_MASS_ME = 1.0
NECK_CURVATURE_RADIUS_M = 100e-9


def _points(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Random radii [m] and temperatures [K]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1e-9, 1.5e-9, n), rng.uniform(4.0, 400.0, n)


def _best_time(call, repeats: int = 3) -> float:
    """Best-of-``repeats`` wall time of ``call()`` [s]."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def _parabolic_necks(count: int = 8) -> list[tuple[np.ndarray, np.ndarray]]:
    """Parabolic Ag necks with k_F a0 from 2 to 7 (one to ten open channels)."""
    k_fermi = np.sqrt(2.0 * AG_MASS_ME * const.m_e * AG_FERMI_EV * const.e) / const.hbar  # [1/m]
    necks = []
    for a0 in np.linspace(2.0, 7.0, count) / k_fermi:
        half = np.sqrt(6.0 * a0 * NECK_CURVATURE_RADIUS_M)  # out to a = 4 a0
        z = np.linspace(-half, half, 401)
        necks.append((z, a0 * (1.0 + z**2 / (2.0 * a0 * NECK_CURVATURE_RADIUS_M))))
    return necks


def main(n: int = 1_000_000) -> None:
    """Time the circular counter on ``n`` points and the transfer matrix on a few profiles."""
    radius, temperature = _points(n)
    circular_conductance(radius[:10], Electrons(AG_FERMI_EV))  # build the mode table
    for label, hbar_omega in (("abrupt, T > 0", 0.0), ("saddle 0.05 eV, T > 0", 0.05)):
        electrons = Electrons(AG_FERMI_EV, AG_MASS_ME, temperature)
        rate = radius.size / _best_time(lambda h=hbar_omega, e=electrons: circular_conductance(
            radius, e, hbar_omega_eV=h))
        verdict = "meets" if rate >= 1e6 else "below"
        print(f"{label}: evaluations per second: {rate:.3g} ({verdict} the 1e6/s target)")
    necks = _parabolic_necks()
    for kelvin in (0.0, 300.0):
        electrons = Electrons(AG_FERMI_EV, AG_MASS_ME, kelvin)
        elapsed = _best_time(lambda e=electrons: [profile_conductance(z, a, e) for z, a in necks],
                             repeats=1)
        print(f"transfer matrix, parabolic neck, {kelvin:g} K: profiles per second: "
              f"{len(necks) / elapsed:.3g}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
