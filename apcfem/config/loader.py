"""Read a TOML case file into a validated :class:`CaseConfig`, with one-line errors."""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from apcfem.config.schema import TRANSIENT_PROTOCOLS, CaseConfig, Protocol, StudyConfig
from apcfem.materials import UnknownMaterialError, case_filament, get_material, material_names
from apcfem.materials.laws import lattice_thermal_conductivity


def _tagged_models(union) -> dict[str, type]:
    """Kind tag -> model class, read off a discriminated union of the schema."""
    members = typing.get_args(typing.get_args(union)[0])
    return {typing.get_args(m.model_fields["kind"].annotation)[0]: m for m in members}


_PROTOCOL_MODELS = _tagged_models(Protocol)
_TAGGED_MODELS = {**_PROTOCOL_MODELS, **_tagged_models(StudyConfig)}
"""Kind tag -> model of the protocol and study unions (tags a validation error's location
holds)."""


class CaseError(ValueError):
    """A case file that cannot be run; the message names the key and the fix."""


def load_case(path: str | Path) -> CaseConfig:
    """Load and validate a case file.

    Args:
        path: TOML case file.

    Raises:
        CaseError: missing/malformed file, unknown key, out-of-range value or unknown material.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise CaseError(f"{path}: cannot read case file ({err.strerror})") from None
    except UnicodeDecodeError as err:
        raise CaseError(f"{path.name}: not a TOML case file: byte {err.object[err.start]:#04x} "
                        f"at offset {err.start} is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CaseError(f"{path.name}: not valid TOML: {err}") from None
    if not data:
        raise CaseError(f"{path.name}: the case file sets nothing: give at least a [protocol] "
                        "(see the bundled cases: apcfem cases)")
    _anchor_mesh_file(data, path.parent)
    return case_from_dict(data, source=path.name)


def _anchor_mesh_file(data: dict[str, Any], folder: Path) -> None:
    """A relative ``mesh.file`` is relative to the case file's folder: make it absolute."""
    mesh = data.get("mesh")
    if isinstance(mesh, dict) and isinstance(mesh.get("file"), str):
        mesh["file"] = str((folder / mesh["file"]).absolute())


def case_from_dict(data: dict[str, Any], source: str = "case") -> CaseConfig:
    """Validate a nested dict (as read from TOML) into a :class:`CaseConfig`."""
    try:
        cfg = CaseConfig.model_validate(data)
    except ValidationError as err:
        raise CaseError(_describe(err, source)) from None
    _check_materials(cfg, source)
    _check_material_properties(cfg, source)
    return cfg


def update_case(cfg: CaseConfig, changes: dict[str, Any]) -> CaseConfig:
    """Return a re-validated copy of ``cfg`` with dotted keys replaced.

    Example: ``update_case(cfg, {"circuit.series_resistance_ohm": 500.0})``.
    """
    data = cfg.model_dump(mode="python")
    for dotted, value in changes.items():
        node = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            if not isinstance(node.get(key), dict):
                raise CaseError(f"update_case: '{dotted}' is not a key of the case")
            node = node[key]
        if leaf not in node:
            raise CaseError(f"update_case: '{dotted}' is not a key of the case"
                            + _hint(leaf, node.keys()))
        node[leaf] = value
    return case_from_dict(data, source="update_case")


def _describe(err: ValidationError, source: str) -> str:
    """First validation problem as one line: 'file: section.key: problem'. An unknown key comes
    first: a misspelt key also makes the key it was meant to be missing."""
    errors = err.errors()
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    # a discriminated union adds the tag (e.g. "neck_radius_sweep") to the location
    loc = [str(p) for p in first["loc"] if str(p) not in _TAGGED_MODELS]
    tags = [str(p) for p in first["loc"] if str(p) in _TAGGED_MODELS]
    key = ".".join(loc) or "(top level)"
    if first["type"] == "union_tag_invalid":
        return f"{source}: {key}.kind: {first['msg']}"
    if first["type"] == "extra_forbidden":
        allowed = _known_keys(loc[:-1], tags)
        listed = f" (allowed: {', '.join(sorted(allowed))})" if allowed else ""
        return f"{source}: unknown key '{key}'{_hint(loc[-1], allowed)}{listed}"
    message = first["msg"].removeprefix("Value error, ")  # a validator's own message
    if first["type"] == "value_error" and not loc:  # a check across sections names its keys
        return f"{source}: {message}"
    value = first.get("input")
    shown = f" = {value!r}" if not isinstance(value, dict) else ""
    return f"{source}: {key}{shown}: {message}"


