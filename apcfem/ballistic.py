"""Is the neck ballistic? Its length from the extracted profile against the mean free path.

The Landauer counter (:mod:`apcfem.landauer`) treats the neck as a ballistic constriction:
electrons cross it without scattering. That holds when the neck is shorter than the electron
mean free path l of the filament metal; a longer neck scatters, and its conductance falls below
the Landauer count towards the ohmic (Sharvin-to-Maxwell) value.

* Neck length: the length of the contiguous stretch of the radius profile a(z) around the neck
  whose section is at most ``NECK_AREA_FACTOR`` times the neck's, A(z) <= 2 A_neck, i.e.
  a(z) <= sqrt(2) a_neck: the part of the filament that carries at most about twice the neck's
  channels. The ends are located by linear interpolation between samples; a stretch that reaches
  an electrode face ends there. An hourglass a = a_n + z^2 / (2 R) has L = 2 sqrt(2 (sqrt(2)-1)
  a_n R); a cylinder has its whole length.
* Mean free path at temperature T: the library value at 300 K scaled by the phonon-limited
  resistivity, l(T) = l(300 K) rho(300 K) / rho(T) with rho(T) = rho(293 K) [1 + alpha (T - 293 K)]
  (``temperature_coefficient_of_resistivity_per_K``). Below 300 K l is kept at its 300 K value:
  the residual resistivity of a deposited filament is unknown, so no longer path is claimed.

NumPy only. :class:`BallisticCheck` gives the time-series column ``ballistic`` (1 ballistic,
0 not, NaN when the filament is broken or the metal has no mean free path) and logs one warning
per run, with the numbers, the first time the neck is longer than the mean free path.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from apcfem.materials import Material

log = logging.getLogger(__name__)

NECK_AREA_FACTOR = 2.0
"""The neck is the stretch of the filament whose section is at most this multiple of the
neck's section [-]."""

REFERENCE_TEMPERATURE_K = 293.0
"""Temperature at which the library's temperature coefficient of resistivity is referred [K]."""

MEAN_FREE_PATH_TEMPERATURE_K = 300.0
"""Temperature of the library's electron mean free path [K]."""


def neck_length_m(z_m: np.ndarray, radius_m: np.ndarray,
                  area_factor: float = NECK_AREA_FACTOR) -> float:
    """Length [m] of the stretch around the narrowest section with A(z) <= area_factor A_min.

    Args:
        z_m: increasing sample heights [m].
        radius_m: equivalent radius a(z) at each height [m], all > 0 (a whole filament).
        area_factor: section-area ratio that bounds the neck, > 1.

    Returns:
        The neck length [m]; ends between samples by linear interpolation of a(z), a stretch
        reaching the first or last sample ends there.

    Raises:
        ValueError: arrays of different length, fewer than two samples, a radius <= 0 or
            area_factor <= 1.
    """
    z, a = np.asarray(z_m, dtype=float), np.asarray(radius_m, dtype=float)
    if z.shape != a.shape or z.ndim != 1 or z.size < 2:
        raise ValueError("neck_length_m: z_m and radius_m must be 1-D arrays of equal length >= 2")
    if not np.all(a > 0.0):
        raise ValueError("neck_length_m: every radius must be > 0 (a broken filament has no neck)")
    if not area_factor > 1.0:
        raise ValueError(f"neck_length_m: area_factor = {area_factor:g} must be > 1")
    i = int(np.argmin(a))
    limit = a[i] * math.sqrt(area_factor)
    inside = a <= limit
    lo = i
    while lo > 0 and inside[lo - 1]:
        lo -= 1
    hi = i
    while hi < a.size - 1 and inside[hi + 1]:
        hi += 1
    start = z[lo] if lo == 0 else _crossing(z[lo - 1], z[lo], a[lo - 1], a[lo], limit)
    end = z[hi] if hi == a.size - 1 else _crossing(z[hi], z[hi + 1], a[hi], a[hi + 1], limit)
    return float(end - start)


def _crossing(z0: float, z1: float, a0: float, a1: float, level: float) -> float:
    """Height between two samples where the linear a(z) reaches ``level``."""
    return z0 + (level - a0) / (a1 - a0) * (z1 - z0)


def mean_free_path_m(metal: Material, temperature_K: float) -> float | None:
    """Electron mean free path [m] of ``metal`` at ``temperature_K`` (None if not in the library).

    l(T) = l(300 K) rho(300 K) / rho(T) above 300 K with the library's temperature coefficient
    of resistivity (l unchanged when the metal has none), l(300 K) below (see module docstring).
    """
    if metal.electron_mean_free_path_m is None:
        return None
    if not temperature_K > 0.0:
        raise ValueError(f"temperature_K = {temperature_K:g} must be positive (kelvin)")
    l_300 = metal.electron_mean_free_path_m.value
    alpha = metal.temperature_coefficient_of_resistivity_per_K
    if alpha is None or temperature_K <= MEAN_FREE_PATH_TEMPERATURE_K:
        return l_300
    rho_300, rho_t = (1.0 + alpha.value * (t - REFERENCE_TEMPERATURE_K)  # / rho(293 K)
                      for t in (MEAN_FREE_PATH_TEMPERATURE_K, temperature_K))
    return l_300 * rho_300 / rho_t


@dataclass
class BallisticCheck:
    """Compares each extracted neck with the filament metal's mean free path.

    Call it once per accepted row; it returns the ``ballistic`` column and logs a single warning
    per instance (one instance per run) the first time the neck is longer than l.

    Attributes:
        metal: filament material (``materials.filament``).
        warn: whether this process logs (True on rank 0 only; the decision is the same on every
            rank, since the profile is).
    """

    metal: Material
    warn: bool = True
    _warned: bool = False

    def __call__(self, neck, temperature_K: float) -> float:
        """1.0 if the neck is at most one mean free path long, 0.0 if longer, NaN when the
        filament is broken (no neck) or the metal has no mean free path.

        Args:
            neck: extracted profile (:class:`apcfem.neck.NeckProfile`: ``z_m``, ``radius_m``).
            temperature_K: electron temperature at the neck [K].
        """
        radius = np.asarray(neck.radius_m, dtype=float)
        if radius.size < 2 or not np.all(radius > 0.0):
            return math.nan
        mfp = mean_free_path_m(self.metal, temperature_K)
        if mfp is None:
            self._warn_once("materials.filament = '%s' has no electron_mean_free_path_m in the "
                            "materials library: the ballistic validity of the Landauer count is "
                            "not checked (column 'ballistic' is NaN)", self.metal.name)
            return math.nan
        length = neck_length_m(neck.z_m, radius)
        if length <= mfp:
            return 1.0
        self._warn_once(
            "the neck is not ballistic: its length %.3g nm (where the section is at most %g x "
            "that of the %.3g nm-radius neck) exceeds the electron mean free path %.3g nm of %s "
            "at %.0f K, so the Landauer count overestimates the contact conductance; column "
            "'ballistic' = 0 in the time series marks every such row, and its electrons heat it "
            "diffusively (physics.contact_heating = 'diffusive'; warned once per run)",
            length * 1e9, NECK_AREA_FACTOR, float(radius.min()) * 1e9, mfp * 1e9, self.metal.name,
            temperature_K)
        return 0.0

    def _warn_once(self, message: str, *args) -> None:
        if self.warn and not self._warned:
            log.warning(message, *args)
        self._warned = True
