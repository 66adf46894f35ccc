"""A study's runs spread over groups of ranks (apcfem.study_runs): on one rank and under
``mpiexec -n 2`` (the MPI suite)."""

from types import SimpleNamespace

import pytest
from mpi4py import MPI

from apcfem.config import CaseError
from apcfem.study_runs import RunGroups, split_runs

WORLD = MPI.COMM_WORLD


@pytest.mark.parametrize("ranks_per_run", [None, WORLD.size, WORLD.size + 1])
def test_all_ranks_make_one_group(ranks_per_run):
    with split_runs(WORLD, ranks_per_run) as groups:
        assert (groups.count, groups.index) == (1, 0)
        assert groups.group is WORLD
        assert groups.mine(3) == [0, 1, 2]
        assert groups.gather({i: i * i for i in groups.mine(3)}, 3) == [0, 1, 4]


def test_one_rank_per_run_runs_the_runs_round_robin_and_gathers_them_in_order():
    with split_runs(WORLD, 1) as groups:
        assert groups.count == WORLD.size
        assert groups.index == WORLD.rank
        assert groups.group.size == 1
        mine = groups.mine(5)
        assert mine == list(range(WORLD.rank, 5, WORLD.size))
        every = WORLD.allgather(mine)
        assert sorted(i for part in every for i in part) == [0, 1, 2, 3, 4]  # each run once
        results = groups.gather({i: f"run {i} on rank {WORLD.rank}" for i in mine}, 5)
    assert results == [f"run {i} on rank {i % WORLD.size}" for i in range(5)]


def test_a_missing_result_is_an_error():
    with split_runs(WORLD, None) as groups, pytest.raises(RuntimeError, match=r"runs \[1\]"):
        groups.gather({0: "done"}, 2)


def test_a_group_size_that_does_not_divide_the_ranks_is_refused_naming_the_field():
    three_ranks = SimpleNamespace(size=3, rank=0)  # checked before any split
    with pytest.raises(CaseError, match=r"study.ranks_per_run = 2 does not divide the 3"):
        split_runs(three_ranks, 2)


def _shares(count: int, n_runs: int, costs=None) -> list[list[int]]:
    return [RunGroups(WORLD, WORLD, g, count).mine(n_runs, costs) for g in range(count)]


def test_the_runs_balance_their_expected_costs():
    """Longest first, each to the least loaded group: a ladder whose 500 uA run costs as
    much as the other three together runs it beside them (round robin would pair it with
    the 100 uA run: 600 against 250)."""
    assert _shares(2, 4, costs=[50, 100, 200, 500]) == [[3], [0, 1, 2]]
    assert _shares(3, 7) == [[0, 3, 6], [1, 4], [2, 5]]  # equal costs: round robin
    assert _shares(2, 3, costs=[1.0, 1.0, 3.0]) == [[2], [0, 1]]
    every = sorted(i for share in _shares(3, 6, costs=[5, 1, 4, 2, 3, 6]) for i in share)
    assert every == list(range(6))


@pytest.mark.parametrize("costs", [[1.0, 2.0], [1.0, 0.0, 2.0]])
def test_costs_must_be_one_positive_number_per_run(costs):
    with pytest.raises(ValueError, match="one per run"):
        RunGroups(WORLD, WORLD, 0, 2).mine(3, costs)
