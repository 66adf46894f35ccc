"""Independent runs of a study spread over groups of MPI ranks.

The runs of a study (the sub-runs of a compliance ladder) do not depend on each other, so on
many ranks they can run side by side instead of one after the other on all ranks: with
``study.ranks_per_run = k`` the communicator is split into size / k groups of k ranks, group g
runs the study's runs g, g + n_groups, g + 2 n_groups, ... (round robin in the study's order)
on its own communicator, and what they give is gathered on every rank. Two serial runs on two
ranks take the time of the longer one instead of the sum of both; one run on two ranks is only
~1.4x faster than on one (the 2-D ECM sweep, README "Filament dynamics"). Without it
(``ranks_per_run`` None) every run uses all ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self, TypeVar

from mpi4py import MPI

from apcfem.config import CaseError

T = TypeVar("T")


@dataclass
class RunGroups:
    """The groups of ranks a study's runs are spread over.

    Attributes:
        comm: the study's communicator (all ranks).
        group: this rank's group (``comm`` itself when there is one group).
        index: this rank's group number, 0 ... count - 1.
        count: number of groups.
    """

    comm: MPI.Comm
    group: MPI.Comm
    index: int
    count: int

    def mine(self, n_runs: int) -> list[int]:
        """The indices (0 ... n_runs - 1) of the runs this rank's group runs."""
        return list(range(self.index, n_runs, self.count))

    def gather(self, results: dict[int, T], n_runs: int) -> list[T]:
        """Every run's result on every rank (collective over ``comm``), in run order, from the
        results ``{run index: result}`` of this rank's group (each group's rank 0 sends
        them; the results must be picklable)."""
        local = results if self.group.rank == 0 else {}
        merged: dict[int, T] = {}
        for part in self.comm.allgather(local):
            merged.update(part)
        missing = sorted(set(range(n_runs)) - set(merged))
        if missing:
            raise RuntimeError(f"runs {missing} of the study gave no result")
        return [merged[i] for i in range(n_runs)]

    def close(self) -> None:
        """Free the group's communicator (collective over the group; nothing with one
        group)."""
        if self.group is not self.comm:
            self.group.Free()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def split_runs(comm: MPI.Comm, ranks_per_run: int | None) -> RunGroups:
    """The groups of ``ranks_per_run`` ranks of ``comm`` (collective).

    None, or at least comm.size: one group of all ranks. Otherwise comm.size must be a
    multiple of ``ranks_per_run``.

    Raises:
        CaseError: comm.size is not a multiple of ``ranks_per_run``.
    """
    if ranks_per_run is None or ranks_per_run >= comm.size:
        return RunGroups(comm, comm, 0, 1)
    if comm.size % ranks_per_run:
        raise CaseError(
            f"study.ranks_per_run = {ranks_per_run} does not divide the {comm.size} MPI ranks: "
            f"run on a multiple of {ranks_per_run} ranks, or give a divisor of {comm.size}")
    index = comm.rank // ranks_per_run
    return RunGroups(comm, comm.Split(index, comm.rank), index, comm.size // ranks_per_run)
