"""Solvers: one SNES per problem, convergence checked explicitly."""

from apcfem.coupling.mixed import BlockNewtonProblem, backward_euler
from apcfem.coupling.newton import NEWTON_OPTIONS, NewtonProblem, SolverDivergedError

__all__ = ["NEWTON_OPTIONS", "BlockNewtonProblem", "NewtonProblem", "SolverDivergedError",
           "backward_euler"]
