"""Materials library: sourced property data (``library.toml``) and simple physical laws.

Every number carries its source. Load a material by name with :func:`get_material`; list
names with :func:`material_names`; validate another TOML file with :func:`load_library`.
"""

from __future__ import annotations

import difflib
import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from os import PathLike
from types import MappingProxyType
from typing import Any

from apcfem.materials.laws import (
    AVOGADRO_PER_MOL,
    BOHR_MAGNETON_J_PER_T,
    BOLTZMANN_J_PER_K,
    ELECTRON_MASS_KG,
    ELEMENTARY_CHARGE_C,
    EPSILON_0_F_PER_M,
    FARADAY_C_PER_MOL,
    G0_S,
    GAS_CONSTANT_J_PER_MOLK,
    HBAR_J_S,
    LIBRARY_TEMPERATURE_K,
    LORENZ_W_OHM_PER_K2,
    PLANCK_J_S,
    arrhenius,
    capillary_length_m,
    drude_mean_free_path_m,
    einstein_mobility_m2_per_Vs,
    fermi_wavevector_per_m,
    free_electron_density_per_m3,
    gibbs_thomson_shift_V,
    ionic_conductivity_S_per_m,
    molar_density_mol_per_m3,
    thermal_voltage_V,
    tunnel_barrier_eV,
    wiedemann_franz_thermal_conductivity,
)

__all__ = [
    "AVOGADRO_PER_MOL",
    "BOHR_MAGNETON_J_PER_T",
    "BOLTZMANN_J_PER_K",
    "ELECTRON_MASS_KG",
    "ELEMENTARY_CHARGE_C",
    "EPSILON_0_F_PER_M",
    "FARADAY_C_PER_MOL",
    "G0_S",
    "GAS_CONSTANT_J_PER_MOLK",
    "HBAR_J_S",
    "KINDS",
    "LIBRARY_TEMPERATURE_K",
    "LORENZ_W_OHM_PER_K2",
    "OPTIONAL_PROPERTIES",
    "PLANCK_J_S",
    "REQUIRED_PROPERTIES",
    "IonSpecies",
    "Material",
    "Quantity",
    "UnknownMaterialError",
    "arrhenius",
    "capillary_length_m",
    "case_filament",
    "drude_mean_free_path_m",
    "einstein_mobility_m2_per_Vs",
    "fermi_wavevector_per_m",
    "free_electron_density_per_m3",
    "get_material",
    "gibbs_thomson_shift_V",
    "ionic_conductivity_S_per_m",
    "load_library",
    "material_names",
    "molar_density_mol_per_m3",
    "thermal_voltage_V",
    "tunnel_barrier_eV",
    "wiedemann_franz_thermal_conductivity",
]

KINDS: tuple[str, ...] = ("metal", "dielectric", "oxide", "electrolyte", "filament")
"""Allowed values of ``Material.kind``."""

REQUIRED_PROPERTIES: tuple[str, ...] = (
    "electrical_conductivity_S_per_m",
    "thermal_conductivity_W_per_mK",
    "heat_capacity_J_per_kgK",
    "density_kg_per_m3",
    "relative_permittivity",
    "thermal_expansion_per_K",
    "youngs_modulus_Pa",
    "poisson_ratio",
)
"""Properties every material must give, each as a ``{value, source}`` table."""

OPTIONAL_PROPERTIES: tuple[str, ...] = (
    "molar_mass_kg_per_mol",
    "atomic_volume_m3",
    "surface_energy_J_per_m2",
    "work_function_eV",
    "electron_affinity_eV",
    "band_gap_eV",
    "melting_point_K",
    "standard_electrode_potential_V",
    "carrier_density_per_m3",
    "electron_mean_free_path_m",
    "temperature_coefficient_of_resistivity_per_K",
    "schottky_barrier_eV",
    "schottky_fermi_level_depth_eV",
    "image_force_permittivity",
    "vacancy_concentration_min_per_m3",
    "vacancy_concentration_max_per_m3",
    "electron_mobility_m2_per_Vs",
    "oxygen_exchange_current_density_A_per_m2",
    "oxygen_site_density_per_m3",
    "indentation_hardness_Pa",
)
"""Properties a material may give (``{value, source}`` tables); ``None`` when absent."""

