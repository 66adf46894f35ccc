"""Constants, the electrons-and-conditions record and argument checks of the channel counter."""

from dataclasses import dataclass, replace

import numpy as np
from scipy import constants as const

G0_S: float = 2.0 * const.e**2 / const.h
"""Conductance quantum 2e^2/h [S]."""

_HBAR2_2ME_EV_M2 = const.hbar**2 / (2.0 * const.m_e * const.e)  # hbar^2/(2 m_e) [eV m^2]
_KB_EV = const.k / const.e  # Boltzmann constant [eV/K]
_MUB_EV = const.physical_constants["Bohr magneton in eV/T"][0]  # [eV/T]


@dataclass(frozen=True)
class ConductanceResult:
    """Conductance of a neck.

    Attributes:
        G_G0: Conductance ``I/V`` (linear response at ``V = 0``) [G0 = 2e^2/h].
        channels: Number of channels with transmission > 0.5 at ``E_F``; each spin channel counts
            0.5 so that ``channels`` is directly comparable with ``G_G0`` [dimensionless].
    """

    G_G0: np.ndarray
    channels: np.ndarray



def _check(name: str, value: np.ndarray, *, positive: bool = False, upper: float | None = None):
    """Raise ``ValueError`` unless ``value`` is finite, >= 0 (> 0 if ``positive``), <= ``upper``."""
    bad = ~np.isfinite(value) | ((value <= 0) if positive else (value < 0))
    if upper is not None:
        bad |= value > upper
    if np.any(bad):
        raise ValueError(f"{name} out of range: {np.asarray(value)[bad].ravel()[:3]}")


def strain_ratios(strain, poisson_ratio, mode: str = "elastic"):
    """Radial, axial and Fermi-energy ratios ``(a'/a, L'/L, E_F'/E_F)`` of a neck under an axial
    engineering strain ``ε`` (see :func:`~apcfem.landauer.stimuli.strained_neck`) [-].

    ``"elastic"``: ``a'/a = 1 - νε``; ``"plastic"``: volume conserving, ``a'/a = 1/sqrt(1 + ε)``;
    ``L'/L = 1 + ε`` in both. The free-electron ``E_F ∝ n^{2/3}`` with ``n ∝ 1/volume``.

    Raises:
        ValueError: If ``mode`` is unknown or the strain is out of range.
    """
    eps, nu = (np.asarray(v, dtype=float) for v in (strain, poisson_ratio))
    _check("1 + strain", 1.0 + eps, positive=True)
    if mode == "elastic":
        radial = 1.0 - nu * eps
        _check("1 - poisson_ratio * strain", radial, positive=True)
    elif mode == "plastic":
        radial = 1.0 / np.sqrt(1.0 + eps)
    else:
        raise ValueError(f"mode must be 'elastic' or 'plastic', got {mode!r}")
    volume_ratio = radial**2 * (1.0 + eps)  # V'/V
    return radial, 1.0 + eps, volume_ratio ** (-2.0 / 3.0)


def _circular_unit(radius_m, effective_mass_me) -> np.ndarray:
    """Validated ``hbar^2/(2 m* a^2)``, the edge energy per ``j^2`` of a circular neck [eV]."""
    a, mass = (np.asarray(v, dtype=float) for v in (radius_m, effective_mass_me))
    _check("radius_m", a, positive=True)
    _check("effective_mass_me", mass, positive=True)
    return _HBAR2_2ME_EV_M2 / (mass * a * a)



@dataclass(frozen=True, eq=False)
class Electrons:
    """The electrons of a neck and the conditions they are counted in.

    One record replaces the keyword arguments every counting function used to repeat.  Array
    values broadcast against each other and against the radii of :func:`circular_conductance`
    (e.g. an array of temperatures for one radius).  Strain is not a field: it acts through the
    geometry and the electron density, so a strained neck is counted with the radius and the
    record of :meth:`strained` (see :func:`strain_ratios`).

    Attributes:
        fermi_energy_eV: Fermi energy measured from the band bottom [eV].
        effective_mass_me: Effective mass [m_e].
        temperature_K: Electron temperature (Fermi smearing) [K].
        bias_V: Bias voltage [V]; conductances are then ``I/V``.
        beta: Fraction of the bias dropped on the left contact, ``mu_L = E_F + β eV``,
            ``mu_R = E_F - (1 - β) eV`` [dimensionless, 0..1].
        field_T: Magnetic field for the Zeeman splitting ``±g µ_B B/2`` [T].
        g_factor: Electron g-factor [dimensionless].
    """

    fermi_energy_eV: float | np.ndarray
    effective_mass_me: float | np.ndarray = 1.0
    temperature_K: float | np.ndarray = 0.0
    bias_V: float | np.ndarray = 0.0
    beta: float | np.ndarray = 0.5
    field_T: float | np.ndarray = 0.0
    g_factor: float | np.ndarray = 2.0

    def with_(self, **changes) -> "Electrons":
        """A copy with some fields changed, e.g. ``electrons.with_(temperature_K=18.0)``."""
        return replace(self, **changes)

    def strained(self, strain, *, poisson_ratio, mode: str = "elastic") -> "Electrons":
        """The record under an axial strain: the Fermi energy follows the electron density.

        Args:
            strain: Axial engineering strain [dimensionless].
            poisson_ratio: Poisson ratio of the neck metal [dimensionless].
            mode: ``"elastic"`` or ``"plastic"`` (volume conserving: ``E_F`` unchanged).
        """
        fermi_ratio = strain_ratios(strain, poisson_ratio, mode)[2]
        return self.with_(fermi_energy_eV=self.fermi_energy_eV * fermi_ratio)
