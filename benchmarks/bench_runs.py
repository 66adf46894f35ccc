"""Whole runs of bundled cases: wall time, steps, Newton and Krylov iterations, the share of the
neck extraction and the Landauer count; and the JIT form compilation on a first and a second run.

For each case (the short variants of ``tests/parallel/short_cases.py`` by default, the bundled
cases themselves with ``--full``) one serial run without output prints: wall and CPU time [s]
(the CPU time of the process is the steadier figure on a shared machine),
accepted and rejected steps, Newton iterations per accepted step, Krylov iterations per
Newton iteration of the coupled (xi, phi_e) block (1 for its MUMPS solve), and the share of
the loop's time spent in the neck extraction (``SectionAreaNeck``) and in the contact
conductance (``contact_conductance``: the Landauer count or the tunnelling transfer matrix).

JIT: the cell of the flagship staircase case is built in a fresh process with an empty FFCx
cache (``XDG_CACHE_HOME`` pointed at a new folder), then again in a second process with the
cache the first one left: the difference is the form-compilation time, and the second build
compiles nothing.

Run: ``python benchmarks/bench_runs.py [--full] [case ...]`` (``make bench`` runs the short
variants). Prints figures only; asserts nothing about time.
"""

import argparse  # noqa: I001  (apcfem must be imported before mpi4py)
import os
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import apcfem
import apcfem.simulation as simulation_module
from apcfem.coupling.mixed import BlockNewtonProblem
from apcfem.neck import SectionAreaNeck
from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).parents[1] / "tests" / "parallel"))
from short_cases import SHORT_EDITS, short_case

CASES = ("ecm_ag_sio2_pt_sweep", "ag_sio2_pt_staircase", "led_au_nanogap", "mcbj_au_stretch")
"""Cases run by default (the ECM set/reset sweep first)."""

JIT_PROBE = """
import time, apcfem
from apcfem.coupling.steady_cell import SteadyCell
cfg = apcfem.load_case(apcfem.bundled_case("ag_sio2_pt_staircase"))
sim = apcfem.Simulation.from_config(cfg)
mesh = sim.build_mesh()
start = time.perf_counter()
SteadyCell(mesh, cfg).close()
print(time.perf_counter() - start)
"""
"""Builds the staircase cell (every form of its solvers compiled) and prints the time [s]."""


@contextmanager
def timed(owner, name: str, totals: dict[str, float]):
    """Replace ``owner.name`` by a wrapper that adds its wall time [s] to ``totals[name]``."""
    original = getattr(owner, name)
    totals[name] = 0.0

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - start

    setattr(owner, name, wrapper)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def krylov_counter(counts: dict[str, int]):
    """Count Newton and linear (Krylov) iterations of every coupled block solve."""
    original = BlockNewtonProblem.solve
    counts.update(newton=0, krylov=0)

    def solve(self):
        try:
            return original(self)
        finally:
            snes = self.problem.solver
            counts["newton"] += snes.getIterationNumber()
            counts["krylov"] += snes.getLinearSolveIterations()

    BlockNewtonProblem.solve = solve
    try:
        yield
    finally:
        BlockNewtonProblem.solve = original


def run_case(name: str, full: bool, folder: Path) -> dict[str, float | str]:
    """One serial run of a case without output; its figures."""
    path = apcfem.bundled_case(name) if full else short_case(name, folder)
    cfg = apcfem.update_case(apcfem.load_case(path), {"output.plots": False,
                                                      "output.fields": False})
    totals: dict[str, float] = {}
    counts: dict[str, int] = {}
    with (timed(SectionAreaNeck, "__call__", totals),
          timed(simulation_module, "contact_conductance", totals),
          timed(simulation_module.Simulation, "_loop", totals), krylov_counter(counts)):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = apcfem.Simulation.from_config(cfg, MPI.COMM_SELF).run(None, progress=False)
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    stats = result.stats
    loop = totals["_loop"]
    return {"case": name + ("" if full else " (short)"), "wall_s": wall, "cpu_s": cpu,
            "steps": stats["accepted_steps"], "rejected": stats["rejected_steps"],
            "newton_per_step": stats["newton_iterations_per_step"],
            "krylov_per_newton": (counts["krylov"] / counts["newton"] if counts["newton"]
                                  else float("nan")),
            "neck_share": totals["__call__"] / loop,
            "landauer_share": totals["contact_conductance"] / loop}


def jit_times() -> tuple[float, float]:
    """Cell build time [s] with an empty FFCx cache, then with the cache it left."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        times = []
        for _ in range(2):
            proc = subprocess.run([sys.executable, "-c", JIT_PROBE], env=env, check=True,
                                  capture_output=True, text=True)
            times.append(float(proc.stdout.split()[-1]))
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="*", default=list(CASES),
                        help=f"bundled case names (default: {', '.join(CASES)}; any of "
                        f"{', '.join(sorted(SHORT_EDITS))})")
    parser.add_argument("--full", action="store_true", help="the bundled cases, not short")
    parser.add_argument("--no-jit", action="store_true", help="skip the JIT figures")
    args = parser.parse_args()
    print(f"{'case':34s} {'wall [s]':>9s} {'CPU [s]':>8s} {'steps':>6s} {'rejected':>8s} "
          f"{'Newton/step':>11s} {'Krylov/Newton':>13s} {'neck':>6s} {'Landauer':>8s}")
    with tempfile.TemporaryDirectory() as folder:
        for name in args.cases:
            r = run_case(name, args.full, Path(folder))
            print(f"{r['case']:34s} {r['wall_s']:9.2f} {r['cpu_s']:8.2f} {r['steps']:6d} "
                  f"{r['rejected']:8d} "
                  f"{r['newton_per_step']:11.2f} {r['krylov_per_newton']:13.2f} "
                  f"{r['neck_share']:6.1%} {r['landauer_share']:8.1%}")
    if not args.no_jit:
        first, second = jit_times()
        print(f"JIT: staircase cell built in {first:.2f} s with an empty cache, "
              f"{second:.2f} s with the cache (compilation {first - second:.2f} s)")


if __name__ == "__main__":
    main()