def _known_keys(path: list[str], tags: list[str] = ()) -> list[str]:
    """Field names of the schema model at a section path (list indices are skipped); in a
    discriminated union (protocol, study) the member of the error's kind ``tags``."""
    model: Any = CaseConfig
    for key in path:
        if key.isdigit():  # an entry of an array of tables, e.g. study.measured.0
            continue
        field = getattr(model, "model_fields", {}).get(key)
        if field is None:
            return []
        members = _models_in(field.annotation)
        tagged = [_TAGGED_MODELS[tag] for tag in tags if _TAGGED_MODELS[tag] in members]
        model = (tagged or members or [None])[0]
    return list(getattr(model, "model_fields", {}).keys())


def _models_in(annotation: Any) -> list[type]:
    """The models an annotation holds: itself, or the members of an optional section
    (``X | None``), a list of tables (``list[X]``) or a discriminated union."""
    if hasattr(annotation, "model_fields"):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def _hint(word: str, choices) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{match[0]}'?" if match else ""


def _check_materials(cfg: CaseConfig, source: str) -> None:
    keys = {f"materials.{region}": name for region, name in cfg.materials.model_dump().items()
            if isinstance(name, str)}
    keys |= {f"geometry.layers.{i}.material": layer.material
             for i, layer in enumerate(cfg.geometry.layers)}
    for key, name in keys.items():
        try:
            get_material(name)
        except UnknownMaterialError as err:
            raise CaseError(f"{source}: {key} = '{name}': {err}") from None
    try:
        metal = case_filament(cfg.materials)
    except ValueError as err:
        raise CaseError(f"{source}: {err}") from None
    if cfg.vcm is not None and cfg.vcm.filament_heat_conduction == "wiedemann_franz":
        try:
            lattice_thermal_conductivity(metal.thermal_conductivity_W_per_mK.value,
                                         metal.electrical_conductivity_S_per_m.value)
        except ValueError as err:
            raise CaseError(f"{source}: vcm.filament_heat_conduction = 'wiedemann_franz': "
                            f"'{metal.name}' has no lattice part left ({err}); use 'table'"
                            ) from None


ECM_METAL_PROPERTIES = ("ion", "molar_mass_kg_per_mol", "surface_energy_J_per_m2",
                        "atomic_volume_m3")
"""What the filament-dynamics model of transient protocols reads of the filament metal."""


def _check_material_properties(cfg: CaseConfig, source: str) -> None:
    """Each material has the library properties the chosen physics reads."""
    filament = ("materials.filament", cfg.materials.filament)
    host = ("materials.switching_layer", cfg.materials.switching_layer)
    needs = {filament: ["fermi_energy_eV", "effective_mass_me"]}
    if cfg.ecm.tunnel_barrier_eV is None:  # the gap's barrier: W of the metal - chi of the host
        needs[filament].append("work_function_eV")
        needs[host] = ["electron_affinity_eV"]
    if cfg.landauer.gap_image_force:
        needs.setdefault(host, []).append("image_force_permittivity")
    model = "protocol.kind = '" + cfg.protocol.kind + "'"
    if cfg.vcm is not None:
        model = "[vcm]"
        needs.setdefault(host, []).extend(_vcm_oxide_properties(cfg.vcm))
        if cfg.vcm.exchange_current_density_A_per_m2 is None:
            needs[cfg.exchange_material()] = ["oxygen_exchange_current_density_A_per_m2"]
    elif cfg.protocol.kind in TRANSIENT_PROTOCOLS:
        needs[filament].extend(ECM_METAL_PROPERTIES)
        if cfg.ecm.matrix and cfg.ecm.matrix_cavity_pressure_GPa is None:
            needs.setdefault(host, []).append("indentation_hardness_Pa")
    for (key, name), properties in needs.items():
        material = get_material(name)
        missing = [p for p in properties if getattr(material, p, None) is None]
        if missing:
            raise CaseError(f"{source}: {key} = '{name}': the library entry has "
                            f"no {', '.join(missing)}, which {model} needs: "
                            f"{_having(properties)}")


def _vcm_oxide_properties(vcm) -> list[str]:
    """What the valence-change model reads of the switching oxide (the library limits only
    where the case gives no concentration of its own)."""
    needs = ["ion", "oxygen_site_density_per_m3", "electron_mobility_m2_per_Vs"]
    if vcm.background_concentration_per_m3 is None:
        needs.append("vacancy_concentration_min_per_m3")
    if vcm.filament_concentration_per_m3 is None:
        needs.append("vacancy_concentration_max_per_m3")
    return needs


def _having(properties: list[str]) -> str:
    """'use one of X, Y' for the library materials that have all ``properties``."""
    have = [n for n in material_names()
            if all(getattr(get_material(n), p, None) is not None for p in properties)]
    return f"use one of {', '.join(have)}" if have else "no library material has them all"
