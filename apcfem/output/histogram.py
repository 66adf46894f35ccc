"""Conductance histograms of a cycled run (``cycles`` > 1 or several pulses).

Two histograms over G/G0 in bins of :data:`BIN_WIDTH_G0` centred on its multiples (an integer or
half-integer level is a bin's centre):

* the dwell histogram: every sample of the run weighted by the time it stands for, as a
  measured histogram counts the points of traces acquired at a constant rate; plateaus are its
  peaks;
* the set-state histogram: one count per cycle, the state its set leaves (G at the cycle's last
  sample before the drive turns negative, i.e. read at 0 V after the set of a set/reset sweep;
  the cycle's last sample if the drive never turns negative): the conductance-state histogram
  of the review's Fig. 11a (Krishnan et al., Adv. Funct. Mater. 27, 1605104 (2017): Ag/PEO/Pt,
  360 sweep cycles, peaks at integer G0).

Any run with a reverse drive also reports the plateaus its last reset dwells on
(:func:`reset_plateaus`): the levels a reset trace passes through, integer or half-integer
(the review's Fig. 10a: half-integer levels of a HfOx cell on reset, Peng et al. 2021).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

BIN_WIDTH_G0 = 0.05
"""Bin width [G0]: 20 bins per quantum, fine enough to tell integer from half-integer levels."""

PLATEAU_HALF_WIDTH_G0 = 0.15
"""A plateau holds G within this distance of its level [G0]."""

PLATEAU_MIN_DWELL = 0.05
"""Smallest share of the reset time a plateau holds [-]."""

LOWEST_PLATEAU_G0 = 0.5
"""Lowest level looked for [G0]: one half-open channel (a spin-split channel, or a channel
inside the bias window); G below it is the broken contact's tunnelling."""


@dataclass(frozen=True)
class ConductanceHistogram:
    """Histograms of one run over the bins ``edges_G0`` (n + 1 edges, [G0]).

    Attributes:
        edges_G0: bin edges [G0], from -w/2 to above the largest G (w: the bin width).
        dwell_fraction: fraction of the run's time spent in each bin [-] (sums to 1).
        set_state_counts: number of cycles whose set left G in each bin.
        set_state_G0: the state each cycle's set left [G0], one per cycle in cycle order.
    """

    edges_G0: np.ndarray
    dwell_fraction: np.ndarray
    set_state_counts: np.ndarray
    set_state_G0: np.ndarray

    @property
    def centres_G0(self) -> np.ndarray:
        """Bin centres [G0]."""
        return 0.5 * (self.edges_G0[1:] + self.edges_G0[:-1])


def cycle_count(series: dict[str, np.ndarray]) -> int:
    """Number of cycles in a transient series (1 without a ``cycle`` column)."""
    cycles = series.get("cycle")
    return 1 if cycles is None or cycles.size == 0 else int(np.unique(cycles).size)


def set_states_G0(series: dict[str, np.ndarray]) -> np.ndarray:
    """G [G0] each cycle's set leaves: its last sample before the drive (``V_source_V``)
    turns negative, or its last sample."""
    G, drive, cycles = series["G_G0"], series["V_source_V"], series["cycle"]
    states = []
    for cycle in np.unique(cycles):
        rows = np.flatnonzero(cycles == cycle)
        negative = np.flatnonzero(drive[rows] < 0)
        last = rows[negative[0] - 1] if negative.size and negative[0] > 0 else rows[-1]
        states.append(G[last])
    return np.asarray(states, dtype=float)


def conductance_histogram(series: dict[str, np.ndarray], bin_width_G0: float = BIN_WIDTH_G0,
                          skip_cycles: int = 0) -> ConductanceHistogram:
    """Dwell and set-state histograms of a transient series (columns ``time_s``, ``G_G0``,
    ``V_source_V``, ``cycle``), without its first ``skip_cycles`` cycles.

    A sample stands for the step that ended at it: its weight is the time since the previous
    sample (the first sample kept weighs nothing).

    Raises:
        ValueError: the series (after the skipped cycles) spans no time, or the bin width is
            not positive.
    """
    return merged_histogram([series], bin_width_G0, skip_cycles)


