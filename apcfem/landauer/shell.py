"""Electron-shell correction to the chemical potential of the atoms of a neck (NumPy only).

The conduction electrons of a constriction fill the same transverse modes that the Landauer
count opens one by one, and their grand potential per unit length,

    omega(A) = sum_n g(E_F - eps_n(A)),   g(x) = -(2/pi) int_0^inf k_B T ln(1 + e^{(x - c k^2)/k_B T}) dk,

(spin included, c = hbar^2 / 2m*, eps_n the hard-wall mode edges of the section of area A), is
a smooth part (Weyl expansion: a bulk pressure and the surface tension sigma_W = E_F^2 / (16 pi c)
of the hard-wall electron gas) plus an oscillating shell part. Adding an atom of volume Omega
to the section changes the electrons' energy by Omega d(omega)/dA: the shell part of it,

    delta_mu = Omega [d omega/dA - (-P_bulk + sigma_W dP/dA)],

is a sawtooth in the radius, falling steeply where a new mode opens (the neck gains binding
energy as it grows through a conductance step) and rising along each plateau. Its amplitude at
the first plateaus is a few tenths of an eV, comparable to the Gibbs-Thomson shift gamma Omega / a
that the measured surface energy gives: the necks of the conductance plateaus are the stable
("magic") ones (Stafford, Baeriswyl & Buerki, Phys. Rev. Lett. 79, 2863 (1997); Kassubek,
Stafford, Grabert & Goldstein, Nonlinearity 14, 167 (2001); Yanson, Yanson & van Ruitenbeek,
Nature 400, 144 (1999)). The smooth part is already in the measured surface energy, so only
delta_mu is added to the electrochemical potential of the neck's surface atoms.

With ``dA`` at fixed shape, d eps_n/dA = -eps_n / A and d omega/dA = -(1/A) sum_n n_n eps_n, n_n
the mode's electrons per length; for a disc dP/dA = 1/a.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import jn_zeros

from apcfem.landauer.electrons import _HBAR2_2ME_EV_M2, _KB_EV, Electrons
from apcfem.landauer.modes import circular_mode_table

_SMEARING_WIDTHS = 40.0
"""Modes more than this many k_B T above E_F hold no electrons (e^-40) and are left out."""

_K_SAMPLES = 2001
"""Samples of the longitudinal wavenumber in a mode's electron density."""


def line_density_per_m(excess_eV, temperature_K: float, c_eV_m2: float) -> np.ndarray:
    """Electrons per unit length of a 1-D subband whose edge lies ``excess_eV`` below E_F
    (spin included) [1/m]: (2/pi) int_0^inf f(c k^2 - excess) dk, f the Fermi function;
    (2/pi) sqrt(excess / c) at T = 0.

    Args:
        excess_eV: E_F - eps_n [eV] (array).
        temperature_K: electron temperature [K] (0: the step).
        c_eV_m2: hbar^2 / (2 m*) [eV m^2].
    """
    x = np.atleast_1d(np.asarray(excess_eV, dtype=float))
    if temperature_K <= 0.0:
        return 2.0 / np.pi * np.sqrt(np.maximum(x, 0.0) / c_eV_m2)
    kT = _KB_EV * temperature_K
    k_max = np.sqrt((np.maximum(x, 0.0) + _SMEARING_WIDTHS * kT) / c_eV_m2)
    s = np.linspace(0.0, 1.0, _K_SAMPLES)
    k = k_max[:, None] * s[None, :]
    occupation = 0.5 * (1.0 - np.tanh((c_eV_m2 * k**2 - x[:, None]) / (2.0 * kT)))
    return 2.0 / np.pi * np.trapezoid(occupation, k, axis=1)


def shell_chemical_potential_eV(mode_edges_eV, degeneracies, area_m2: float,
                                perimeter_m: float, electrons: Electrons,
                                atomic_volume_m3: float) -> float:
    """Shell part delta_mu of the electrons' energy per atom added to a section [eV] (> 0: the
    atom is less bound than on the smooth, Weyl-limit surface).

    Args:
        mode_edges_eV: hard-wall transverse mode edges eps_n of the section (1-D) [eV]: every
            edge below E_F + 40 k_B T (the higher ones are left out).
        degeneracies: orbital degeneracy of each edge (spin not included).
        area_m2: section area A [m^2].
        perimeter_m: section perimeter P [m] (dP/dA = P / 2A at fixed shape).
        electrons: E_F [eV], m* and the temperature of the smearing.
        atomic_volume_m3: Omega of the metal [m^3].
    """
    c = _HBAR2_2ME_EV_M2 / float(electrons.effective_mass_me)
    E_F = float(electrons.fermi_energy_eV)
    T = float(electrons.temperature_K)
    edges = np.asarray(mode_edges_eV, dtype=float)
    occupied = edges < E_F + _SMEARING_WIDTHS * _KB_EV * T
    edges, weights = edges[occupied], np.asarray(degeneracies, dtype=float)[occupied]
    d_omega_dA = -np.sum(weights * line_density_per_m(E_F - edges, T, c) * edges) / area_m2
    bulk_pressure = 2.0 * E_F**2.5 / (15.0 * np.pi**2 * c**1.5)
    weyl_surface_tension = E_F**2 / (16.0 * np.pi * c)
    weyl = -bulk_pressure + weyl_surface_tension * perimeter_m / (2.0 * area_m2)
    return float(atomic_volume_m3 * (d_omega_dA - weyl))


def circular_shell_chemical_potential_eV(radius_m: float, electrons: Electrons,
                                         atomic_volume_m3: float) -> float:
    """:func:`shell_chemical_potential_eV` of a hard-wall disc of radius a [eV] (0 for a <= 0)."""
    if radius_m <= 0.0:
        return 0.0
    c = _HBAR2_2ME_EV_M2 / float(electrons.effective_mass_me)
    E_top = float(electrons.fermi_energy_eV) + 2.0 * _SMEARING_WIDTHS * _KB_EV * float(
        electrons.temperature_K) + 1.0
    j, degeneracy, _, _ = circular_mode_table(radius_m * np.sqrt(E_top / c))
    return shell_chemical_potential_eV(c * (j / radius_m) ** 2, degeneracy, np.pi * radius_m**2,
                                       2.0 * np.pi * radius_m, electrons, atomic_volume_m3)


def last_channel_stable_radius_m(electrons: Electrons, atomic_volume_m3: float) -> float:
    """Radius [m] of the shell potential's minimum on the one-channel plateau, between the
    first and second modes' radii j_01/k_F and j_11/k_F (Ag at 300 K: 0.2204 nm, where
    delta_mu = -0.64 eV).

    Below it each atom a thinning one-channel neck loses leaves the rest less bound (delta_mu
    rises by ~1.3 eV to the first mode's radius): its dissolution runs away, the thinner
    necks are not stable (only necks at shell minima are: Stafford, Baeriswyl & Buerki,
    Phys. Rev. Lett. 79, 2863 (1997)) and the contact breaks.
    """
    k_F = np.sqrt(float(electrons.fermi_energy_eV) * float(electrons.effective_mass_me)
                  / _HBAR2_2ME_EV_M2)
    j01, j11 = jn_zeros(0, 1)[0], jn_zeros(1, 1)[0]
    found = minimize_scalar(
        lambda a_nm: circular_shell_chemical_potential_eV(a_nm * 1e-9, electrons,
                                                          atomic_volume_m3),
        bounds=(j01 / k_F * 1e9, j11 / k_F * 1e9), method="bounded",
        options={"xatol": 1e-6})
    return float(found.x) * 1e-9
