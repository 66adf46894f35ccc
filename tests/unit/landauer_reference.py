"""Brute-force Landauer reference: G/G0 by a direct numerical integral over every mode.

Slow and written independently of the closed-form kernels of apcfem.landauer (its window
integrals, logistic-pair quadrature and mode counting): the reference of the counter tests.
G/G0 = 1/2 sum over modes n (degeneracy d_n) and spins of int T_n(E) [f_L(E) - f_R(E)] dE / eV,
T_n the saddle-point step 1 / (1 + exp(-2 pi (E - E_n) / hbar omega)) (abrupt when omega = 0),
mu_L = E_F + beta eV, mu_R = E_F - (1 - beta) eV, Zeeman edges E_n +- g mu_B B / 2.
"""

import itertools

import numpy as np
from scipy import constants as const
from scipy.integrate import quad
from scipy.special import expit

KB_EV = const.k / const.e  # Boltzmann constant [eV/K]
MUB_EV = const.physical_constants["Bohr magneton in eV/T"][0]  # [eV/T]


def ladder_conductance(edges_eV, degeneracies, fermi, temperature, bias, beta, field, g,
                       hbar_omega) -> float:
    """G/G0 of a ladder of mode edges [eV] with orbital degeneracies; E_F [eV], T [K],
    bias [V], beta [-], B [T], g [-], hbar omega [eV]. The ladder must reach ~45 smearing
    widths above the bias window (modes beyond it are not counted)."""
    kt, s = KB_EV * temperature, hbar_omega / (2 * np.pi)
    zeeman = 0.5 * g * MUB_EV * abs(field)
    mu_l, mu_r = fermi + beta * bias, fermi - (1 - beta) * bias
    low, high = min(mu_l, mu_r) - 45 * kt, max(mu_l, mu_r) + 45 * kt

    def transmission(energy, edge):
        return expit((energy - edge) / s) if s > 0 else float(energy > edge)

    def occupation(energy, mu):
        return expit((mu - energy) / kt) if kt > 0 else float(energy < mu)

    def window(energy):
        if bias == 0:
            return expit((energy - fermi) / kt) * expit((fermi - energy) / kt) / kt
        return (occupation(energy, mu_l) - occupation(energy, mu_r)) / bias

    total = 0.0
    for orbital, dn in zip(edges_eV, degeneracies, strict=True):
        for spin in (1.0, -1.0):
            edge = orbital + spin * zeeman
            if bias == 0 and kt == 0:
                value = 0.5 if edge == fermi else transmission(fermi, edge)
            else:
                # break at every sharp feature so that quad cannot step over it
                features = [x + d * w for x, w in ((mu_l, kt), (mu_r, kt), (edge, s))
                            for d in (-20, -5, -1, 0, 1, 5, 20)]
                cuts = sorted({low, high} | {p for p in features if low < p < high})
                value = sum(quad(lambda e, edge=edge: transmission(e, edge) * window(e), a, b,
                                 limit=400, epsabs=1e-14, epsrel=1e-12)[0]
                            for a, b in itertools.pairwise(cuts))
            total += 0.5 * dn * value
    return total
