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
AVOGADRO_PER_MOL: float = _c.N_A
"""Avogadro constant N_A [1/mol] (exact in the 2019 SI)."""
FARADAY_C_PER_MOL: float = _c.physical_constants["Faraday constant"][0]
"""Faraday constant F = e N_A [C/mol]."""
GAS_CONSTANT_J_PER_MOLK: float = _c.R
"""Molar gas constant R = k_B N_A [J/(mol K)]."""
BOHR_MAGNETON_J_PER_T: float = _c.physical_constants["Bohr magneton"][0]
"""Bohr magneton mu_B [J/T]."""
G0_S: float = 2.0 * _c.e**2 / _c.h
"""Conductance quantum G0 = 2 e^2 / h [S] (spin-degenerate), about 7.748e-5 S."""
LORENZ_W_OHM_PER_K2: float = np.pi**2 / 3.0 * (_c.k / _c.e) ** 2
"""Sommerfeld Lorenz number L0 = pi^2/3 (k_B/e)^2 [W Ohm / K^2], about 2.443e-8."""

LIBRARY_TEMPERATURE_K: float = 300.0
"""Temperature [K] at which the materials library's conductivities are tabulated."""

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


def lattice_thermal_conductivity(k_W_per_mK: float, sigma_S_per_m: float,
                                  temperature_K: float = LIBRARY_TEMPERATURE_K) -> float:
    """Lattice part [W/(m K)] of a conductor's thermal conductivity k measured at
    ``temperature_K`` [K] with the electrical conductivity sigma [S/m] there: k less the
    electrons' Wiedemann-Franz part L0 sigma T.

    Raises:
        ValueError: the electrons' part exceeds k (no lattice part is left).
    """
    electrons = float(wiedemann_franz_thermal_conductivity(sigma_S_per_m, temperature_K))
    if electrons > k_W_per_mK:
        raise ValueError(
            f"the electrons' Wiedemann-Franz part at {temperature_K:g} K ({electrons:.3g} "
            f"W/(m K)) exceeds the thermal conductivity {k_W_per_mK:.3g} W/(m K)")
    return k_W_per_mK - electrons


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


def free_electron_density_per_m3(
    fermi_energy_eV: npt.ArrayLike, effective_mass_me: npt.ArrayLike
) -> FloatArray:
    """Carrier density of a spin-degenerate free-electron gas, n = k_F^3 / (3 pi^2).

    Args:
        fermi_energy_eV: Fermi energy measured from the band bottom [eV], >= 0.
        effective_mass_me: Effective mass m* in units of the electron mass m_e, > 0.

    Returns:
        Carrier density [1/m^3] (5.84e28 for Ag: 5.49 eV, m* = 1).
    """
    return fermi_wavevector_per_m(fermi_energy_eV, effective_mass_me) ** 3 / (3.0 * np.pi**2)


def drude_mean_free_path_m(
    sigma_S_per_m: npt.ArrayLike, fermi_energy_eV: npt.ArrayLike, effective_mass_me: npt.ArrayLike
) -> FloatArray:
    """Drude mean free path of a free-electron gas, l = v_F tau = 3 pi^2 hbar sigma / (e^2 k_F^2).

    From sigma = n e^2 tau / m*, v_F = hbar k_F / m* and n = k_F^3 / (3 pi^2); m* cancels, so
    l depends on the conductivity and the carrier density only.

    Args:
        sigma_S_per_m: Electrical conductivity [S/m].
        fermi_energy_eV: Fermi energy measured from the band bottom [eV], > 0.
        effective_mass_me: Effective mass m* in units of the electron mass m_e, > 0.

    Returns:
        Mean free path [m] (5.3e-8 for Ag at 293 K: sigma = 6.30e7 S/m, 5.49 eV, m* = 1).
    """
    k_f = fermi_wavevector_per_m(fermi_energy_eV, effective_mass_me)
    return (3.0 * np.pi**2 * HBAR_J_S * np.asarray(sigma_S_per_m, dtype=float)
            / (ELEMENTARY_CHARGE_C**2 * k_f**2))


def molar_density_mol_per_m3(
    density_kg_per_m3: npt.ArrayLike, molar_mass_kg_per_mol: npt.ArrayLike
) -> FloatArray:
    """Amount of substance per volume, c = rho / M.

    The atomic volume is Omega = 1 / (c N_A).

    Args:
        density_kg_per_m3: Mass density rho [kg/m^3].
        molar_mass_kg_per_mol: Molar mass M [kg/mol], > 0.

    Returns:
        Molar density [mol/m^3] (9.73e4 for Ag: 10500 kg/m^3, 0.1078682 kg/mol).
    """
    m = np.asarray(molar_mass_kg_per_mol, dtype=float)
    if np.any(~(m > 0.0)):
        raise ValueError("molar_mass_kg_per_mol must be positive")
    return np.asarray(density_kg_per_m3, dtype=float) / m