_ELECTRON_PROPERTIES = ("fermi_energy_eV", "effective_mass_me")
_ION_QUANTITIES = ("diffusivity_prefactor_m2_per_s", "activation_energy_eV", "hopping_distance_m")
# A stored atomic volume must agree with molar_mass / (density N_A) to this relative tolerance.
_ATOMIC_VOLUME_RTOL = 0.005
# Optional properties that may take either sign (the other optional ones must be > 0).
_SIGNED_OPTIONAL = frozenset(
    {"electron_affinity_eV", "standard_electrode_potential_V",
     "temperature_coefficient_of_resistivity_per_K"})
# Properties that must be strictly positive (the rest need only be finite).
_POSITIVE = frozenset(
    {
        "electrical_conductivity_S_per_m",
        "thermal_conductivity_W_per_mK",
        "heat_capacity_J_per_kgK",
        "density_kg_per_m3",
        "relative_permittivity",
        "youngs_modulus_Pa",
        *(key for key in OPTIONAL_PROPERTIES if key not in _SIGNED_OPTIONAL),
        *_ELECTRON_PROPERTIES,
        *_ION_QUANTITIES,
    }
)


@dataclass(frozen=True)
class Quantity:
    """A number with the reference it comes from.

    Attributes:
        value: The value, in the SI unit named by the property.
        source: Bibliographic source (paper or handbook table) or a labelled model parameter.
    """

    value: float
    source: str


@dataclass(frozen=True)
class IonSpecies:
    """Mobile ionic species supplied by (or moving inside) a material.

    Attributes:
        species: Name, e.g. ``"Ag+"`` or ``"V_O"`` (oxygen vacancy).
        charge_number: Signed charge number z.
        diffusivity_prefactor_m2_per_s: D0 in D = D0 exp(-Ea / k_B T) [m^2/s].
        activation_energy_eV: Migration barrier Ea [eV].
        hopping_distance_m: Hopping distance a [m].
    """

    species: str
    charge_number: int
    diffusivity_prefactor_m2_per_s: Quantity
    activation_energy_eV: Quantity
    hopping_distance_m: Quantity


