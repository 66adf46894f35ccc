"""The independent runs of a study: which ranks run which, and how a finished one is kept.

The runs of a study (the sub-runs of a compliance ladder, the chains of a cycle study) do not
depend on each other, so on many ranks they can run side by side instead of one after the
other on all ranks: with ``study.ranks_per_run = k`` the communicator is split into size / k
groups of k ranks, each group runs its share of the study's runs on its own communicator, and
what they give is gathered on every rank. The shares balance the runs' expected costs (longest
processing time first: the costliest run to the least loaded group; equal costs give round
robin), so a ladder whose highest current takes as long as the others together runs it beside
them, not after one of them. Two serial runs on two ranks take the time of the longer one
instead of the sum of both; one run on two ranks is only ~1.4x faster than on one (the 2-D ECM
sweep, README "Filament dynamics"). Without it (``ranks_per_run`` None) every run uses all ranks.

A study resumes: a run directory that holds a finished run of the same case (``run_info.json``
written, ``resolved_case.toml`` identical) is read back, not run again; an unfinished one with a
restart checkpoint continues from it (:func:`ensure_run`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Self, TypeVar

import numpy as np
from mpi4py import MPI

from apcfem.config import CaseConfig, CaseError
from apcfem.output.checkpoint import CHECKPOINT
from apcfem.output.run_directory import RESOLVED_CASE, to_toml
from apcfem.output.series import read_series
from apcfem.simulation import Simulation

log = logging.getLogger(__name__)

RUN_STATS = ("stop_reason", "accepted_steps", "rejected_steps", "wall_time_s")
"""Entries of ``run_info.json`` that a finished run must hold to be read back."""

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

    def mine(self, n_runs: int, costs: list[float] | None = None) -> list[int]:
        """The indices (0 ... n_runs - 1) of the runs this rank's group runs, in run order.

        Args:
            n_runs: the study's runs.
            costs: each run's expected relative cost (> 0; None: all equal). The runs go
                out costliest first, each to the group with the least cost so far (the
                lowest-numbered one on a tie): with equal costs, round robin.
        """
        costs = [1.0] * n_runs if costs is None else [float(c) for c in costs]
        if len(costs) != n_runs or not all(c > 0.0 for c in costs):
            raise ValueError(f"costs {costs}: need {n_runs} positive numbers, one per run")
        loads = [0.0] * self.count
        owner = [0] * n_runs
        for run in sorted(range(n_runs), key=lambda i: -costs[i]):
            owner[run] = min(range(self.count), key=lambda g: loads[g])
            loads[owner[run]] += costs[run]
        return [run for run in range(n_runs) if owner[run] == self.index]

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


@dataclass(frozen=True)
class StudyRun:
    """How one run of a study ended (its ``run_info.json``).

    Attributes:
        directory: its run directory.
        stop_reason: why it ended (``failed: ...`` if the step size could not be cut).
        wall_time_s: its wall time [s].
        accepted_steps, rejected_steps: its time steps.
    """

    directory: Path
    stop_reason: str
    wall_time_s: float
    accepted_steps: int
    rejected_steps: int

    @property
    def failed(self) -> bool:
        return self.stop_reason.startswith("failed")


def run_record(info: dict, directory: Path) -> dict:
    """The :class:`StudyRun` fields of a run from its ``run_info.json`` entries."""
    return {"directory": Path(directory), "stop_reason": str(info["stop_reason"]),
            "wall_time_s": float(info["wall_time_s"]),
            "accepted_steps": int(info["accepted_steps"]),
            "rejected_steps": int(info["rejected_steps"])}


@dataclass(frozen=True)
class FinishedRun:
    """What a finished run left in its directory.

    Attributes:
        series: its time series (column name -> values).
        info: its ``run_info.json`` (with the :data:`RUN_STATS` entries).
        directory: the run directory.
    """

    series: dict[str, np.ndarray]
    info: dict
    directory: Path


def same_case(path: Path, case: CaseConfig) -> bool:
    """``path`` holds the resolved case ``case`` (False if it holds none)."""
    try:
        resolved = (path / RESOLVED_CASE).read_text()
    except OSError:
        return False
    return resolved == to_toml(case.model_dump(mode="json"))


def finished_run(path: Path, case: CaseConfig) -> FinishedRun | None:
    """The finished run of ``case`` in ``path``; None if there is none (no run, a partly
    written one, or a run of another case: logged)."""
    try:
        info = json.loads((path / "run_info.json").read_text())
        series = read_series(path / "timeseries.csv")
    except (OSError, ValueError):  # absent or partly written: not finished
        return None
    if not same_case(path, case):
        log.warning("%s holds a run of another case: running it again", path)
        return None
    if not all(key in info for key in RUN_STATS) or not series.get("G_G0", np.empty(0)).size:
        return None
    return FinishedRun(series, info, Path(path))


def ensure_run(case: CaseConfig, path: Path, comm: MPI.Comm,
               progress: bool) -> tuple[bool, FinishedRun | None]:
    """Run ``case`` into ``path`` on ``comm`` unless ``path`` holds a finished run of it
    (collective; decided on rank 0); an unfinished run of it with a restart checkpoint
    continues from there. Returns whether it ran, and on rank 0 the finished run read back
    (None there if the run left none; None on the other ranks)."""
    run = finished_run(path, case) if comm.rank == 0 else None
    if comm.bcast(run is not None, root=0):
        log.info("%s: finished run read back", path)
        return False, run
    resume = comm.bcast((path / CHECKPOINT).is_file() and same_case(path, case)
                        if comm.rank == 0 else None, root=0)
    log.info("%s %s", "resuming" if resume else "running into", path)
    Simulation.from_config(case, comm).run(path, progress=progress, resume=resume)
    return True, finished_run(path, case) if comm.rank == 0 else None
