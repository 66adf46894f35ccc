"""Monolithic Newton for several unknowns (block system) and a fixed-step backward-Euler driver.

The residual of a coupled problem is one UFL form summed over the physics, written with the test
functions of a ``ufl.MixedFunctionSpace`` of the unknowns' spaces; ``ufl.extract_blocks`` splits
it into one residual per unknown and DOLFINx assembles the blocks into a single (``kind="mpi"``)
PETSc matrix, so one SNES with a direct solve sees the whole Jacobian:

    spaces = [phi.function_space, w.function_space]
    v_phi, v_w = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    F = (poisson.residual(phi, v_phi, m, [species.concentration(w)])
         + transport.residual(w, v_w, m, phi=phi, T=T, dt=dt, c_old=c_old))
    with BlockNewtonProblem("pnp", F, [phi, w], bcs) as pnp:
        pnp.solve()

Like :class:`~apcfem.coupling.newton.NewtonProblem` it owns PETSc objects, destroyed
collectively by ``close()`` (or on leaving the ``with`` block) on every rank.
"""

from __future__ import annotations

from collections.abc import Sequence

import ufl
from dolfinx import fem

from apcfem.coupling.newton import (
    NewtonProblem,
    SnesSolver,
    _OwnedNonlinearProblem,
    checked_solve,
    preset_options,
    snes_options,
)


class BlockNewtonProblem(SnesSolver):
    """F(u_1, ..., u_n; v_1, ..., v_n) = 0 solved by one SNES on the monolithic block system.

    Owns PETSc objects: call :meth:`~apcfem.coupling.newton.SnesSolver.close` on every rank when
    done (it also destroys the bound vectors of :meth:`set_bounds`), or use a ``with`` block.

    Args:
        name: short name; the PETSc options prefix is ``apcfem_<name>_``.
        residual: the summed residual form, linear in test functions of a
            ``ufl.MixedFunctionSpace`` built from the spaces of ``unknowns`` (in that order).
        unknowns: unknown functions (initial guesses in, solutions out), one per block, each in
            its own function space object (create one space per unknown even when the elements
            agree).
        bcs: Dirichlet conditions on the unknowns' spaces; DOLFINx applies a condition to the
            block whose space it was built on.
        petsc_options: overrides of :data:`~apcfem.coupling.newton.NEWTON_OPTIONS`.
    """

    def __init__(self, name: str, residual: ufl.Form, unknowns: Sequence[fem.Function],
                 bcs: Sequence[fem.DirichletBC] = (), petsc_options: dict | None = None):
        self.name = name
        self.unknowns = list(unknowns)
        if len({id(u.function_space) for u in self.unknowns}) < len(self.unknowns):
            raise ValueError(f"{name}: two unknowns share one function space, so their Dirichlet "
                             "conditions cannot be told apart; create one space per unknown")
        blocks = ufl.extract_blocks(residual)
        if len(blocks) != len(self.unknowns) or any(b is None for b in blocks):
            raise ValueError(f"{name}: the residual has {len(blocks)} test-function blocks "
                             f"for {len(self.unknowns)} unknowns; every unknown needs an "
                             "equation (use ufl.TestFunctions of one MixedFunctionSpace)")
        prefix, options = preset_options(name, snes_options(petsc_options))
        self._problem = _OwnedNonlinearProblem(
            blocks, self.unknowns, bcs=list(bcs), kind="mpi",
            petsc_options_prefix=prefix, petsc_options=options)
        self._options = (prefix, options)

    def solve(self) -> int:
        """Solve in place; returns the Newton iteration count.

        Raises:
            SolverDivergedError: SNES diverged or a solution is not finite on some rank.
            SolverClosedError: after ``close()``.
        """
        return checked_solve(self.name, self.problem, self.unknowns)


def backward_euler(problem: NewtonProblem | BlockNewtonProblem,
                   history: Sequence[tuple[fem.Function, fem.Function]], steps: int) -> list[int]:
    """Take ``steps`` backward-Euler steps of the fixed size built into the problem's forms.

    Each step solves for the new state (the previous one is the initial guess) and then copies
    every unknown into its previous-time function.

    Args:
        problem: the Newton problem of one step (forms in terms of the previous-time functions).
        history: (unknown, previous-time function) pairs.
        steps: number of steps.

    Returns:
        Newton iteration counts per step.

    Raises:
        SolverDivergedError: a step failed; the unknowns then hold the failed iterate and the
            previous-time functions the last accepted state.
    """
    iterations = []
    for _ in range(steps):
        iterations.append(problem.solve())
        for now, before in history:
            before.x.array[:] = now.x.array
    return iterations