@dataclass(frozen=True)
class Material:
    """One library entry; every numeric property is a sourced :class:`Quantity` (SI units).

    ``fermi_energy_eV``/``effective_mass_me`` are given for filament conductors only, ``ion``
    only for materials that supply mobile ions. The :data:`OPTIONAL_PROPERTIES` are ``None``
    unless given:

    * metals: ``molar_mass_kg_per_mol`` M, ``atomic_volume_m3`` Omega = M / (rho N_A),
      ``surface_energy_J_per_m2`` gamma, ``work_function_eV`` W, ``melting_point_K``,
      ``standard_electrode_potential_V`` E0 of the couple named in its source (aqueous, vs
      SHE: a reference value, not the potential in a solid electrolyte);
    * filament conductors: ``carrier_density_per_m3`` n, ``electron_mean_free_path_m`` l at
      300 K (Drude: l = 3 pi^2 hbar sigma / (e^2 k_F^2), see
      :func:`~apcfem.materials.laws.drude_mean_free_path_m`) and
      ``temperature_coefficient_of_resistivity_per_K`` alpha = (1/rho) d(rho)/dT at 293 K;
    * insulators: ``electron_affinity_eV`` chi (barrier W - chi, see
      :func:`~apcfem.materials.laws.tunnel_barrier_eV`), ``band_gap_eV`` and
      ``indentation_hardness_Pa`` H (the pressure a filament growing into the solid works
      against, :mod:`apcfem.physics.matrix_cavity`);
    * VCM switching oxides, the interface and disc parameters of the JART VCM v1b compact
      model: ``schottky_barrier_eV`` (nominal Schottky barrier phi_Bn0),
      ``schottky_fermi_level_depth_eV`` (phi_n, oxide conduction-band edge above its Fermi
      level), ``image_force_permittivity`` (eps_phiB of the image-force lowering),
      ``vacancy_concentration_min_per_m3``/``vacancy_concentration_max_per_m3`` (N_disc
      limits) and ``electron_mobility_m2_per_Vs`` (mu_n of the disc); and
      ``oxygen_site_density_per_m3``, the sublattice the vacancies hop on;
    * oxygen-exchange (getter) metals, e.g. Ti: ``oxygen_exchange_current_density_A_per_m2``
      j0 of the vacancy generation at their interface with the switching oxide
      (:mod:`apcfem.physics.oxygen_exchange`).
    """

    name: str
    kind: str
    description: str
    electrical_conductivity_S_per_m: Quantity
    thermal_conductivity_W_per_mK: Quantity
    heat_capacity_J_per_kgK: Quantity
    density_kg_per_m3: Quantity
    relative_permittivity: Quantity
    thermal_expansion_per_K: Quantity
    youngs_modulus_Pa: Quantity
    poisson_ratio: Quantity
    fermi_energy_eV: Quantity | None = None
    effective_mass_me: Quantity | None = None
    ion: IonSpecies | None = None
    molar_mass_kg_per_mol: Quantity | None = None
    atomic_volume_m3: Quantity | None = None
    surface_energy_J_per_m2: Quantity | None = None
    work_function_eV: Quantity | None = None
    electron_affinity_eV: Quantity | None = None
    band_gap_eV: Quantity | None = None
    melting_point_K: Quantity | None = None
    standard_electrode_potential_V: Quantity | None = None
    carrier_density_per_m3: Quantity | None = None
    electron_mean_free_path_m: Quantity | None = None
    temperature_coefficient_of_resistivity_per_K: Quantity | None = None
    schottky_barrier_eV: Quantity | None = None
    schottky_fermi_level_depth_eV: Quantity | None = None
    image_force_permittivity: Quantity | None = None
    vacancy_concentration_min_per_m3: Quantity | None = None
    vacancy_concentration_max_per_m3: Quantity | None = None
    electron_mobility_m2_per_Vs: Quantity | None = None
    oxygen_exchange_current_density_A_per_m2: Quantity | None = None
    oxygen_site_density_per_m3: Quantity | None = None
    indentation_hardness_Pa: Quantity | None = None


