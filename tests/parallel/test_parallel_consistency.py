"""The bundled cases give the same time series on 1, 2 and 3 ranks, and the same seed the
same stochastic cycles on any rank count (and their conductance histograms).

Subprocesses (marked serial: they launch ``mpiexec`` themselves) on the short variants of
tests/parallel/short_cases.py (the 3-D ECM cell's: a connected off-axis filament under a current
sweep, its Newton to 1e-12). The ECM cell runs on 1 and 2 ranks only: 3 ranks on the test
machine's 2 cores take minutes for it (a rank waiting in a collective spins), the staircase
takes seconds. The compliance ladder runs the ECM cell of the sweep (its exit on 2 ranks is
tested in test_clean_exit.py).
"""

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from short_cases import COMPARED_ON_TWO_RANKS, PULSE, short_case

from apcfem.output.series import read_series

pytestmark = pytest.mark.serial

BIN = Path(sys.executable).parent
TIMEOUT_S = 300
BUNDLED_SWEEP_TIMEOUT_S = 1200
"""Per run of the bundled ECM sweep (~4-6 min alone; `make test-slow` runs another test beside
it, and its two-rank run then shares the two cores with it)."""
RTOL = 1e-6
SEEDED_PULSES = {"protocol": {**PULSE, "amplitude_V": 0.9, "rise_s": 5e-4, "width_s": 5e-4,
                              "interval_s": 1.5e-3, "count": 2},
                 "variability__seed": 3, "variability__rate_spread": 0.5,
                 "variability__interface_noise": 1.0,
                 "dynamics__dt_initial_s": 1e-4, "dynamics__dt_max_s": 1e-4,
                 "dynamics__target_newton_iterations": 30}
"""Two 0.9 V pulses, each a cycle with its own seeded exchange rate, with the reaction's shot
noise (drawn per step, keyed by the nodes' input indices); steps of 0.1 ms cut back
only on a failed solve (an adaptive step size follows Newton iteration counts, which may
differ by one between partitions). Its solves stay well below the iteration limit: one at the
limit may fail on one partition and not on another, and the runs would then part. (A seeded
nucleus radius, ``variability.nucleus_radius_spread``, made the seed's first solves hard
enough for that.)"""


CONNECTED_CURRENT_SWEEP = {
    "protocol": {"kind": "current_sweep", "ramp_rate_A_per_s": 0.05, "set_current_A": 1e-4,
                 "voltage_limit_V": 2.0, "cycles": 1},
    "ecm__initial_filament": "cone", "ecm__cone_base_radius_nm": 1.5,
    "ecm__cone_tip_radius_nm": 0.4, "ecm__cone_gap_nm": 0.0, "ecm__channel_radius_nm": None}
"""A current sweep to 100 uA through a filament connected from the start (a cone left by an
earlier set): every step goes through the neck extraction, the Landauer contact and its
potential jump, the path a growth pulse never reaches."""


def _run(case: Path | str, ranks: int, folder: Path | None = None,
         timeout_s: float = TIMEOUT_S) -> Path:
    """Run ``case`` (a file, or a bundled case's name) on ``ranks`` ranks into
    ``folder/ranks_<ranks>`` (default folder: the case file's); return that directory."""
    out = (folder or Path(case).parent) / f"ranks_{ranks}"
    proc = subprocess.run([str(BIN / "mpiexec"), "-n", str(ranks), str(BIN / "apcfem"),
                           "--log-level", "warning", "run", str(case), "--output", str(out),
                           "--no-progress"], capture_output=True, text=True,
                          timeout=timeout_s, check=False)
    assert proc.returncode == 0, proc.stderr
    return out


def _series(case: Path | str, ranks: int, folder: Path | None = None,
            timeout_s: float = TIMEOUT_S) -> dict[str, np.ndarray]:
    """The time series of ``case`` run on ``ranks`` ranks (:func:`_run`)."""
    return read_series(_run(case, ranks, folder, timeout_s) / "timeseries.csv")


