"""A PETSc SNES Newton solve of residual forms, with its convergence checked."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import NonlinearProblem
from mpi4py import MPI

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


class SolverDivergedError(RuntimeError):
    """SNES did not converge; carries the PETSc converged reason."""

    def __init__(self, name: str, reason: int, iterations: int):
        super().__init__(f"{name}: Newton solve failed (SNES reason {reason} after "
                         f"{iterations} iterations)")
        self.reason = reason
        self.iterations = iterations


class NewtonProblem:
    """F(u; v) = 0 solved by SNES, forms compiled once and re-solved as data change.

    Args:
        name: short name; PETSc options prefix is ``apcfem_<name>_`` so that e.g.
            ``PETSC_OPTIONS="-apcfem_heat_snes_monitor"`` reaches this solver only.
        residual: residual form (linear in the test function, in terms of ``u``).
        u: unknown function (holds the initial guess and the solution).
        bcs: Dirichlet conditions.
        petsc_options: overrides of :data:`NEWTON_OPTIONS`.
    """

    def __init__(self, name: str, residual: ufl.Form, u: fem.Function,
                 bcs: Sequence[fem.DirichletBC] = (), petsc_options: dict | None = None):
        self.name = name
        self.u = u
        self._problem = NonlinearProblem(
            residual, u, bcs=list(bcs), J=ufl.derivative(residual, u),
            petsc_options_prefix=f"apcfem_{name}_",
            petsc_options={**NEWTON_OPTIONS, **(petsc_options or {})})

    def solve(self) -> int:
        """Solve in place; returns the Newton iteration count.

        Raises:
            SolverDivergedError: SNES diverged or the solution is not finite on some rank.
        """
        self._problem.solve()
        return checked_iterations(self.name, self._problem.solver, [self.u])


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
        raise SolverDivergedError(name, reason, its)
    log.debug("%s: converged in %d Newton iterations (reason %d, |F| = %.3e)",
              name, its, reason, snes.getFunctionNorm())
    return its