class UnknownMaterialError(KeyError):
    """Raised for a material name not in the library; suggests close matches."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        self.name = name
        self.known = known
        by_lower = {k.lower(): k for k in known}
        close = difflib.get_close_matches(name.lower(), list(by_lower), n=3)
        self.suggestions = tuple(by_lower[k] for k in close)
        message = f"unknown material {name!r}; known: {', '.join(known)}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would print repr(message), quotes and all
        return self.message


def _invalid(where: str, what: str) -> ValueError:
    """Malformed library entries are data errors (ValueError), whatever the cause."""
    return ValueError(f"{where}: {what}")


def _quantity(raw: Any, where: str) -> Quantity:
    if not isinstance(raw, Mapping):
        raise _invalid(where, "expected a table with 'value' and 'source'")
    value, source = raw.get("value"), raw.get("source")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(where, f"'value' must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{where}: 'value' must be finite, got {value!r}")
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{where}: 'source' must be a non-empty string")
    extra = set(raw) - {"value", "source"}
    if extra:
        raise ValueError(f"{where}: unexpected key(s) {', '.join(sorted(extra))}")
    prop = where.rsplit(".", 1)[-1]
    if prop in _POSITIVE and value <= 0:
        raise ValueError(f"{where}: 'value' must be > 0, got {value!r}")
    if prop == "poisson_ratio" and not -1.0 < value < 0.5:
        raise ValueError(f"{where}: 'value' must lie in (-1, 0.5), got {value!r}")
    return Quantity(float(value), source.strip())


def _ion(raw: Any, where: str) -> IonSpecies:
    if not isinstance(raw, Mapping):
        raise _invalid(where, "expected a table")
    species, z = raw.get("species"), raw.get("charge_number")
    if not isinstance(species, str) or not species.strip():
        raise ValueError(f"{where}.species: must be a non-empty string")
    if isinstance(z, bool) or not isinstance(z, int) or z == 0:
        raise ValueError(f"{where}.charge_number: must be a non-zero integer, got {z!r}")
    extra = set(raw) - {"species", "charge_number", *_ION_QUANTITIES}
    if extra:
        raise ValueError(f"{where}: unexpected key(s) {', '.join(sorted(extra))}")
    q = {}
    for key in _ION_QUANTITIES:
        if key not in raw:
            raise ValueError(f"{where}: missing required property '{key}'")
        q[key] = _quantity(raw[key], f"{where}.{key}")
    return IonSpecies(species=species.strip(), charge_number=z, **q)


def _material(name: str, raw: Any) -> Material:
    if not isinstance(raw, Mapping):
        raise _invalid(f"material '{name}'", "expected a table")
    kind, description = raw.get("kind"), raw.get("description")
    if kind not in KINDS:
        raise ValueError(f"material '{name}': kind must be one of {', '.join(KINDS)}, "
                         f"got {kind!r}")
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"material '{name}': 'description' must be a non-empty string")
    allowed = ("kind", "description", "ion", *REQUIRED_PROPERTIES, *_ELECTRON_PROPERTIES,
               *OPTIONAL_PROPERTIES)
    extra = sorted(set(raw) - set(allowed))
    if extra:
        hints = []
        for key in extra:
            close = difflib.get_close_matches(key, allowed, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise ValueError(f"material '{name}': unknown key(s) {', '.join(hints)}; allowed: "
                         f"{', '.join(allowed)}")
    props: dict[str, Quantity | None] = {}
    for key in REQUIRED_PROPERTIES:
        if key not in raw:
            raise ValueError(f"material '{name}': missing required property '{key}'")
        props[key] = _quantity(raw[key], f"material '{name}'.{key}")
    present = [key for key in _ELECTRON_PROPERTIES if key in raw]
    if len(present) == 1:
        missing = next(k for k in _ELECTRON_PROPERTIES if k not in raw)
        raise ValueError(f"material '{name}': '{present[0]}' given without '{missing}'")
    for key in (*_ELECTRON_PROPERTIES, *OPTIONAL_PROPERTIES):
        props[key] = _quantity(raw[key], f"material '{name}'.{key}") if key in raw else None
    _check_atomic_volume(name, props)
    _check_vacancy_limits(name, props)
    ion = _ion(raw["ion"], f"material '{name}'.ion") if "ion" in raw else None
    return Material(name=name, kind=kind, description=description.strip(), ion=ion, **props)


def _check_atomic_volume(name: str, props: Mapping[str, Quantity | None]) -> None:
    """Omega, M and rho are one fact stated twice: refuse a stored Omega that disagrees."""
    omega, molar_mass = props["atomic_volume_m3"], props["molar_mass_kg_per_mol"]
    density = props["density_kg_per_m3"]
    if omega is None or molar_mass is None or density is None:
        return
    expected = 1.0 / (AVOGADRO_PER_MOL * float(
        molar_density_mol_per_m3(density.value, molar_mass.value)))
    if abs(omega.value - expected) > _ATOMIC_VOLUME_RTOL * expected:
        raise ValueError(
            f"material '{name}'.atomic_volume_m3: value {omega.value:.4g} disagrees with "
            f"molar_mass_kg_per_mol / (density_kg_per_m3 N_A) = {expected:.4g} m^3; "
            "fix one of the three")


def _check_vacancy_limits(name: str, props: Mapping[str, Quantity | None]) -> None:
    low, high = props["vacancy_concentration_min_per_m3"], props["vacancy_concentration_max_per_m3"]
    if low is not None and high is not None and not low.value < high.value:
        raise ValueError(
            f"material '{name}': vacancy_concentration_min_per_m3 = {low.value:g} must be below "
            f"vacancy_concentration_max_per_m3 = {high.value:g}")


def load_library(path: str | PathLike[str] | None = None) -> dict[str, Material]:
    """Parse and validate a materials TOML file.

    Args:
        path: TOML file to read; ``None`` reads the packaged ``library.toml``.

    Returns:
        Materials by name, in file order.

    Raises:
        ValueError: If a material lacks a required property, a value is not a finite number
            (or is out of its physical range), a source is empty, a key is unknown (the
            message suggests the closest allowed key), or ``atomic_volume_m3`` disagrees with
            ``molar_mass_kg_per_mol / (density_kg_per_m3 N_A)`` by more than 0.5 %, or the
            vacancy-concentration limits are not ordered. The message names the material and
            property.
    """
    if path is None:
        data = tomllib.loads(resources.files(__name__).joinpath("library.toml").read_text("utf-8"))
    else:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    return {name: _material(name, raw) for name, raw in data.items()}


@functools.cache
def _default_library() -> Mapping[str, Material]:
    return MappingProxyType(load_library())


def material_names() -> tuple[str, ...]:
    """Names of the packaged materials, sorted."""
    return tuple(sorted(_default_library()))


FILAMENT_OVERRIDE_SOURCE = "case override (materials.filament_conductivity_S_per_m)"
"""Source of a filament property a case's conductivity override set or derived."""


