"""The compliance-ladder study without the FE model: bundled case, table, plot, resume, CLI.

A stand-in for :class:`apcfem.Simulation` writes run directories with the package's own writers
(resolved case, time series, run_info.json), as a finished run leaves them.
"""

import csv
import tomllib
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from fake_simulation import fake_simulation
from mpi4py import MPI

import apcfem
from apcfem import compliance_ladder as ladder
from apcfem import study_runs
from apcfem.cli import main
from apcfem.config import case_from_dict
from apcfem.output import SeriesWriter, prepare_run_directory, write_run_info
from apcfem.output.plots import draw_compliance_ladder
from apcfem.output.run_directory import to_toml
from apcfem.output.series import read_series
from apcfem.simulation import SENTINEL_COLUMNS, RunResult

LADDER_CASE = apcfem.bundled_case("ecm_compliance_ladder")
LADDER_OF_SWEEP = {"ecm_compliance_ladder": ("ecm_ag_sio2_pt_sweep", "ecm"),
                   "vcm_compliance_ladder": ("vcm_pt_hfox_tin_sweep", "vcm")}
"""Bundled ladder case -> the sweep case whose set branch it runs, and its model section."""
STUDY_ONLY = ("protocol", "study", "title", "output")
"""Sections in which the ladder case may differ from the sweep case."""
V_C = 0.5
"""Set voltage of the synthetic runs [V]: G_final = I_cc / (V_c G0)."""
CURRENTS = [5e-5, 1e-4, 2e-4]
CASE_TEXT = f"""title = "synthetic ladder"
[protocol]
kind = "voltage_sweep"
set_voltage_V = 1.0
[output]
fields = false
[study]
kind = "compliance_ladder"
current_limits_A = {CURRENTS}
"""


def _case(text: str = CASE_TEXT):
    return case_from_dict(tomllib.loads(text))


def _G_final(current_A: float, V_c: float = V_C) -> float:
    return current_A / (V_c * apcfem.G0_S)


READ_V = 0.1
"""The bundled read voltage [V] (study.read_voltage_V's default)."""


def _series(G_final: float) -> dict[str, np.ndarray]:
    """A set branch: broken (tunnelling) at 0.5 V, an overshoot to 2 G_final at the top, then
    G_final where the return passes READ_V, and half of it at 0 V (a neck dissolving); the
    contact's own count is 25 % above the cell's (the body in series)."""
    return {"V_source_V": np.array([0.5, 1.0, READ_V, 0.0]),
            "G_G0": np.array([1e-6, 2.0 * G_final, G_final, 0.5 * G_final]),
            "G_landauer_G0": np.array([1.25e-6, 2.5 * G_final, 1.25 * G_final,
                                       0.625 * G_final]),
            "neck_radius_m": np.array([0.0, 4e-10, 3e-10, 2.5e-10]),
            "R_fe_ohm": np.array([np.inf, 100.0, 100.0, 120.0])}


STATS = {"accepted_steps": 40, "rejected_steps": 3, "wall_time_s": 2.0}


def _point(current_A: float, G_final: float, reason: str = "end of protocol"):
    stats = {"stop_reason": reason, **STATS}
    return ladder.ladder_point(current_A, _series(G_final), stats,
                               ladder.sub_run_directory(Path("study"), current_A), READ_V)


def _write_run(path, cfg, G_final: float, reason: str) -> RunResult:
    """What a finished run leaves in its directory, written by the package's writers."""
    comm = MPI.COMM_WORLD
    out = prepare_run_directory(path, cfg, comm)
    series = SeriesWriter(out / "timeseries.csv", list(_series(G_final)), comm,
                          SENTINEL_COLUMNS)
    for row in zip(*_series(G_final).values(), strict=True):
        series.append(dict(zip(series.columns, row, strict=True)))
    stats = {"stop_reason": reason, "accepted_steps": 40, "rejected_steps": 3}
    write_run_info(out, comm, {"wall_time_s": 2.0, **stats})
    return RunResult(series.arrays(), out, stats=stats)


def _fake_simulation(failing=(), V_c: float = V_C):
    """A Simulation stand-in: G_final = I_cc / (V_c G0); runs at currents in ``failing`` stop
    with a 'failed' reason. ``calls`` lists the currents run."""

    def write(cfg, output_dir):
        current = cfg.circuit.current_limit_A
        reason = "failed: step size below dt_min_s" if current in failing else (
            "end of protocol")
        return _write_run(output_dir, cfg, _G_final(current, V_c), reason)

    return fake_simulation(write, key=lambda cfg: cfg.circuit.current_limit_A)


