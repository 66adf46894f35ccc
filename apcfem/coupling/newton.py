"""A PETSc SNES Newton solve of residual forms, with its convergence checked.

A solver owns PETSc objects (SNES with its KSP, PC and MUMPS factors, the Jacobian, vectors)
whose destruction is collective: every rank must destroy them at the same point of the program.
So they are destroyed by :meth:`SnesSolver.close`, called on every rank in the same order (or by
leaving a ``with`` block), never by a destructor that runs whenever each rank's garbage collector
happens to get there. A solver dropped without ``close()`` leaves its objects to PETSc's garbage
list, freed collectively at ``PETSc.garbage_cleanup`` or at exit, and warns (ResourceWarning).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Sequence
from typing import Protocol, Self

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import NonlinearProblem, assemble_jacobian, assemble_residual
from mpi4py import MPI
from petsc4py import PETSc

log = logging.getLogger(__name__)

# Damped Newton with a parallel direct solve (MUMPS); the wheel's PETSc has no hypre.
NEWTON_OPTIONS = {
    "snes_type": "newtonls",
    "snes_linesearch_type": "bt",
    "snes_rtol": 1e-10,
    "snes_atol": 1e-14,
    "snes_max_it": 30,
    "ksp_type": "preonly",
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}


def snes_options(overrides: dict | None) -> dict:
    """:data:`NEWTON_OPTIONS` with ``overrides``; a ``ksponly`` (linear) solve drops the line
    search, which it would not use (PETSc warns about unused options at exit)."""
    options = {**NEWTON_OPTIONS, **(overrides or {})}
    if options["snes_type"] == "ksponly":
        options.pop("snes_linesearch_type", None)
    return options


def command_line_wins(prefix: str, options: dict) -> dict:
    """``options`` without the keys already set for ``prefix`` in PETSc's options database
    (``PETSC_OPTIONS`` or the command line), so that the user's choice is kept. A user's
    ``pc_type`` also drops the preset's other ``pc_`` options (e.g. the LU package), which
    belong to the preset's preconditioner."""
    from petsc4py import PETSc

    database = PETSc.Options()
    user_pc = database.hasName(f"{prefix}pc_type")
    return {key: value for key, value in options.items()
            if not database.hasName(f"{prefix}{key}")
            and not (user_pc and key.startswith("pc_"))}


def preset_options(name: str, options: dict) -> tuple[str, dict]:
    """The PETSc options prefix ``apcfem_<name>_`` of solver ``name`` and its preset
    ``options`` less those the user set for that prefix (:func:`command_line_wins`)."""
    prefix = f"apcfem_{name}_"
    return prefix, command_line_wins(prefix, options)


def forget_options(prefix: str, options: dict) -> None:
    """Remove a solver's preset ``options`` of ``prefix`` from PETSc's options database, when
    the solver is closed: options of sub-solvers (e.g. GAMG's level smoothers) are read when
    the preconditioner is set up at the first solve, so they stay until then. (DOLFINx's
    problems remove their options under a pushed prefix, which petsc4py's deletion does not
    apply: left behind, they would be taken for the user's by the next solver of the prefix.)"""
    from petsc4py import PETSc

    database = PETSc.Options()
    for key in options:
        database.delValue(f"{prefix}{key}")


class CellTerms(Protocol):
    """Residual terms of a problem's owned cells assembled in NumPy, on local dof arrays
    (owned and ghost entries; contributions to ghosts are summed into their owners)."""

    edges: object  # with ``cell_dofs``: local dofs of each owned cell, shape (cells, k)

    def residual(self, u: np.ndarray) -> np.ndarray:
        """Residual contributions per local dof at the local dof values u."""

    def jacobian(self, u: np.ndarray) -> np.ndarray:
        """d(residual)/du as dense blocks per owned cell, shape (cells, k, k)."""


class SolverDivergedError(RuntimeError):
    """SNES did not converge, or converged onto NaN/Inf, or PETSc raised inside the solve
    (``petsc_error``: its message); carries the PETSc converged reason."""

    def __init__(self, name: str, reason: int, iterations: int, finite: bool = True,
                 petsc_error: str | None = None):
        what = "Newton solve failed" if finite else "Newton solve gave NaN or Inf"
        why = (f"PETSc error {petsc_error}" if petsc_error is not None
               else f"SNES reason {reason} {_reason_name(reason)}")
        super().__init__(f"{name}: {what} ({why} after {iterations} iterations)")
        self.reason = reason
        self.iterations = iterations


def _reason_name(reason: int) -> str:
    """PETSc's name of a SNES converged reason, e.g. ``DIVERGED_LINE_SEARCH`` for -6."""
    from petsc4py import PETSc

    names = {value: key for key, value in vars(PETSc.SNES.ConvergedReason).items()
             if key.isupper() and isinstance(value, int)}
    return names.get(reason, "UNKNOWN")


