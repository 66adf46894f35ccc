"""Optical constants: tabulated complex refractive index n + i k of the packaged materials.

The tables (wavelength, n, k, source) are in ``optical_constants.toml`` beside this module:
Johnson & Christy Ag, Au, Cu, Rakic Pt, Malitson SiO2.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

import numpy as np

from apcfem.materials import UnknownMaterialError


@dataclass(frozen=True)
class OpticalTable:
    """Tabulated complex refractive index of one material.

    Attributes:
        name: material name.
        wavelength_m: vacuum wavelengths, increasing [m].
        n: real part of the refractive index at each wavelength.
        k: extinction coefficient (imaginary part, >= 0) at each wavelength.
        source: bibliographic source of the data.
    """

    name: str
    wavelength_m: np.ndarray
    n: np.ndarray
    k: np.ndarray
    source: str

    def index(self, wavelength_m: float) -> complex:
        """n + i k at ``wavelength_m`` [m], linear interpolation between tabulated points.

        Raises:
            ValueError: wavelength outside the tabulated range.
        """
        lo, hi = self.wavelength_m[0], self.wavelength_m[-1]
        if not lo * (1 - 1e-9) <= wavelength_m <= hi * (1 + 1e-9):
            raise ValueError(f"{self.name}: wavelength {wavelength_m * 1e9:.1f} nm is outside "
                             f"the tabulated range {lo * 1e9:.1f}-{hi * 1e9:.1f} nm")
        return complex(np.interp(wavelength_m, self.wavelength_m, self.n),
                       np.interp(wavelength_m, self.wavelength_m, self.k))


def load_optical_constants(path: str | None = None) -> dict[str, OpticalTable]:
    """Parse and validate an optical-constants TOML file.

    Args:
        path: file to read; ``None`` reads the packaged ``optical_constants.toml``.

    Returns:
        Tables by material name.

    Raises:
        ValueError: a table lacks a key, arrays differ in length, wavelengths do not increase,
            n <= 0 or k < 0, or the source is empty. The message names the material.
    """
    if path is None:
        text = resources.files("apcfem.materials").joinpath("optical_constants.toml").read_text(
            "utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    return {name: _table(name, raw) for name, raw in tomllib.loads(text).items()}


def _table(name: str, raw: Mapping) -> OpticalTable:
    keys = {"wavelength_nm", "n", "k", "source"}
    if not isinstance(raw, Mapping) or set(raw) != keys:
        raise ValueError(f"optical constants '{name}': need exactly the keys "
                         f"{', '.join(sorted(keys))}")
    source = raw["source"]
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"optical constants '{name}': 'source' must be a non-empty string")
    try:
        lam, n, k = (np.asarray(raw[key], dtype=float) for key in ("wavelength_nm", "n", "k"))
    except (TypeError, ValueError):
        raise ValueError(f"optical constants '{name}': wavelength_nm, n, k must be number "
                         "arrays") from None
    if lam.ndim != 1 or lam.size < 1 or n.shape != lam.shape or k.shape != lam.shape:
        raise ValueError(f"optical constants '{name}': wavelength_nm, n, k must be 1-D arrays "
                         "of equal length")
    if not (np.all(np.isfinite(lam)) and np.all(np.diff(lam) > 0) and lam[0] > 0):
        raise ValueError(f"optical constants '{name}': wavelength_nm must increase and be > 0")
    if not (np.all(n > 0) and np.all(k >= 0) and np.all(np.isfinite(k))):
        raise ValueError(f"optical constants '{name}': need n > 0 and k >= 0")
    return OpticalTable(name=name, wavelength_m=lam * 1e-9, n=n, k=k, source=source.strip())


@functools.cache
def _default_tables() -> Mapping[str, OpticalTable]:
    return MappingProxyType(load_optical_constants())


def refractive_index(material: str, wavelength_m: float) -> complex:
    """Complex refractive index n + i k of a packaged material.

    Args:
        material: name in ``optical_constants.toml``: ``"Ag"``, ``"Au"``, ``"Cu"``, ``"Pt"``,
            ``"SiO2"``.
        wavelength_m: vacuum wavelength [m].

    Returns:
        n + i k (k >= 0).

    Raises:
        UnknownMaterialError: no table for ``material`` (message suggests close names).
        ValueError: wavelength outside the tabulated range.
    """
    tables = _default_tables()
    if material not in tables:
        raise UnknownMaterialError(str(material), tuple(sorted(tables)))
    return tables[material].index(wavelength_m)