# --- bundled case ----------------------------------------------------------------------------

@pytest.mark.parametrize("ladder_name", LADDER_OF_SWEEP)
def test_ladder_case_has_the_physics_of_the_sweep_case(ladder_name):
    sweep_name, model = LADDER_OF_SWEEP[ladder_name]
    sweep = apcfem.load_case(apcfem.bundled_case(sweep_name)).model_dump()
    ladder_case = apcfem.load_case(apcfem.bundled_case(ladder_name)).model_dump()
    assert ladder_case["study"]["current_limits_A"] == [5e-5, 1e-4, 2e-4, 5e-4]
    shared = [name for name in apcfem.CaseConfig.model_fields if name not in STUDY_ONLY]
    assert {"geometry", "mesh", "materials", model, "dynamics", "circuit"} <= set(shared)
    for name in shared:
        assert ladder_case[name] == sweep[name], f"[{name}] differs between the two case files"
    # the protocol is the sweep's set branch
    assert ladder_case["protocol"] == {**sweep["protocol"], "reset_voltage_V": None}


def test_ladder_case_runs_the_issue_currents():
    cfg = apcfem.load_case(LADDER_CASE)
    assert "ecm_compliance_ladder" in apcfem.bundled_cases()
    assert cfg.study.kind == "compliance_ladder"
    assert cfg.study.current_limits_A == [5e-5, 1e-4, 2e-4, 5e-4]
    assert {(m.current_limit_A, m.G_G0) for m in cfg.study.measured} == {(1e-4, 1.0),
                                                                        (4e-4, 2.5)}


def test_resolved_study_case_is_rerunnable_toml():
    cfg = apcfem.load_case(LADDER_CASE)
    text = to_toml(cfg.model_dump(mode="json"))
    assert "[[study.measured]]" in text
    assert case_from_dict(tomllib.loads(text)) == cfg


def test_read_voltage_above_the_sweep_is_refused_naming_the_field():
    with pytest.raises(apcfem.CaseError, match="study.read_voltage_V = 1.5 V is not passed"):
        _case(CASE_TEXT + "read_voltage_V = 1.5\n")
    with pytest.raises(apcfem.CaseError, match="read_voltage_V"):
        _case(CASE_TEXT + "read_voltage_V = -0.1\n")
    assert _case(CASE_TEXT + "read_voltage_V = 0.2\n").study.read_voltage_V == 0.2


def test_sub_case_replaces_the_current_and_drops_the_study():
    cfg = apcfem.load_case(LADDER_CASE)
    sub = ladder.sub_case(cfg, 2e-4)
    assert sub.study is None and sub.circuit.current_limit_A == 2e-4
    assert sub.model_dump(exclude={"study", "circuit"}) == cfg.model_dump(
        exclude={"study", "circuit"})
    assert ladder.sub_run_directory(Path("d"), 5e-5) == Path("d/icc_50uA")


# --- table and plot ----------------------------------------------------------------------------

def test_ladder_point_reads_the_return_branch_at_the_read_voltage():
    point = _point(1e-4, 1.5)
    assert point.G_final_G0 == 1.5  # on the way down at 0.1 V, not the overshoot at the top
    assert point.G_contact_G0 == pytest.approx(1.875)  # the contact alone, at the same read
    assert point.G_zero_bias_G0 == 0.75  # the last row
    assert point.G_max_G0 == 3.0
    assert point.neck_radius_m == 2.5e-10
    assert not point.failed
    assert point.V_c_V == pytest.approx(1e-4 / (1.5 * 7.748091729e-5), rel=1e-9)
    at_the_end = ladder.ladder_point(1e-4, _series(1.5), {"stop_reason": "end", **STATS},
                                     Path("d"), None)
    assert at_the_end.G_final_G0 == at_the_end.G_zero_bias_G0 == 0.75
    without_count = {k: v for k, v in _series(1.5).items() if k != "G_landauer_G0"}
    older = ladder.ladder_point(1e-4, without_count, {"stop_reason": "end", **STATS},
                                Path("d"), READ_V)
    assert older.G_final_G0 == 1.5 and np.isnan(older.G_contact_G0)


def test_read_on_return_interpolates_between_the_rows_around_the_read_voltage():
    series = {"V_source_V": np.array([0.0, 0.2, 0.4, 0.3, 0.2, 0.1, 0.0]),
              "G_G0": np.array([0.0, 0.0, 1.0, 3.0, 2.0, 1.0, 0.5])}
    assert ladder.read_on_return(series, 0.25) == pytest.approx(2.5)  # not the rising 0.2 V
    assert ladder.read_on_return(series, 0.1) == pytest.approx(1.0)
    assert np.isnan(ladder.read_on_return({"V_source_V": np.array([0.0, 0.05]),
                                           "G_G0": np.array([0.0, 1.0])}, 0.1))


