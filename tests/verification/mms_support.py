"""Shared pieces of the manufactured-solution tests: domains, norms, rate assertions."""

import numpy as np
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.mesh import DeviceMesh, single_region_device


def unit_device(n: int, axisymmetric: bool) -> DeviceMesh:
    """Unit square (r, z) or unit cube with n cells per side, one region, one boundary."""
    comm = MPI.COMM_WORLD
    domain = (mesh.create_unit_square(comm, n, n) if axisymmetric
              else mesh.create_unit_cube(comm, n, n, n))
    return single_region_device(domain, axisymmetric)


def smooth_profile(device: DeviceMesh):
    """cos(pi x) cos(pi y) [cos(pi z)]: smooth, with zero radial slope on the axis r = 0."""
    x = ufl.SpatialCoordinate(device.mesh)
    profile = ufl.cos(ufl.pi * x[0]) * ufl.cos(ufl.pi * x[1])
    return profile if device.axisymmetric else profile * ufl.cos(ufl.pi * x[2])


def weighted_error_norms(u, exact, device: DeviceMesh, degree: int) -> tuple[float, float]:
    """L2 and H1-seminorm of u - exact with the volume weight, over-integrated."""
    e = u - exact
    w = device.weight()
    dx = ufl.Measure("dx", domain=device.mesh, metadata={"quadrature_degree": degree + 4})
    comm = device.comm
    l2 = comm.allreduce(fem.assemble_scalar(fem.form(w * ufl.inner(e, e) * dx)), op=MPI.SUM)
    h1 = comm.allreduce(fem.assemble_scalar(fem.form(
        w * ufl.inner(ufl.grad(e), ufl.grad(e)) * dx)), op=MPI.SUM)
    return float(np.sqrt(l2)), float(np.sqrt(h1))


def assert_optimal_rates(errors, degree: int, tolerance: float = 0.1) -> None:
    """Finest-pair L2 rate p + 1 and H1 rate p, within ``tolerance``, for halving h."""
    errors = np.asarray(errors)
    rates = np.log2(errors[:-1] / errors[1:])
    l2_rate, h1_rate = rates[-1]
    assert abs(l2_rate - (degree + 1)) < tolerance, f"L2 rates {rates[:, 0]}, expected {degree + 1}"
    assert abs(h1_rate - degree) < tolerance, f"H1 rates {rates[:, 1]}, expected {degree}"


def exact_dirichlet_bc(space, exact, device: DeviceMesh) -> fem.DirichletBC:
    """The exact solution imposed on the boundary, except on the axis r = 0 of an (r, z) mesh,
    where the symmetry condition is natural."""
    domain = device.mesh
    fdim = domain.topology.dim - 1
    facets = device.facets("boundary")
    if device.axisymmetric:
        facets = facets[mesh.compute_midpoints(domain, fdim, facets)[:, 0] > 1e-12]
    values = fem.Function(space)
    values.interpolate(fem.Expression(exact, space.element.interpolation_points))
    return fem.dirichletbc(values, fem.locate_dofs_topological(space, fdim, facets))