class SolverClosedError(RuntimeError):
    """A solver was used after :meth:`SnesSolver.close` destroyed its PETSc objects."""


class _OwnedNonlinearProblem(NonlinearProblem):
    """DOLFINx's NonlinearProblem without its ``__del__``, which destroys the SNES, Jacobian and
    vectors collectively at whatever moment each rank's last reference goes: ranks then meet in
    different collectives and hang. :meth:`SnesSolver.close` destroys them instead; objects of
    an unclosed problem are freed by petsc4py, which defers parallel ones to PETSc's garbage
    list (destroyed collectively by ``PETSc.garbage_cleanup`` or at exit)."""

    def __del__(self):
        pass


class SnesSolver:
    """Lifetime of a SNES solve: :meth:`close` destroys its PETSc objects, collectively.

    Use as a context manager, or call ``close()`` on every rank, in the same order for all
    solvers, before the last reference is dropped. ``close()`` is idempotent; a closed solver
    raises :class:`SolverClosedError`. Do not close in a ``finally`` (or ``except``) block of a
    parallel run: see :meth:`__exit__`.
    """

    name: str
    _problem: NonlinearProblem | None = None
    _owned: tuple = ()  # further PETSc objects of ours the callbacks use
    _bounds: tuple = ()  # the bound vectors of set_bounds
    _options: tuple[str, dict] = ("", {})  # prefix and preset options in PETSc's database

    @property
    def closed(self) -> bool:
        return self._problem is None

    @property
    def problem(self) -> NonlinearProblem:
        """The DOLFINx problem (SNES, Jacobian, vectors).

        Raises:
            SolverClosedError: after :meth:`close`.
        """
        if self._problem is None:
            raise SolverClosedError(
                f"{self.name}: the solver is closed (close() destroyed its PETSc objects); "
                f"create a new {type(self).__name__} to solve again")
        return self._problem

    def close(self) -> None:
        """Destroy the SNES, its KSP, the Jacobian (and preconditioner) matrix and the vectors.

        Collective: call on every rank, in the same order as the other solvers' ``close()``.
        Idempotent.
        """
        problem, self._problem = self._problem, None
        if problem is None:
            return
        snes = problem.solver
        ksp = snes.getKSP()  # our reference: KSP (with PC and LU factors) is destroyed here
        snes.destroy()       # drops the SNES's references to KSP, matrices, vectors, bounds
        ksp.destroy()
        for obj in (problem.A, problem.P_mat, problem.b, problem.x, *self._owned,
                    *self._bounds):
            if obj is not None:
                obj.destroy()
        self._owned, self._bounds = (), ()
        forget_options(*self._options)
        log.debug("%s: solver closed", self.name)

    def set_bounds(self, lower: float, upper: float) -> None:
        """Box constraint lower <= u <= upper on every unknown; needs a variational-inequality
        SNES (``petsc_options={"snes_type": "vinewtonrsls"}``). Keeps Newton iterates of
        log-densities out of exp() overflow.

        Raises:
            SolverClosedError: after ``close()``.
        """
        problem = self.problem
        lower_vec, upper_vec = problem.x.duplicate(), problem.x.duplicate()
        lower_vec.set(lower)
        upper_vec.set(upper)
        problem.solver.setVariableBounds(lower_vec, upper_vec)
        for vec in self._bounds:  # bounds set before: the SNES has released them
            vec.destroy()
        self._bounds = (lower_vec, upper_vec)  # destroyed by close(), after the SNES

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """Close, unless an exception leaves the block of a parallel solver: it may be this
        rank's alone, and a collective destroy would then wait for ranks that never come instead
        of letting the exception end the run (``apcfem`` aborts all ranks). The objects are then
        left to PETSc's garbage list."""
        if kind is None or self.closed or self._problem.solver.comm.size == 1:
            self.close()

    def __del__(self):
        if self._problem is not None and not sys.is_finalizing():
            warnings.warn(f"{type(self).__name__} {self.name!r} was not closed; call close() "
                          "on every rank (PETSc objects left to PETSc's garbage list)",
                          ResourceWarning, stacklevel=1)


