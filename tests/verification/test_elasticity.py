"""Verification of linear thermo-elasticity (apcfem.physics.elasticity), axisymmetric and 3-D.

* A free bar heated uniformly by dT elongates by alpha dT L and widens by alpha dT R.
* A bar under uniaxial strain eps (ends held, sides free) contracts laterally by nu eps; the
  mean displacement of an interior interface at mid-height is eps L/2.
* Manufactured solutions with a non-uniform temperature rise: the body force is derived from
  the strong form written out independently here (cylindrical components for the axisymmetric
  case: Timoshenko & Goodier, Theory of Elasticity, 3rd ed., 1970, sec. 127); rates L2 p + 1,
  H1 p for P1 and P2.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mms_support import assert_optimal_rates, weighted_error_norms
from mpi4py import MPI

from apcfem.coupling import NewtonProblem
from apcfem.materials import get_material
from apcfem.mesh import DeviceMesh, single_region_device
from apcfem.physics.elasticity import ThermoElasticity, displacement_bc, mean_displacement

RADIUS, LENGTH = 10e-9, 40e-9  # bar radius (or half-width in 3-D) and length [m]


def _bar(axisymmetric: bool) -> DeviceMesh:
    """Bar along the last axis with named faces; ``mid`` is the interior plane z = L/2."""
    comm = MPI.COMM_WORLD
    if axisymmetric:
        domain = mesh.create_rectangle(comm, [[0.0, 0.0], [RADIUS, LENGTH]], [4, 16])
        planes = {"axis": (0, 0.0), "outer": (0, RADIUS), "bottom": (1, 0.0),
                  "top": (1, LENGTH), "mid": (1, LENGTH / 2)}
    else:
        domain = mesh.create_box(comm, [[0.0, 0.0, 0.0], [RADIUS, RADIUS, LENGTH]], [2, 2, 8])
        planes = {"x0": (0, 0.0), "y0": (1, 0.0), "outer": (0, RADIUS), "bottom": (2, 0.0),
                  "top": (2, LENGTH), "mid": (2, LENGTH / 2)}
    fdim = domain.topology.dim - 1
    domain.topology.create_connectivity(fdim, fdim + 1)
    names = sorted(planes)
    found = [mesh.locate_entities(
        domain, fdim, lambda x, a=planes[n][0], c=planes[n][1]: np.abs(x[a] - c) < 1e-6 * RADIUS)
        for n in names]
    values = np.concatenate([np.full(len(f), i + 1, np.int32) for i, f in enumerate(found)])
    facets = np.concatenate(found).astype(np.int32)
    order = np.argsort(facets)
    cells = np.arange(domain.topology.index_map(fdim + 1).size_local, dtype=np.int32)
    return DeviceMesh(
        mesh=domain, cell_tags=mesh.meshtags(domain, fdim + 1, cells, np.ones_like(cells)),
        facet_tags=mesh.meshtags(domain, fdim, facets[order], values[order]),
        regions={"domain": 1}, boundaries={n: i + 1 for i, n in enumerate(names)},
        axisymmetric=axisymmetric)


def _solve_bar(device: DeviceMesh, delta_T: float, end_strain: float) -> fem.Function:
    """Ag bar: symmetry planes (axis, or x0 and y0), bottom held in z, top moved by eps L."""
    ag = get_material("Ag")
    physics = ThermoElasticity(youngs_modulus=ag.youngs_modulus_Pa.value,
                               poisson_ratio=ag.poisson_ratio.value,
                               thermal_expansion=ag.thermal_expansion_per_K.value,
                               delta_T=delta_T)
    gdim = device.mesh.geometry.dim
    space = fem.functionspace(device.mesh, ("Lagrange", 2, (gdim,)))
    u = fem.Function(space)
    axial = device.axial_index
    bcs = [displacement_bc(space, device, "bottom", axial, 0.0)]
    if device.axisymmetric:
        bcs.append(displacement_bc(space, device, "axis", 0, 0.0))
    else:
        bcs += [displacement_bc(space, device, "x0", 0, 0.0),
                displacement_bc(space, device, "y0", 1, 0.0)]
    if end_strain:
        bcs.append(displacement_bc(space, device, "top", axial, end_strain * LENGTH))
    residual = physics.residual(u, ufl.TestFunction(space), device)
    with NewtonProblem("bar", residual, u, bcs) as problem:
        problem.solve()
    return u


@pytest.mark.parametrize("axisymmetric", [True, False], ids=["axisymmetric", "3d"])
def test_free_bar_thermal_expansion(axisymmetric):
    delta_T = 100.0
    alpha = get_material("Ag").thermal_expansion_per_K.value
    device = _bar(axisymmetric)
    u = _solve_bar(device, delta_T, end_strain=0.0)
    axial = device.axial_index
    elongation = (mean_displacement(u, device, "top")[axial]
                  - mean_displacement(u, device, "bottom")[axial])
    expected = alpha * delta_T * LENGTH
    assert abs(elongation - expected) < 0.01 * expected, f"{elongation:.4e} vs {expected:.4e} m"
    widening = mean_displacement(u, device, "outer")[0]
    assert abs(widening - alpha * delta_T * RADIUS) < 0.01 * alpha * delta_T * RADIUS


@pytest.mark.parametrize("axisymmetric", [True, False], ids=["axisymmetric", "3d"])
def test_uniaxial_strain_poisson_contraction(axisymmetric):
    strain = 1e-3
    nu = get_material("Ag").poisson_ratio.value
    device = _bar(axisymmetric)
    u = _solve_bar(device, delta_T=0.0, end_strain=strain)
    contraction = mean_displacement(u, device, "outer")[0] / RADIUS
    assert abs(contraction + nu * strain) < 0.01 * nu * strain, (
        f"lateral strain {contraction:.4e}, expected {-nu * strain:.4e}")
    # interior interface: the gap between mid-plane and bottom opens by eps L/2
    mid = mean_displacement(u, device, "mid")[device.axial_index]
    assert abs(mid - strain * LENGTH / 2) < 0.01 * strain * LENGTH / 2


# --- manufactured solutions --------------------------------------------------------------------

YOUNG, NU, ALPHA = 1.0, 0.3, 0.5
LAMBDA, MU = YOUNG * NU / ((1 + NU) * (1 - 2 * NU)), YOUNG / (2 * (1 + NU))


def _axisymmetric_source(u_r, u_z, dT, x):
    """f = -div(sigma) in cylindrical components, sigma from the exact fields."""
    def d(f, i):
        return ufl.grad(f)[i]

    th = ALPHA * dT
    e_rr, e_tt, e_zz = d(u_r, 0) - th, u_r / x[0] - th, d(u_z, 1) - th
    e_rz = 0.5 * (d(u_r, 1) + d(u_z, 0))
    trace = e_rr + e_tt + e_zz
    s_rr, s_tt, s_zz = (LAMBDA * trace + 2 * MU * e for e in (e_rr, e_tt, e_zz))
    s_rz = 2 * MU * e_rz
    return ufl.as_vector([-(d(s_rr, 0) + d(s_rz, 1) + (s_rr - s_tt) / x[0]),
                          -(d(s_rz, 0) + d(s_zz, 1) + s_rz / x[0])])


def _cartesian_source(u, dT):
    eps = ufl.sym(ufl.grad(u)) - ALPHA * dT * ufl.Identity(3)
    sigma = LAMBDA * ufl.tr(eps) * ufl.Identity(3) + 2 * MU * eps
    return -ufl.div(sigma)


def _mms_errors(n: int, degree: int, axisymmetric: bool) -> tuple[float, float]:
    comm = MPI.COMM_WORLD
    pi = ufl.pi
    if axisymmetric:
        domain = mesh.create_unit_square(comm, n, n)
        x = ufl.SpatialCoordinate(domain)
        u_r = ufl.sin(pi * x[0]) * ufl.cos(pi * x[1])
        u_z = ufl.cos(pi * x[0]) * ufl.sin(pi * x[1])
        dT = ufl.cos(pi * x[0]) * x[1]
        exact = ufl.as_vector([u_r, u_z])
        source = _axisymmetric_source(u_r, u_z, dT, x)
    else:
        domain = mesh.create_unit_cube(comm, n, n, n)
        x = ufl.SpatialCoordinate(domain)
        s, c = [ufl.sin(pi * xi) for xi in x], [ufl.cos(pi * xi) for xi in x]
        exact = ufl.as_vector([s[0] * c[1] * c[2], c[0] * s[1] * c[2], c[0] * c[1] * s[2]])
        dT = x[0] * x[1] + x[2]
        source = _cartesian_source(exact, dT)
    device = single_region_device(domain, axisymmetric)
    gdim = domain.geometry.dim
    space = fem.functionspace(domain, ("Lagrange", degree, (gdim,)))
    u = fem.Function(space)
    physics = ThermoElasticity(youngs_modulus=YOUNG, poisson_ratio=NU, thermal_expansion=ALPHA,
                               delta_T=dT, body_force=source)
    residual = physics.residual(u, ufl.TestFunction(space), device)
    residual = ufl.Form([itg.reconstruct(metadata={"quadrature_degree": 2 * degree + 3})
                         for itg in residual.integrals()])
    # exact values on the whole boundary; on the axis r = 0 only u_r = 0 (u_z is free there)
    boundary_values = fem.Function(space)
    boundary_values.interpolate(fem.Expression(exact, space.element.interpolation_points))
    fdim = gdim - 1
    facets = device.facets("boundary")
    if axisymmetric:
        mid = mesh.compute_midpoints(domain, fdim, facets)
        on_axis = mid[:, 0] < 1e-12
        bcs = [fem.dirichletbc(boundary_values, fem.locate_dofs_topological(
            space, fdim, facets[~on_axis]))]
        bcs.append(fem.dirichletbc(0.0, fem.locate_dofs_topological(
            space.sub(0), fdim, facets[on_axis]), space.sub(0)))
    else:
        bcs = [fem.dirichletbc(boundary_values, fem.locate_dofs_topological(space, fdim, facets))]
    with NewtonProblem(f"elasticity_mms_{degree}", residual, u, bcs) as problem:
        problem.solve()
    return weighted_error_norms(u, exact, device, degree)


@pytest.mark.parametrize(
    ("axisymmetric", "degree", "sizes"),
    [(True, 1, (8, 16, 32)), (True, 2, (4, 8, 16)),
     (False, 1, (4, 8, 16)), (False, 2, (3, 6, 12))])
def test_elasticity_mms_rates(axisymmetric, degree, sizes):
    assert_optimal_rates([_mms_errors(n, degree, axisymmetric) for n in sizes], degree)