def test_failed_run_has_no_final_conductance():
    point = _point(1e-4, 1.5, "failed: step size below dt_min_s")
    assert point.failed
    assert np.isnan(point.G_final_G0) and np.isnan(point.V_c_V)
    assert point.G_max_G0 == 3.0  # what it reached is still recorded


def test_monotonicity_and_spread_skip_failed_runs():
    rising = [_point(5e-5, 1.0), _point(1e-4, 0.2, "failed: x"), _point(2e-4, 4.0)]
    assert ladder.is_monotone(rising) is True
    assert ladder.V_c_spread(rising) == pytest.approx(1.0)  # V_c = I/(G G0) equal at both
    falling = [_point(5e-5, 1.0), _point(1e-4, 0.5), _point(2e-4, 4.0)]
    assert ladder.is_monotone(falling) is False
    assert ladder.V_c_spread(falling) == pytest.approx(4.0)  # V_c(100 uA) / V_c(200 uA)
    assert ladder.is_monotone([_point(5e-5, 1.0), _point(1e-4, 1.0, "failed: x")]) is None
    # a run stopped at max_steps before its return branch has no G_final, and is skipped too
    stopped = ladder.ladder_point(5e-4, {**_series(9.0), "V_source_V": np.array(
        [0.5, 0.7, 0.77, 0.77])}, {"stop_reason": "max_steps = 40 reached", **STATS},
        Path("study"), READ_V)
    assert not stopped.failed and np.isnan(stopped.G_final_G0)
    assert ladder.is_monotone([*rising, stopped]) is True
    assert np.isnan(ladder.V_c_spread([_point(5e-5, 1.0, "failed: x")]))


def test_write_ladder_tables_and_summary(tmp_path):
    cfg = _case()
    points = [_point(5e-5, _G_final(5e-5)), _point(1e-4, 0.1, "failed: step size"),
              _point(2e-4, _G_final(2e-4, V_c=2.0))]
    files = ladder.write_ladder(points, cfg, tmp_path)
    assert set(files) == {"ladder", "summary", "plot"} and files["plot"].stat().st_size > 0
    with files["ladder"].open() as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(ladder.CSV_COLUMNS)
    assert [float(r["I_cc_A"]) for r in rows] == [5e-5, 1e-4, 2e-4]
    assert float(rows[0]["V_c_V"]) == pytest.approx(V_C, rel=1e-9)
    assert float(rows[2]["V_c_V"]) == pytest.approx(2.0, rel=1e-9)
    assert rows[1]["G_final_G0"] == "nan" and rows[1]["stop_reason"] == "failed: step size"
    assert float(rows[0]["G_contact_G0"]) == pytest.approx(1.25 * _G_final(5e-5))
    assert rows[0]["run_directory"] == "icc_50uA"
    summary = files["summary"].read_text()
    assert "finished runs: 2 of 3" in summary
    assert "G_final monotone in I_cc: yes" in summary
    assert "V_c spread max/min: 4;" in summary
    assert "0.2-2 V: 2 of 2" in summary
    assert "2.5 G0 at 400 uA, Milano" in summary
    no_plots = apcfem.update_case(cfg, {"output.plots": False})
    assert "plot" not in ladder.write_ladder(points, no_plots, tmp_path / "..")


def test_ladder_plot_draws_finished_points_measured_and_band():
    measured = [(1e-4, 1.0, "Milano"), (4e-4, 2.5, "Milano"), (3e-4, 5.0, "other")]
    current = np.array([5e-5, 1e-4, 2e-4])
    G = np.array([1.0, np.nan, 3.0])  # a failed run in the middle
    fig, ax = plt.subplots()
    draw_compliance_ladder(ax, current, G, measured, (0.2, 2.0))
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["50", "100", "200"]  # uA
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels.count("Milano") == 1 and "other" in labels
    assert any("V_c" in label for label in labels) and "simulated $G_{final}$" in labels
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["simulated $G_{final}$"].get_xydata(),
                                  [[5e-5, 1.0], [2e-4, 3.0]])
    np.testing.assert_array_equal(lines["Milano"].get_xydata(), [[1e-4, 1.0], [4e-4, 2.5]])
    band = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    V_c = sorted(np.median(b.get_xdata() / (b.get_ydata() * apcfem.G0_S)) for b in band)
    assert V_c == pytest.approx([0.2, 2.0])
    assert band[0].get_xdata().min() < 5e-5 and band[0].get_xdata().max() > 4e-4
    plt.close(fig)


