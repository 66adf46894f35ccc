"""Materials library: completeness, sourcing, validation and the physical laws."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from apcfem.materials import (
    G0_S,
    LORENZ_W_OHM_PER_K2,
    REQUIRED_PROPERTIES,
    IonSpecies,
    Quantity,
    UnknownMaterialError,
    arrhenius,
    einstein_mobility_m2_per_Vs,
    fermi_wavevector_per_m,
    get_material,
    load_library,
    material_names,
    thermal_voltage_V,
    wiedemann_franz_thermal_conductivity,
)

REQUIRED_MATERIALS = (
    "Ag", "Cu", "Au", "Pt", "TiN", "Ta", "ITO", "SiO2", "HfOx", "Ta2O5", "ZnO", "PEO",
    "VO_filament",
)
FILAMENT_CONDUCTORS = ("Ag", "Cu", "Au", "VO_filament")
ION_SOURCES = {"Ag": ("Ag+", 1), "Cu": ("Cu2+", 2), "HfOx": ("V_O", 2), "Ta2O5": ("V_O", 2),
               "ZnO": ("V_O", 2)}
DIELECTRICS = ("SiO2", "HfOx", "Ta2O5", "ZnO", "PEO")


def _quantities(obj: object) -> list[tuple[str, Quantity]]:
    out = []
    for field in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, field.name)
        if isinstance(value, Quantity):
            out.append((field.name, value))
        elif isinstance(value, IonSpecies):
            out += [(f"ion.{n}", q) for n, q in _quantities(value)]
    return out


def test_every_required_material_is_present() -> None:
    names = material_names()
    assert names == tuple(sorted(names))
    assert set(REQUIRED_MATERIALS) <= set(names)


@pytest.mark.parametrize("name", REQUIRED_MATERIALS)
def test_every_property_present_finite_and_sourced(name: str) -> None:
    mat = get_material(name)
    assert mat.name == name
    assert mat.description.strip()
    for prop in REQUIRED_PROPERTIES:
        assert isinstance(getattr(mat, prop), Quantity), f"{name}.{prop}"
    for prop, q in _quantities(mat):
        assert math.isfinite(q.value), f"{name}.{prop}"
        assert q.source.strip(), f"{name}.{prop} has no source"
    assert mat.electrical_conductivity_S_per_m.value > 0


def test_kinds_and_optional_blocks() -> None:
    for name in FILAMENT_CONDUCTORS:
        mat = get_material(name)
        assert mat.fermi_energy_eV is not None and mat.effective_mass_me is not None, name
    for name, (species, z) in ION_SOURCES.items():
        ion = get_material(name).ion
        assert ion is not None and (ion.species, ion.charge_number) == (species, z), name
    assert get_material("Pt").ion is None and get_material("Pt").fermi_energy_eV is None
    assert get_material("Ag").kind == "metal"
    assert get_material("VO_filament").kind == "filament"
    assert get_material("PEO").kind == "electrolyte"
    for name in DIELECTRICS:  # leaky but insulating
        assert 1e-12 <= get_material(name).electrical_conductivity_S_per_m.value <= 1e-3, name


def test_ashcroft_mermin_free_electron_values() -> None:
    expected = {"Ag": 5.49, "Cu": 7.00, "Au": 5.53}
    for name, ef in expected.items():
        mat = get_material(name)
        assert mat.fermi_energy_eV is not None and mat.effective_mass_me is not None
        assert mat.fermi_energy_eV.value == pytest.approx(ef)
        assert mat.effective_mass_me.value == 1.0


def test_ag_fermi_wavevector_matches_ashcroft_mermin() -> None:
    ag = get_material("Ag")
    assert ag.fermi_energy_eV is not None and ag.effective_mass_me is not None
    k_f = fermi_wavevector_per_m(ag.fermi_energy_eV.value, ag.effective_mass_me.value)
    assert k_f == pytest.approx(1.20e10, rel=0.01)  # A&M Table 2.1: 1.20e8 cm^-1


def test_vo_filament_is_low_density_heavy_mass() -> None:
    vo = get_material("VO_filament")
    assert vo.fermi_energy_eV is not None and vo.effective_mass_me is not None
    assert 0.1 <= vo.fermi_energy_eV.value <= 1.0
    assert 1.0 <= vo.effective_mass_me.value <= 10.0
    k_f = fermi_wavevector_per_m(vo.fermi_energy_eV.value, vo.effective_mass_me.value)
    n = k_f**3 / (3 * np.pi**2)
    assert n < 0.5 * 5.86e28  # well below Ag's free-electron density


def test_wiedemann_franz_for_silver_at_300K() -> None:
    ag = get_material("Ag")
    kappa = wiedemann_franz_thermal_conductivity(ag.electrical_conductivity_S_per_m.value, 300.0)
    assert kappa == pytest.approx(ag.thermal_conductivity_W_per_mK.value, rel=0.15)


def test_constants() -> None:
    assert G0_S == pytest.approx(7.748091729e-5, rel=1e-9)
    assert LORENZ_W_OHM_PER_K2 == pytest.approx(2.443e-8, rel=1e-3)
    assert thermal_voltage_V(300.0) == pytest.approx(0.025852, rel=1e-4)


def test_einstein_mobility_numeric() -> None:
    # mu = |z| D / (k_B T / e): D = 1e-9 m^2/s, z = -2, T = 300 K -> 7.7364e-8 m^2/(V s)
    mu = einstein_mobility_m2_per_Vs(1e-9, -2, 300.0)
    assert mu == pytest.approx(2 * 1e-9 / 0.0258520, rel=1e-4)
    assert mu == pytest.approx(7.7364e-8, rel=1e-4)


def test_laws_broadcast_over_arrays() -> None:
    t = np.array([[300.0], [600.0]])
    ea = np.array([0.5, 1.0, 1.5])
    d = arrhenius(1e-6, ea, t)
    assert d.shape == (2, 3)
    assert d[0, 1] == pytest.approx(1e-6 * np.exp(-1.0 / thermal_voltage_V(300.0)))
    assert np.all(d[1] > d[0])
    assert einstein_mobility_m2_per_Vs(np.ones(3), [1, 2, 3], 300.0).shape == (3,)
    assert fermi_wavevector_per_m(np.array([1.0, 4.0]), 1.0)[1] == pytest.approx(
        2 * fermi_wavevector_per_m(1.0, 1.0)
    )
    with pytest.raises(ValueError):
        thermal_voltage_V([300.0, 0.0])


def test_unknown_material_suggests_close_match() -> None:
    with pytest.raises(UnknownMaterialError) as info:
        get_material("Agg")
    message = str(info.value)
    assert "unknown material 'Agg'" in message
    assert "did you mean 'Ag'?" in message
    assert "\n" not in message and not message.startswith('"')
    assert isinstance(info.value, KeyError)


def _write_minimal(path: Path, drop: str | None = None, **override: str) -> Path:
    lines = ['[X]', 'kind = "dielectric"', 'description = "test"']
    for prop in REQUIRED_PROPERTIES:
        if prop == drop:
            continue
        value = override.get(prop, "0.3" if prop == "poisson_ratio" else "1.0")
        lines += [f"[X.{prop}]", f"value = {value}", 'source = "test"']
    path.write_text("\n".join(lines) + "\n")
    return path


def test_load_library_accepts_minimal_file(tmp_path: Path) -> None:
    lib = load_library(_write_minimal(tmp_path / "ok.toml"))
    assert list(lib) == ["X"] and lib["X"].ion is None


@pytest.mark.parametrize("prop", ["thermal_conductivity_W_per_mK", "poisson_ratio"])
def test_load_library_missing_property_is_named(tmp_path: Path, prop: str) -> None:
    path = _write_minimal(tmp_path / "bad.toml", drop=prop)
    with pytest.raises(ValueError, match=rf"'X'.*{prop}"):
        load_library(path)


def test_load_library_rejects_nonfinite_and_unsourced(tmp_path: Path) -> None:
    path = _write_minimal(tmp_path / "nan.toml", density_kg_per_m3="nan")
    with pytest.raises(ValueError, match="density_kg_per_m3"):
        load_library(path)
    path = tmp_path / "nosrc.toml"
    _write_minimal(path)
    path.write_text(path.read_text().replace('source = "test"', 'source = " "', 1))
    with pytest.raises(ValueError, match="electrical_conductivity_S_per_m.*source"):
        load_library(path)
