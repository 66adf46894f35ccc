"""Solvers are closed collectively and runs under mpiexec end: results written, or one error.

PETSc destroys a SNES (with its MUMPS factors), matrices and vectors collectively. The in-process
tests (serially and under ``mpiexec -n 2 pytest -m "not serial"``) check that ``close()``
destroys them, is idempotent and leaves a solver that refuses to solve. The subprocess tests
(marked serial: they launch ``mpiexec -n 2`` themselves) check what used to hang: ranks dropping
their solvers at different moments, an exception on one rank, and the CLI's exit.
"""

import gc
import os
import re
import subprocess
import sys
import time
import weakref
from pathlib import Path

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI
from short_cases import COMPARED_ON_TWO_RANKS, SHORT_EDITS, short_case
from ufl.algorithms import expand_derivatives

import apcfem
from apcfem.coupling.mixed import BlockNewtonProblem
from apcfem.coupling.newton import NewtonProblem, SolverClosedError
from apcfem.output.fields import FieldWriter

BIN = Path(sys.executable).parent
MPIEXEC, APCFEM = str(BIN / "mpiexec"), str(BIN / "apcfem")
TIMEOUT_S = 300


def _quadratic(x):
    """u = 1 + x^2 + 2 y^2, -div grad u = -6: exact in P2."""
    return 1.0 + x[0] ** 2 + 2.0 * x[1] ** 2


def _boundary_bc(space, exact) -> fem.DirichletBC:
    msh = space.mesh
    msh.topology.create_connectivity(msh.topology.dim - 1, msh.topology.dim)
    facets = mesh.exterior_facet_indices(msh.topology)
    g = fem.Function(space)
    g.interpolate(exact)
    return fem.dirichletbc(g, fem.locate_dofs_topological(space, msh.topology.dim - 1, facets))


def _max_error(u: fem.Function, exact) -> float:
    reference = fem.Function(u.function_space)
    reference.interpolate(exact)
    local = float(np.max(np.abs(u.x.array - reference.x.array), initial=0.0))
    return u.function_space.mesh.comm.allreduce(local, op=MPI.MAX)


def _poisson(name: str) -> NewtonProblem:
    msh = mesh.create_unit_square(MPI.COMM_WORLD, 6, 6)
    space = fem.functionspace(msh, ("Lagrange", 2))
    u, v = fem.Function(space), ufl.TestFunction(space)
    residual = ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx + 6.0 * v * ufl.dx
    return NewtonProblem(name, residual, u, bcs=[_boundary_bc(space, _quadratic)])


def _petsc_objects(problem) -> dict:
    """The solver's PETSc objects (the same Python wrappers close() destroys)."""
    p = problem.problem
    return {"snes": p.solver, "A": p.A, "b": p.b, "x": p.x}


def test_newton_problem_close_destroys_and_is_idempotent():
    problem = _poisson("close_test")
    problem.solve()
    assert _max_error(problem.u, _quadratic) < 1e-9
    objects = _petsc_objects(problem)
    assert all(obj.handle != 0 for obj in objects.values())
    problem.close()
    assert problem.closed
    assert {name: obj.handle for name, obj in objects.items()} == dict.fromkeys(objects, 0)
    problem.close()  # idempotent, no second destroy
    with pytest.raises(SolverClosedError, match="close_test: the solver is closed"):
        problem.solve()


def test_newton_problem_as_context_manager_closes_on_exit():
    with _poisson("with_test") as problem:
        problem.solve()
        snes = problem.problem.solver
    assert problem.closed and snes.handle == 0
    with pytest.raises(SolverClosedError):
        problem.solve()


