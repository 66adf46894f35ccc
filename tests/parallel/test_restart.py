"""A run killed with SIGKILL mid-way continues with ``apcfem run --resume DIR``, on any number
of ranks, to the time series of an uninterrupted run; a run stopped by a failed solve resumes
with changed settings.

Subprocesses (marked serial: they launch ``mpiexec`` themselves): the uninterrupted run, the
run killed once its checkpoint is past a few steps, and the resumed runs.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from short_cases import PULSE, short_case

from apcfem.output.checkpoint import CHECKPOINT
from apcfem.output.series import read_series

pytestmark = pytest.mark.serial

BIN = Path(sys.executable).parent
MPIEXEC, APCFEM = str(BIN / "mpiexec"), str(BIN / "apcfem")
TIMEOUT_S = 120
ABRUPT_STEP = {"dynamics__max_drive_step": 1.0, "dynamics__dt_initial_s": 2e-4,
               "protocol": {**PULSE, "amplitude_V": 3.0, "rise_s": 1e-9}}
"""An ECM pulse whose first step after a 1 ns rise to 3 V is too long for Newton (cut back)."""
SAME_RANKS_RTOL = 1e-8
"""Resumed on the rank count it was killed on: the series of the uninterrupted run to this."""
OTHER_RANKS_RTOL = 1e-6
"""Resumed on another rank count: to the solver tolerance of a 1-vs-N-rank comparison."""


def _command(ranks: int, *args: str) -> list[str]:
    return [MPIEXEC, "-n", str(ranks), APCFEM, "--log-level", "warning", *args,
            "--no-progress"]


def _run(ranks: int, *args: str, cwd: Path, status: int = 0) -> subprocess.CompletedProcess:
    """``apcfem ARGS`` on ``ranks`` ranks under a timeout; asserts the exit status."""
    proc = subprocess.run(_command(ranks, *args), cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT_S, check=False)
    assert proc.returncode == status, proc.stderr
    return proc


def _checkpoint_step(run_dir: Path) -> int:
    """Accepted step of the run directory's checkpoint (-1: none readable yet)."""
    try:
        with h5py.File(run_dir / CHECKPOINT, "r") as h5:
            return int(h5.attrs["accepted"])
    except (OSError, KeyError):
        return -1


def _kill_after_checkpoint(ranks: int, case: Path, run_dir: Path, step: int) -> int:
    """Start the run and SIGKILL every process of it once its checkpoint has reached ``step``
    (before the run ends); returns the checkpoint's step."""
    proc = subprocess.Popen(_command(ranks, "run", str(case), "--output", str(run_dir)),
                            cwd=case.parent, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + TIMEOUT_S
    while _checkpoint_step(run_dir) < step:
        assert proc.poll() is None, f"the run ended before step {step}: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "no checkpoint in time"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    return _checkpoint_step(run_dir)


def _assert_same_series(resumed: Path, reference: Path, rtol: float) -> float:
    """Every column of the two time series agrees to ``rtol`` (Newton iterations exactly, on
    the same rank count only); returns the largest relative difference (NaN and Inf must sit
    at the same places)."""
    got, want = read_series(resumed / "timeseries.csv"), read_series(reference / "timeseries.csv")
    assert list(got) == list(want)
    np.testing.assert_array_equal(got["step"], np.arange(len(want["step"])))
    worst = 0.0
    for column, values in want.items():
        if column == "newton_its" and rtol > SAME_RANKS_RTOL:
            continue  # a solve near its tolerance may take one iteration more elsewhere
        np.testing.assert_allclose(got[column], values, rtol=rtol, atol=0, err_msg=column)
        finite = np.isfinite(values) & (values != 0)
        if finite.any():
            worst = max(worst, float(np.max(np.abs(got[column][finite] / values[finite] - 1))))
    return worst


@pytest.mark.parametrize(("killed_on", "resumed_on"), [(2, 2), (2, 1)])
def test_killed_staircase_resumes_to_the_uninterrupted_series(tmp_path, killed_on, resumed_on):
    case = short_case("ag_sio2_pt_staircase", tmp_path, protocol__points=14,
                      output__checkpoint_every_steps=2)
    _run(killed_on, "run", str(case), "--output", "whole", cwd=tmp_path)
    step = _kill_after_checkpoint(killed_on, case, tmp_path / "killed", step=4)
    assert 4 <= step < 13
    _run(resumed_on, "run", "--resume", "killed", cwd=tmp_path)
    rtol = SAME_RANKS_RTOL if killed_on == resumed_on else OTHER_RANKS_RTOL
    worst = _assert_same_series(tmp_path / "killed", tmp_path / "whole", rtol)
    print(f"staircase killed at step {step} on {killed_on} ranks, resumed on {resumed_on}: "
          f"largest relative difference {worst:.1e}")


def test_resume_with_another_mesh_is_refused_and_changes_nothing(tmp_path):
    case = short_case("ag_sio2_pt_staircase", tmp_path, output__checkpoint_every_steps=1)
    _run(1, "run", str(case), "--output", "run", cwd=tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir() if p.is_file()}
    finer = short_case("ag_sio2_pt_staircase", tmp_path, mesh__min_size_nm=0.4)
    refused = _run(1, "run", str(finer), "--resume", "run", cwd=tmp_path, status=2)
    assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
    assert "checkpoint.h5: field T was stored on another mesh" in refused.stderr
    assert "[geometry] and [mesh] unchanged" in refused.stderr
    after = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir() if p.is_file()}
    assert after == before


