"""Cycle chains: a cycled protocol run as independent seeded chains, their histograms merged.

A case with ``[study] kind = "cycle_chains"`` runs its protocol (a cycled sweep or a pulse
train) ``study.chains`` times, chain k into ``DIR/chain_<k>/`` with ``variability.seed`` + k
(the case run alone with that seed gives the same chain), and merges their conductance
histograms (:func:`apcfem.output.histogram.merged_histogram`), each chain without its first
``output.histogram_skip_cycles`` cycles, in which the remnant of the initial state settles into
the cycles' own. One long chain is sequential, cycle after cycle; chains are not: with
``study.ranks_per_run = 1`` every rank runs its share of them at the same time
(:mod:`apcfem.study_runs`), so a histogram of hundreds of cycles (the review's Fig. 11a: 360
sweep cycles, Krishnan et al., Adv. Funct. Mater. 27, 1605104 (2017)) is a parallel job.

Writes ``DIR/conductance_histogram.csv``, ``DIR/conductance_histogram.png`` (with plots on) and
``DIR/summary.txt``. Resumable as the compliance ladder: finished chains are read back, an
unfinished one continues from its checkpoint. A chain that stops with a ``failed: ...`` reason
is reported and left out of the histograms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mpi4py import MPI

from apcfem.config import CaseConfig, CaseError, update_case
from apcfem.output.histogram import (
    ConductanceHistogram,
    cycle_count,
    merged_histogram,
    write_histogram_csv,
)
from apcfem.output.plots import plot_conductance_histogram
from apcfem.output.run_directory import prepare_run_directory
from apcfem.study_runs import (
    FinishedRun,
    StudyRun,
    ensure_run,
    finished_run,
    run_record,
    split_runs,
)

LISTED_LEVELS = 6
"""How many of the most populated bins the summary lists, per histogram."""


@dataclass(frozen=True)
class ChainRun(StudyRun):
    """One chain of the study (and how it ended, :class:`~apcfem.study_runs.StudyRun`).

    Attributes:
        index: k, 0 ... chains - 1.
        seed: its ``variability.seed`` (the case's + k).
        cycles: the cycles in its time series.
    """

    index: int
    seed: int
    cycles: int


@dataclass
class ChainsResult:
    """What :func:`run_cycle_chains` returns.

    Attributes:
        chains: one per chain, in chain order.
        output_dir: the study directory.
        histogram: the merged histograms (None if no chain has a counted cycle).
        files: name -> path of what was written.
    """

    chains: list[ChainRun]
    output_dir: Path
    histogram: ConductanceHistogram | None
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def all_failed(self) -> bool:
        return all(chain.failed for chain in self.chains)


def chain_case(cfg: CaseConfig, index: int) -> CaseConfig:
    """The case of chain ``index``: seed + index, no study."""
    return update_case(cfg, {"variability.seed": cfg.variability.seed + index, "study": None})


def chain_directory(output_dir: Path, index: int) -> Path:
    """``output_dir/chain_<index>``."""
    return Path(output_dir) / f"chain_{index}"


def run_cycle_chains(cfg: CaseConfig, output_dir: str | Path,
                     comm: MPI.Comm = MPI.COMM_WORLD, progress: bool = True) -> ChainsResult:
    """Run (or read back) every chain of the case's cycle-chains study and write the merged
    histograms and the summary.

    Args:
        cfg: case with a ``[study] kind = "cycle_chains"`` section.
        output_dir: study directory; chain k goes to ``chain_<k>/`` inside it.
        comm: communicator of the study (collective); every chain runs on it, or on its groups
            of ``study.ranks_per_run`` ranks.
        progress: progress bar of each chain (rank 0).
    """
    if cfg.study is None or cfg.study.kind != "cycle_chains":
        raise CaseError(f"{cfg.title}: the case has no [study] kind = 'cycle_chains'")
    out = prepare_run_directory(output_dir, cfg, comm)
    count = cfg.study.chains
    with split_runs(comm, cfg.study.ranks_per_run) as groups:
        shown = progress and comm.rank == 0  # one bar: that of the group holding rank 0
        chains = groups.gather({k: _chain(cfg, k, out, groups.group, shown)
                                for k in groups.mine(count)}, count)
    written = _write(chains, cfg, out) if comm.rank == 0 else None
    histogram, files = comm.bcast(written, root=0)
    return ChainsResult(chains, out, histogram, files)


def _chain(cfg: CaseConfig, index: int, out: Path, comm: MPI.Comm,
           progress: bool) -> ChainRun:
    """Chain ``index`` run, continued or read back, then read (all ranks of ``comm``)."""
    case, path = chain_case(cfg, index), chain_directory(out, index)
    _, run = ensure_run(case, path, comm, progress)
    chain = comm.bcast(None if run is None else _chain_run(index, case, run), root=0)
    if chain is None:
        raise RuntimeError(f"{path}: the chain left no finished run directory (run_info.json, "
                           "timeseries.csv)")
    return chain


def _chain_run(index: int, case: CaseConfig, run: FinishedRun) -> ChainRun:
    return ChainRun(index=index, seed=case.variability.seed, cycles=cycle_count(run.series),
                    **run_record(run.info, run.directory))


def _write(chains: list[ChainRun], cfg: CaseConfig,
           out: Path) -> tuple[ConductanceHistogram | None, dict[str, Path]]:
    """The merged histograms of the chains that finished with a counted cycle, their CSV and
    plot, and the summary (one rank)."""
    skip = cfg.output.histogram_skip_cycles
    counted = [c for c in chains if not c.failed and c.cycles > skip]
    histogram = None
    files = {"summary": out / "summary.txt"}
    if counted:
        runs = [finished_run(c.directory, chain_case(cfg, c.index)).series for c in counted]
        histogram = merged_histogram(runs, skip_cycles=skip)
        files["histogram"] = write_histogram_csv(histogram, out / "conductance_histogram.csv")
        if cfg.output.plots:
            files["histogram_plot"] = plot_conductance_histogram(
                histogram, out / "conductance_histogram.png",
                f"{cfg.title} ({len(counted)} chains)")
    files["summary"].write_text(summary_text(chains, counted, histogram, cfg))
    return histogram, files


def summary_text(chains: list[ChainRun], counted: list[ChainRun],
                 histogram: ConductanceHistogram | None, cfg: CaseConfig) -> str:
    """The chains and the merged histograms' most populated levels, as a short text."""
    skip = cfg.output.histogram_skip_cycles
    lines = [cfg.title,
             (f"{len(chains)} chains, seeds {chains[0].seed}-{chains[-1].seed}; the first "
              f"{skip} cycles of each left out of the histograms"),
             "",
             (f"{'chain':>6} {'seed':>6} {'cycles':>7} {'wall [s]':>9} {'steps':>7} "
              f"{'rejected':>9}  stop reason")]
    lines += [f"{c.index:6d} {c.seed:6d} {c.cycles:7d} {c.wall_time_s:9.1f} "
              f"{c.accepted_steps:7d} {c.rejected_steps:9d}  {c.stop_reason}" for c in chains]
    lines += ["", f"chains in the histograms: {len(counted)} of {len(chains)}"]
    if histogram is not None:
        centres = histogram.centres_G0
        lines.append(f"set states counted: {int(histogram.set_state_counts.sum())}")
        lines.append("most frequent set states [G0 (count)]: " + ", ".join(
            f"{centres[i]:.2f} ({histogram.set_state_counts[i]})"
            for i in _most_populated(histogram.set_state_counts)))
        lines.append("most dwelt-on levels [G0 (share of the time)]: " + ", ".join(
            f"{centres[i]:.2f} ({histogram.dwell_fraction[i]:.3f})"
            for i in _most_populated(histogram.dwell_fraction)))
    return "\n".join(lines) + "\n"


def _most_populated(values: np.ndarray) -> list[int]:
    """Indices of the :data:`LISTED_LEVELS` largest non-zero values, largest first."""
    order = np.argsort(values, kind="stable")[::-1][:LISTED_LEVELS]
    return [int(i) for i in order if values[i] > 0]