def test_block_newton_problem_close_destroys_bounds_and_is_idempotent():
    """-lap u1 + u2 = g2 - 6, -lap u2 + u2 - u1 = g2 - u1*: exact P2 solution (u1*, g2)."""
    msh = mesh.create_unit_square(MPI.COMM_WORLD, 6, 6)
    spaces = [fem.functionspace(msh, ("Lagrange", 2)) for _ in range(2)]
    u1, u2 = (fem.Function(s) for s in spaces)
    v1, v2 = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    x = ufl.SpatialCoordinate(msh)
    g2 = x[0] + x[1]
    residual = ((ufl.inner(ufl.grad(u1), ufl.grad(v1)) + (u2 - g2 + 6.0) * v1) * ufl.dx
                + (ufl.inner(ufl.grad(u2), ufl.grad(v2)) + (u2 - u1 - g2 + _quadratic(x)) * v2)
                * ufl.dx)
    bcs = [_boundary_bc(spaces[0], _quadratic), _boundary_bc(spaces[1], lambda x: x[0] + x[1])]
    problem = BlockNewtonProblem("block_close_test", residual, [u1, u2], bcs,
                                 petsc_options={"snes_type": "vinewtonrsls"})
    problem.set_bounds(-10.0, 10.0)  # inactive: the solution lies in [0, 4]
    bounds = problem._bounds
    problem.solve()
    assert _max_error(u1, _quadratic) < 1e-9
    assert _max_error(u2, lambda x: x[0] + x[1]) < 1e-9
    objects = {**_petsc_objects(problem), "lower": bounds[0], "upper": bounds[1]}
    problem.close()
    assert {name: obj.handle for name, obj in objects.items()} == dict.fromkeys(objects, 0)
    problem.close()
    with pytest.raises(SolverClosedError, match="block_close_test"):
        problem.solve()
    with pytest.raises(SolverClosedError):
        problem.set_bounds(-1.0, 1.0)


def test_a_mesh_is_freed_after_its_forms_were_differentiated():
    """Each DOLFINx mesh holds duplicated MPI communicators (MPICH has 2048): a session that
    builds many meshes must free them. UFL's differentiation (run when a form is compiled, and
    here directly, as the JIT cache may skip it) dispatches with functools.singledispatchmethod,
    whose per-instance cache leaks on Python 3.13.0 (apcfem.python_compat turns it off)."""

    def differentiate_once():
        msh = mesh.create_unit_square(MPI.COMM_WORLD, 4, 4)
        u = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
        v = ufl.TestFunction(u.function_space)
        residual = ufl.inner((1 + u**2) * ufl.grad(u), ufl.grad(v)) * ufl.dx
        jacobian = expand_derivatives(ufl.derivative(residual, u))
        assert jacobian.integrals()
        return weakref.ref(msh)

    alive = differentiate_once()
    gc.collect()
    assert alive() is None, "the mesh is still referenced after its forms were dropped"


def test_field_writer_close_is_idempotent(tmp_path):
    comm = MPI.COMM_WORLD
    path = Path(comm.bcast(str(tmp_path), root=0)) / "fields.bp"
    msh = mesh.create_unit_square(comm, 4, 4)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 1)), name="u")
    with FieldWriter(path, [u]) as fields:
        fields.write(0.0)
    assert fields.closed
    fields.close()
    with pytest.raises(ValueError, match="closed"):
        fields.write(1.0)
    assert path.is_dir()


def test_field_writer_splits_functions_of_different_elements(tmp_path):
    """VTX holds one element per file: P1 and DG1 functions go to two readable series."""
    comm = MPI.COMM_WORLD
    path = Path(comm.bcast(str(tmp_path), root=0)) / "fields.bp"
    msh = mesh.create_unit_square(comm, 4, 4)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 1)), name="u")
    jump = fem.Function(fem.functionspace(msh, ("DG", 1)), name="jump")
    with FieldWriter(path, [u, jump]) as fields:
        fields.write(0.0)
    assert fields.paths == [path, path.with_name("fields_DG1.bp")]
    assert all(p.is_dir() for p in fields.paths)


# -- subprocesses: what used to hang ---------------------------------------------------------

