"""Case files: bad input gives one line naming the key, before any mesh is built."""

import subprocess
import sys
from pathlib import Path

import pytest

import apcfem
from apcfem import CaseError, load_case, update_case

DEMO = apcfem.bundled_case("ag_sio2_pt_staircase")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(text)
    return path


def test_bundled_demo_case_is_valid():
    cfg = load_case(DEMO)
    assert cfg.materials.filament == "Ag"
    assert cfg.protocol.kind == "neck_radius_sweep"


@pytest.mark.parametrize(("text", "names"), [
    ("[geometry\nkind = 'x'", ["not valid TOML"]),
    ("[geometry]\nswitching_layer_thicknes_nm = 5.0", [
        "geometry.switching_layer_thicknes_nm", "did you mean 'switching_layer_thickness_nm'"]),
    ("[geometry]\nswitching_layer_thickness_nm = -5.0", [
        "geometry.switching_layer_thickness_nm", "-5.0", "greater than 0"]),
    ("[materials]\nfilament = 'Agg'", ["materials.filament", "'Agg'", "did you mean 'Ag'"]),
    ("[protocol]\nkind = 'neck_radius_sweep'\npoints = 1", ["protocol.points"]),
    ("[mesh]\nmin_size_nm = 5.0\nmax_size_nm = 1.0", ["min_size_nm", "max_size_nm"]),
])
def test_bad_case_names_the_key(tmp_path, text, names):
    with pytest.raises(CaseError) as err:
        load_case(_write(tmp_path, text))
    message = str(err.value)
    assert "\n" not in message
    for name in names:
        assert name in message


def test_update_case_revalidates():
    cfg = load_case(DEMO)
    changed = update_case(cfg, {"circuit.series_resistance_ohm": 250.0})
    assert changed.circuit.series_resistance_ohm == 250.0
    with pytest.raises(CaseError, match="geometry.cell_radius_nm"):
        update_case(cfg, {"geometry.cell_radius_nm": -1.0})
    with pytest.raises(CaseError, match="did you mean 'series_resistance_ohm'"):
        update_case(cfg, {"circuit.series_resistance": 1.0})


@pytest.mark.parametrize("text", ["[geometry]\nthickness = 1", "[materials]\nfilament = 'Xx'"])
def test_cli_reports_bad_case_in_one_line(tmp_path, text):
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, "-m", "apcfem.cli", "run", str(_write(tmp_path, text)), "--output",
         str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("apcfem: error: case.toml:"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists(), "nothing may be written before the case is valid"