def test_killed_ecm_pulse_resumes_to_the_uninterrupted_series(tmp_path):
    """A transient run with adaptive steps, some of them cut back (a 3 V step in 1 ns, then
    steps of 0.2 ms): the state (phase field, electrolyte potential, temperature), the step
    controller and the loop's sums come back exactly."""
    case = short_case("ecm_ag_sio2_pt_sweep", tmp_path, output__checkpoint_every_steps=5,
                      **ABRUPT_STEP)
    _run(1, "run", str(case), "--output", "whole", cwd=tmp_path)
    whole = read_series(tmp_path / "whole" / "timeseries.csv")
    assert whole["rejected_steps"][-1] >= 1
    step = _kill_after_checkpoint(1, case, tmp_path / "killed", step=20)
    assert step < len(whole["step"]) - 1
    _run(1, "run", "--resume", "killed", cwd=tmp_path)
    worst = _assert_same_series(tmp_path / "killed", tmp_path / "whole", SAME_RANKS_RTOL)
    print(f"ECM pulse killed at step {step}: largest relative difference {worst:.1e}")


def test_killed_connected_ecm_run_resumes_with_its_neck_shells(tmp_path):
    """A filament connected from the start (a cone whose 0.3 nm tip touches the anode: the
    1 G0 plateau) under a 0.5 V pulse: the neck's electron-shell window (its value, height and
    width, which depend on the necks before it) is stored with the fields and comes back."""
    case = short_case("ecm_ag_sio2_pt_sweep", tmp_path, output__checkpoint_every_steps=5,
                      ecm__cone_gap_nm=0.0, ecm__channel_radius_nm=None,
                      ecm__cone_tip_radius_nm=0.3,
                      protocol={**PULSE, "amplitude_V": 0.5})
    _run(1, "run", str(case), "--output", "whole", cwd=tmp_path)
    whole = read_series(tmp_path / "whole" / "timeseries.csv")
    assert np.all(whole["gap_m"] == 0.0) and np.all(whole["G_G0"] > 0.5)
    step = _kill_after_checkpoint(1, case, tmp_path / "killed", step=10)
    assert step < len(whole["step"]) - 1
    with h5py.File(tmp_path / "killed" / CHECKPOINT, "r") as h5:
        assert h5.attrs["neck_shell_eV"] != 0.0 and h5.attrs["neck_shell_width_m"] > 0.0
    _run(1, "run", "--resume", "killed", cwd=tmp_path)
    worst = _assert_same_series(tmp_path / "killed", tmp_path / "whole", SAME_RANKS_RTOL)
    print(f"connected ECM run killed at step {step}: largest relative difference {worst:.1e}")


def test_killed_ecm_pulse_resumes_on_more_ranks(tmp_path):
    """Killed on one rank, resumed on two. Steps of 0.1 ms, cut back only when a solve fails,
    and a 0.9 V pulse whose solves after the checkpoint converge well within the iteration
    limit: step sizes follow Newton iteration counts, which may differ by one between
    partitions, and a solve at the limit may fail on one partition and not on another."""
    case = short_case("ecm_ag_sio2_pt_sweep", tmp_path, output__checkpoint_every_steps=5,
                      dynamics__dt_initial_s=1e-4, dynamics__dt_max_s=1e-4,
                      dynamics__target_newton_iterations=30,
                      protocol={**PULSE, "amplitude_V": 0.9})
    _run(1, "run", str(case), "--output", "whole", cwd=tmp_path)
    step = _kill_after_checkpoint(1, case, tmp_path / "killed", step=15)
    _run(2, "run", "--resume", "killed", cwd=tmp_path)
    worst = _assert_same_series(tmp_path / "killed", tmp_path / "whole", OTHER_RANKS_RTOL)
    print(f"ECM pulse killed at step {step} on 1 rank, resumed on 2: largest relative "
          f"difference {worst:.1e}")


