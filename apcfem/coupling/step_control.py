"""Adaptive time-step control: grow or cut dt from Newton iterations, land on milestones.

The shape follows FESTIM's ``stepsize.py`` and simudo's adaptive stepper: after an accepted
step the size grows by ``growth`` if Newton needed fewer than the target iterations and shrinks
by ``shrink`` if it needed more; a failed solve is cut back by ``cut`` and retried, and below
``dt_min_s`` the run stops with :class:`StepSizeTooSmall` instead of carrying NaN on. Proposed
steps never cross a milestone (corners of the drive waveform, output times): a step that would
end just short of one is stretched onto it, and one that would overshoot is shortened to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np

log = logging.getLogger(__name__)

STEP_GRID_RATIO = 2.0 ** (1.0 / 8.0)
"""Ratio of the geometric grid a change-limited step is rounded down onto [-]. That step is a
continuous function of the state, whose last digits differ between rank counts (the partition
changes the round-off); unrounded, the runs' clocks drift apart by ~1e-9 and a fast transition
(a neck climbing a conductance step) turns the shift into a difference of ~1e-5 of a column's
range. On the grid both take the same steps (a relative difference e moves a step to the next
grid point with a probability of ~e / 0.09)."""


class StepRejected(RuntimeError):
    """A step to try again shorter: its circuit did not settle, its R_cell changed too much,
    or a lumped part of the cell moved further than it may in one step."""

    def __init__(self, message: str, change: float = np.nan):
        super().__init__(message)
        self.change = change


class StepSizeTooSmall(RuntimeError):
    """The step was cut below ``dt_min_s``; carries the time, step and the solver's reason."""

    def __init__(self, t_s: float, dt_s: float, reason: int | str):
        super().__init__(f"time step cut to {dt_s:.3e} s at t = {t_s:.6e} s (last failure: "
                         f"{reason}); lower dynamics.dt_min_s or check the drive and parameters")
        self.t_s = t_s
        self.dt_s = dt_s
        self.reason = reason


