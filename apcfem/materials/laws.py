"""Physical constants and simple constitutive laws used with the materials library.

All functions are pure NumPy: they accept scalars or arrays and broadcast. Temperatures must
be positive (kelvin); a non-positive temperature raises ``ValueError``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import constants as _c

ELEMENTARY_CHARGE_C: float = _c.e
"""Elementary charge e [C]."""
BOLTZMANN_J_PER_K: float = _c.k
"""Boltzmann constant k_B [J/K]."""
PLANCK_J_S: float = _c.h
"""Planck constant h [J s]."""
HBAR_J_S: float = _c.hbar
"""Reduced Planck constant hbar [J s]."""
ELECTRON_MASS_KG: float = _c.m_e
"""Electron rest mass m_e [kg]."""
EPSILON_0_F_PER_M: float = _c.epsilon_0
"""Vacuum permittivity epsilon_0 [F/m]."""
FARADAY_C_PER_MOL: float = _c.physical_constants["Faraday constant"][0]
"""Faraday constant F [C/mol]."""
BOHR_MAGNETON_J_PER_T: float = _c.physical_constants["Bohr magneton"][0]
"""Bohr magneton mu_B [J/T]."""
G0_S: float = 2.0 * _c.e**2 / _c.h
"""Conductance quantum G0 = 2 e^2 / h [S] (spin-degenerate), about 7.748e-5 S."""
LORENZ_W_OHM_PER_K2: float = np.pi**2 / 3.0 * (_c.k / _c.e) ** 2
"""Sommerfeld Lorenz number L0 = pi^2/3 (k_B/e)^2 [W Ohm / K^2], about 2.443e-8."""

FloatArray = npt.NDArray[np.float64]


def _temperature(temperature_K: npt.ArrayLike) -> FloatArray:
    t = np.asarray(temperature_K, dtype=float)
    if np.any(~(t > 0.0)):
        raise ValueError("temperature_K must be positive (kelvin)")
    return t


def thermal_voltage_V(temperature_K: npt.ArrayLike) -> FloatArray:
    """Thermal voltage k_B T / e.

    Args:
        temperature_K: Temperature [K], > 0.

    Returns:
        Thermal voltage [V] (0.02585 V at 300 K).
    """
    return BOLTZMANN_J_PER_K * _temperature(temperature_K) / ELEMENTARY_CHARGE_C


def arrhenius(
    prefactor: npt.ArrayLike, activation_energy_eV: npt.ArrayLike, temperature_K: npt.ArrayLike
) -> FloatArray:
    """Arrhenius law ``prefactor * exp(-E_a / (k_B T))``.

    Args:
        prefactor: Value at infinite temperature, any unit (e.g. D0 [m^2/s]).
        activation_energy_eV: Activation energy E_a [eV].
        temperature_K: Temperature [K], > 0.

    Returns:
        Rate or coefficient in the unit of ``prefactor``.
    """
    vt = thermal_voltage_V(temperature_K)
    return np.asarray(prefactor, dtype=float) * np.exp(
        -np.asarray(activation_energy_eV, dtype=float) / vt
    )


def einstein_mobility_m2_per_Vs(
    diffusivity_m2_per_s: npt.ArrayLike, charge_number: npt.ArrayLike, temperature_K: npt.ArrayLike
) -> FloatArray:
    """Einstein relation mu = |z| e D / (k_B T).

    Args:
        diffusivity_m2_per_s: Diffusion coefficient D [m^2/s].
        charge_number: Ion charge number z (sign ignored).
        temperature_K: Temperature [K], > 0.

    Returns:
        Mobility magnitude [m^2/(V s)].
    """
    z = np.abs(np.asarray(charge_number, dtype=float))
    return z * np.asarray(diffusivity_m2_per_s, dtype=float) / thermal_voltage_V(temperature_K)


def wiedemann_franz_thermal_conductivity(
    sigma_S_per_m: npt.ArrayLike, temperature_K: npt.ArrayLike
) -> FloatArray:
    """Electronic thermal conductivity from the Wiedemann-Franz law, kappa = L0 sigma T.

    Args:
        sigma_S_per_m: Electrical conductivity [S/m].
        temperature_K: Temperature [K], > 0.

    Returns:
        Electronic thermal conductivity [W/(m K)], with the Sommerfeld value of L0.
    """
    return LORENZ_W_OHM_PER_K2 * np.asarray(sigma_S_per_m, dtype=float) * _temperature(
        temperature_K
    )


def fermi_wavevector_per_m(
    fermi_energy_eV: npt.ArrayLike, effective_mass_me: npt.ArrayLike
) -> FloatArray:
    """Free-electron Fermi wavevector k_F = sqrt(2 m* E_F) / hbar.

    Args:
        fermi_energy_eV: Fermi energy measured from the band bottom [eV], >= 0.
        effective_mass_me: Effective mass m* in units of the electron mass m_e, > 0.

    Returns:
        Fermi wavevector [1/m] (1.20e10 for Ag: 5.49 eV, m* = 1).
    """
    ef = np.asarray(fermi_energy_eV, dtype=float)
    m = np.asarray(effective_mass_me, dtype=float)
    if np.any(~(ef >= 0.0)) or np.any(~(m > 0.0)):
        raise ValueError("need fermi_energy_eV >= 0 and effective_mass_me > 0")
    return np.sqrt(2.0 * m * ELECTRON_MASS_KG * ef * ELEMENTARY_CHARGE_C) / HBAR_J_S
