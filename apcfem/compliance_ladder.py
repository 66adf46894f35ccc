"""Compliance ladder: the set branch of a voltage sweep once per compliance current I_cc.

A case with ``[study] kind = "compliance_ladder"`` runs its protocol (one set branch, 0 -> V_set
-> 0) once per current in ``study.current_limits_A``, each into ``DIR/icc_<I_cc in uA>uA/``.
The cell conductance G_final read on the return branch at ``study.read_voltage_V`` (as R_on
is read after a set; the conductance at the end of the branch, 0 V, is reported beside it:
thin necks dissolve at zero bias, review section 5.1) is compared with the universal set
relation R_on ~ V_c / I_cc (Ielmini, IEEE TED 58, 4309 (2011): V_c = I_cc / (G_final G0)
between 0.2 and 2 V) and with measured points. Writes ``DIR/ladder.csv``,
``DIR/summary.txt`` and ``DIR/ladder.png``.

Resumable (:mod:`apcfem.study_runs`): a sub-run directory that holds a finished run of the
same case is read back, not run again (delete the directory to run it again), an unfinished one
continues from its checkpoint. A sub-run that stops with a ``failed: ...`` reason is recorded as failed
(no G_final) and the study goes on. Under MPI every rank runs every sub-run (they are
collective) or, with ``study.ranks_per_run``, groups of that many ranks run their share of the
sub-runs side by side (:mod:`apcfem.study_runs`); files are written on rank 0.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mpi4py import MPI

from apcfem.config import CaseConfig, CaseError, update_case
from apcfem.landauer import G0_S
from apcfem.output.plots import plot_compliance_ladder
from apcfem.output.run_directory import prepare_run_directory
from apcfem.study_runs import (
    FinishedRun,
    StudyRun,
    ensure_run,
    run_record,
    split_runs,
)

log = logging.getLogger(__name__)

V_C_BAND_V = (0.2, 2.0)
"""Range of the set voltage V_c = I_cc R_on of the universal set relation [V] (Ielmini 2011)."""

CSV_COLUMNS = ("I_cc_A", "G_final_G0", "G_contact_G0", "V_c_V", "G_zero_bias_G0", "G_max_G0",
               "neck_radius_m", "stop_reason", "wall_time_s", "accepted_steps",
               "rejected_steps", "run_directory")


@dataclass(frozen=True)
class LadderPoint(StudyRun):
    """One sub-run of the ladder (and how it ended, :class:`~apcfem.study_runs.StudyRun`).

    Attributes:
        current_limit_A: compliance current I_cc [A].
        G_final_G0: cell conductance read on the return branch at the read voltage (at
            the end of the run without one) [G0]; NaN if the run failed.
        G_contact_G0: the quantum contact's own conductance (the Landauer count, without the
            filament body and electrodes in series) read at the same point [G0]; NaN if the
            run failed or its series has no ``G_landauer_G0`` column.
        G_zero_bias_G0: cell conductance at the end of the run (0 V) [G0]; NaN if failed.
        G_max_G0: largest cell conductance of the accepted steps [G0].
        neck_radius_m: neck radius at the end of the run [m].
    """

    current_limit_A: float
    G_final_G0: float
    G_contact_G0: float
    G_zero_bias_G0: float
    G_max_G0: float
    neck_radius_m: float

    @property
    def V_c_V(self) -> float:
        """Set voltage of the relation R_on = V_c / I_cc, V_c = I_cc / (G_final G0) [V]
        (NaN for a failed run or G_final <= 0)."""
        if not self.G_final_G0 > 0:
            return float("nan")
        return self.current_limit_A / (self.G_final_G0 * G0_S)


@dataclass
class LadderResult:
    """What :func:`run_compliance_ladder` returns: one point per I_cc, in increasing order."""

    points: list[LadderPoint]
    output_dir: Path
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def all_failed(self) -> bool:
        return all(p.failed for p in self.points)


def run_compliance_ladder(cfg: CaseConfig, output_dir: str | Path,
                          comm: MPI.Comm = MPI.COMM_WORLD,
                          progress: bool = True) -> LadderResult:
    """Run (or read back) every sub-run of the case's compliance ladder and write the ladder.

    Args:
        cfg: case with a ``[study] kind = "compliance_ladder"`` section.
        output_dir: study directory; sub-runs go to ``icc_<I_cc in uA>uA/`` inside it.
        comm: communicator of the study (collective); every sub-run runs on it, or on its
            groups of ``study.ranks_per_run`` ranks.
        progress: progress bar of each sub-run (rank 0).
    """
    if cfg.study is None or cfg.study.kind != "compliance_ladder":
        raise CaseError(f"{cfg.title}: the case has no [study] kind = 'compliance_ladder' (run "
                        "a case without a study with apcfem.Simulation)")
    out = prepare_run_directory(output_dir, cfg, comm)
    currents = cfg.study.current_limits_A
    with split_runs(comm, cfg.study.ranks_per_run) as groups:
        shown = progress and comm.rank == 0  # one bar: that of the group holding rank 0
        # the expected cost grows with I_cc (a thicker filament takes more steps; the bundled
        # ECM ladder's sub-runs: 214 / 288 / 344 / 1122 s at 50 / 100 / 200 / 500 uA)
        mine = groups.mine(len(currents), costs=currents)
        points = groups.gather({i: _sub_run(cfg, currents[i], out, groups.group, shown)
                                for i in mine}, len(currents))
    files = write_ladder(points, cfg, out) if comm.rank == 0 else None
    return LadderResult(points, out, comm.bcast(files, root=0))


def sub_case(cfg: CaseConfig, current_A: float) -> CaseConfig:
    """The case of one sub-run: compliance current ``current_A`` [A], no study."""
    return update_case(cfg, {"circuit.current_limit_A": current_A, "study": None})


def sub_run_directory(output_dir: Path, current_A: float) -> Path:
    """``output_dir/icc_<I_cc in uA>uA``, e.g. ``icc_50uA`` for 5e-5 A."""
    return Path(output_dir) / f"icc_{current_A * 1e6:.6g}uA"


def _sub_run(cfg: CaseConfig, current_A: float, out: Path, comm: MPI.Comm,
             progress: bool) -> LadderPoint:
    """The point at ``current_A`` [A] (all ranks of ``comm``): its sub-run run, continued or
    read back (:func:`~apcfem.study_runs.ensure_run`), then read; a fresh run is read back as
    well, so a resumed study gives the same ladder."""
    case, path = sub_case(cfg, current_A), sub_run_directory(out, current_A)
    ran, run = ensure_run(case, path, comm, progress)
    point = comm.bcast(_point_of(run, case, cfg.study.read_voltage_V), root=0)
    if point is None:
        raise RuntimeError(f"{path}: the run left no finished run directory (run_info.json, "
                           "timeseries.csv) to read the ladder point from")
    if ran and point.failed:
        log.warning("I_cc = %g A: %s; recorded as failed", current_A, point.stop_reason)
    return point


def _point_of(run: FinishedRun | None, case: CaseConfig,
              read_voltage_V: float | None) -> LadderPoint | None:
    """The ladder point of a finished run of ``case`` (None without one, or without the neck
    column)."""
    if run is None or "neck_radius_m" not in run.series:
        return None
    return ladder_point(case.circuit.current_limit_A, run.series, run.info, run.directory,
                        read_voltage_V)


def ladder_point(current_A: float, series: dict[str, np.ndarray], stats: dict,
                 directory: Path, read_voltage_V: float | None = None) -> LadderPoint:
    """The ladder point of a run from its time series and statistics (:data:`RUN_STATS`);
    G_final read at ``read_voltage_V`` [V] on the return branch (None: the last row)."""
    reason = str(stats["stop_reason"])
    G = series["G_G0"]
    failed = reason.startswith("failed")

    def read(column: str) -> float:
        if failed or column not in series:
            return float("nan")
        if read_voltage_V is None:
            return float(series[column][-1])
        return read_on_return(series, read_voltage_V, column)

    return LadderPoint(
        current_limit_A=float(current_A),
        G_final_G0=read("G_G0"), G_contact_G0=read("G_landauer_G0"),
        G_zero_bias_G0=float("nan") if failed else float(G[-1]),
        G_max_G0=float(np.max(G)), neck_radius_m=float(series["neck_radius_m"][-1]),
        **run_record(stats, directory))


def read_on_return(series: dict[str, np.ndarray], read_voltage_V: float,
                   column: str = "G_G0") -> float:
    """The series' ``column`` (the cell's G [G0] by default) where the source voltage, on its
    way down from the top of the sweep, passes ``read_voltage_V`` [V] (linear between the two
    rows around it; NaN if it never does)."""
    V, G = series["V_source_V"], series[column]
    top = int(np.argmax(V))
    below = np.flatnonzero(V[top:] <= read_voltage_V)
    if V[top] < read_voltage_V or not below.size:
        return float("nan")
    k = top + int(below[0])
    if k == top:
        return float(G[k])
    return float(np.interp(read_voltage_V, V[k - 1:k + 1][::-1], G[k - 1:k + 1][::-1]))


def is_monotone(points: list[LadderPoint]) -> bool | None:
    """Whether G_final does not decrease with I_cc over the runs that have one (None: fewer
    than two; a run stopped before its return branch has none)."""
    G = [p.G_final_G0 for p in points if np.isfinite(p.G_final_G0)]
    return bool(np.all(np.diff(G) >= 0)) if len(G) >= 2 else None


def V_c_spread(points: list[LadderPoint]) -> float:
    """max/min of V_c over the finished runs with G_final > 0 (NaN if there are none)."""
    V_c = np.array([p.V_c_V for p in points])
    V_c = V_c[np.isfinite(V_c)]
    return float(V_c.max() / V_c.min()) if V_c.size else float("nan")


def write_ladder(points: list[LadderPoint], cfg: CaseConfig, out: Path) -> dict[str, Path]:
    """Write ``ladder.csv``, ``summary.txt`` and (if ``output.plots``) ``ladder.png`` into
    ``out`` (call on one rank); return name -> path."""
    files = {"ladder": _write_csv(points, out / "ladder.csv"),
             "summary": out / "summary.txt"}
    files["summary"].write_text(summary_text(points, cfg))
    if cfg.output.plots:
        measured = [(m.current_limit_A, m.G_G0, m.source) for m in cfg.study.measured]
        files["plot"] = plot_compliance_ladder(
            np.array([p.current_limit_A for p in points]),
            np.array([p.G_final_G0 for p in points]), measured, V_C_BAND_V,
            out / "ladder.png", cfg.title, np.array([p.G_zero_bias_G0 for p in points]))
    return files


def _write_csv(points: list[LadderPoint], path: Path) -> Path:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_COLUMNS)
        for p in points:
            writer.writerow([f"{p.current_limit_A:.10g}", f"{p.G_final_G0:.10g}",
                             f"{p.G_contact_G0:.10g}", f"{p.V_c_V:.10g}",
                             f"{p.G_zero_bias_G0:.10g}", f"{p.G_max_G0:.10g}",
                             f"{p.neck_radius_m:.10g}",
                             p.stop_reason, f"{p.wall_time_s:.1f}", p.accepted_steps,
                             p.rejected_steps, p.directory.name])
    return path


def summary_text(points: list[LadderPoint], cfg: CaseConfig) -> str:
    """The ladder as a short text: table, monotonicity of G_final, spread of V_c, measured."""
    low, high = V_C_BAND_V
    read = cfg.study.read_voltage_V
    where = "at the end (0 V)" if read is None else f"at {read:g} V"
    lines = [cfg.title,
             (f"set relation R_on = V_c / I_cc (Ielmini 2011): V_c = I_cc / (G_final G0) is "
              f"expected in {low:g}-{high:g} V"),
             (f"G_final: the cell's conductance read on the return branch {where} (the "
              "contact's own count beside it); G(0 V): at the end of the branch"),
             "",
             (f"{'I_cc [uA]':>10} {'G_final [G0]':>13} {'contact [G0]':>13} {'V_c [V]':>9} "
              f"{'G(0 V) [G0]':>12} {'G_max [G0]':>11} {'neck [nm]':>10}  stop reason")]
    lines += [f"{p.current_limit_A * 1e6:10.4g} {p.G_final_G0:13.4g} {p.G_contact_G0:13.4g} "
              f"{p.V_c_V:9.3g} "
              f"{p.G_zero_bias_G0:12.4g} {p.G_max_G0:11.4g} {p.neck_radius_m * 1e9:10.3g}  "
              f"{p.stop_reason}" for p in points]
    finished = [p for p in points if not p.failed]
    monotone = {True: "yes", False: "no", None: "n/a (fewer than two finished runs)"}
    in_band = sum(low <= p.V_c_V <= high for p in finished)
    lines += ["",
              f"finished runs: {len(finished)} of {len(points)}",
              f"G_final monotone in I_cc: {monotone[is_monotone(points)]}",
              (f"V_c spread max/min: {V_c_spread(points):.3g}; V_c in {low:g}-{high:g} V: "
               f"{in_band} of {len(finished)}")]
    lines += [f"measured: {m.G_G0:g} G0 at {m.current_limit_A * 1e6:g} uA, {m.source}"
              for m in cfg.study.measured]
    return "\n".join(lines) + "\n"