def case_filament(materials) -> Material:
    """The filament material of a case's ``[materials]`` section: the library entry
    ``materials.filament``, with ``materials.filament_conductivity_S_per_m`` if given. The
    electrons then carry heat and scatter accordingly: the thermal conductivity changes by the
    Wiedemann-Franz term L0 T0 (sigma - sigma_lib) at the library's temperature T0, and the
    mean free path scales as sigma / sigma_lib (Drude, at the library's density and effective
    mass)."""
    metal = get_material(materials.filament)
    sigma = getattr(materials, "filament_conductivity_S_per_m", None)
    if sigma is None:
        return metal
    library_sigma = metal.electrical_conductivity_S_per_m.value
    kappa = metal.thermal_conductivity_W_per_mK.value + float(
        wiedemann_franz_thermal_conductivity(sigma - library_sigma, LIBRARY_TEMPERATURE_K))
    if kappa <= 0.0:
        raise ValueError(
            f"materials.filament_conductivity_S_per_m = {sigma:g} leaves '{metal.name}' a "
            f"thermal conductivity of {kappa:.3g} W/(m K) (its library value less the "
            "Wiedemann-Franz part of the removed conductivity): give a conductivity nearer "
            f"the library's {library_sigma:g} S/m")
    changes = {"electrical_conductivity_S_per_m": Quantity(sigma, FILAMENT_OVERRIDE_SOURCE),
               "thermal_conductivity_W_per_mK": Quantity(kappa, FILAMENT_OVERRIDE_SOURCE)}
    if metal.electron_mean_free_path_m is not None:
        changes["electron_mean_free_path_m"] = Quantity(
            metal.electron_mean_free_path_m.value * sigma / library_sigma,
            FILAMENT_OVERRIDE_SOURCE)
    return replace(metal, **changes)


def get_material(name: str) -> Material:
    """Look up a packaged material by its exact (case-sensitive) name.

    Args:
        name: Library name, e.g. ``"Ag"`` or ``"HfOx"``.

    Returns:
        The immutable :class:`Material`.

    Raises:
        UnknownMaterialError: If ``name`` is not in the library (message lists close matches).
    """
    try:
        return _default_library()[name]
    except (KeyError, TypeError):
        raise UnknownMaterialError(str(name), material_names()) from None