# --- running, resuming, failing --------------------------------------------------------------

def test_study_runs_each_current_and_resumes(tmp_path, monkeypatch):
    cfg = _case()
    first = _fake_simulation()
    monkeypatch.setattr(study_runs, "Simulation", first)
    result = ladder.run_compliance_ladder(cfg, tmp_path, progress=False)
    assert first.calls == CURRENTS
    assert [p.G_final_G0 for p in result.points] == pytest.approx(
        [_G_final(c) for c in CURRENTS], rel=1e-9)
    assert (tmp_path / "icc_100uA" / "timeseries.csv").is_file()
    assert (tmp_path / "resolved_case.toml").is_file()

    again = _fake_simulation(V_c=1.0)  # would give other values if it ran
    monkeypatch.setattr(study_runs, "Simulation", again)
    resumed = ladder.run_compliance_ladder(cfg, tmp_path, progress=False)
    assert again.calls == []
    assert [p.G_final_G0 for p in resumed.points] == pytest.approx(
        [p.G_final_G0 for p in result.points], rel=1e-9)
    assert resumed.points[0].wall_time_s == 2.0  # from run_info.json


def test_only_unfinished_or_foreign_sub_runs_are_run_again(tmp_path, monkeypatch):
    cfg = _case()
    _write_run(tmp_path / "icc_50uA", ladder.sub_case(cfg, 5e-5), 7.0, "end of protocol")
    _write_run(tmp_path / "icc_100uA", ladder.sub_case(cfg, 1e-4), 7.0, "end of protocol")
    (tmp_path / "icc_100uA" / "run_info.json").unlink()  # interrupted before the end
    _write_run(tmp_path / "icc_200uA", ladder.sub_case(cfg, 1e-3), 7.0, "end of protocol")
    fake = _fake_simulation()
    monkeypatch.setattr(study_runs, "Simulation", fake)
    result = ladder.run_compliance_ladder(cfg, tmp_path, progress=False)
    assert fake.calls == [1e-4, 2e-4]
    assert [p.G_final_G0 for p in result.points] == pytest.approx(
        [7.0, _G_final(1e-4), _G_final(2e-4)], rel=1e-9)


def test_failed_sub_run_is_recorded_and_the_study_goes_on(tmp_path, monkeypatch):
    fake = _fake_simulation(failing=(1e-4,))
    monkeypatch.setattr(study_runs, "Simulation", fake)
    result = ladder.run_compliance_ladder(_case(), tmp_path, progress=False)
    assert fake.calls == CURRENTS
    assert [p.failed for p in result.points] == [False, True, False]
    assert np.isnan(result.points[1].G_final_G0) and not result.all_failed
    # a failed run is finished too: read back as failed, not run again
    again = _fake_simulation()
    monkeypatch.setattr(study_runs, "Simulation", again)
    assert ladder.run_compliance_ladder(_case(), tmp_path, progress=False).points[1].failed
    assert again.calls == []


def test_a_run_that_leaves_no_run_directory_stops_the_study(tmp_path, monkeypatch):
    class Silent(_fake_simulation()):
        def run(self, output_dir, progress=True, resume=False):
            return RunResult({}, None)

    monkeypatch.setattr(study_runs, "Simulation", Silent)
    with pytest.raises(RuntimeError, match="icc_50uA: the run left no finished run directory"):
        ladder.run_compliance_ladder(_case(), tmp_path, progress=False)


@pytest.mark.parametrize(("failing", "status"), [((1e-4,), 0), (tuple(CURRENTS), 1)])
def test_cli_runs_the_study(tmp_path, monkeypatch, capsys, failing, status):
    monkeypatch.setattr(study_runs, "Simulation", _fake_simulation(failing))
    case = tmp_path / "ladder.toml"
    case.write_text(CASE_TEXT)
    out = tmp_path / "study"
    assert main(["run", str(case), "--output", str(out), "--no-progress"]) == status
    captured = capsys.readouterr()
    assert f"results in {out}" in captured.out and str(out / "ladder.csv") in captured.out
    assert (out / "summary.txt").is_file()
    assert ("every run of the study failed" in captured.err) == bool(status)


def test_time_series_reads_back_as_written(tmp_path):
    _write_run(tmp_path, ladder.sub_case(_case(), 1e-4), 2.0, "end of protocol")
    series = read_series(tmp_path / "timeseries.csv")
    assert set(series) == set(_series(2.0))
    for name, values in _series(2.0).items():
        np.testing.assert_array_equal(series[name], values)
