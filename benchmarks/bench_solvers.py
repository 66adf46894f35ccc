"""3-D solver figures: framework overhead, scaling with size (iterative vs direct), MPI.

The problem of every figure is one step of a 3-D cell's linear solves: current continuity
-div(sigma grad phi) = 0 at 1 V across the stack, then steady heat -div(k grad T) = sigma
|grad phi|^2 with the contacts as sinks (P1, unit cube of hexahedra, sigma and k with a
filament-like column of 100x contrast along the axis; the column's conductivity changes every
step, so both matrices are reassembled and refactorised as in an evolving cell).

1. Overhead: the step through apcfem (``Conduction``/``Heat`` residuals solved by
   ``apcfem.coupling.linear.LinearSolver``) against a minimal hand-written DOLFINx script
   (``LinearProblem`` with the same forms and PETSc options) on the same mesh; the ratio of
   their step times (mean of the steps after the first).
2. Scaling: time and peak memory per step against unknowns (two fields of (n+1)^3 dofs each),
   iterative (CG + GAMG) up to >= 10^6 unknowns per field and direct (MUMPS) up to
   ``--direct-max`` unknowns; the growth exponent of time against unknowns between sizes.
3. MPI: the iterative step on 1 and 2 ranks at the largest MPI size; the strong-scaling
   efficiency t_1 / (2 t_2).

Each (size, method, ranks) runs in its own process (``worker``), so that its peak resident
memory (``ru_maxrss``, summed over ranks) is its own. A step time is the fastest of the steps
after the first (which compiles and sets up): on a shared machine the least disturbed one.

Run: ``python benchmarks/bench_solvers.py`` (``make bench``), ``--quick`` for small sizes.
Prints figures only; asserts nothing about time.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = (16, 24, 40, 64, 99)
"""Cells per edge of the scaling runs: 4.9e3, 1.6e4, 6.9e4, 2.7e5, 1.0e6 dofs per field."""

OVERHEAD_SIZE = 40
"""Cells per edge of the overhead comparison (6.9e4 dofs per field)."""

QUICK_SIZES = (8, 12, 16)

MPI_SIZE = 80
"""Cells per edge of the MPI strong-scaling run: 5.3e5 dofs per field."""

STEPS = 4
"""Steps per run; the first (JIT, symbolic set-up) is not timed."""

MPIEXEC = Path(sys.executable).with_name("mpiexec")


def _problem(cells: int):
    """Mesh, spaces, coefficients and boundary facets of the benchmark (module docstring)."""
    import ufl
    from dolfinx import fem, mesh
    from mpi4py import MPI

    from apcfem.mesh import single_region_device

    domain = mesh.create_box(MPI.COMM_WORLD, [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]],
                             [cells] * 3, mesh.CellType.hexahedron)
    device = single_region_device(domain, axisymmetric=False)
    space = fem.functionspace(domain, ("Lagrange", 1))
    column = fem.Function(fem.functionspace(domain, ("DG", 0)))
    column.interpolate(lambda x: np.where(np.hypot(x[0] - 0.5, x[1] - 0.5) < 0.15, 1.0, 0.0))
    scale = fem.Constant(domain, 100.0)
    sigma = 1.0 + scale * column
    k = 1.0 + 0.5 * scale * column
    fdim = domain.topology.dim - 1
    bottom = mesh.locate_entities_boundary(domain, fdim, lambda x: np.isclose(x[2], 0.0))
    top = mesh.locate_entities_boundary(domain, fdim, lambda x: np.isclose(x[2], 1.0))
    dofs = [fem.locate_dofs_topological(space, fdim, f) for f in (bottom, top)]
    return device, space, sigma, k, scale, dofs, ufl


def _apcfem_step_solver(cells: int, method: str):
    """The step through apcfem's physics and LinearSolver; returns (step, close, unknowns)."""
    from dolfinx import fem

    from apcfem.coupling.linear import LinearSolver
    from apcfem.physics import Conduction, Heat

    device, space, sigma, k, scale, (bottom, top), ufl = _problem(cells)
    phi, T = fem.Function(space), fem.Function(space)
    phi_bcs = [fem.dirichletbc(0.0, bottom, space), fem.dirichletbc(1.0, top, space)]
    T_bcs = [fem.dirichletbc(300.0, bottom, space), fem.dirichletbc(300.0, top, space)]
    conduction = LinearSolver("bench_phi", Conduction(sigma=sigma).residual(
        phi, ufl.TestFunction(space), device), phi, phi_bcs, method)
    joule = sigma * ufl.inner(ufl.grad(phi), ufl.grad(phi))
    heat = LinearSolver("bench_T", Heat(k=k, sources=(joule,)).residual(
        T, ufl.TestFunction(space), device), T, T_bcs, method)

    def step(i: int) -> int:
        scale.value = 100.0 * (1.0 + 0.01 * i)  # the filament changes: new matrices
        return conduction.solve() + heat.solve()

    def close() -> None:
        conduction.close()
        heat.close()

    return step, close, space.dofmap.index_map.size_global


