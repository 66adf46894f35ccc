"""Verification of the heat equation (apcfem.physics.heat), steady and transient.

* Time order: a sine mode in a 1-D slab with both faces at T0 decays as
  T0 + A sin(pi x/L) exp(-kappa pi^2 t/L^2) (Carslaw & Jaeger, Conduction of Heat in Solids,
  2nd ed., 1959, sec. 3.3); backward Euler converges at order 1 and BDF2 at order 2 in dt.
* Space: manufactured solution linear in time (both schemes are exact in time), with k(T)
  nonlinear and Robin sinks on the whole boundary, axisymmetric and 3-D, P1 and P2.
* Joule wire: a wire heated by a voltage V between two sinks, run to steady state by the
  transient solver, reaches T_max = T0 + sigma V^2/(8k) (+ q L/(2h) with Robin sinks).
* Wiedemann-Franz: with k = L0 sigma T a constricted contact between sinks at T0 reaches
  T_max^2 = T0^2 + V^2/(4 L0), and T^2 = T0^2 + phi (V - phi)/L0 everywhere.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mms_support import assert_optimal_rates, smooth_profile, unit_device, weighted_error_norms
from mpi4py import MPI

from apcfem.coupling import NewtonProblem
from apcfem.materials import LORENZ_W_OHM_PER_K2, get_material
from apcfem.mesh import DeviceMesh, single_region_device
from apcfem.physics import Conduction, Heat
from apcfem.physics.heat import HeatSink, TransientHeat, wiedemann_franz_k

T0_K = 300.0


def _device(domain: mesh.Mesh, axisymmetric: bool, planes: dict[str, tuple[int, float]]):
    """One region ``domain``; boundary facets on the plane x[axis] = value tagged by name."""
    fdim = domain.topology.dim - 1
    domain.topology.create_connectivity(fdim, fdim + 1)
    extent = domain.comm.allreduce(float(np.ptp(domain.geometry.x, axis=0).max()), op=MPI.MAX)
    names = sorted(planes)
    found = [mesh.locate_entities_boundary(
        domain, fdim, lambda x, a=planes[n][0], c=planes[n][1]: np.abs(x[a] - c) < 1e-9 * extent)
        for n in names]
    facets = np.concatenate(found).astype(np.int32)
    values = np.concatenate([np.full(len(f), i + 1, dtype=np.int32) for i, f in enumerate(found)])
    order = np.argsort(facets)
    cells = np.arange(domain.topology.index_map(fdim + 1).size_local, dtype=np.int32)
    return DeviceMesh(
        mesh=domain, cell_tags=mesh.meshtags(domain, fdim + 1, cells, np.ones_like(cells)),
        facet_tags=mesh.meshtags(domain, fdim, facets[order], values[order]),
        regions={"domain": 1}, boundaries={n: i + 1 for i, n in enumerate(names)},
        axisymmetric=axisymmetric)


def _max(u: fem.Function) -> float:
    return u.function_space.mesh.comm.allreduce(float(u.x.array.max(initial=-np.inf)), op=MPI.MAX)


def _norm(form: ufl.Form) -> float:
    """Square root of an integral, summed over ranks."""
    return np.sqrt(MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM))


# --- time order --------------------------------------------------------------------------------


def _sine_mode_error(scheme: str, steps: int) -> float:
    """Relative L2 error at t = tau (one e-fold) of a decaying sine mode in an SiO2 slab."""
    comm = MPI.COMM_WORLD
    sio2 = get_material("SiO2")
    k = sio2.thermal_conductivity_W_per_mK.value
    rho_cp = sio2.density_kg_per_m3.value * sio2.heat_capacity_J_per_kgK.value
    length, amplitude = 100e-9, 50.0
    tau = length**2 * rho_cp / (k * np.pi**2)
    domain = mesh.create_interval(comm, 64, [0.0, length])
    device = single_region_device(domain, axisymmetric=False)
    space = fem.functionspace(domain, ("Lagrange", 2))
    T, T_old, T_older = fem.Function(space), fem.Function(space), fem.Function(space)
    T_old.interpolate(lambda x: T0_K + amplitude * np.sin(np.pi * x[0] / length))
    T.x.array[:] = T_old.x.array
    dt = fem.Constant(domain, tau / steps)
    ratio = fem.Constant(domain, 0.0)  # first BDF2 step is backward Euler
    heat = TransientHeat(k=k, rho_cp=rho_cp)
    residual = heat.time_residual(T, ufl.TestFunction(space), device, T_old=T_old, dt=dt,
                                  scheme=scheme, T_older=T_older if scheme == "bdf2" else None,
                                  step_ratio=ratio)
    dofs = fem.locate_dofs_topological(space, 0, device.facets("boundary"))
    problem = NewtonProblem(f"heat_{scheme}", residual, T, [fem.dirichletbc(T0_K, dofs, space)])
    for _ in range(steps):
        problem.solve()
        T_older.x.array[:] = T_old.x.array
        T_old.x.array[:] = T.x.array
        ratio.value = 1.0
    problem.close()
    x = ufl.SpatialCoordinate(domain)
    exact = T0_K + amplitude * ufl.sin(ufl.pi * x[0] / length) * np.exp(-1.0)
    dx = ufl.Measure("dx", domain=domain, metadata={"quadrature_degree": 8})
    return _norm((T - exact) ** 2 * dx) / _norm((exact - T0_K) ** 2 * dx)


@pytest.mark.parametrize(("scheme", "order"), [("backward_euler", 1), ("bdf2", 2)])
def test_transient_sine_mode_time_order(scheme, order):
    errors = np.array([_sine_mode_error(scheme, n) for n in (10, 20, 40)])
    rates = np.log2(errors[:-1] / errors[1:])
    assert np.all(np.abs(rates - order) < 0.1), f"{scheme}: errors {errors}, rates {rates}"


# --- spatial MMS -------------------------------------------------------------------------------


def _mms_errors(n: int, degree: int, axisymmetric: bool) -> tuple[float, float]:
    """Errors after two BDF2 steps of T = (1 + t) u(x), k = 1 + T^2/4, Robin sinks everywhere."""
    device = unit_device(n, axisymmetric)
    domain = device.mesh
    ufl.SpatialCoordinate(domain)
    u_x = 2.0 + smooth_profile(device)
    t = fem.Constant(domain, 0.0)
    exact = (1.0 + t) * u_x

    def k_of(T):
        return 1.0 + 0.25 * T**2

    rho_cp, h = 1.5, 2.0
    w = device.weight()
    source = rho_cp * u_x - ufl.div(w * k_of(exact) * ufl.grad(exact)) / w
    normal = ufl.FacetNormal(domain)
    sink_T = exact + k_of(exact) * ufl.dot(ufl.grad(exact), normal) / h
    space = fem.functionspace(domain, ("Lagrange", degree))
    T, T_old, T_older = fem.Function(space), fem.Function(space), fem.Function(space)
    T_old.interpolate(fem.Expression(exact, space.element.interpolation_points))
    T.x.array[:] = T_old.x.array
    T_older.x.array[:] = T_old.x.array
    dt, ratio = fem.Constant(domain, 0.1), fem.Constant(domain, 0.0)
    heat = TransientHeat(k=k_of(T), rho_cp=rho_cp, sources=(source,),
                         sinks=(HeatSink("boundary", h, sink_T),))
    residual = heat.time_residual(T, ufl.TestFunction(space), device, T_old=T_old, dt=dt,
                                  scheme="bdf2", T_older=T_older, step_ratio=ratio)
    # the manufactured source would make UFL estimate a quadrature degree near 30
    residual = ufl.Form([itg.reconstruct(metadata={"quadrature_degree": 2 * degree + 3})
                         for itg in residual.integrals()])
    problem = NewtonProblem(f"heat_mms_{degree}", residual, T)
    for _ in range(2):
        t.value += dt.value
        problem.solve()
        T_older.x.array[:] = T_old.x.array
        T_old.x.array[:] = T.x.array
        ratio.value = 1.0
    problem.close()
    return weighted_error_norms(T, exact, device, degree)


@pytest.mark.parametrize(
    ("axisymmetric", "degree", "sizes"),
    [(True, 1, (8, 16, 32)), (True, 2, (4, 8, 16)),
     (False, 1, (6, 12, 24)), (False, 2, (4, 8, 16))])
def test_heat_mms_rates(axisymmetric, degree, sizes):
    assert_optimal_rates([_mms_errors(n, degree, axisymmetric) for n in sizes], degree)


# --- Joule wire, transient run to steady state -------------------------------------------------


def _potential(device: DeviceMesh, sigma, voltage_V: float, degree: int) -> fem.Function:
    """phi with V on ``top`` and 0 on ``bottom``, insulated elsewhere."""
    space = fem.functionspace(device.mesh, ("Lagrange", degree))
    phi = fem.Function(space)
    fdim = device.mesh.topology.dim - 1
    bcs = [fem.dirichletbc(value, fem.locate_dofs_topological(space, fdim, device.facets(name)),
                           space) for name, value in (("top", voltage_V), ("bottom", 0.0))]
    conduction = Conduction(sigma=sigma)
    with NewtonProblem("wire_phi", conduction.residual(phi, ufl.TestFunction(space), device), phi,
                       bcs) as problem:
        problem.solve()
    return phi


@pytest.mark.parametrize("sink", ["dirichlet", "robin"])
def test_joule_wire_transient_reaches_steady_tmax(sink):
    """Ag wire (axisymmetric), 0.1 V over 20 nm, BDF2 with growing steps to t = 50 tau."""
    ag = get_material("Ag")
    sigma, k = ag.electrical_conductivity_S_per_m.value, ag.thermal_conductivity_W_per_mK.value
    rho_cp = ag.density_kg_per_m3.value * ag.heat_capacity_J_per_kgK.value
    radius, length, voltage = 5e-9, 20e-9, 0.1
    domain = mesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [radius, length]], [4, 16])
    device = _device(domain, True, {"bottom": (1, 0.0), "top": (1, length)})
    phi = _potential(device, sigma, voltage, degree=2)
    q = sigma * (voltage / length) ** 2  # W/m^3
    expected = T0_K + sigma * voltage**2 / (8 * k)
    if sink == "robin":
        h = 2 * k / length  # W/(m^2 K): the contact adds q L/(2h) = 2x the wire's own rise
        sinks = tuple(HeatSink(name, h, T0_K) for name in ("bottom", "top"))
        expected += q * length / (2 * h)
    else:
        sinks = ()

    space = phi.function_space
    T, T_old, T_older = fem.Function(space), fem.Function(space), fem.Function(space)
    for f in (T, T_old, T_older):
        f.x.array[:] = T0_K
    heat = TransientHeat(k=k, rho_cp=rho_cp, sinks=sinks,
                         sources=(Conduction(sigma=sigma).joule_power_density(phi),))
    tau = length**2 * rho_cp / k
    dt, ratio = fem.Constant(domain, 1e-3 * tau), fem.Constant(domain, 0.0)
    residual = heat.time_residual(T, ufl.TestFunction(space), device, T_old=T_old, dt=dt,
                                  scheme="bdf2", T_older=T_older, step_ratio=ratio)
    bcs = []
    if sink == "dirichlet":
        bcs = [fem.dirichletbc(T0_K, fem.locate_dofs_topological(space, 1, device.facets(name)),
                               space) for name in ("bottom", "top")]
    problem = NewtonProblem(f"wire_{sink}", residual, T, bcs)
    t, growth = 0.0, 1.5
    while t < 50 * tau:
        problem.solve()
        t += dt.value
        T_older.x.array[:] = T_old.x.array
        T_old.x.array[:] = T.x.array
        dt.value *= growth
        ratio.value = growth
    problem.close()
    t_max = _max(T)
    assert abs(t_max - expected) < 0.01 * (expected - T0_K), (
        f"T_max {t_max:.2f} K, expected {expected:.2f} K")


# --- Wiedemann-Franz contact -------------------------------------------------------------------


def test_wiedemann_franz_contact_tmax():
    """Axisymmetric constriction: sigma focused into a neck of radius ~1.5 nm at mid-height."""
    size, voltage = 10e-9, 0.2
    domain = mesh.create_unit_square(MPI.COMM_WORLD, 32, 32)
    domain.geometry.x[:, :2] *= size
    device = _device(domain, True, {"bottom": (1, 0.0), "top": (1, size)})
    x = ufl.SpatialCoordinate(domain)
    r, z = x[0] / size, x[1] / size
    neck_radius = 0.15 + 2.0 * (z - 0.5) ** 2
    sigma = 6.3e7 * (0.01 + 1.0 / (1.0 + ufl.exp((r - neck_radius) / 0.04)))
    phi = _potential(device, sigma, voltage, degree=2)
    space = phi.function_space
    T = fem.Function(space)
    T.x.array[:] = T0_K
    heat = Heat(k=wiedemann_franz_k(sigma, T),
                sources=(Conduction(sigma=sigma).joule_power_density(phi),))
    bcs = [fem.dirichletbc(T0_K, fem.locate_dofs_topological(space, 1, device.facets(name)),
                           space) for name in ("bottom", "top")]
    with NewtonProblem("wf_heat", heat.residual(T, ufl.TestFunction(space), device), T, bcs) as problem:
        problem.solve()
    expected = np.sqrt(T0_K**2 + voltage**2 / (4 * LORENZ_W_OHM_PER_K2))
    t_max = _max(T)
    assert abs(t_max - expected) < 0.01 * (expected - T0_K), (
        f"T_max {t_max:.1f} K, expected {expected:.1f} K")
    # the phi-theta relation holds everywhere, not only at the hottest point
    relation = T0_K**2 + phi * (voltage - phi) / LORENZ_W_OHM_PER_K2
    dx = device.dx()
    misfit = _norm((T**2 - relation) ** 2 * dx) / _norm((relation - T0_K**2) ** 2 * dx)
    assert misfit < 0.01, f"relative L2 misfit of T^2 = T0^2 + phi (V - phi)/L0: {misfit:.2e}"
