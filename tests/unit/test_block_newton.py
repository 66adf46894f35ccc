"""The block Newton problem (one mixed element of its unknowns, apcfem.coupling.mixed).

A coupled linear pair on the unit square, -lap u + u - w = f, -lap w + w - u = g, with a P1 and
a P2 unknown, solved with Dirichlet values that change between solves; and a coupled
nonlinear pair whose Jacobian is the derivative of one shared exponential (the structure of
the ECM cell's Butler-Volmer block).
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.coupling.mixed import BlockNewtonProblem
from apcfem.coupling.newton import SolverDivergedError


def _boundary_dofs(space):
    domain = space.mesh
    domain.topology.create_connectivity(domain.topology.dim - 1, domain.topology.dim)
    facets = mesh.exterior_facet_indices(domain.topology)
    return fem.locate_dofs_topological(space, domain.topology.dim - 1, facets)


def test_conditions_are_read_at_each_solve_and_elements_may_differ():
    """Exact solution u = a, w = b + y (in P1 and P2): the boundary values of u follow a
    Constant and those of w a Function, each changed between two solves."""
    domain = mesh.create_unit_square(MPI.COMM_WORLD, 5, 4)
    spaces = [fem.functionspace(domain, ("Lagrange", 1)), fem.functionspace(domain, ("Lagrange", 2))]
    u, w = (fem.Function(V) for V in spaces)
    v_u, v_w = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    a, b = fem.Constant(domain, 0.0), fem.Constant(domain, 0.0)
    x = ufl.SpatialCoordinate(domain)
    exact_u, exact_w = a, b + x[1]
    residual = ((ufl.inner(ufl.grad(u), ufl.grad(v_u)) + (u - w - exact_u + exact_w) * v_u)
                + (ufl.inner(ufl.grad(w), ufl.grad(v_w)) + (w - u - exact_w + exact_u) * v_w)
                ) * ufl.dx
    w_boundary = fem.Function(spaces[1])
    bcs = [fem.dirichletbc(a, _boundary_dofs(spaces[0]), spaces[0]),
           fem.dirichletbc(w_boundary, _boundary_dofs(spaces[1]))]
    with BlockNewtonProblem("block_bc_test", residual, [u, w], bcs) as problem:
        for a_value, b_value in ((1.0, -2.0), (3.0, 0.5)):
            a.value, b.value = a_value, b_value
            w_boundary.interpolate(lambda p, b_value=b_value: b_value + p[1])
            problem.solve()
            for f, value, slope in ((u, a_value, 0.0), (w, b_value, 1.0)):
                points = f.function_space.tabulate_dof_coordinates()
                assert np.abs(f.x.array - (value + slope * points[:, 1])).max() < 1e-10


def test_shared_exponential_pair_converges_and_a_failed_solve_keeps_its_iterate():
    """u - w = 0 and exp(u) + exp(w) = 2 e (solution u = w = 1): quadratic convergence from 0,
    and with one Newton iteration allowed the solve fails and leaves the first iterate in
    both unknowns (what a step controller rejects)."""
    domain = mesh.create_unit_interval(MPI.COMM_WORLD, 6)
    spaces = [fem.functionspace(domain, ("Lagrange", 1)) for _ in range(2)]
    u, w = (fem.Function(V) for V in spaces)
    v_u, v_w = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    residual = ((u - w) * v_u + (ufl.exp(u) + ufl.exp(w) - 2.0 * np.e) * v_w) * ufl.dx
    with BlockNewtonProblem("block_exp_test", residual, [u, w]) as problem:
        assert problem.solve() <= 6
        assert u.x.array == pytest.approx(1.0, abs=1e-10)
        assert w.x.array == pytest.approx(1.0, abs=1e-10)
    u.x.array[:], w.x.array[:] = 0.0, 0.0
    with BlockNewtonProblem("block_exp_fail", residual, [u, w],
                            petsc_options={"snes_max_it": 1,
                                                           "snes_linesearch_type": "basic"}) as problem:
        with pytest.raises(SolverDivergedError):
            problem.solve()
        # the first Newton iterate from 0: u = w = e - 1
        assert u.x.array == pytest.approx(np.e - 1.0, rel=1e-10)
        assert w.x.array == pytest.approx(np.e - 1.0, rel=1e-10)