def _mpirun(args: list[str], cwd: Path, ranks: int = 2,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``mpiexec -n ranks`` under a timeout (with extra environment variables ``env``); a
    hang fails the test instead of the suite."""
    try:
        return subprocess.run([MPIEXEC, "-n", str(ranks), *args], cwd=cwd, check=False,
                              capture_output=True, text=True, timeout=TIMEOUT_S,
                              env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"{' '.join(args)} on {ranks} ranks hung (> {TIMEOUT_S} s); "
                    f"stderr:\n{err.stderr}")


ASYMMETRIC_DROP = """
import gc, sys
import apcfem  # noqa: F401  (sets up the DOLFINx wheel first)
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI
from apcfem.coupling.newton import NewtonProblem

comm = MPI.COMM_WORLD
msh = mesh.create_unit_square(comm, 8, 8)
space = fem.functionspace(msh, ("Lagrange", 1))
u, v = fem.Function(space), ufl.TestFunction(space)
dofs = fem.locate_dofs_geometrical(space, lambda x: x[0] < 1e-12)
problem = NewtonProblem("asym", ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx - v * ufl.dx, u,
                        bcs=[fem.dirichletbc(0.0, dofs, space)])
problem.solve()
if sys.argv[1] == "close":
    problem.close()
if comm.rank == 0:  # rank 0 drops its solver now, rank 1 only at exit
    del problem
    gc.collect()
comm.barrier()
print(f"rank {comm.rank} passed the barrier", flush=True)
"""


@pytest.mark.serial
@pytest.mark.parametrize("mode", ["close", "forgotten_close"])
def test_solver_dropped_on_one_rank_does_not_hang(tmp_path, mode):
    """Before close(), DOLFINx's __del__ destroyed the MUMPS solver on rank 0 alone: deadlock.
    A forgotten close() leaves the objects to PETSc's garbage list, freed at exit."""
    script = tmp_path / "asymmetric_drop.py"
    script.write_text(ASYMMETRIC_DROP)
    proc = _mpirun([sys.executable, str(script), mode], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(re.findall(r"rank \d passed the barrier", proc.stdout)) == [
        "rank 0 passed the barrier", "rank 1 passed the barrier"]


def _short_staircase(tmp_path: Path, **edits: str) -> Path:
    """The bundled staircase case with three sweep points on a coarse mesh (and ``edits``)."""
    text = apcfem.bundled_case("ag_sio2_pt_staircase").read_text(encoding="utf-8")
    edits = {"points": "3", "min_size_nm": "0.5", "max_size_nm": "5.0",
             "refinement_radius_nm": "1.0", "plots": "false", **edits}
    for key, value in edits.items():
        text, count = re.subn(rf"^{key} = [^#\n]*", f"{key} = {value}  ", text,
                              flags=re.MULTILINE)
        assert count == 1, f"{key} not found once in the bundled staircase case"
    path = tmp_path / "short_staircase.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _conductance(run_dir: Path) -> np.ndarray:
    table = np.genfromtxt(run_dir / "timeseries.csv", delimiter=",", names=True)
    return np.atleast_1d(table["G_G0"])


@pytest.mark.serial
def test_cli_run_on_two_ranks_exits_with_serial_results(tmp_path):
    case = _short_staircase(tmp_path)
    proc = _mpirun([APCFEM, "--log-level", "warning", "run", str(case), "--output", "two",
                    "--no-progress"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("results in") == 1  # rank 0 reports
    serial = _mpirun([APCFEM, "--log-level", "warning", "run", str(case), "--output", "one",
                      "--no-progress"], tmp_path, ranks=1)
    assert serial.returncode == 0, serial.stderr
    two, one = _conductance(tmp_path / "two"), _conductance(tmp_path / "one")
    assert two.shape == (3,)  # one row per sweep point
    np.testing.assert_allclose(two, one, rtol=1e-6)


def _log_messages(stderr: str, prefix: str = "") -> list[str]:
    """The INFO records of a run's stderr that start with ``prefix``."""
    return [line for line in stderr.splitlines() if line.startswith(f"{prefix}INFO ")]


@pytest.mark.serial
def test_cli_logs_from_rank_zero_unless_all_ranks(tmp_path):
    """Guards the CLI's rank filter: on 2 ranks each record is logged once, unprefixed; with
    --all-ranks both ranks log, each line prefixed with its rank, rank 0 as many as before."""
    case = _short_staircase(tmp_path)
    runs = [_mpirun([APCFEM, "--log-level", "info", *flag, "run", str(case), "--output", out,
                     "--no-progress"], tmp_path) for flag, out in (((), "one"),
                                                                   (("--all-ranks",), "all"))]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    filtered, every = (run.stderr for run in runs)
    assert "[rank" not in filtered
    rank0, rank1 = (_log_messages(every, f"[rank {r}] ") for r in (0, 1))
    assert len(_log_messages(filtered)) == len(rank0) > 0 and len(rank1) > 0
    assert len(_log_messages(every)) == 0  # no unprefixed record with --all-ranks


@pytest.mark.serial
def test_petsc_option_prefixes_reach_their_solvers(tmp_path):
    """Guards the documented per-solver prefixes: PETSC_OPTIONS with -apcfem_heat_ksp_view and
    -apcfem_contact_body_ksp_view makes exactly those two solvers print their KSP (the cut
    solve, apcfem_contact_cut_, stays silent)."""
    case = _short_staircase(tmp_path)
    proc = _mpirun([APCFEM, "run", str(case), "--output", "run", "--no-progress"], tmp_path,
                   ranks=1, env={"PETSC_OPTIONS": "-apcfem_heat_ksp_view "
                                                  "-apcfem_contact_body_ksp_view"})
    assert proc.returncode == 0, proc.stderr
    assert "KSP Object: (apcfem_heat_)" in proc.stdout
    assert "KSP Object: (apcfem_contact_body_)" in proc.stdout
    assert "(apcfem_contact_cut_)" not in proc.stdout


@pytest.mark.serial
def test_cli_invalid_case_on_two_ranks_fails_once(tmp_path):
    case = _short_staircase(tmp_path, min_size_nm="-0.5")
    proc = _mpirun([APCFEM, "run", str(case), "--output", "bad"], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("apcfem: error:") == 1, proc.stderr
    assert "mesh.min_size_nm = -0.5" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "bad").exists()


FAILING_RUN = """
import sys
import apcfem  # noqa: F401  (sets up the DOLFINx wheel first)
import ufl
from dolfinx import fem, mesh
import apcfem.cli as cli
from apcfem.coupling.newton import NewtonProblem

def failing_run(args, comm):
    msh = mesh.create_unit_square(comm, 8, 8)
    space = fem.functionspace(msh, ("Lagrange", 1))
    u, v = fem.Function(space), ufl.TestFunction(space)
    dofs = fem.locate_dofs_geometrical(space, lambda x: x[0] < 1e-12)
    with NewtonProblem("failing", ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx - v * ufl.dx, u,
                       bcs=[fem.dirichletbc(0.0, dofs, space)]) as problem:
        problem.solve()
        if sys.argv[1] == "all" or comm.rank == 1:
            raise RuntimeError(f"injected failure on rank {comm.rank}")
        comm.barrier()  # rank 0 waits here for rank 1, which has failed
    return 0

cli._run = failing_run
sys.exit(cli.main(["run", "unused.toml", "--output", "unused"]))
"""


@pytest.mark.serial
@pytest.mark.parametrize(("failing", "reporter"), [("one", 1), ("all", 0)])
def test_exception_on_any_rank_aborts_all_with_one_traceback(tmp_path, failing, reporter):
    """The failing rank leaves its ``with`` block without the collective destroy (which would
    wait for rank 0, itself waiting at a barrier) and the CLI's excepthook aborts both ranks."""
    script = tmp_path / "failing_run.py"
    script.write_text(FAILING_RUN)
    proc = _mpirun([sys.executable, str(script), failing], tmp_path)
    assert proc.returncode != 0, proc.stderr
    assert proc.stderr.count("Traceback") == 1, proc.stderr
    assert re.findall(r"RuntimeError: injected failure on rank (\d)", proc.stderr) == [
        str(reporter)], proc.stderr


@pytest.mark.serial
@pytest.mark.parametrize("name", [name for name in apcfem.bundled_cases()
                                  if name not in COMPARED_ON_TWO_RANKS])
def test_every_bundled_case_exits_by_itself_on_two_ranks(tmp_path, name):
    """The short variant of each bundled case (tests/parallel/short_cases.py) under
    ``mpiexec -n 2`` ends with status 0 and its results, within the timeout (the cases of
    COMPARED_ON_TWO_RANKS: in test_parallel_consistency.py)."""
    assert name in SHORT_EDITS, f"give {name} a short variant in short_cases.py"
    case = short_case(name, tmp_path)
    started = time.monotonic()
    proc = _mpirun([APCFEM, "--log-level", "warning", "run", str(case), "--output", "run",
                    "--no-progress"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("results in") == 1
    assert (tmp_path / "run" / "resolved_case.toml").is_file()
    print(f"{name}: exited after {time.monotonic() - started:.1f} s on 2 ranks")
