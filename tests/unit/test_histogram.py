"""Conductance histograms of a cycled run (apcfem.output.histogram) on a series whose dwell
times are known exactly."""

import numpy as np
import pytest

from apcfem.output.histogram import (
    conductance_histogram,
    cycle_count,
    merged_histogram,
    reset_plateaus,
    set_states_G0,
    write_histogram_csv,
)


def _two_cycles() -> dict[str, np.ndarray]:
    """Cycle 0: 1 s near 0, set to the 1 G0 plateau (3 s), reset; cycle 1: set to 2 G0 (2 s)
    and read at 0 V (a pulse, never negative). Unevenly spaced samples."""
    rows = [  # (t, V_source, G, cycle): a sample holds G over the step that ends at it
        (0.0, 0.0, 1e-3, 0), (0.25, 0.5, 1e-3, 0), (1.0, 1.0, 1e-3, 0),
        (1.5, 1.0, 1.0, 0), (4.0, 0.0, 1.0, 0),     # 3 s on 1 G0, read at 0 V
        (4.5, -0.5, 1.0, 0), (5.0, -1.0, 1e-3, 0),  # 0.5 s more on 1 G0, then broken
        (5.5, 0.0, 1e-3, 1), (6.0, 1.0, 2.02, 1), (8.0, 0.0, 2.02, 1),
    ]
    t, V, G, cycle = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    return {"time_s": t, "V_source_V": V, "G_G0": G, "cycle": cycle}


def test_set_states_are_read_before_the_drive_turns_negative():
    series = _two_cycles()
    assert cycle_count(series) == 2
    np.testing.assert_array_equal(set_states_G0(series), [1.0, 2.02])


def test_dwell_fractions_are_the_time_spent_in_each_bin():
    histogram = conductance_histogram(_two_cycles(), bin_width_G0=0.05)
    assert histogram.dwell_fraction.sum() == pytest.approx(1.0, rel=1e-12)

    def dwell(level):
        return histogram.dwell_fraction[np.argmin(np.abs(histogram.centres_G0 - level))]

    # 8 s in all: 1 G0 for 3.5 s, 2.02 G0 for 2.5 s, the rest (2 s) in the first bin
    assert dwell(1.0) == pytest.approx(3.5 / 8, rel=1e-12)
    assert dwell(2.02) == pytest.approx(2.5 / 8, rel=1e-12)
    assert dwell(1e-3) == pytest.approx(2.0 / 8, rel=1e-12)
    assert histogram.set_state_counts.sum() == 2
    np.testing.assert_allclose(histogram.centres_G0[[0, 20, 40]], [0.0, 1.0, 2.0], atol=1e-12)
    assert histogram.edges_G0[-1] > 2.02


def test_skipped_cycles_leave_both_histograms():
    """Without cycle 0 the run is cycle 1 alone: 2.5 s, all at 2.02 G0 (the first sample kept,
    at t = 5.5 s and 1e-3 G0, weighs nothing)."""
    histogram = conductance_histogram(_two_cycles(), skip_cycles=1)
    np.testing.assert_array_equal(histogram.set_state_G0, [2.02])
    assert histogram.set_state_counts.sum() == 1
    on_two = np.argmin(np.abs(histogram.centres_G0 - 2.02))
    assert histogram.dwell_fraction[on_two] == pytest.approx(1.0, rel=1e-12)
    assert histogram.dwell_fraction[np.argmin(np.abs(histogram.centres_G0 - 1.0))] == 0.0


def test_chains_merge_by_their_time_and_their_cycles():
    """Two chains: the one above (8 s; its cycle 0 left out: 2.5 s at 2.02 G0) and a second
    of 10 s on 3 G0 after its skipped cycle (one sample of 2 G0 before: 0 s counted).
    Together: 12.5 s, 2.5 of them at 2.02 G0 and 10 at 3 G0; one set state of each chain."""
    second = {"time_s": np.array([0.0, 1.0, 2.0, 12.0]),
              "V_source_V": np.array([0.0, 1.0, 0.0, 0.0]),
              "G_G0": np.array([1e-3, 1e-3, 2.0, 3.0]), "cycle": np.array([0.0, 0.0, 1.0, 1.0])}
    merged = merged_histogram([_two_cycles(), second], skip_cycles=1)

    def dwell(level):
        return merged.dwell_fraction[np.argmin(np.abs(merged.centres_G0 - level))]

    assert dwell(2.02) == pytest.approx(2.5 / 12.5, rel=1e-12)
    assert dwell(3.0) == pytest.approx(10.0 / 12.5, rel=1e-12)
    np.testing.assert_array_equal(merged.set_state_G0, [2.02, 3.0])
    assert merged.set_state_counts.sum() == 2
    alone = conductance_histogram(_two_cycles(), skip_cycles=1)
    np.testing.assert_array_equal(merged_histogram([_two_cycles()], skip_cycles=1).dwell_fraction,
                                  alone.dwell_fraction)