def _assert_same(series: dict, reference: dict) -> None:
    """The same times and, to RTOL, the same values in every column but ``newton_its`` (a
    solve near its tolerance may take one iteration more on another partition)."""
    np.testing.assert_array_equal(series["time_s"], reference["time_s"])
    for column, values in reference.items():
        if column == "newton_its":
            continue
        np.testing.assert_allclose(series[column], values, rtol=RTOL, atol=0, err_msg=column)


RANK_COMPARISONS = [
    ("ag_sio2_pt_staircase", (1, 2, 3), {"protocol__points": 5}),
    ("ecm_ag_sio2_pt_sweep", (1, 2), SEEDED_PULSES),
    ("ecm_ag_sio2_pt_sweep", (1, 2), CONNECTED_CURRENT_SWEEP),
    # the ECM 3-D variant (~2 min in CI) runs with the slow tests; the VCM one stays
    pytest.param("ecm_3d_forming", (1, 2), {"solver__ecm_newton_tolerance": 1e-12},
                 marks=pytest.mark.slow),
    ("vcm_3d_forming", (1, 2), {}),
]


def test_cases_left_out_of_the_exit_test_run_here_on_two_ranks():
    """Guards test_clean_exit.py's shortcut: each case of COMPARED_ON_TWO_RANKS has a
    comparison here that is not slow and runs it on two ranks."""
    fast_on_two = set()
    for param in RANK_COMPARISONS:
        values, marks = (param.values, param.marks) if hasattr(param, "marks") else (param, ())
        if 2 in values[1] and not any(mark.name == "slow" for mark in marks):
            fast_on_two.add(values[0])
    assert set(COMPARED_ON_TWO_RANKS) <= fast_on_two


@pytest.mark.parametrize(("name", "ranks", "changes"), RANK_COMPARISONS)
def test_same_series_on_every_rank_count(tmp_path, name, ranks, changes):
    case = short_case(name, tmp_path, **changes)
    reference, *others = (_series(case, n) for n in ranks)
    for series in others:
        _assert_same(series, reference)
    if "variability__seed" in changes:
        assert set(reference["cycle"]) == {0.0, 1.0}
    if "ecm__initial_filament" in changes:  # the contact path was compared
        assert np.all(reference["gap_m"] == 0) and np.all(reference["G_G0"] > 1.0)
        assert reference["I_A"].max() == pytest.approx(1e-4, rel=1e-6)
    if name.endswith("3d_forming"):  # a 3-D neck whose own (seeded, elliptic) section was counted
        assert np.all(reference["gap_m"] == 0) and np.all(reference["G_G0"] > 1.0)
        assert np.all(reference["neck_aspect_ratio"] > 1.02)


@pytest.mark.slow
@pytest.mark.timeout(2 * BUNDLED_SWEEP_TIMEOUT_S + 60)  # the two runs' own timeouts, in turn
def test_the_bundled_sweep_gives_the_same_series_on_one_and_two_ranks(tmp_path):
    """T10 on the bundled ECM demo as shipped (~6 + ~4 min): tunnelling, the jump to contact,
    the clamp, the reset through the jump out of contact and the tunnelling tail take the
    same steps on 1 and 2 ranks, with every value the same to 1e-6 (measured: 1e-9), and
    both runs exit."""
    reference = _series("ecm_ag_sio2_pt_sweep", 1, tmp_path, timeout_s=BUNDLED_SWEEP_TIMEOUT_S)
    _assert_same(_series("ecm_ag_sio2_pt_sweep", 2, tmp_path,
                         timeout_s=BUNDLED_SWEEP_TIMEOUT_S), reference)
    connected = reference["gap_m"] == 0
    assert connected.any() and not connected[-1]  # it made contact and broke again


