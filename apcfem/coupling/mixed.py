"""Monolithic Newton for several unknowns (one mixed-element system) and a fixed-step
backward-Euler driver.

The residual of a coupled problem is one UFL form summed over the physics, written with the test
functions of a ``ufl.MixedFunctionSpace`` of the unknowns' spaces, so that every physics module
writes its terms against its own unknown and test function:

    spaces = [phi.function_space, w.function_space]
    v_phi, v_w = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    F = (poisson.residual(phi, v_phi, m, [species.concentration(w)])
         + transport.residual(w, v_w, m, phi=phi, T=T, dt=dt, c_old=c_old))
    with BlockNewtonProblem("pnp", F, [phi, w], bcs) as pnp:
        pnp.solve()

The solver rewrites that form on one mixed element of the unknowns' elements (the unknowns
become the components of one function, the test functions the components of its test
function), so that FFCx generates one kernel for the residual and one for the Jacobian: the
coupling terms (e.g. a Butler-Volmer rate that depends on every unknown) are evaluated once per
quadrature point instead of once per block (the ECM cell's (xi, phi_e, distance, curvature)
Jacobian: 35 -> 19 ms on the bundled 0.1 nm mesh; benchmarks/RESULTS.md). One SNES with a
direct solve sees the whole Jacobian. The unknowns keep their own functions: their values are
copied into the mixed function before a solve and back after it.

Like :class:`~apcfem.coupling.newton.NewtonProblem` it owns PETSc objects, destroyed
collectively by ``close()`` (or on leaving the ``with`` block) on every rank.
"""

from __future__ import annotations

from collections.abc import Sequence

import basix.ufl
import numpy as np
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


class _MixedUnknowns:
    """The unknowns as the components of one function on the mixed element of their elements,
    with the maps between each unknown's local dofs (owned and ghost) and the mixed ones."""

    def __init__(self, unknowns: Sequence[fem.Function]):
        spaces = [u.function_space for u in unknowns]
        mesh = spaces[0].mesh
        if any(V.mesh is not mesh for V in spaces) or any(
                V.dofmap.index_map_bs != 1 for V in spaces):
            raise ValueError("the unknowns of a block problem must be scalar fields on one mesh")
        self.unknowns = list(unknowns)
        self.space = fem.functionspace(mesh, basix.ufl.mixed_element(
            [V.ufl_element() for V in spaces]))
        self.function = fem.Function(self.space, name="+".join(u.name for u in unknowns))
        self.dofs = []
        """for each unknown, the mixed dof of each of its local dofs"""
        for i, V in enumerate(spaces):
            to_mixed = np.empty(V.dofmap.index_map.size_local + V.dofmap.index_map.num_ghosts,
                                dtype=np.int32)
            to_mixed[V.dofmap.list] = self.space.sub(i).dofmap.list
            self.dofs.append(to_mixed)

    def residual(self, residual: ufl.Form) -> ufl.Form:
        """``residual`` with the unknowns and the test functions of their
        ``ufl.MixedFunctionSpace`` replaced by the components of the mixed function and of its
        test function."""
        tests = sorted(residual.arguments(), key=lambda v: v.part())
        mapping = dict(zip(self.unknowns, ufl.split(self.function), strict=True))
        mapping.update(zip(tests, ufl.split(ufl.TestFunction(self.space)), strict=True))
        return ufl.replace(residual, mapping)

    def index(self, bc: fem.DirichletBC) -> int:
        """Which unknown's space the condition ``bc`` constrains."""
        for i, u in enumerate(self.unknowns):
            if u.function_space._cpp_object.contains(bc.function_space):
                return i
        raise ValueError("a Dirichlet condition is not on the space of any unknown")

    def gather(self) -> None:
        """The unknowns' values into the mixed function."""
        for u, dofs in zip(self.unknowns, self.dofs, strict=True):
            self.function.x.array[dofs] = u.x.array

    def scatter(self) -> None:
        """The mixed function's values into the unknowns."""
        for u, dofs in zip(self.unknowns, self.dofs, strict=True):
            u.x.array[:] = self.function.x.array[dofs]


class _MixedCondition:
    """A Dirichlet condition on an unknown's space carried over to the mixed space: the same
    dofs, with the values the original condition holds when :meth:`update` is called (a
    Constant or Function the caller changes between solves is followed)."""

    def __init__(self, bc: fem.DirichletBC, unknowns: _MixedUnknowns):
        self._source = bc
        self._dofs = bc.dof_indices()[0]
        self._mixed_dofs = unknowns.dofs[unknowns.index(bc)][self._dofs]
        self._values = fem.Function(unknowns.space)
        self.bc = fem.dirichletbc(self._values, self._mixed_dofs)
        self.update()

    def update(self) -> None:
        value = self._source.g
        self._values.x.array[self._mixed_dofs] = (value.x.array[self._dofs]
                                                  if hasattr(value, "x") else value.value)


class BlockNewtonProblem(SnesSolver):
    """F(u_1, ..., u_n; v_1, ..., v_n) = 0 solved by one SNES on the monolithic system (the
    unknowns as one mixed-element function, see the module docstring).

    Owns PETSc objects: call :meth:`~apcfem.coupling.newton.SnesSolver.close` on every rank when
    done (it also destroys the bound vectors of :meth:`set_bounds`), or use a ``with`` block.

    Args:
        name: short name; the PETSc options prefix is ``apcfem_<name>_``.
        residual: the summed residual form, linear in test functions of a
            ``ufl.MixedFunctionSpace`` built from the spaces of ``unknowns`` (in that order).
        unknowns: unknown functions (initial guesses in, solutions out), scalar fields on one
            mesh, each in its own function space object (create one space per unknown even
            when the elements agree).
        bcs: Dirichlet conditions on the unknowns' spaces (their values are read at each
            solve).
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
        self._mixed = _MixedUnknowns(self.unknowns)
        self._conditions = [_MixedCondition(bc, self._mixed) for bc in bcs]
        mixed_residual = self._mixed.residual(residual)
        prefix, options = preset_options(name, snes_options(petsc_options))
        self._problem = _OwnedNonlinearProblem(
            mixed_residual, self._mixed.function, bcs=[c.bc for c in self._conditions],
            J=ufl.derivative(mixed_residual, self._mixed.function),
            petsc_options_prefix=prefix, petsc_options=options)
        self._options = (prefix, options)

    def solve(self) -> int:
        """Solve in place; returns the Newton iteration count. The unknowns hold the last
        iterate also when the solve fails.

        Raises:
            SolverDivergedError: SNES diverged or a solution is not finite on some rank.
            SolverClosedError: after ``close()``.
        """
        problem = self.problem
        for condition in self._conditions:
            condition.update()
        self._mixed.gather()
        try:
            return checked_solve(self.name, problem, [self._mixed.function])
        finally:
            self._mixed.scatter()


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
