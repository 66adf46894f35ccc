"""Solvers: one SNES per problem, convergence checked explicitly."""

from apcfem.coupling.newton import NEWTON_OPTIONS, NewtonProblem, SolverDivergedError

__all__ = ["NEWTON_OPTIONS", "NewtonProblem", "SolverDivergedError"]