def test_histogram_csv_round_trips(tmp_path):
    histogram = conductance_histogram(_two_cycles())
    table = np.loadtxt(write_histogram_csv(histogram, tmp_path / "h.csv"), delimiter=",",
                       skiprows=1)
    np.testing.assert_allclose(table[:, 3], histogram.dwell_fraction, rtol=1e-6)
    np.testing.assert_array_equal(table[:, 4], histogram.set_state_counts)


def test_a_series_spanning_no_time_is_refused():
    series = {key: values[:1] for key, values in _two_cycles().items()}
    with pytest.raises(ValueError, match="spanning some time"):
        conductance_histogram(series)


def _reset_trace(steps: list[tuple[float, float]]) -> dict[str, np.ndarray]:
    """A set to 3 G0 under positive drive, then reverse-drive steps of (duration [s], G [G0])."""
    t, V, G = [0.0, 1.0], [0.0, 1.0], [1e-3, 3.0]
    for duration, level in steps:
        t.append(t[-1] + duration)
        V.append(-0.5)
        G.append(level)
    return {"time_s": np.array(t), "V_source_V": np.array(V), "G_G0": np.array(G)}


def test_reset_plateaus_are_the_levels_held_for_five_percent_of_the_reset():
    """4 s near 3 G0 (drifting within its width), 0.2 s on 2 G0 (2.6 %: passed, not held),
    1 s on the half-integer 1.5 G0, 2.4 s on 1 G0, then 10 s broken (tunnelling, not reset
    time): 7.6 s of reset."""
    series = _reset_trace([(2.0, 3.0), (2.0, 2.9), (0.2, 2.0), (1.0, 1.5), (2.4, 1.0),
                           (10.0, 0.01)])
    plateaus = reset_plateaus(series)
    assert [p.level_G0 for p in plateaus] == [3.0, 1.5, 1.0]
    assert [p.dwell_fraction for p in plateaus] == pytest.approx([4 / 7.6, 1 / 7.6, 2.4 / 7.6],
                                                                 rel=1e-12)


def test_a_reset_plateau_sits_at_its_most_held_bin():
    """0.5 s at 1.18 G0 on the way down, then 2 s on 1 G0: a window of +-0.15 G0 about 1.05 G0
    holds both, but the plateau is at 1.0 G0 (holding 80 % of the reset)."""
    plateaus = reset_plateaus(_reset_trace([(0.5, 1.18), (2.0, 1.0), (1.0, 0.01)]))
    assert [(p.level_G0, p.dwell_fraction) for p in plateaus] == [(1.0, pytest.approx(0.8))]


def test_reset_plateaus_are_those_of_the_last_reverse_sweep():
    """A stop sweep held on 3 G0 for 20 s, a positive drive again, then the full reset: the
    stop's time does not dilute the full reset's 1 G0 plateau."""
    stop = _reset_trace([(20.0, 3.0)])
    full = _reset_trace([(1.0, 3.0), (1.0, 1.0), (5.0, 0.01)])
    series = {name: np.concatenate([stop[name], full[name][1:] + (21.0 if name == "time_s"
                                                                   else 0.0)])
              for name in stop}
    plateaus = reset_plateaus(series)
    assert [(p.level_G0, p.dwell_fraction) for p in plateaus] == [(3.0, 0.5), (1.0, 0.5)]


def test_a_run_without_reset_has_no_reset_plateaus():
    series = _reset_trace([])
    assert reset_plateaus(series) == []
    series = _reset_trace([(5.0, 0.01)])  # broken before the reverse drive
    assert reset_plateaus(series) == []
