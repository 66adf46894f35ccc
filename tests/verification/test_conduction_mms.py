"""Manufactured solutions for current continuity, axisymmetric (r, z) and 3-D, P1 and P2.

u = cos(pi r) cos(pi z) (axisymmetric, smooth at r = 0 where the axis is a natural boundary)
and u = cos(pi x) cos(pi y) cos(pi z) (3-D), sigma = 1 + x^2 (variable coefficient). The
source is derived symbolically: f = -(1/w) div(w sigma grad u) with w the volume weight.
Expected rates: L2 p + 1, H1 p. Runs serially and on 2 ranks (mesh partitioned).
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.coupling import NewtonProblem
from apcfem.mesh import single_region_device
from apcfem.physics import Conduction


def _errors(n: int, degree: int, axisymmetric: bool) -> tuple[float, float]:
    comm = MPI.COMM_WORLD
    if axisymmetric:
        domain = mesh.create_unit_square(comm, n, n)
    else:
        domain = mesh.create_unit_cube(comm, n, n, n)
    device = single_region_device(domain, axisymmetric)
    x = ufl.SpatialCoordinate(domain)
    exact = ufl.cos(ufl.pi * x[0]) * ufl.cos(ufl.pi * x[1])
    if not axisymmetric:
        exact *= ufl.cos(ufl.pi * x[2])
    sigma = 1.0 + x[0] ** 2
    w = device.weight()
    source = -ufl.div(w * sigma * ufl.grad(exact)) / w
    space = fem.functionspace(domain, ("Lagrange", degree))
    u = fem.Function(space)
    physics = Conduction(sigma=sigma, source=source)
    residual = physics.residual(u, ufl.TestFunction(space), device)
    # Dirichlet data everywhere except the axis r = 0 (natural symmetry condition)
    facets = device.facets("boundary")
    if axisymmetric:
        mid = mesh.compute_midpoints(domain, domain.topology.dim - 1, facets)
        facets = facets[mid[:, 0] > 1e-12]
    dofs = fem.locate_dofs_topological(space, domain.topology.dim - 1, facets)
    boundary_values = fem.Function(space)
    boundary_values.interpolate(fem.Expression(exact, space.element.interpolation_points))
    problem = NewtonProblem(f"mms_{degree}", residual, u, [fem.dirichletbc(boundary_values,
                                                                             dofs)])
    problem.solve()
    e = u - exact
    # over-integrate the error so the exact solution is resolved
    dx = ufl.Measure("dx", domain=domain, metadata={"quadrature_degree": degree + 4})
    l2 = fem.assemble_scalar(fem.form(w * e**2 * dx))
    h1 = fem.assemble_scalar(fem.form(w * ufl.inner(ufl.grad(e), ufl.grad(e)) * dx))
    return (np.sqrt(comm.allreduce(l2, op=MPI.SUM)), np.sqrt(comm.allreduce(h1, op=MPI.SUM)))


@pytest.mark.parametrize(
    ("axisymmetric", "degree", "sizes"),
    [(True, 1, (8, 16, 32)), (True, 2, (4, 8, 16)),
     (False, 1, (4, 8, 16)), (False, 2, (2, 4, 8))])
def test_conduction_mms_rates(axisymmetric, degree, sizes):
    errors = np.array([_errors(n, degree, axisymmetric) for n in sizes])
    rates = np.log2(errors[:-1] / errors[1:])
    l2_rate, h1_rate = rates[-1]
    assert abs(l2_rate - (degree + 1)) < 0.1, f"L2 rates {rates[:, 0]}, expected {degree + 1}"
    assert abs(h1_rate - degree) < 0.1, f"H1 rates {rates[:, 1]}, expected {degree}"
