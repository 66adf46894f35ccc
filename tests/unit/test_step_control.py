"""StepControl: growth from Newton iterations, cut-back, milestones, StepSizeTooSmall."""

import logging

import numpy as np
import pytest

from apcfem.coupling.step_control import (
    STEP_GRID_RATIO,
    StepControl,
    StepSizeTooSmall,
    round_down_to_step_grid,
)


def test_easy_steps_grow_to_dt_max_and_hard_steps_shrink():
    control = StepControl(1e-6, 1e-9, 1e-4, target_iterations=4, growth=2.0, shrink=0.5)
    for _ in range(3):
        control.accept(2)
    assert control.propose(0.0) == pytest.approx(8e-6)
    for _ in range(10):
        control.accept(1)
    assert control.propose(0.0) == pytest.approx(1e-4)
    control.accept(4)  # on target: kept
    assert control.propose(0.0) == pytest.approx(1e-4)
    control.accept(9)
    assert control.propose(0.0) == pytest.approx(5e-5)
    assert control.accepted == 15 and control.mean_iterations() == pytest.approx(
        (3 * 2 + 10 + 4 + 9) / 15)


def test_the_hardest_solve_of_a_step_is_held_against_the_target():
    """Two circuit iterations of 3 Newton iterations each: an easy step (it grows), though its
    6 iterations in all are above the target of 4; all 6 count in the mean."""
    control = StepControl(1e-6, 1e-9, 1e-4, target_iterations=4, growth=2.0, shrink=0.5)
    control.accept(6, solve_iterations=3)
    assert control.propose(0.0) == pytest.approx(2e-6)
    control.accept(6, solve_iterations=6)
    assert control.propose(0.0) == pytest.approx(1e-6)
    assert control.mean_iterations() == 6


def test_steps_land_exactly_on_milestones():
    control = StepControl(0.3, 1e-6, 0.3, milestones_s=[1.0, 0.5, 1.0])
    t, times = 0.0, []
    while t < 1.0:
        dt = control.propose(t)
        t += dt
        times.append(t)
        control.accept(1)
    assert 0.5 in times and times[-1] == 1.0
    # a step ending within 1 % of dt short of a milestone is stretched onto it
    control = StepControl(0.1, 1e-6, 0.1, milestones_s=[0.1005])
    assert control.propose(0.0) == pytest.approx(0.1005)
    # an external cap (e.g. largest voltage change) wins when it is smaller
    assert StepControl(0.1, 1e-6, 0.1).propose(0.0, limit_s=0.02) == pytest.approx(0.02)


def test_cut_back_is_logged_and_bounded(caplog):
    control = StepControl(1e-3, 1e-6, 1e-2, cut=0.25)
    with caplog.at_level(logging.WARNING, logger="apcfem.coupling.step_control"):
        control.cut(2.0, 1e-3, -3)
    assert control.propose(2.0) == pytest.approx(2.5e-4)
    assert control.rejected == 1
    assert "cut back" in caplog.text and "-3" in caplog.text
    with pytest.raises(StepSizeTooSmall) as err:
        for _ in range(10):
            control.cut(2.0, control.propose(2.0), -5)
    assert err.value.t_s == 2.0 and err.value.dt_s < 1e-6 and err.value.reason == -5
    assert control.rejected == 5  # 1e-3 -> 2.5e-4 -> 6.25e-5 -> 1.6e-5 -> 3.9e-6 -> 9.8e-7


def test_invalid_bounds_are_rejected():
    with pytest.raises(ValueError, match="dt_min_s"):
        StepControl(1e-3, 1e-2, 1e-1)
    assert np.isnan(StepControl(1e-3, 1e-6, 1e-2).mean_iterations())


def test_change_allowance_sizes_the_next_step_from_the_step_taken():
    """A step that used its whole allowance of a watched change is followed by one sized to
    70 % of it, even when Newton was easy (growth must not be applied on top)."""
    control = StepControl(1e-3, 1e-9, 1.0, target_iterations=5)
    control.accept(iterations=2, change_fraction=1.0)
    limited = round_down_to_step_grid(0.7e-3)
    assert control.dt_s == limited
    control.accept(iterations=2, change_fraction=0.1)  # a small change: growth only
    assert control.dt_s == pytest.approx(1.5 * limited, rel=1e-12)


def test_without_an_iteration_target_the_change_alone_sizes_the_step():
    """target_iterations = None (the interface noise's rough increments): many Newton
    iterations do not shrink dt; the watched change and failed solves still do."""
    control = StepControl(1e-3, 1e-9, 1.0, target_iterations=None)
    control.accept(iterations=12, change_fraction=0.01)
    assert control.dt_s == pytest.approx(1.5e-3, rel=1e-12)
    control.accept(iterations=12, change_fraction=2.0)
    limited = round_down_to_step_grid(0.35 * 1.5e-3)
    assert control.dt_s == limited
    control.cut(0.0, control.dt_s, -5)
    assert control.dt_s == pytest.approx(0.25 * limited, rel=1e-12)


def test_change_limited_steps_of_nearly_equal_states_are_equal():
    """The change-limited step is rounded down onto a geometric grid: changes that differ in
    their last digits (round-off of another partition) give the same step, never a larger one
    than the allowance and at most one grid ratio smaller."""
    steps = set()
    for change in 0.8 * (1.0 + np.array([0.0, 1e-12, -1e-12, 3e-10])):
        control = StepControl(1e-3, 1e-9, 1.0, target_iterations=None)
        control.accept(iterations=3, change_fraction=change)
        steps.add(control.dt_s)
    assert len(steps) == 1
    (dt,) = steps
    assert 0.7e-3 / 0.8 / STEP_GRID_RATIO < dt <= 0.7e-3 / 0.8


def test_a_restart_sets_the_next_step_and_growth_resumes_from_it():
    """After a jump of the state the next step is the restart's (never below dt_min_s), and
    easy steps grow from there."""
    control = StepControl(1e-4, 1e-12, 5e-3, target_iterations=6, growth=1.5)
    control.accept(3)
    control.restart(1e-9)
    assert control.propose(1.0) == 1e-9
    control.accept(3)
    assert control.propose(1.0) == pytest.approx(1.5e-9)
    control.restart(1e-15)
    assert control.propose(1.0) == 1e-12