def capillary_length_m(
    surface_energy_J_per_m2: npt.ArrayLike,
    atomic_volume_m3: npt.ArrayLike,
    temperature_K: npt.ArrayLike,
) -> FloatArray:
    """Capillary length l_c = gamma Omega / (k_B T).

    The radius of curvature at which the Gibbs-Thomson excess chemical potential per atom,
    gamma Omega kappa, equals k_B T (kappa = 1 / l_c).

    Args:
        surface_energy_J_per_m2: Surface energy gamma [J/m^2].
        atomic_volume_m3: Volume per atom Omega [m^3].
        temperature_K: Temperature [K], > 0.

    Returns:
        Capillary length [m] (5.1e-9 for Ag at 300 K: gamma = 1.25 J/m^2, Omega = 1.71e-29 m^3).
    """
    gamma_omega_J_m = np.asarray(surface_energy_J_per_m2, dtype=float) * np.asarray(
        atomic_volume_m3, dtype=float
    )
    return gamma_omega_J_m / (BOLTZMANN_J_PER_K * _temperature(temperature_K))


def gibbs_thomson_shift_V(
    surface_energy_J_per_m2: npt.ArrayLike,
    atomic_volume_m3: npt.ArrayLike,
    curvature_per_m: npt.ArrayLike,
    charge_number: npt.ArrayLike,
) -> FloatArray:
    """Gibbs-Thomson shift of the equilibrium potential, gamma Omega kappa / (z e).

    An atom on a surface of curvature kappa carries the excess chemical potential
    gamma Omega kappa, so a convex metal surface (kappa > 0) dissolves more easily: its
    equilibrium (reduction) potential for M^z+ + z e- <-> M lies lower than that of the flat
    metal by this value.

    Args:
        surface_energy_J_per_m2: Surface energy gamma [J/m^2].
        atomic_volume_m3: Volume per atom Omega [m^3].
        curvature_per_m: Sum of the principal curvatures kappa [1/m]: 1/a for a cylinder and
            2/a for a sphere of radius a; > 0 for a convex surface.
        charge_number: Ion charge number z, non-zero (signed).

    Returns:
        Potential shift [V] (0.133 for Ag, a cylinder of radius 1 nm, z = 1).
    """
    z = np.asarray(charge_number, dtype=float)
    if np.any(z == 0.0):
        raise ValueError("charge_number must be non-zero")
    excess_J = (
        np.asarray(surface_energy_J_per_m2, dtype=float)
        * np.asarray(atomic_volume_m3, dtype=float)
        * np.asarray(curvature_per_m, dtype=float)
    )
    return excess_J / (z * ELEMENTARY_CHARGE_C)


def ionic_conductivity_S_per_m(
    charge_number: npt.ArrayLike,
    diffusivity_m2_per_s: npt.ArrayLike,
    concentration_mol_per_m3: npt.ArrayLike,
    temperature_K: npt.ArrayLike,
) -> FloatArray:
    """Nernst-Einstein ionic conductivity sigma = z^2 F^2 D c / (R T).

    Equivalently z^2 e^2 D n / (k_B T) with the number density n = c N_A.

    Args:
        charge_number: Ion charge number z (enters squared).
        diffusivity_m2_per_s: Ion diffusivity D [m^2/s].
        concentration_mol_per_m3: Mobile-ion concentration c [mol/m^3].
        temperature_K: Temperature [K], > 0.

    Returns:
        Ionic conductivity [S/m].
    """
    z = np.asarray(charge_number, dtype=float)
    return (
        z**2
        * FARADAY_C_PER_MOL**2
        * np.asarray(diffusivity_m2_per_s, dtype=float)
        * np.asarray(concentration_mol_per_m3, dtype=float)
        / (GAS_CONSTANT_J_PER_MOLK * _temperature(temperature_K))
    )


def tunnel_barrier_eV(
    work_function_eV: npt.ArrayLike, electron_affinity_eV: npt.ArrayLike
) -> FloatArray:
    """Metal/insulator electron barrier from the Schottky-Mott rule, phi_B = W - chi.

    This is the ideal rectangular barrier height (Ag/SiO2: 4.26 - 0.9 = 3.36 eV). The
    effective barrier across a gap of a few atoms is lower: image forces round off and lower
    the barrier (J. G. Simmons, J. Appl. Phys. 34, 1793 (1963)), and in a vacuum-like gap
    between filament tip and electrode the barrier scale is the work function itself, reduced
    in the same way. Interface dipoles and Fermi-level pinning are not included. A result
    <= 0 means no barrier (ohmic injection); it is returned as is.

    Args:
        work_function_eV: Metal work function W [eV].
        electron_affinity_eV: Insulator electron affinity chi [eV].

    Returns:
        Barrier height [eV].
    """
    return np.asarray(work_function_eV, dtype=float) - np.asarray(electron_affinity_eV, dtype=float)
