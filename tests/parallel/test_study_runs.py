"""A study's runs spread over groups of ranks (apcfem.study_runs): on one rank and under
``mpiexec -n 2`` (the MPI suite)."""

from types import SimpleNamespace

import pytest
from mpi4py import MPI

from apcfem.config import CaseError
from apcfem.study_runs import split_runs

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