def _hand_step_solver(cells: int, method: str):
    """The same step by a minimal DOLFINx script (LinearProblem, same forms and options)."""
    from dolfinx import fem
    from dolfinx.fem.petsc import LinearProblem

    from apcfem.coupling.linear import LINEAR_METHODS

    _, space, sigma, k, scale, (bottom, top), ufl = _problem(cells)
    u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
    zero = fem.Constant(space.mesh, 0.0)
    options = LINEAR_METHODS[method]
    phi_problem = LinearProblem(
        ufl.inner(sigma * ufl.grad(u), ufl.grad(v)) * ufl.dx, zero * v * ufl.dx,
        bcs=[fem.dirichletbc(0.0, bottom, space), fem.dirichletbc(1.0, top, space)],
        petsc_options_prefix="hand_phi_", petsc_options=options)
    phi = phi_problem.u
    joule = sigma * ufl.inner(ufl.grad(phi), ufl.grad(phi))
    T_problem = LinearProblem(
        ufl.inner(k * ufl.grad(u), ufl.grad(v)) * ufl.dx, joule * v * ufl.dx,
        bcs=[fem.dirichletbc(300.0, bottom, space), fem.dirichletbc(300.0, top, space)],
        petsc_options_prefix="hand_T_", petsc_options=options)

    def step(i: int) -> int:
        scale.value = 100.0 * (1.0 + 0.01 * i)
        phi_problem.solve()
        T_problem.solve()
        return phi_problem.solver.getIterationNumber() + T_problem.solver.getIterationNumber()

    def close() -> None:
        for problem in (phi_problem, T_problem):
            for obj in (problem.solver, problem.A, problem.b, problem.x):
                obj.destroy()

    return step, close, space.dofmap.index_map.size_global


def _timed_step(step, i: int, comm) -> tuple[float, float]:
    """Run step ``i``; its wall time [s] (all ranks) and its linear-solver iterations."""
    comm.barrier()
    start = time.perf_counter()
    iterations = step(i)
    comm.barrier()
    return time.perf_counter() - start, iterations


def worker(cells: int, method: str, kind: str) -> None:
    """Run STEPS steps of ``kind`` (``apcfem``, ``hand``, or ``both`` alternating on one mesh
    size); rank 0 prints one JSON line per kind. The step time is the fastest of the steps
    after the first: the least disturbed by other load on the machine."""
    import apcfem  # noqa: F401, I001  (sets up the DOLFINx wheel before mpi4py)
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    builders = {"apcfem": _apcfem_step_solver, "hand": _hand_step_solver}
    kinds = list(builders) if kind == "both" else [kind]
    solvers = {k: builders[k](cells, method) for k in kinds}
    records = {k: [] for k in kinds}
    for i in range(STEPS):
        for k in kinds:  # alternating: both see the same load
            records[k].append(_timed_step(solvers[k][0], i, comm))
    for k in kinds:
        solvers[k][1]()
    peak_MB = comm.allreduce(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    if comm.rank == 0:
        for k in kinds:
            times, iterations = zip(*records[k], strict=True)
            print(json.dumps({"cells": cells, "method": method, "kind": k, "ranks": comm.size,
                              "unknowns": int(solvers[k][2]), "step_s": min(times[1:]),
                              "first_step_s": times[0],
                              "krylov": float(np.mean(iterations[1:])), "peak_MB": peak_MB}))


def run(cells: int, method: str, kind: str = "apcfem", ranks: int = 1) -> list[dict]:
    """One worker process (under mpiexec with ``ranks`` > 1); its figures, one per kind."""
    command = [sys.executable, __file__, "worker", str(cells), method, kind]
    if ranks > 1:
        command = [str(MPIEXEC), "-n", str(ranks), *command]
    proc = subprocess.run(command, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _row(r: dict) -> str:
    return (f"{r['unknowns']:>10d} {r['method']:>9s} {r['ranks']:>5d} {r['step_s']:10.3f} "
            f"{r['krylov']:8.1f} {r['peak_MB']:10.0f}")


def overhead(cells: int, method: str) -> None:
    apcfem_run, hand_run = run(cells, method, "both")
    print(f"overhead ({method}, {apcfem_run['unknowns']} dofs per field): apcfem "
          f"{apcfem_run['step_s']:.3f} s, hand-written DOLFINx {hand_run['step_s']:.3f} s per "
          f"step: ratio {apcfem_run['step_s'] / hand_run['step_s']:.3f}")


def scaling(sizes, direct_max: int) -> None:
    print(f"{'unknowns':>10s} {'method':>9s} {'ranks':>5s} {'step [s]':>10s} {'Krylov':>8s} "
          f"{'peak [MB]':>10s}")
    for method in ("iterative", "direct"):
        rows = []
        for cells in sizes:
            if method == "direct" and (cells + 1) ** 3 > direct_max:
                print(f"{(cells + 1) ** 3:>10d} {method:>9s}     -  skipped (> --direct-max)")
                continue
            rows.extend(run(cells, method))
            print(_row(rows[-1]), flush=True)
        if len(rows) > 1:
            n = np.log([r["unknowns"] for r in rows])
            t = np.log([r["step_s"] for r in rows])
            exponents = ", ".join(f"{e:.2f}" for e in np.diff(t) / np.diff(n))
            print(f"{method}: time ~ unknowns^p between sizes, p = {exponents}")


def strong_scaling(cells: int) -> None:
    (one,), (two,) = run(cells, "iterative"), run(cells, "iterative", ranks=2)
    print(_row(one))
    print(_row(two))
    print(f"MPI strong scaling ({one['unknowns']} dofs per field, iterative): "
          f"{one['step_s']:.3f} s on 1 rank, {two['step_s']:.3f} s on 2: efficiency "
          f"{one['step_s'] / (2 * two['step_s']):.2f}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--direct-max", type=int, default=300_000,
                        help="largest dofs per field solved by MUMPS (default 3e5)")
    args = parser.parse_args()
    sizes = QUICK_SIZES if args.quick else SIZES
    for method in ("direct", "iterative"):
        overhead(sizes[-1] if args.quick else OVERHEAD_SIZE, method)
    scaling(sizes, args.direct_max)
    strong_scaling(sizes[-1] if args.quick else MPI_SIZE)


if __name__ == "__main__":
    main()
