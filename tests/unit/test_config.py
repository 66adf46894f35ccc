"""Case files: bad input gives one line naming the key, before any mesh is built."""

import subprocess
import sys
from pathlib import Path

import pytest

import apcfem
from apcfem import CaseError, load_case, update_case
from apcfem.cycle_chains import chain_case

DEMO = apcfem.bundled_case("ag_sio2_pt_staircase")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(text)
    return path


def test_bundled_histogram_case_keeps_its_cycles():
    """At least 50 counted cycles in chains that run side by side, the first of each left out
    of the histograms, each reset turned back at the break, and no reset target (which would
    end the run at the first reset)."""
    cfg = load_case(apcfem.bundled_case("ecm_histogram"))
    skip = cfg.output.histogram_skip_cycles
    assert skip == 1 and cfg.study.kind == "cycle_chains" and cfg.study.ranks_per_run == 1
    assert cfg.study.chains * (cfg.protocol.cycles - skip) >= 50
    assert cfg.protocol.reset_stop_conductance_G0 == pytest.approx(0.05)
    assert cfg.dynamics.reset_target_conductance_G0 is None
    assert cfg.dynamics.max_steps >= cfg.protocol.cycles * 2000
    assert cfg.variability.rate_spread > 0


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
    ("[ecm]\ncharge_number = 0", ["ecm.charge_number", "greater than or equal to 1"]),
    ("[materials]\nswitching_layer = 'Ta2O5'\n[landauer]\ngap_image_force = true",
     ["materials.switching_layer = 'Ta2O5'", "image_force_permittivity"]),
    ("[protocol]\nkind = 'voltage_sweep'\ncycles = 3\n[output]\nhistogram_skip_cycles = 3",
     ["output.histogram_skip_cycles = 3", "3 cycles"]),
    ("[protocol]\nkind = 'voltage_sweep'\n[variability]\nnucleus_offset_nm = 0.1",
     ["nucleus_offset_nm", "geometry.kind = '3d'"]),
    (("[geometry]\nkind = '3d'\n[mesh]\nmin_size_nm = 0.5\nmax_size_nm = 2.0\n[protocol]\n"
     "kind = 'voltage_sweep'\n[ecm]\nnucleus_radius_nm = 0.8\n[variability]\n"
     "nucleus_offset_nm = 0.8"), ["variability.nucleus_offset_nm = 0.8", "(0.8 nm)"]),
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
         str(out)], check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("apcfem: error: case.toml:"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists(), "nothing may be written before the case is valid"


def _study_case(study: str = "current_limits_A = [1e-4]", protocol: str = "",
                kind: str = "compliance_ladder", protocol_kind: str = "voltage_sweep") -> str:
    """Case text with a [study] and a [protocol]; ``study``, ``protocol``: more lines."""
    return (f"[protocol]\nkind = '{protocol_kind}'\n{protocol}\n"
            f"[study]\nkind = '{kind}'\n{study}\n")


MEASURED = "[[study.measured]]\ncurrent_limit_A = 1e-4\nsource = 'x'\n"


@pytest.mark.parametrize(("text", "names"), [
    (_study_case("current_limits_A = []"), ["study.current_limits_A", "at least one"]),
    (_study_case("current_limits_A = [1e-4, -5e-5]"),
     ["study.current_limits_A", "-5e-05 is not a compliance current in amperes"]),
    (_study_case("current_limits_A = [50, 100]"),
     ["study.current_limits_A", "in amperes", "50 uA is 5e-05"]),
    (_study_case("current_limits_A = [1e-4, 1e-4]"),
     ["study.current_limits_A", "strictly increasing", "sort them"]),
    (_study_case(""), ["study.current_limits_A", "Field required"]),
    (_study_case("current_limit_A = [1e-4]"),
     ["unknown key 'study.current_limit_A'", "did you mean 'current_limits_A'"]),
    (_study_case(kind="ladder"), ["study.kind", "'compliance_ladder'"]),
    (_study_case("current_limits_A = [1e-4]\n" + MEASURED + "G_G0 = -1.0"),
     ["study.measured.0.G_G0", "greater than 0"]),
    (_study_case("current_limits_A = [1e-4]\n" + MEASURED + "G_G0 = 1.0\nsourc = 'y'"),
     ["unknown key 'study.measured.0.sourc'", "did you mean 'source'"]),
    (_study_case(protocol_kind="neck_radius_sweep"),
     ["protocol.kind = 'neck_radius_sweep'", "'voltage_sweep'"]),
    (_study_case(protocol_kind="pulse_train"),
     ["protocol.kind = 'pulse_train'", "'voltage_sweep'"]),
    (_study_case(protocol="reset_voltage_V = -1.0"),
     ["delete protocol.reset_voltage_V", "reset_voltage_V = -1.0"]),
    (_study_case(protocol="cycles = 2"), ["protocol.cycles = 1", "cycles = 2"]),
    (_study_case("current_limits_A = [1e-4]\nranks_per_run = 0"),
     ["study.ranks_per_run = 0", "greater than or equal to 1"]),
    (_study_case("chains = 1", kind="cycle_chains") + "[variability]\nrate_spread = 0.3\n",
     ["study.chains = 1", "greater than or equal to 2"]),
    (_study_case("chains = 2\nchain = 3", kind="cycle_chains"),
     ["unknown key 'study.chain'", "did you mean 'chains'"]),
    (_study_case("chains = 2", kind="cycle_chains"),
     ["study.kind = 'cycle_chains'", "same cycles", "[variability]", "rate_spread"]),
    (_study_case("chains = 2", kind="cycle_chains", protocol_kind="neck_radius_sweep"),
     ["study.kind = 'cycle_chains'", "protocol.kind = 'neck_radius_sweep'", "pulse_train"]),
])
def test_bad_study_names_the_field(tmp_path, text, names):
    with pytest.raises(CaseError) as err:
        load_case(_write(tmp_path, text))
    message = str(err.value)
    assert "\n" not in message and message.startswith("case.toml: ")
    for name in names:
        assert name in message, message


def test_cycle_chains_study_keeps_the_cycled_protocol(tmp_path):
    text = (_study_case("chains = 4\nranks_per_run = 1", kind="cycle_chains",
                        protocol="cycles = 3\nreset_voltage_V = -1.0")
            + "[variability]\nseed = 5\nrate_spread = 0.3\n")
    cfg = load_case(_write(tmp_path, text))
    assert (cfg.study.kind, cfg.study.chains, cfg.study.ranks_per_run) == ("cycle_chains", 4, 1)
    assert cfg.protocol.cycles == 3
    chain = chain_case(cfg, 2)
    assert chain.study is None and chain.variability.seed == 7
    assert chain.protocol == cfg.protocol


def test_study_defaults_to_the_measured_ag_points(tmp_path):
    cfg = load_case(_write(tmp_path, _study_case("current_limits_A = [5e-5, 1e-4]")))
    assert cfg.study.current_limits_A == [5e-5, 1e-4]
    assert [(m.current_limit_A, m.G_G0) for m in cfg.study.measured] == [(1e-4, 1.0),
                                                                         (4e-4, 2.5)]
    assert all("Milano" in m.source for m in cfg.study.measured)
    assert load_case(DEMO).study is None