class NewtonProblem(SnesSolver):
    """F(u; v) = 0 solved by SNES, forms compiled once and re-solved as data change.

    Owns PETSc objects: call :meth:`~SnesSolver.close` on every rank when done, or use it as a
    context manager (``with NewtonProblem(...) as heat:``).

    Args:
        name: short name; PETSc options prefix is ``apcfem_<name>_`` so that e.g.
            ``PETSC_OPTIONS="-apcfem_heat_snes_monitor"`` reaches this solver only.
        residual: residual form (linear in the test function, in terms of ``u``).
        u: unknown function (holds the initial guess and the solution).
        bcs: Dirichlet conditions.
        petsc_options: overrides of :data:`NEWTON_OPTIONS`.
        cell_terms: terms of the residual assembled outside UFL (e.g. the edge fluxes of
            :class:`~apcfem.physics.scharfetter_gummel.EdgeTransport`), added to the form's
            residual and Jacobian; only without Dirichlet conditions.
    """

    def __init__(self, name: str, residual: ufl.Form, u: fem.Function,
                 bcs: Sequence[fem.DirichletBC] = (), petsc_options: dict | None = None,
                 cell_terms: CellTerms | None = None):
        self.name = name
        self.u = u
        prefix, options = preset_options(name, snes_options(petsc_options))
        self._problem = _OwnedNonlinearProblem(
            residual, u, bcs=list(bcs), J=ufl.derivative(residual, u),
            petsc_options_prefix=prefix, petsc_options=options)
        self._options = (prefix, options)
        if cell_terms is not None:
            if bcs:
                raise ValueError(f"{name}: cell terms are added after the Dirichlet "
                                 "conditions would be applied; use them without conditions")
            self._add_cell_terms(cell_terms)

    def _add_cell_terms(self, terms: CellTerms) -> None:
        """Make the SNES callbacks add ``terms`` to the assembled residual and Jacobian."""
        problem = self.problem
        extra = problem.b.duplicate()
        self._owned = (extra,)
        residual_ctx = {"u": self.u, "residual": problem.F, "jacobian": problem.J, "bcs": []}
        jacobian_ctx = {"u": self.u, "jacobian": problem.J, "preconditioner": None, "bcs": []}

        def residual(snes, x, b):
            assemble_residual(snes, x, b, **residual_ctx)
            with extra.localForm() as local:
                local.array[:] = terms.residual(self.u.x.array)
            extra.ghostUpdate(PETSc.InsertMode.ADD, PETSc.ScatterMode.REVERSE)
            b.axpy(1.0, extra)
            b.ghostUpdate(PETSc.InsertMode.INSERT, PETSc.ScatterMode.FORWARD)

        def jacobian(snes, x, J, P):
            assemble_jacobian(snes, x, J, P, **jacobian_ctx)
            blocks = terms.jacobian(self.u.x.array)
            dofs = terms.edges.cell_dofs
            J.setValuesLocalRCV(dofs, dofs, blocks.reshape(len(dofs), -1),
                                addv=PETSc.InsertMode.ADD_VALUES)
            J.assemble()

        problem.solver.setFunction(residual, problem.b)
        problem.solver.setJacobian(jacobian, problem.A, problem.P_mat)

    def solve(self) -> int:
        """Solve in place; returns the Newton iteration count.

        Raises:
            SolverDivergedError: SNES diverged or the solution is not finite on some rank.
            SolverClosedError: after :meth:`~SnesSolver.close`.
        """
        return checked_solve(self.name, self.problem, [self.u])


def checked_solve(name: str, problem, unknowns: Sequence[fem.Function]) -> int:
    """``problem.solve()`` (a DOLFINx nonlinear problem), then :func:`checked_iterations`. A
    PETSc error inside the solve (e.g. MUMPS asked to solve after a factorisation it refused)
    is a failed solve too. After any failure the KSP is reset (a failed LU factorisation
    leaves MUMPS unusable until its preconditioner is set up anew: every later solve would
    fail at once) and :class:`SolverDivergedError` raised, so the caller can reject the step."""
    try:
        problem.solve()
        return checked_iterations(name, problem.solver, unknowns)
    except PETSc.Error as err:
        problem.solver.getKSP().reset()
        raise SolverDivergedError(name, problem.solver.getConvergedReason(),
                                  problem.solver.getIterationNumber(),
                                  petsc_error=str(err)) from err
    except SolverDivergedError:
        problem.solver.getKSP().reset()
        raise


def checked_iterations(name: str, snes, unknowns: Sequence[fem.Function]) -> int:
    """Newton iterations of a finished SNES solve, after checking it really converged.

    Collective. Raises :class:`SolverDivergedError` if SNES reports divergence or any unknown
    holds a non-finite value on any rank (SNES may "converge" onto NaN).
    """
    reason, its = snes.getConvergedReason(), snes.getIterationNumber()
    comm = unknowns[0].function_space.mesh.comm
    finite = comm.allreduce(all(bool(np.isfinite(u.x.array).all()) for u in unknowns),
                            op=MPI.LAND)
    if reason <= 0 or not finite:
        raise SolverDivergedError(name, reason, its, finite)
    log.debug("%s: converged in %d Newton iterations (reason %d, |F| = %.3e)",
              name, its, reason, snes.getFunctionNorm())
    return its