def test_failed_solve_stops_with_where_and_resumes_with_changed_settings(tmp_path):
    """dynamics.dt_min_s = 50 us leaves no room to cut back the first hard step (0.2 ms at 3 V
    right after a 1 ns step): the run stops there, says where and why, keeps its rows and a
    checkpoint of its last accepted state; resumed with dt_min_s lowered in a case given to
    --resume, it finishes the protocol."""
    case = short_case("ecm_ag_sio2_pt_sweep", tmp_path, dynamics__dt_min_s=5e-5, **ABRUPT_STEP)
    failed = _run(1, "run", str(case), "--output", "run", cwd=tmp_path, status=1)
    message = failed.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"apcfem: error: failed: step \d+: time step cut to \S+ s at t = \S+ s "
                        r"\(last failure: ecm: Newton solve failed \(SNES reason -\d+ "
                        r"DIVERGED_[A-Z_]+ after \d+ iterations\)\); lower dynamics.dt_min_s .*"
                        r"run/resolved_case.toml .* apcfem run --resume run", message), message
    kept = read_series(tmp_path / "run" / "timeseries.csv")
    assert np.all(np.isfinite(kept["G_G0"])) and kept["time_s"][-1] < 3e-3
    assert _checkpoint_step(tmp_path / "run") == len(kept["step"]) - 1
    lowered = short_case("ecm_ag_sio2_pt_sweep", tmp_path, dynamics__dt_min_s=1e-12,
                         **ABRUPT_STEP)
    _run(1, "run", str(lowered), "--resume", "run", cwd=tmp_path)
    finished = read_series(tmp_path / "run" / "timeseries.csv")
    assert finished["time_s"][-1] == pytest.approx(3e-3)
    np.testing.assert_array_equal(finished["step"], np.arange(len(finished["step"])))
    np.testing.assert_array_equal(finished["time_s"][:len(kept["step"])], kept["time_s"])


def test_killed_cycled_sweep_resumes_with_its_resets_turned_back(tmp_path):
    """Two cycles of a connected filament (1 G0) swept to 0.3 V and back towards -0.5 V, each
    reverse sweep turned back as soon as G <= 2 G0 (at once): the drive of the uninterrupted
    run is the case's waveform turned back at the first reverse step of each cycle, and a run
    killed after the first turn-back resumes onto the same drive and series."""
    case = short_case("ecm_ag_sio2_pt_sweep", tmp_path, output__checkpoint_every_steps=5,
                      ecm__cone_gap_nm=0.0, ecm__channel_radius_nm=None,
                      ecm__cone_tip_radius_nm=0.3,
                      protocol={"kind": "voltage_sweep", "ramp_rate_V_per_s": 100.0,
                                "set_voltage_V": 0.3, "reset_voltage_V": -0.5,
                                "reset_stop_conductance_G0": 2.0, "cycles": 2})
    _run(1, "run", str(case), "--output", "whole", cwd=tmp_path)
    whole = read_series(tmp_path / "whole" / "timeseries.csv")
    V, t, cycle = whole["V_source_V"], whole["time_s"], whole["cycle"]
    for k in (0, 1):  # each reverse sweep: one step below 0 V, then back up at 100 V/s
        reverse = (cycle == k) & (V < 0)
        assert 0 < V[reverse].min() / -0.5 < 0.2
    second_starts = t[np.argmax(cycle == 1)]
    assert 6e-3 < second_starts < 6e-3 + 2 * 0.5 / 100.0 * 0.2  # 10 ms sooner than untouched
    turned = np.flatnonzero((V < 0) & (np.diff(V, prepend=0.0) < 0))
    step = _kill_after_checkpoint(1, case, tmp_path / "killed", step=int(turned[0]) + 5)
    assert turned[0] < step < len(whole["step"]) - 1
    with h5py.File(tmp_path / "killed" / CHECKPOINT, "r") as h5:
        assert len(h5.attrs["turn_backs_s"]) >= 1
    _run(1, "run", "--resume", "killed", cwd=tmp_path)
    worst = _assert_same_series(tmp_path / "killed", tmp_path / "whole", SAME_RANKS_RTOL)
    print(f"cycled sweep killed at step {step}: largest relative difference {worst:.1e}")
