"""A failed Newton solve leaves its solver usable: the step that failed can be retried.

A singular Jacobian (u^3 - 1 = 0 from u = 0: J = 3 u^2 = 0) makes MUMPS refuse the
factorisation (SNES: DIVERGED_LINEAR_SOLVE). MUMPS then refuses every later solve with a PETSc
error (it was asked to solve with a factorisation it never made), which once stopped an ECM
reset at the break: each retry failed at once, down to the step floor. The solver resets its
KSP after a failure, so the retry from a regular state converges.
"""

import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.coupling.newton import NewtonProblem, SolverDivergedError


def test_a_solve_after_a_refused_factorisation_converges():
    domain = mesh.create_unit_interval(MPI.COMM_WORLD, 8)
    u = fem.Function(fem.functionspace(domain, ("Lagrange", 1)))
    v = ufl.TestFunction(u.function_space)
    problem = NewtonProblem("cubic", (u**3 - 1.0) * v * ufl.dx, u)
    try:
        with pytest.raises(SolverDivergedError, match="DIVERGED_LINEAR_SOLVE"):
            problem.solve()
        u.x.array[:] = 1.5
        assert problem.solve() <= 8
        assert u.x.array == pytest.approx(1.0, abs=1e-10)
    finally:
        problem.close()