def merged_histogram(runs: list[dict[str, np.ndarray]], bin_width_G0: float = BIN_WIDTH_G0,
                     skip_cycles: int = 0) -> ConductanceHistogram:
    """The histograms of several independent runs (chains of cycles) taken together: each run
    without its first ``skip_cycles`` cycles, the dwell over all of their time, the set
    states of all of their cycles (run by run, in cycle order). Raises as
    :func:`conductance_histogram` for a run that spans no time."""
    if not bin_width_G0 > 0:
        raise ValueError(f"bin_width_G0 = {bin_width_G0:g}: must be > 0 (e.g. 0.05)")
    samples, weights, states, top = [], [], [], 0.0
    for series in runs:
        if skip_cycles:
            kept = series["cycle"] >= skip_cycles
            series = {name: column[kept] for name, column in series.items()}
        t, G = series["time_s"], series["G_G0"]
        if t.size < 2 or not t[-1] > t[0]:
            raise ValueError("a conductance histogram needs a transient series spanning some "
                             "time")
        samples.append(G[1:])
        weights.append(np.diff(t))
        states.append(set_states_G0(series))
        top = max(top, float(np.max(G)), float(np.max(states[-1])))
    G, weight, state = (np.concatenate(parts) for parts in (samples, weights, states))
    edges = bin_width_G0 * (np.arange(int(np.floor(top / bin_width_G0 + 0.5)) + 2) - 0.5)
    dwell, _ = np.histogram(G, bins=edges, weights=weight)
    counts, _ = np.histogram(state, bins=edges)
    return ConductanceHistogram(edges_G0=edges, dwell_fraction=dwell / np.sum(weight),
                                set_state_counts=counts, set_state_G0=state)


def write_histogram_csv(histogram: ConductanceHistogram, path: Path) -> Path:
    """The histograms as CSV: bin edges and centre [G0], dwell fraction, set-state count."""
    table = np.column_stack([histogram.edges_G0[:-1], histogram.edges_G0[1:],
                             histogram.centres_G0, histogram.dwell_fraction,
                             histogram.set_state_counts])
    np.savetxt(path, table, delimiter=",", fmt=["%.4f", "%.4f", "%.4f", "%.6e", "%d"],
               header="G_low_G0,G_high_G0,G_centre_G0,dwell_fraction,set_states",
               comments="")
    return path


@dataclass(frozen=True)
class Plateau:
    """A conductance level a trace dwells on.

    Attributes:
        level_G0: the level [G0], a multiple of the bin width.
        dwell_fraction: share of the reset time with G within :data:`PLATEAU_HALF_WIDTH_G0`
            of the level [-].
    """

    level_G0: float
    dwell_fraction: float


def reset_plateaus(series: dict[str, np.ndarray],
                   bin_width_G0: float = BIN_WIDTH_G0) -> list[Plateau]:
    """The plateaus the last reverse sweep of a transient series dwells on, highest first.

    The reset time is the time of the run's last reverse sweep (from where the drive,
    ``V_source_V``, last turns negative to where it stops being negative) while the contact
    still conducts (G >= :data:`LOWEST_PLATEAU_G0` - :data:`PLATEAU_HALF_WIDTH_G0`); each
    sample stands for the step that ended at it. Levels are the multiples of ``bin_width_G0``
    from :data:`LOWEST_PLATEAU_G0` up, taken in the order of the time G spends in their bins:
    a level is a plateau if G stays within +-:data:`PLATEAU_HALF_WIDTH_G0` of it for at least
    :data:`PLATEAU_MIN_DWELL` of that time, and the levels within twice the half width of a
    level taken are not taken after it (a plateau sits at its most held bin, not where a wider
    window also catches the steps into it). Empty if the run has no reset.
    """
    t, G, drive = series["time_s"], series["G_G0"], series["V_source_V"]
    step, G_end, reverse = np.diff(t), G[1:], drive[1:] < 0
    starts = np.flatnonzero(reverse & ~np.concatenate([[False], reverse[:-1]]))
    if not starts.size:
        return []
    last_sweep = np.cumsum(~reverse[starts[-1]:]) == 0  # up to where the drive turns back
    reverse[:starts[-1]] = False
    reverse[starts[-1]:] = last_sweep
    on_reset = reverse & (G_end >= LOWEST_PLATEAU_G0 - PLATEAU_HALF_WIDTH_G0)
    reset_time = float(np.sum(step[on_reset]))
    if not reset_time > 0:
        return []
    lowest = round(LOWEST_PLATEAU_G0 / bin_width_G0)
    top = int(np.floor(G_end[on_reset].max() / bin_width_G0)) + 2
    levels = np.round(bin_width_G0 * np.arange(lowest, top), 10)
    distance = np.abs(G_end[on_reset][None, :] - levels[:, None])
    dwell = (distance <= PLATEAU_HALF_WIDTH_G0) @ step[on_reset] / reset_time
    in_bin = (distance <= 0.5 * bin_width_G0) @ step[on_reset] / reset_time
    plateaus = []
    while np.any(in_bin > 0.0):
        peak = int(np.lexsort((dwell, in_bin))[-1])  # the most held bin (ties: its plateau's)
        if dwell[peak] >= PLATEAU_MIN_DWELL:
            plateaus.append(Plateau(float(levels[peak]), float(dwell[peak])))
        in_bin[np.abs(levels - levels[peak]) < 2.0 * PLATEAU_HALF_WIDTH_G0] = 0.0
    return sorted(plateaus, key=lambda p: -p.level_G0)