def test_another_seed_gives_other_cycles(tmp_path):
    """Guards the comparison above: the seed does reach the run."""
    runs = []
    for seed in (3, 4):
        folder = tmp_path / f"seed_{seed}"
        folder.mkdir()
        case = short_case("ecm_ag_sio2_pt_sweep", folder,
                          **{**SEEDED_PULSES, "variability__seed": seed})
        runs.append(_series(case, 1))
    first, second = (run["filament_mol"][-1] - run["filament_mol"][0] for run in runs)
    assert abs(first / second - 1) > 1e3 * RTOL  # the seeded rates grew different amounts
    # a cycled run writes its conductance histograms: one set state per pulse, all its time
    table = np.loadtxt(folder / "ranks_1" / "conductance_histogram.csv", delimiter=",",
                       skiprows=1, ndmin=2)
    assert table[:, 4].sum() == 2 and table[:, 3].sum() == pytest.approx(1.0, rel=1e-5)


def test_ladder_sub_runs_side_by_side_give_the_one_rank_ladder(tmp_path):
    """``study.ranks_per_run = 1`` on two ranks: the ladder's two sub-runs run at the same
    time, one on each rank (``mpi_ranks`` 1 in their run_info.json), and give the sub-runs
    and the ladder of the same study on one rank, in the order of the currents."""
    currents = [1e-4, 2e-4]
    connected = {key: value for key, value in CONNECTED_CURRENT_SWEEP.items()
                 if key.startswith("ecm__")}  # clamped at once: each run at its own current
    case = short_case("ecm_compliance_ladder", tmp_path, study__current_limits_A=currents,
                      study__ranks_per_run=1, **connected)
    alone, side_by_side = (_run(case, n) for n in (1, 2))
    for name, current in zip(("icc_100uA", "icc_200uA"), currents, strict=True):
        series = read_series(side_by_side / name / "timeseries.csv")
        _assert_same(series, read_series(alone / name / "timeseries.csv"))
        assert series["I_A"].max() == pytest.approx(current, rel=1e-6)
        info = json.loads((side_by_side / name / "run_info.json").read_text())
        assert info["mpi_ranks"] == 1
    ladders = []
    for out in (alone, side_by_side):
        with (out / "ladder.csv").open(newline="") as stream:
            rows = list(csv.DictReader(stream))
        ladders.append({key: np.array([float(row[key]) for row in rows])
                        for key in ("I_cc_A", "G_final_G0")})
    np.testing.assert_array_equal(ladders[1]["I_cc_A"], currents)
    np.testing.assert_allclose(ladders[1]["G_final_G0"], ladders[0]["G_final_G0"], rtol=RTOL)


def test_chains_side_by_side_give_the_one_rank_chains_and_histogram(tmp_path):
    """A cycle-chains study of two seeded chains (two pulses each, the first left out) with
    ``study.ranks_per_run = 1``: on two ranks each chain runs on its own rank and gives the
    chain of one rank; the merged histogram counts one set state per chain, as on one rank."""
    case = short_case("ecm_histogram", tmp_path, study={"kind": "cycle_chains", "chains": 2,
                                                       "ranks_per_run": 1})
    alone, side_by_side = (_run(case, n) for n in (1, 2))
    growth = []
    for k in range(2):
        series = read_series(side_by_side / f"chain_{k}" / "timeseries.csv")
        _assert_same(series, read_series(alone / f"chain_{k}" / "timeseries.csv"))
        info = json.loads((side_by_side / f"chain_{k}" / "run_info.json").read_text())
        assert info["mpi_ranks"] == 1
        growth.append(series["filament_mol"][-1] - series["filament_mol"][0])
    assert abs(growth[0] / growth[1] - 1) > 1e3 * RTOL  # the chains' seeds differ
    histograms = [np.loadtxt(out / "conductance_histogram.csv", delimiter=",", skiprows=1,
                             ndmin=2)
                  for out in (alone, side_by_side)]
    np.testing.assert_allclose(histograms[1], histograms[0], rtol=RTOL, atol=1e-12)
    assert histograms[1][:, 4].sum() == 2  # set states: one counted cycle per chain
