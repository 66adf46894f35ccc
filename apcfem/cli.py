"""Command line: ``apcfem run | mesh | conductance | materials | cases``.

A thin layer over the public API in :mod:`apcfem`. Logging is configured here only: rank 0
prints unless ``--all-ranks`` is given. Bad input exits with status 2 and one line on stderr.
Under MPI any other exception ends every rank (MPI Abort, status 1) with one traceback, rather
than leaving the other ranks waiting in a collective.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
from mpi4py import MPI

import apcfem
from apcfem.output.checkpoint import CHECKPOINT, CheckpointError
from apcfem.output.run_directory import RESOLVED_CASE

EXIT_BAD_INPUT = 2
EXIT_ABORT = 1
# How long a rank other than 0 waits, after an uncaught exception, for rank 0 to report the same
# error and abort the run, before it reports and aborts itself [s].
OUTPUT_FORWARD_S = 0.5
"""Pause [s] between reporting an error and MPI Abort, so that mpiexec's I/O forwarding delivers
the report (without it the message of a non-zero rank was sometimes lost)."""
ABORT_GRACE_S = 3.0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``apcfem`` console script."""
    args = _parser().parse_args(argv)
    comm = MPI.COMM_WORLD
    _install_mpi_excepthook(comm)
    _configure_logging(args.log_level, args.all_ranks, comm)
    try:
        status = args.handler(args, comm)
        # Solvers and writers are closed by their owners; whatever else holds PETSc objects is
        # collected here on every rank, together, not in each interpreter's own teardown order
        gc.collect()
        comm.barrier()
        return status
    except (apcfem.CaseError, apcfem.UnknownMaterialError, CheckpointError, FileNotFoundError,
            OSError) as err:
        if comm.rank == 0:
            print(f"apcfem: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apcfem", description="Conductive-filament FEM and quantized conductance.")
    parser.add_argument("--log-level", default="warning",
                        choices=["debug", "info", "warning", "error"],
                        help="what the solvers report (info: one line per step; debug: Newton)")
    parser.add_argument("--all-ranks", action="store_true", help="log from every MPI rank")
    sub = parser.add_subparsers(required=True, metavar="command")

    run = sub.add_parser("run", help="run a case file, or resume a run")
    run.add_argument("case", nargs="?",
                     help="case file (TOML) or the name of a bundled case; with --resume: "
                          "optional, replaces the run's resolved_case.toml (same geometry and "
                          "mesh, e.g. a lower dynamics.dt_min_s)")
    run.add_argument("--output", "-o",
                     help="run directory to write (a case with [study]: one per sub-run in it)")
    run.add_argument("--overwrite", action="store_true",
                     help="write into an existing, non-empty output directory")
    run.add_argument("--resume", metavar="DIR",
                     help="continue the run in DIR from its last checkpoint (any rank count)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(handler=_run)

    mesh = sub.add_parser("mesh", help="build the mesh of a case and write it with its tags")
    mesh.add_argument("case")
    mesh.add_argument("--output", "-o",
                      help="mesh file, any format meshio writes by its extension (.vtu, .msh, "
                           ".inp, ...; coordinates in m, tags as cell data); default: "
                           "<case>_mesh.xdmf")
    mesh.set_defaults(handler=_mesh)

    cond = sub.add_parser(
        "conductance", help="Landauer conductance of a circular neck or of a radius profile")
    neck = cond.add_mutually_exclusive_group(required=True)
    neck.add_argument("--radius", type=float, help="neck radius [m]")
    neck.add_argument("--profile", metavar="FILE",
                      help="radius profile: two columns z, a(z) [m] (CSV or whitespace, "
                           "# comments); transfer-matrix conductance")
    cond.add_argument("--material", default="Ag", help="filament material (free-electron E_F, m*)")
    cond.add_argument("--temperature", type=float, default=0.0, help="temperature [K]")
    cond.add_argument("--bias", type=float, default=0.0, help="bias voltage [V]")
    cond.add_argument("--beta", type=float, default=0.5, help="bias asymmetry, 0..1")
    cond.add_argument("--field", type=float, default=0.0, help="magnetic field [T] (Zeeman)")
    cond.add_argument("--strain", type=float, default=0.0,
                      help="axial strain of the neck (elastic unless --plastic)")
    cond.add_argument("--plastic", action="store_true",
                      help="strain thins the neck at constant volume")
    cond.add_argument("--gap-barrier", type=float, metavar="EV",
                      help="barrier above E_F in a broken profile (a = 0) [eV]; "
                           "default: no tunnelling")
    cond.add_argument("--json", action="store_true", help="print JSON")
    cond.set_defaults(handler=_conductance)

    mats = sub.add_parser("materials", help="list the materials library")
    mats.set_defaults(handler=_materials)
    cases = sub.add_parser("cases", help="list the bundled case files")
    cases.set_defaults(handler=_cases)
    return parser


def _case_path(name: str) -> Path:
    path = Path(name)
    return path if path.suffix == ".toml" or path.exists() else apcfem.bundled_case(name)


def _run(args, comm) -> int:
    cfg, output = _run_input(args, comm)
    if cfg.study is not None:
        return _run_study(cfg, output, args, comm)
    result = apcfem.Simulation.from_config(cfg, comm).run(
        output, progress=not args.no_progress, resume=args.resume is not None)
    if comm.rank == 0:
        print(f"results in {result.output_dir}")
        for name, path in result.files.items():
            print(f"  {name}: {path}")
    reason = str(result.stats.get("stop_reason", ""))
    if reason.startswith("failed"):
        if comm.rank == 0:
            print(f"apcfem: error: {reason}. The accepted steps are kept; to continue, change "
                  f"the settings in {output / RESOLVED_CASE} (or give a case file) and run "
                  f"apcfem run --resume {output}", file=sys.stderr)
        return EXIT_ABORT
    return 0


def _run_input(args, comm) -> tuple[apcfem.CaseConfig, Path]:
    """The case and run directory of ``apcfem run``, checked before any work.

    Raises:
        CaseError: no case, an existing run directory without --overwrite, or --resume of a
            directory without a checkpoint (decided on rank 0: the others may see the
            directory only once rank 0 has created it).
    """
    if args.resume is None and (args.case is None or args.output is None):
        raise apcfem.CaseError("run: give a case and --output DIR, or --resume DIR")
    output = Path(args.output if args.resume is None else args.resume)
    problem = comm.bcast(_output_problem(args, output) if comm.rank == 0 else None, root=0)
    if problem:
        raise apcfem.CaseError(problem)
    case = _case_path(args.case) if args.case else output / RESOLVED_CASE
    return apcfem.load_case(case), output


def _output_problem(args, output: Path) -> str | None:
    """What is wrong with the run directory of ``apcfem run`` (None: nothing)."""
    if args.resume is None:
        if output.exists() and (not output.is_dir() or any(output.iterdir())) \
                and not args.overwrite:
            return (f"--output {output}: exists and is not empty: choose a new directory, add "
                    f"--overwrite to write into it, or continue its run with --resume {output}")
        return None
    if args.output is not None and Path(args.output) != output:
        return (f"--output {args.output}: a resumed run continues in its own directory "
                f"{output}: drop --output")
    if not (output / RESOLVED_CASE).is_file():
        return f"--resume {output}: not a run directory (no {RESOLVED_CASE})"
    if not (output / CHECKPOINT).is_file() and not _is_study(output):
        return (f"--resume {output}: no {CHECKPOINT} there (a run writes one every "
                "output.checkpoint_every_steps steps): start it again")
    return None


def _is_study(output: Path) -> bool:
    """A study's directory (resumed by its own sub-run bookkeeping, without a checkpoint)."""
    try:
        return "[study]" in (output / RESOLVED_CASE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _run_study(cfg, output: Path, args, comm) -> int:
    """Run the case's study (a compliance ladder or cycle chains; its finished runs are kept
    when it is resumed); status 1 if every run of it failed."""
    progress = not args.no_progress
    if cfg.study.kind == "compliance_ladder":
        study = apcfem.run_compliance_ladder(cfg, output, comm, progress=progress)
        runs = [(f"I_cc = {p.current_limit_A:g} A", p) for p in study.points]
    else:
        study = apcfem.run_cycle_chains(cfg, output, comm, progress=progress)
        runs = [(f"chain {c.index} (seed {c.seed}, {c.cycles} cycles)", c)
                for c in study.chains]
    if comm.rank == 0:
        print(f"results in {study.output_dir}")
        for name, path in study.files.items():
            print(f"  {name}: {path}")
        for label, run in runs:
            print(f"  {label}: {run.directory} ({run.stop_reason})")
        if study.all_failed:
            print("apcfem: error: every run of the study failed (the accepted steps are "
                  "kept)", file=sys.stderr)
    return EXIT_ABORT if study.all_failed else 0


def _mesh(args, comm) -> int:
    path = _case_path(args.case)
    cfg = apcfem.load_case(path)
    device = apcfem.Simulation.from_config(cfg, comm).build_mesh()
    written = apcfem.write_device_mesh(device, args.output or path.with_name(
        f"{path.stem}_mesh.xdmf"))
    if comm.rank == 0:
        cells = device.mesh.topology.index_map(device.mesh.topology.dim).size_global
        print(f"wrote {written} ({cells} cells; region tags: {_tag_list(device.regions)}; "
              f"boundary tags: {_tag_list(device.boundaries)})")
    return 0


def _tag_list(tags: dict[str, int]) -> str:
    return ", ".join(f"{name}={tag}" for name, tag in sorted(tags.items(), key=lambda n: n[1]))


def _conductance(args, comm) -> int:
    metal = apcfem.get_material(args.material)
    if metal.fermi_energy_eV is None:
        raise apcfem.CaseError(f"--material {args.material}: has no free-electron parameters "
                               "(use a filament material such as Ag, Cu, Au, VO_filament)")
    if args.gap_barrier is not None and args.profile is None:
        raise apcfem.CaseError("--gap-barrier needs --profile (a gap is part of a profile)")
    if args.profile is None:
        _check_radius("--radius", np.array([args.radius]))
        z, radius = np.zeros(1), np.array([args.radius])
    else:
        z, radius = _read_profile(args.profile)
    mode = "plastic" if args.plastic else "elastic"
    try:
        radius, z, fermi = apcfem.strained_neck(
            radius, z, args.strain, poisson_ratio=metal.poisson_ratio.value,
            fermi_energy_eV=metal.fermi_energy_eV.value, mode=mode)
        physics = {"fermi_energy_eV": float(fermi),
                   "effective_mass_me": metal.effective_mass_me.value,
                   "temperature_K": args.temperature, "bias_V": args.bias, "beta": args.beta,
                   "field_T": args.field}
        electrons = apcfem.Electrons(**physics)
        if args.profile is None:
            result = apcfem.circular_conductance(radius[0], electrons)
            modes = apcfem.circular_mode_transmissions(radius[0], electrons)
            neck = {"radius_m": args.radius, "strained_radius_m": float(radius[0])}
        else:
            result = apcfem.profile_conductance(z, radius, electrons,
                                                gap_barrier_eV=args.gap_barrier)
            modes = result.modes
            neck = {"profile": args.profile, "gap_barrier_eV": args.gap_barrier,
                    "neck_radius_m": float(radius.min())}
    except ValueError as err:
        raise apcfem.CaseError(f"conductance: {err}") from err
    if comm.rank != 0:
        return 0
    record = {**neck, "material": args.material, "strain": args.strain, "strain_mode": mode,
              **physics, "G_G0": float(result.G_G0), "G_S": float(result.G_G0) * apcfem.G0_S,
              "channels": float(result.channels), "modes": modes}
    if args.json:
        print(json.dumps(record, indent=2, default=float))
    else:
        print(f"G = {record['G_G0']:.4f} G0 ({record['G_S']:.4e} S), "
              f"open channels: {record['channels']:g}")
    return 0


def _check_radius(where: str, radius: np.ndarray) -> None:
    """Radii must be finite, >= 0 and in metres (a neck is well below 1 µm)."""
    bad = radius[~np.isfinite(radius) | (radius < 0)]
    if bad.size:
        raise apcfem.CaseError(f"{where}: radius {bad[0]:g} must be a radius >= 0 in metres "
                               "(e.g. 5e-10)")
    if np.max(radius) > 1e-6:
        raise apcfem.CaseError(f"{where}: radius {np.max(radius):g}: the radius is in metres; "
                               f"did you mean {np.max(radius) * 1e-9:g}?")


def _read_profile(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Columns ``z, a(z)`` [m] of a profile file (CSV or whitespace, ``#`` comments)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise apcfem.CaseError(f"--profile {path}: cannot read the file ({err})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an empty table is an error, not a warning
            table = np.loadtxt(io.StringIO(text.replace(",", " ")), comments="#", ndmin=2)
    except (ValueError, UserWarning) as err:
        raise apcfem.CaseError(f"--profile {path}: not a numeric table ({err})") from None
    if table.shape[1] != 2 or table.shape[0] < 2:
        raise apcfem.CaseError(f"--profile {path}: expected two columns z, a(z) [m] and at "
                               f"least two rows, got {table.shape[0]} x {table.shape[1]}")
    z, radius = table.T
    _check_radius(f"--profile {path}", radius)
    if not np.all(np.isfinite(z)) or np.any(np.diff(z) <= 0):
        raise apcfem.CaseError(f"--profile {path}: z must be finite and strictly increasing")
    return z, radius


def _materials(args, comm) -> int:
    if comm.rank == 0:
        for name in apcfem.material_names():
            metal = apcfem.get_material(name)
            print(f"{name:12s} {metal.kind:12s} {metal.description}")
    return 0


def _cases(args, comm) -> int:
    if comm.rank == 0:
        for name in apcfem.bundled_cases():
            print(f"{name:32s} {apcfem.bundled_case(name)}")
    return 0


def _configure_logging(level: str, all_ranks: bool, comm) -> None:
    logger = logging.getLogger("apcfem")
    for old in [h for h in logger.handlers if h.get_name() == "apcfem.cli"]:
        logger.removeHandler(old)  # main() called again in one process (tests)
    handler = logging.StreamHandler()
    handler.set_name("apcfem.cli")
    prefix = f"[rank {comm.rank}] " if all_ranks and comm.size > 1 else ""
    handler.setFormatter(logging.Formatter(f"{prefix}%(levelname)s %(name)s: %(message)s"))
    if not all_ranks:
        handler.addFilter(lambda record: comm.rank == 0)
    logger.addHandler(handler)
    logger.setLevel(level.upper())


def _install_mpi_excepthook(comm) -> None:
    """An exception escaping :func:`main` on any rank ends all ranks, reported once.

    A rank that stops alone leaves the others waiting in a collective forever; ``Abort`` ends
    them all. Rank 0 reports at once. Another rank first gives rank 0 :data:`ABORT_GRACE_S` to
    report and abort (an error raised on every rank is then printed once, by rank 0), and
    reports itself, naming its rank, only if it is still running.
    """
    if comm.size == 1:
        return

    def hook(kind, value, tb):
        if comm.rank > 0:
            time.sleep(ABORT_GRACE_S)
        where = "" if comm.rank == 0 else f"apcfem: on rank {comm.rank} of {comm.size}:\n"
        sys.stderr.write(where + "".join(traceback.format_exception(kind, value, tb)))
        sys.stderr.flush()
        time.sleep(OUTPUT_FORWARD_S)  # let mpiexec forward the report before Abort kills us
        comm.Abort(EXIT_ABORT)

    sys.excepthook = hook


if __name__ == "__main__":
    sys.exit(main())
