"""The cycle-chains study without the FE model: seeds, merged histograms, summary, resume.

A stand-in for :class:`apcfem.Simulation` writes the run directory of a two-cycle chain with
the package's own writers, its set state (G at the end of the set half of each cycle) a known
function of the chain's seed.
"""

import tomllib

import numpy as np
import pytest
from fake_simulation import fake_simulation
from mpi4py import MPI

from apcfem import cycle_chains as chains
from apcfem import study_runs
from apcfem.config import case_from_dict
from apcfem.output import SeriesWriter, prepare_run_directory, write_run_info
from apcfem.output.series import read_series
from apcfem.simulation import RunResult

CASE_TEXT = """title = "synthetic chains"
[protocol]
kind = "voltage_sweep"
set_voltage_V = 1.0
reset_voltage_V = -1.0
cycles = 2
[variability]
seed = 10
rate_spread = 0.3
[output]
fields = false
histogram_skip_cycles = 1
[study]
kind = "cycle_chains"
chains = 3
"""


def _case():
    return case_from_dict(tomllib.loads(CASE_TEXT))


def _set_state(seed: int) -> float:
    """The set state of every cycle of the chain with this seed [G0]: 1, 2, 3 G0 for seeds
    10, 11, 12."""
    return float(seed - 9)


def _series(seed: int) -> dict[str, np.ndarray]:
    """Two cycles, each 1 s broken, 2 s at the set state (read at 0 V), 1 s broken again."""
    G = _set_state(seed)
    t, V, g, cycle = [], [], [], []
    for k in range(2):
        start = 4.0 * k
        for dt, v, value in ((0.0, 0.0, 1e-3), (1.0, 1.0, 1e-3), (3.0, 0.0, G), (4.0, -1.0, 1e-3)):
            t.append(start + dt + (1e-3 if k and dt == 0.0 else 0.0))
            V.append(v)
            g.append(value)
            cycle.append(k)
    return {"time_s": np.array(t), "V_source_V": np.array(V), "G_G0": np.array(g),
            "cycle": np.array(cycle, dtype=float)}


def _fake_simulation(failing_seeds=()):
    """Runs whose seed is in ``failing_seeds`` stop with a 'failed' reason; ``calls`` lists
    the seeds run."""

    def write(cfg, output_dir):
        seed = cfg.variability.seed
        out = prepare_run_directory(output_dir, cfg, MPI.COMM_SELF)
        series = _series(seed)
        writer = SeriesWriter(out / "timeseries.csv", list(series), MPI.COMM_SELF)
        for row in zip(*series.values(), strict=True):
            writer.append(dict(zip(writer.columns, row, strict=True)))
        reason = ("failed: step size below dt_min_s" if seed in failing_seeds
                  else "end of protocol")
        stats = {"stop_reason": reason, "accepted_steps": 8, "rejected_steps": 1}
        write_run_info(out, MPI.COMM_SELF, {"wall_time_s": 3.0, **stats})
        return RunResult(writer.arrays(), out, stats=stats)

    return fake_simulation(write, key=lambda cfg: cfg.variability.seed)


def test_each_chain_runs_once_with_its_own_seed_and_the_histograms_merge(tmp_path,
                                                                       monkeypatch):
    fake = _fake_simulation()
    monkeypatch.setattr(study_runs, "Simulation", fake)
    result = chains.run_cycle_chains(_case(), tmp_path, progress=False)
    assert fake.calls == [10, 11, 12]
    assert [c.seed for c in result.chains] == [10, 11, 12]
    assert [c.cycles for c in result.chains] == [2, 2, 2]
    # cycle 1 of each chain (its first sample, at 4.001 s, weighs nothing): one set state
    # each, and 2 s of its 3.999 s at the set state
    histogram = result.histogram
    np.testing.assert_array_equal(histogram.set_state_G0, [1.0, 2.0, 3.0])
    for level in (1.0, 2.0, 3.0):
        share = histogram.dwell_fraction[np.argmin(np.abs(histogram.centres_G0 - level))]
        assert share == pytest.approx(2.0 / (3 * 3.999), rel=1e-9)
    written = np.loadtxt(tmp_path / "conductance_histogram.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(written[:, 3], histogram.dwell_fraction, rtol=1e-5, atol=1e-12)
    summary = (tmp_path / "summary.txt").read_text()
    assert "3 chains, seeds 10-12" in summary and "set states counted: 3" in summary
    assert read_series(tmp_path / "chain_2" / "timeseries.csv")["G_G0"].max() == 3.0


def test_finished_chains_are_read_back_and_a_failed_one_is_left_out(tmp_path, monkeypatch):
    monkeypatch.setattr(study_runs, "Simulation", _fake_simulation(failing_seeds=(11,)))
    first = chains.run_cycle_chains(_case(), tmp_path, progress=False)
    assert [c.failed for c in first.chains] == [False, True, False]
    np.testing.assert_array_equal(first.histogram.set_state_G0, [1.0, 3.0])
    assert "chains in the histograms: 2 of 3" in (tmp_path / "summary.txt").read_text()

    again = _fake_simulation()
    monkeypatch.setattr(study_runs, "Simulation", again)
    resumed = chains.run_cycle_chains(_case(), tmp_path, progress=False)
    assert again.calls == []  # every chain finished (the failed one too: delete it to rerun)
    np.testing.assert_array_equal(resumed.histogram.set_state_G0, [1.0, 3.0])


def test_a_study_whose_chains_all_failed_has_no_histogram(tmp_path, monkeypatch):
    monkeypatch.setattr(study_runs, "Simulation", _fake_simulation(failing_seeds=(10, 11, 12)))
    result = chains.run_cycle_chains(_case(), tmp_path, progress=False)
    assert result.all_failed and result.histogram is None
    assert not (tmp_path / "conductance_histogram.csv").exists()
