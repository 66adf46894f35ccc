"""Transverse modes of a circular neck: Bessel-zero table, saddle-point energy, Torres limit.

A hard-wall disc of radius ``a`` has mode edges ``E_mn = hbar^2 j_mn^2 / (2 m* a^2)`` with ``j_mn``
the ``n``-th zero of ``J_m``; modes with ``m != 0`` are doubly degenerate (``±m``).
"""

from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy.special import jn_zeros

from apcfem.landauer.electrons import _HBAR2_2ME_EV_M2, Electrons, _check

_K_LIMIT = 1000.0  # largest k_F a served by the mode table (~1.25e5 modes); use Torres beyond
_TABLE_STEP = 8.0  # the mode table is cached in k_F a steps of this size


def circular_mode_table(k_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All transverse modes of a hard-wall disc with ``j_mn < k_max``, sorted by ``j_mn``.

    The leading part of a cached table whose bound is ``k_max`` rounded up to a multiple of
    ``_TABLE_STEP`` (Bessel zeros are computed once per bound, not per call).

    Args:
        k_max: Upper bound on the Bessel zero, i.e. on ``k a`` [dimensionless].

    Returns:
        ``(j, degeneracy, m, n)``: Bessel zeros ``j_mn`` [dimensionless], orbital degeneracy
        (1 for ``m = 0``, 2 for ``±m``; spin not included), angular index ``m >= 0`` and radial
        index ``n >= 1``.
    """
    table = _bounded_mode_table(_TABLE_STEP * max(np.ceil(k_max / _TABLE_STEP), 1.0))
    count = int(np.searchsorted(table[0], k_max))  # sorted by j: the modes below are a prefix
    return tuple(column[:count].copy() for column in table)


@lru_cache(maxsize=8)
def _bounded_mode_table(k_max: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`circular_mode_table` computed afresh (cached by the bound)."""
    zeros, m_index, n_index = [], [], []
    for m in range(int(np.ceil(k_max))):  # j_m1 > m: no zero of a higher order lies below k_max
        z = _bessel_zeros_below(m, k_max)
        if z.size == 0:
            break
        zeros.append(z)
        m_index.append(np.full(z.size, m))
        n_index.append(np.arange(1, z.size + 1))
    if not zeros:
        empty = np.empty(0, dtype=int)
        return np.empty(0), empty, empty, empty
    j, m_all, n_all = (np.concatenate(v) for v in (zeros, m_index, n_index))
    order = np.argsort(j, kind="stable")
    m_all = m_all[order]
    return j[order], np.where(m_all == 0, 1, 2), m_all, n_all[order]


def _bessel_zeros_below(m: int, k_max: float) -> np.ndarray:
    """Zeros of ``J_m`` below ``k_max`` [dimensionless]."""
    count = int(k_max / np.pi) + 2  # McMahon: j_mn ≈ (n + m/2 - 1/4) π, so this normally suffices
    z = jn_zeros(m, count)
    while z[-1] < k_max:
        count *= 2
        z = jn_zeros(m, count)
    return z[z < k_max]


class _ModeArrays(NamedTuple):
    """Sorted mode table in the layout used by the sums."""

    j2: np.ndarray  # j_mn^2, ascending
    degeneracy: np.ndarray  # orbital degeneracy (float)
    cumulative: np.ndarray  # cumulative[i] = sum(degeneracy[:i]); length len(j2) + 1


@lru_cache(maxsize=8)
def _mode_arrays(k_cap: float) -> _ModeArrays:
    """Cached mode table up to ``k_cap``."""
    j, degeneracy, _, _ = circular_mode_table(k_cap)
    cumulative = np.concatenate(([0.0], np.cumsum(degeneracy, dtype=float)))
    return _ModeArrays(j * j, degeneracy.astype(float), cumulative)


def _k_bound(k2_max: float) -> float:
    """``sqrt(k2_max)`` after checking it against the mode-table limit [dimensionless]."""
    k_max = float(np.sqrt(max(k2_max, 0.0)))
    if k_max > _K_LIMIT:
        raise ValueError(
            f"k a = {k_max:.0f} exceeds {_K_LIMIT:.0f}; the neck is classical, use "
            "torres_conductance_G0"
        )
    return k_max


def _modes_up_to(k2_max: float) -> _ModeArrays:
    """Mode table containing every ``j_mn`` with ``j_mn^2 <= k2_max``."""
    return _mode_arrays(_TABLE_STEP * (np.floor(_k_bound(k2_max) / _TABLE_STEP) + 1.0))


def torres_conductance_G0(radius_m, electrons: Electrons) -> np.ndarray:
    """Semiclassical conductance of a circular contact, ``(k_F a/2)^2 (1 - 2/(k_F a))``.

    Sharvin's ``(k_F a/2)^2`` with the first quantum (perimeter) correction of J. A. Torres,
    J. I. Pascual and J. J. Sáenz, PRB 49, 16581 (1994); see also N. Agraït, A. Levy Yeyati and
    J. M. van Ruitenbeek, Phys. Rep. 377, 81 (2003).  It equals the two-term Weyl count of
    Dirichlet disc modes, ``A k^2/4π - L k/4π``, i.e. the smooth part of the T = 0 staircase.
    Negative values (``k_F a < 2``, outside the asymptotic regime) are clipped to zero.

    Args:
        radius_m: Contact radius [m].
        electrons: Fermi energy and effective mass (the conditions are not used).

    Returns:
        Conductance [G0].
    """
    radius, fermi, mass = (np.asarray(v, dtype=float)
                           for v in (radius_m, electrons.fermi_energy_eV,
                                     electrons.effective_mass_me))
    for name, value in (("radius_m", radius), ("fermi_energy_eV", fermi),
                        ("effective_mass_me", mass)):
        _check(name, value, positive=True)
    kf_a = radius * np.sqrt(fermi * mass / _HBAR2_2ME_EV_M2)
    return np.maximum(0.25 * kf_a**2 * (1.0 - 2.0 / kf_a), 0.0)


def saddle_hbar_omega_eV(mode_energy_eV, radius_m, curvature_per_m, effective_mass_me=1.0):
    """Saddle-point energy ``hbar*omega_n`` of a neck ``a(z) ≈ a0 + a'' z^2 / 2``.

    The adiabatic edge ``E_n(z) = E_n0 (a0/a(z))^2 ≈ E_n0 - E_n0 (a''/a0) z^2`` is an inverted
    parabola ``E_n0 - m* omega_n^2 z^2 / 2`` with ``m* omega_n^2 = 2 E_n0 a''/a0`` (Glazman et
    al., JETP Lett. 48, 238 (1988); Büttiker, PRB 41, 7906 (1990)).

    Args:
        mode_energy_eV: Mode edge ``E_n0`` at the neck (``≈ E_F`` for the modes that matter) [eV].
        radius_m: Neck radius ``a0`` [m].
        curvature_per_m: Longitudinal curvature ``a''`` at the neck [1/m].
        effective_mass_me: Effective mass [m_e].

    Returns:
        ``hbar*omega_n`` [eV], broadcast over the arguments.
    """
    energy, radius, curvature, mass = (np.asarray(v, dtype=float) for v in (
        mode_energy_eV, radius_m, curvature_per_m, effective_mass_me))
    _check("mode_energy_eV", energy)
    _check("radius_m", radius, positive=True)
    _check("curvature_per_m", curvature)
    _check("effective_mass_me", mass, positive=True)
    # (hbar omega)^2 = hbar^2 * 2 E a''/(a m*) = 4 (hbar^2/2m_e) E a''/(a m*)
    return np.sqrt(4.0 * _HBAR2_2ME_EV_M2 * energy * curvature / (radius * mass))


