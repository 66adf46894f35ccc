"""Linear solves a(u, v) = L(v) whose matrix is assembled only when its data change.

A linear physics (heat with k independent of T, elasticity, a frequency-domain optics solve)
has one matrix per set of coefficient values. :class:`LinearSolver` keeps a snapshot of the
values of every coefficient and constant of the bilinear form and reassembles (and, with LU,
refactorises) only when one of them changed since the last solve: a time step of unchanged
size, or a heat solve iterated with the count at a fixed filament, reuses the matrix and its
factors. The right-hand side is assembled on every solve (sources and Dirichlet values may
change without touching the matrix).

Method presets (:data:`LINEAR_METHODS`, chosen per solver in the case file's ``[solver]``):
``"direct"`` is MUMPS LU, the robust default in 2-D; ``"iterative"`` is CG preconditioned by
PETSc's smoothed-aggregation algebraic multigrid (GAMG; the wheel's PETSc has no hypre), for
symmetric positive definite systems at 10^5 - 10^7 unknowns. A vector (elasticity) problem
solved iteratively gets its rigid-body modes as the near-null space of GAMG
(:func:`rigid_body_modes`). Command-line PETSc options with the solver's prefix
(``PETSC_OPTIONS="-apcfem_heat_ksp_type gmres"``) override the preset
(:func:`~apcfem.coupling.newton.command_line_wins`).

Owns PETSc objects (KSP with its PC, matrix, vectors, near-null space), destroyed by
:meth:`LinearSolver.close` on every rank in the same order (or on leaving a ``with`` block).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Self

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

from apcfem.coupling.newton import (
    SolverClosedError,
    SolverDivergedError,
    forget_options,
    preset_options,
)

log = logging.getLogger(__name__)

DIRECT = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
"""Parallel direct solve (MUMPS LU)."""

ITERATIVE = {"ksp_type": "cg", "ksp_rtol": 1e-12, "ksp_atol": 1e-50, "ksp_max_it": 1000,
             "pc_type": "gamg", "mg_levels_ksp_type": "richardson", "mg_levels_pc_type": "sor"}
"""CG with smoothed-aggregation algebraic multigrid (symmetric positive definite systems). The
relative tolerance 1e-12 of the preconditioned residual makes the iterative answer agree with
the direct one to about 1e-12 relative for heat and 1e-7 for the thermo-elastic displacement of
the illuminated electrode's thin film (a stiff film on a soft substrate conditions it badly; at
1e-10 that displacement differed by 6e-7, which a tunnelling gap amplifies ~6-fold). The level
smoother is symmetric SOR: GAMG's default Chebyshev smoother, from estimated eigenvalues, made
the preconditioner indefinite (CG stops with DIVERGED_INDEFINITE_PC) on the thin-film layered
meshes of the illuminated electrode."""

LINEAR_METHODS = {"direct": DIRECT, "iterative": ITERATIVE}
"""Method name (case file ``[solver]``) -> PETSc KSP options."""


class LinearSolveFailed(SolverDivergedError):
    """The KSP did not converge, or gave a non-finite solution; carries the KSP reason."""

    def __init__(self, name: str, reason: int, iterations: int):
        RuntimeError.__init__(self, f"{name}: linear solve failed (KSP reason {reason} after "
                              f"{iterations} iterations); rerun with "
                              f"PETSC_OPTIONS=-apcfem_{name}_ksp_converged_reason")
        self.reason = reason
        self.iterations = iterations


def linear_system(residual: ufl.Form, u: fem.Function) -> tuple[ufl.Form, ufl.Form]:
    """Bilinear and linear forms (a, L) of a residual F(u; v) affine in u: F = a(u, v) - L(v)
    (L = 0 written out when F has no source, so that it can be compiled)."""
    bilinear, linear = ufl.system(ufl.replace(residual,
                                              {u: ufl.TrialFunction(u.function_space)}))
    if linear.empty():
        mesh = u.function_space.mesh
        v = bilinear.arguments()[0]
        zero = fem.Constant(mesh, np.zeros(v.ufl_shape))
        linear = ufl.inner(zero, v) * ufl.dx(domain=mesh)
    return bilinear, linear


def rigid_body_modes(space: fem.FunctionSpace, axisymmetric: bool = False) -> PETSc.NullSpace:
    """Near-null space of linear elasticity on a vector Lagrange space, orthonormalised.

    3-D: three translations and three rotations; plane 2-D: two translations and the in-plane
    rotation; axisymmetric (r, z): the axial translation and the radial mode u_r = r (a uniform
    radial expansion, the closest to a zero-energy mode that the hoop strain u_r/r leaves).
    The caller destroys the returned object (collective).
    """
    index_map, bs = space.dofmap.index_map, space.dofmap.index_map_bs
    owned = index_map.size_local
    x = space.tabulate_dof_coordinates()[:owned]
    gdim = space.mesh.geometry.dim
    modes = []

    def mode(values: Sequence[np.ndarray | float]) -> np.ndarray:
        array = np.zeros((owned, bs))
        for component, value in enumerate(values):
            array[:, component] = value
        return array.ravel()

    if axisymmetric:
        modes = [mode([0.0, 1.0]), mode([x[:, 0], 0.0])]
    elif gdim == 2:
        modes = [mode([1.0, 0.0]), mode([0.0, 1.0]), mode([-x[:, 1], x[:, 0]])]
    else:
        modes = [mode([1.0, 0.0, 0.0]), mode([0.0, 1.0, 0.0]), mode([0.0, 0.0, 1.0]),
                 mode([-x[:, 1], x[:, 0], 0.0]), mode([x[:, 2], 0.0, -x[:, 0]]),
                 mode([0.0, -x[:, 2], x[:, 1]])]
    vectors = []
    for array in modes:
        vec = PETSc.Vec().createMPI((owned * bs, PETSc.DECIDE), comm=space.mesh.comm)
        vec.array[:] = array
        vectors.append(vec)
    _orthonormalise(vectors)
    nullspace = PETSc.NullSpace().create(vectors=vectors, comm=space.mesh.comm)
    for vec in vectors:  # the null space holds its own references
        vec.destroy()
    return nullspace


def _orthonormalise(vectors: list[PETSc.Vec]) -> None:
    """Modified Gram-Schmidt in place (collective)."""
    for i, vec in enumerate(vectors):
        for other in vectors[:i]:
            vec.axpy(-other.dot(vec), other)
        vec.normalize()


class LinearSolver:
    """a(u, v) = L(v) from a residual affine in ``u``, matrix reassembled only on change.

    Args:
        name: short name; PETSc options prefix ``apcfem_<name>_``.
        residual: residual form F(u; v), affine in ``u``.
        u: the unknown (solution out).
        bcs: Dirichlet conditions (their values may change between solves, their dofs not).
        method: ``"direct"`` or ``"iterative"`` (:data:`LINEAR_METHODS`).
        petsc_options: further KSP options over the method's.
        near_nullspace: for ``"iterative"`` vector problems, e.g. :func:`rigid_body_modes`;
            owned (destroyed by :meth:`close`) from here on.

    Attributes:
        assemblies: matrix assemblies so far.
        krylov_iterations: KSP iterations of the last solve (1 for a direct solve).
    """

    def __init__(self, name: str, residual: ufl.Form, u: fem.Function,
                 bcs: Sequence[fem.DirichletBC] = (), method: str = "direct",
                 petsc_options: dict | None = None,
                 near_nullspace: PETSc.NullSpace | None = None):
        if method not in LINEAR_METHODS:
            raise ValueError(f"{name}: linear method {method!r}: choose one of "
                             f"{', '.join(LINEAR_METHODS)}")
        self.name, self.u, self.bcs = name, u, list(bcs)
        bilinear, linear = linear_system(residual, u)
        self._data = [*bilinear.coefficients(), *bilinear.constants()]
        self._snapshot: list[np.ndarray] | None = None
        self._a, self._L = fem.form(bilinear), fem.form(linear)
        self._A = fem_petsc.create_matrix(self._a)
        self._b = fem_petsc.create_vector(u.function_space)
        self._nullspace = near_nullspace
        if near_nullspace is not None:
            self._A.setNearNullSpace(near_nullspace)
        prefix, options = preset_options(name, {**LINEAR_METHODS[method],
                                                **(petsc_options or {})})
        self._ksp = PETSc.KSP().create(u.function_space.mesh.comm)
        self._ksp.setOperators(self._A)
        self._ksp.setOptionsPrefix(prefix)
        self._A.setOptionsPrefix(f"{prefix}A_")
        _set_options(self._ksp, prefix, options)
        self._options = (prefix, options)
        self.assemblies = 0
        self.krylov_iterations = 0

    @property
    def closed(self) -> bool:
        return self._ksp is None

    def solve(self) -> int:
        """Solve in place (matrix reassembled if its data changed); returns KSP iterations.

        Raises:
            LinearSolveFailed: the KSP diverged or the solution is not finite on some rank.
            SolverClosedError: after :meth:`close`.
        """
        if self._ksp is None:
            raise SolverClosedError(f"{self.name}: the solver is closed")
        if self._matrix_data_changed():
            self._A.zeroEntries()
            fem_petsc.assemble_matrix(self._A, self._a, bcs=self.bcs)
            self._A.assemble()
            self.assemblies += 1
        b = self._b
        with b.localForm() as local:
            local.set(0.0)
        fem_petsc.assemble_vector(b, self._L)
        fem_petsc.apply_lifting(b, [self._a], bcs=[self.bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem_petsc.set_bc(b, self.bcs)
        x = self.u.x.petsc_vec
        self._ksp.solve(b, x)
        self.u.x.scatter_forward()
        reason, its = self._ksp.getConvergedReason(), self._ksp.getIterationNumber()
        comm = self.u.function_space.mesh.comm
        finite = comm.allreduce(bool(np.isfinite(self.u.x.array).all()), op=MPI.LAND)
        if reason <= 0 or not finite:
            raise LinearSolveFailed(self.name, reason, its)
        self.krylov_iterations = max(its, 1)
        return self.krylov_iterations

    def _matrix_data_changed(self) -> bool:
        """Whether a coefficient or constant of the bilinear form changed since the last
        assembly (collective: every rank assembles, or none); keeps the new snapshot."""
        snapshot = [np.array(d.x.array if isinstance(d, fem.Function) else d.value, copy=True)
                    for d in self._data]
        local = self._snapshot is None or any(
            not np.array_equal(new, old) for new, old in zip(snapshot, self._snapshot,
                                                             strict=True))
        changed = self.u.function_space.mesh.comm.allreduce(local, op=MPI.LOR)
        if changed:
            self._snapshot = snapshot
        return changed

    def close(self) -> None:
        """Destroy KSP, matrix, vector and near-null space (collective, idempotent)."""
        ksp, self._ksp = self._ksp, None
        if ksp is None:
            return
        ksp.destroy()
        for obj in (self._A, self._b, self._nullspace):
            if obj is not None:
                obj.destroy()
        forget_options(*self._options)
        log.debug("%s: solver closed (%d matrix assemblies)", self.name, self.assemblies)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """Close, unless an exception leaves the block of a parallel run (see
        :meth:`~apcfem.coupling.newton.SnesSolver.__exit__`)."""
        if kind is None or self.u.function_space.mesh.comm.size == 1:
            self.close()


def _set_options(ksp: PETSc.KSP, prefix: str, options: dict) -> None:
    """Put ``options`` under ``prefix`` into PETSc's options database and apply them to the KSP
    (the solver removes them when closed, see :func:`~apcfem.coupling.newton.forget_options`)."""
    database = PETSc.Options()
    for key, value in options.items():
        database[f"{prefix}{key}"] = value
    ksp.setFromOptions()