class StepControl:
    """Step-size controller of one transient run.

    Args:
        dt_initial_s: first step [s].
        dt_min_s: smallest step [s]; cutting below it raises :class:`StepSizeTooSmall`.
        dt_max_s: largest step [s].
        milestones_s: times [s] the steps must land on (any order; duplicates ignored).
        target_iterations: Newton iterations at which dt is kept; None: dt follows only the
            watched change and failed solves (a noise increment per step costs Newton
            iterations at any step size, which cutting dt would not reduce).
        growth: factor applied after an easy step (iterations < target).
        shrink: factor applied after a hard step (iterations > target).
        cut: factor applied after a failed step.
    """

    def __init__(self, dt_initial_s: float, dt_min_s: float, dt_max_s: float,
                 milestones_s: Iterable[float] = (), target_iterations: int | None = 5,
                 growth: float = 1.5, shrink: float = 0.7, cut: float = 0.25):
        if not 0 < dt_min_s <= dt_initial_s <= dt_max_s:
            raise ValueError(f"need 0 < dt_min_s <= dt_initial_s <= dt_max_s, got "
                             f"{dt_min_s:g}, {dt_initial_s:g}, {dt_max_s:g}")
        if not (growth >= 1.0 and 0 < shrink <= 1.0 and 0 < cut < 1.0):
            raise ValueError(f"need growth >= 1, 0 < shrink <= 1, 0 < cut < 1; got {growth:g}, "
                             f"{shrink:g}, {cut:g}")
        self.dt_s = dt_initial_s
        self.dt_min_s = dt_min_s
        self.dt_max_s = dt_max_s
        self.milestones_s = np.unique(np.asarray(list(milestones_s), dtype=float))
        self.target_iterations = target_iterations
        self.growth, self.shrink, self.cut_factor = growth, shrink, cut
        self.accepted = 0
        self.rejected = 0
        self.iterations: list[int] = []

    def propose(self, t_s: float, limit_s: float | None = None) -> float:
        """Size of the next step from time t [s], optionally capped at ``limit_s``.

        The step ends exactly on the next milestone if it would reach it or end within 1 % of
        dt short of it.
        """
        dt = min(self.dt_s, self.dt_max_s, limit_s if limit_s is not None else np.inf)
        ahead = self.milestones_s[self.milestones_s > t_s * (1 + 1e-12) + 1e-300]
        if ahead.size and t_s + 1.01 * dt >= ahead[0]:
            dt = ahead[0] - t_s
        return float(dt)

    def accept(self, iterations: int, change_fraction: float = 0.0,
               solve_iterations: int | None = None) -> None:
        """Record an accepted step taken with ``iterations`` Newton iterations; adapt dt.

        ``solve_iterations`` are the iterations of the step's hardest Newton solve, if the step
        took several (an implicit circuit solves the cell once per circuit iteration): they,
        not the total, are held against the target, since a second circuit iteration costs
        iterations that a smaller step would not save. Default: ``iterations``.

        ``change_fraction`` is the step's change of a watched quantity as a fraction of its
        allowed change (e.g. |Delta R / R| / 0.1): the next dt is the present one scaled so that it
        uses ~70 % of the allowance (a change linear in dt), never growing by more than
        ``growth``.
        """
        self.accepted += 1
        self.iterations.append(iterations)
        taken = self.dt_s
        hardest = iterations if solve_iterations is None else solve_iterations
        if self.target_iterations is None or hardest < self.target_iterations:
            self.dt_s = min(self.dt_s * self.growth, self.dt_max_s)
        elif hardest > self.target_iterations:
            self.dt_s = max(self.dt_s * self.shrink, self.dt_min_s)
        if change_fraction > 0.0:
            limited = round_down_to_step_grid(taken * 0.7 / change_fraction)
            self.dt_s = max(min(self.dt_s, limited), self.dt_min_s)

    def cut(self, t_s: float, dt_tried_s: float, reason: int | str) -> None:
        """A step of size ``dt_tried_s`` from t failed: cut back (logged) for the retry.

        Raises:
            StepSizeTooSmall: the cut step would be below ``dt_min_s``.
        """
        self.rejected += 1
        self.dt_s = dt_tried_s * self.cut_factor
        log.warning("step from t = %.6e s with dt = %.3e s failed (%s): cut back to dt = %.3e s",
                    t_s, dt_tried_s, reason, self.dt_s)
        if self.dt_s < self.dt_min_s:
            raise StepSizeTooSmall(t_s, self.dt_s, reason)

    def restart(self, dt_s: float) -> None:
        """The next step is ``dt_s`` [s] (at least ``dt_min_s``): after a jump of the state,
        whose first steps the previous dt says nothing about."""
        self.dt_s = max(dt_s, self.dt_min_s)

    def state(self) -> dict[str, float]:
        """What a restart needs besides :attr:`iterations`: dt [s], accepted and rejected."""
        return {"dt_s": self.dt_s, "accepted": self.accepted, "rejected": self.rejected}

    def restore(self, state: dict[str, float], iterations: list[int]) -> None:
        """Continue from a :meth:`state` and its iterations (a resumed run)."""
        self.dt_s = float(state["dt_s"])
        self.accepted, self.rejected = int(state["accepted"]), int(state["rejected"])
        self.iterations = list(iterations)

    def mean_iterations(self) -> float:
        """Mean Newton iterations per accepted step (nan before the first step)."""
        return float(np.mean(self.iterations)) if self.iterations else float("nan")


def round_down_to_step_grid(dt_s: float) -> float:
    """The largest point of the grid STEP_GRID_RATIO^k (k integer) [s] not above ``dt_s``."""
    k = np.floor(np.log(dt_s) / np.log(STEP_GRID_RATIO))
    return float(STEP_GRID_RATIO**k)
