"""Capillarity of the Allen-Cahn filament phase (T7 of the filament-dynamics tests).

At zero reaction a metal cylinder of radius r shrinks by mean-curvature flow at the capillary
mobility K = v0 gamma Omega / (k_B T): r^2 = r0^2 - 2 K t (the sharp-interface limit of the
Allen-Cahn equation, Allen & Cahn, Acta Metall. 27, 1085 (1979)). With the reaction at zero bias
an atomic thread dissolves at the full Butler-Volmer rate of its Gibbs-Thomson overpotential,
dr/dt = -v0 (e^{y/2} - e^{-y/2}), y = gamma Omega / (k_B T r) (3.3 at r = 1.5 nm for Ag),
integrated here by an independent ODE solver. The cylinder is the axisymmetric (r, z) slab of a
filament along z; its radius is read from the metal amount pi r^2 L = int xi dV.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx.mesh import create_rectangle
from mpi4py import MPI

from apcfem.coupling.newton import NewtonProblem
from apcfem.materials import get_material
from apcfem.materials.laws import BOLTZMANN_J_PER_K, FARADAY_C_PER_MOL, molar_density_mol_per_m3
from apcfem.mesh import single_region_device
from apcfem.physics.phase_field import AllenCahnDeposition

NM = 1e-9


def _ag_capillary_mobility(j0_A_per_m2: float = 10.0, T_K: float = 300.0) -> float:
    """K = v0 gamma Omega / (k_B T) of Ag with v0 = j0 / (z F c_m) [m^2/s]."""
    ag = get_material("Ag")
    c_m = molar_density_mol_per_m3(ag.density_kg_per_m3.value, ag.molar_mass_kg_per_mol.value)
    v0 = j0_A_per_m2 / (FARADAY_C_PER_MOL * c_m)
    return v0 * ag.surface_energy_J_per_m2.value * ag.atomic_volume_m3.value / (
        BOLTZMANN_J_PER_K * T_K)


def test_ag_capillary_mobility_from_thermodynamics():
    # capillary length gamma Omega / k_B T of Ag at 300 K is ~5 nm (gamma 1.25 J/m^2,
    # Omega 1.71e-29 m^3): K / v0 must be that length, not a free number
    ag = get_material("Ag")
    length = ag.surface_energy_J_per_m2.value * ag.atomic_volume_m3.value / (
        BOLTZMANN_J_PER_K * 300.0)
    assert 4.5e-9 < length < 5.5e-9
    K = _ag_capillary_mobility()
    assert K == pytest.approx(length * 10.0 / (FARADAY_C_PER_MOL * 97_340.0), rel=2e-3)


@pytest.mark.parametrize("lumped", [False, True])
def test_cylinder_shrinks_at_the_capillary_rate(lumped):
    """With the local terms at the residual quadrature or lumped at the vertices (the nodal
    weight of the axisymmetric volume, ``ecm.lumped_phase``)."""
    comm = MPI.COMM_WORLD
    r0, width, height = 2.0 * NM, 0.15 * NM, 0.2 * NM
    mesh = create_rectangle(comm, [[0.0, 0.0], [4.0 * NM, height]], [200, 4])
    device = single_region_device(mesh, axisymmetric=True)
    K = _ag_capillary_mobility()
    space = fem.functionspace(mesh, ("Lagrange", 1))
    xi, xi_old = fem.Function(space), fem.Function(space)
    xi.interpolate(lambda x: 0.5 * (1.0 - np.tanh((x[0] - r0) / width)))
    xi_old.x.array[:] = xi.x.array
    dt = fem.Constant(mesh, 0.0)
    phase = AllenCahnDeposition(interface_width_m=width, capillary_mobility_m2_per_s=K,
                                deposition_velocity_m_per_s=0.0,
                                lumped_weight=device.nodal_weight() if lumped else None)
    problem = NewtonProblem("capillary", phase.residual(
        xi, ufl.TestFunction(space), device, xi_old=xi_old, dt=dt, dissolution_current=0.0),
        xi)
    amount = fem.form(phase.amount(xi, device, 1.0))

    def radius_squared():
        volume = comm.allreduce(fem.assemble_scalar(amount), op=MPI.SUM)
        return volume / (np.pi * height)

    # shrink r^2 by ~1.6 nm^2 in 40 steps
    t_end = 1.6e-18 / (2 * K)
    dt.value = t_end / 40
    times, r2 = [0.0], [radius_squared()]
    for step in range(1, 41):
        problem.solve()
        xi_old.x.array[:] = xi.x.array
        times.append(step * dt.value)
        r2.append(radius_squared())
    problem.close()
    slope = np.polyfit(times[5:], r2[5:], 1)[0]
    assert slope == pytest.approx(-2 * K, rel=0.02), f"dr^2/dt = {slope:.4e}, -2K = {-2 * K:.4e}"


def test_atomic_thread_dissolves_at_the_exponential_gibbs_thomson_rate():
    """A 1.5 nm Ag cylinder at zero bias, curvature-free phase field with the level-set
    curvature (the ``ecm.curvature = "level_set"`` model): the radius lost in ~0.35 nm of
    shrinkage agrees with the ODE of the exponential law within 6 % (the rate's logarithmic
    derivative in kappa is 1.8 at y = 3.3, so 6 % is ~3 % of curvature; the linear law K kappa
    would be 1.5x slower). Steps are cut back on a failed solve, as in a simulation. The mesh
    (h = 0.05 nm = lambda / 3) resolves the reaction band: at h = 0.1 nm the thread dissolved
    1.5x too fast (0.54 nm against 0.36 nm), with either curvature split."""
    from scipy.integrate import solve_ivp

    from apcfem.coupling.mixed import BlockNewtonProblem
    from apcfem.coupling.newton import NewtonProblem, SolverDivergedError
    from apcfem.physics.interface_curvature import LevelSetCurvature
    from apcfem.physics.phase_field import butler_volmer_ratio, reduced_gibbs_thomson

    comm = MPI.COMM_WORLD
    r0, width, height = 1.5 * NM, 0.15 * NM, 0.2 * NM
    mesh = create_rectangle(comm, [[0.0, 0.0], [3.0 * NM, height]], [60, 4])
    device = single_region_device(mesh, axisymmetric=True)
    ag = get_material("Ag")
    capillary_length = ag.surface_energy_J_per_m2.value * ag.atomic_volume_m3.value / (
        BOLTZMANN_J_PER_K * 300.0)
    K = _ag_capillary_mobility()
    v0 = K / capillary_length
    spaces = [fem.functionspace(mesh, ("Lagrange", 1)) for _ in range(3)]
    unknowns = [fem.Function(V) for V in spaces]
    xi, *geometry = unknowns
    xi_old = fem.Function(spaces[0])
    xi.interpolate(lambda x: 0.5 * (1.0 - np.tanh((x[0] - r0) / width)))
    dt = fem.Constant(mesh, 0.0)
    phase = AllenCahnDeposition(interface_width_m=width, capillary_mobility_m2_per_s=K,
                                deposition_velocity_m_per_s=v0)
    estimator = LevelSetCurvature(interface_width_m=width)
    curvature = estimator.curvature(geometry, xi)
    v_xi, *v_geometry = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    residual = (phase.residual(xi, v_xi, device, xi_old=xi_old, dt=dt,
                               dissolution_current=butler_volmer_ratio(
                                   reduced_gibbs_thomson(curvature, capillary_length), 0.5),
                               cancelled_curvature=curvature)
                + sum(estimator.residuals(geometry, xi, v_geometry, device)))
    starts = estimator.residuals(geometry, xi, [ufl.TestFunction(V) for V in spaces[1:]], device)
    for unknown, form in zip(geometry, starts, strict=True):
        with NewtonProblem("geometry", form, unknown) as start:
            start.solve()  # the distance and curvature of the initial profile
    amount = fem.form(phase.amount(xi, device, 1.0))

    def radius():
        return np.sqrt(comm.allreduce(fem.assemble_scalar(amount), op=MPI.SUM)
                       / (np.pi * height))

    def exact_rate(t, r):
        y = capillary_length / r[0]
        return [-v0 * (np.exp(0.5 * y) - np.exp(-0.5 * y))]

    t_end = 0.3 * NM / -exact_rate(0.0, [r0])[0]
    largest = t_end / 40
    t, step, times, radii = 0.0, largest / 100, [0.0], [radius()]
    with BlockNewtonProblem("thread", residual, unknowns) as problem:
        while t < t_end * (1 - 1e-12):
            dt.value = min(step, t_end - t)
            accepted = [u.x.array.copy() for u in unknowns]
            xi_old.x.array[:] = xi.x.array
            try:
                problem.solve()
            except SolverDivergedError:
                for u, values in zip(unknowns, accepted, strict=True):
                    u.x.array[:] = values
                step /= 4
                continue
            t += float(dt.value)
            times.append(t)
            radii.append(radius())
            step = min(1.5 * step, largest)
    times, radii = np.array(times), np.array(radii)
    settled = np.searchsorted(times, 0.1 * t_end)  # the profile has relaxed
    exact = solve_ivp(exact_rate, (times[settled], t_end), [radii[settled]],
                      t_eval=times[settled:], rtol=1e-10, atol=1e-20).y[0]
    lost, exact_lost = radii[settled] - radii[-1], exact[0] - exact[-1]
    assert lost == pytest.approx(exact_lost, rel=0.06), (
        f"radius lost {lost / NM:.4f} nm, exponential law {exact_lost / NM:.4f} nm")


@pytest.mark.timeout(600)
@pytest.mark.parametrize("curvature", [
    "laplacian",
    # serial only: the level-set block on 2 ranks is the ECM 1-vs-2-rank test's
    pytest.param("level_set", marks=pytest.mark.serial)])
def test_electrolyte_in_gibbs_thomson_equilibrium_with_a_nucleus(curvature):
    """A hemispherical Ag nucleus (R = 2 nm, kappa = 2/R) on the inert cathode at zero bias,
    with a blocking anode: no net reaction once the interface has relaxed, so the oxidation
    overpotential phi_m - phi_e + gamma Omega kappa / (z e) vanishes and the electrolyte sits
    2 gamma Omega / (e R) (0.132 V) above the metal (the electrochemical form of the equilibrium
    concentration c_ref exp(gamma Omega kappa / k_B T))."""
    import apcfem
    from apcfem.coupling.ecm_cell import EcmCell
    from apcfem.coupling.newton import SolverDivergedError
    from apcfem.materials.laws import ELEMENTARY_CHARGE_C
    from apcfem.mesh import PointProbe

    cfg = apcfem.update_case(apcfem.load_case(apcfem.bundled_case("ecm_ag_sio2_pt_sweep")), {
        # the equilibrium does not depend on j0; 10 A/m^2 relaxes the profile in ~lambda^2 / K
        # ~ 10 ms (the case's calibrated 1e-2 A/m^2 would take ~10 s)
        "ecm.exchange_current_density_A_per_m2": 10.0,
        "ecm.anode_exchange_current_density_A_per_m2": 1e-9, "ecm.nucleus_radius_nm": 2.0,
        "ecm.initial_filament": "nucleus",
        # a free nucleus: no host matrix holding it
        "ecm.matrix": False, "ecm.channel_radius_nm": None,
        # nor on the ions: the faster 0.6 eV ions (library hop) equilibrate the electrolyte
        "ecm.activation_energy_eV": 0.6, "ecm.hopping_distance_nm": None,
        "ecm.heat": False, "mesh.refinement_radius_nm": 3.5, "mesh.min_size_nm": 0.1,
        "ecm.curvature": curvature})
    cell = EcmCell(cfg, MPI.COMM_WORLD)
    far = PointProbe(cell.device.mesh, np.array([[4.5e-9, 6.5e-9, 0.0]]))
    cell.contact.set_cut(5e-9, 0.0, 0.0)
    cell.contact.solve_cell_resistance()
    t, dt = 0.0, 1e-9
    while t < 1.0:  # the profile relaxes in ~lambda^2 / K ~ 10 ms
        try:
            cell.advance(t, dt, 0.0)
        except SolverDivergedError:  # cut back, as the simulation's step control does
            cell.reject()
            dt /= 4
            continue
        cell.accept()
        t, dt = t + dt, dt * 1.5
    volume = cell.inventory()["filament_mol"] / cell.c_metal
    radius = (3 * volume / (2 * np.pi)) ** (1 / 3)
    ag = get_material("Ag")
    expected = 2 * ag.surface_energy_J_per_m2.value * ag.atomic_volume_m3.value / (
        ELEMENTARY_CHARGE_C * radius)
    phi_e = float(far(cell.phi_e)[0])
    cell.close()
    assert phi_e == pytest.approx(expected, rel=0.02), f"{phi_e:.5f} V vs {expected:.5f} V"


@pytest.mark.parametrize(("shape", "radius_nm", "bias", "spread"), [
    ("cylinder", 0.25, 0.01, 0.01), ("cylinder", 0.47, 0.01, 0.01),
    ("sphere", 0.5, 0.03, 0.2), ("sphere", 1.0, 0.03, 0.1)])
def test_level_set_curvature_on_the_device_mesh(shape, radius_nm, bias, spread):
    """Tanh profiles of a neck (cylinder about the axis) and a tip (sphere on the axis) on the
    ECM case's mesh at h = lambda = 0.15 nm: the curvature carried to the xi = 1/2 surface,
    against 1/R and 2/R, averaged with the reaction's weight h'(xi): mean error below ``bias``,
    mean absolute error below ``spread`` (necks are exact up to round-off; on a sphere the
    parallel-surface map is exact only to first order and axis nodes are the worst)."""
    import apcfem
    from apcfem.coupling.cell_heat import LINEAR
    from apcfem.coupling.newton import NewtonProblem
    from apcfem.mesh import build_device_mesh
    from apcfem.mesh.switching_layer import switching_layer_device
    from apcfem.physics.interface_curvature import LevelSetCurvature

    cfg = apcfem.update_case(apcfem.load_case(apcfem.bundled_case("ecm_ag_sio2_pt_sweep")),
                             {"mesh.min_size_nm": 0.15})
    device = switching_layer_device(build_device_mesh(cfg.geometry, cfg.mesh, MPI.COMM_WORLD),
                                    cfg.geometry)
    width, centre = 0.15 * NM, 4.5 * NM
    spaces = [fem.functionspace(device.mesh, ("Lagrange", 1)) for _ in range(3)]
    xi, *geometry = (fem.Function(V) for V in spaces)
    if shape == "cylinder":
        xi.interpolate(lambda x: 0.5 * (1 - np.tanh((x[0] - radius_nm * NM) / width)))
        exact = 1.0 / (radius_nm * NM)
    else:
        xi.interpolate(lambda x: 0.5 * (1 - np.tanh(
            (np.hypot(x[0], x[1] - centre) - radius_nm * NM) / width)))
        exact = 2.0 / (radius_nm * NM)
    estimator = LevelSetCurvature(interface_width_m=width)
    forms = estimator.residuals(geometry, xi, [ufl.TestFunction(V) for V in spaces[1:]], device)
    for unknown, form in zip(geometry, forms, strict=True):
        with NewtonProblem("geometry", form, unknown, petsc_options=LINEAR) as problem:
            problem.solve()
    curvature = fem.Function(spaces[0])
    curvature.interpolate(fem.Expression(estimator.curvature(geometry, xi),
                                         spaces[0].element.interpolation_points))
    owned = spaces[0].dofmap.index_map.size_local
    values = xi.x.array[:owned]
    weight = 30 * values**2 * (1 - values) ** 2 * (np.abs(values - 0.5) < 0.45)
    error = curvature.x.array[:owned] / exact - 1.0
    comm = device.comm
    total = comm.allreduce(weight.sum(), op=MPI.SUM)
    mean = comm.allreduce(np.sum(weight * error), op=MPI.SUM) / total
    mean_abs = comm.allreduce(np.sum(weight * np.abs(error)), op=MPI.SUM) / total
    assert abs(mean) < bias, f"h'-weighted mean error {mean:+.3f}"
    assert mean_abs < spread, f"h'-weighted mean |error| {mean_abs:.3f}"


def test_lumped_weight_integrates_p1_fields_exactly_and_is_positive_on_the_axis():
    """The nodal weight of the lumped phase field: the vertex rule of W f gives int 2 pi r f
    of a P1 field f exactly (the metal amount and the ions' deposition source agree with the
    consistent integral), and W > 0 on the axis (lumped mass rows there are not empty)."""
    comm = MPI.COMM_WORLD
    mesh = create_rectangle(comm, [[0.0, 0.0], [2.0 * NM, 1.0 * NM]], [7, 5])
    device = single_region_device(mesh, axisymmetric=True)
    weight = device.nodal_weight()
    f = fem.Function(weight.function_space)
    f.interpolate(lambda x: 1.0 + 3.0 * x[0] / NM - 2.0 * x[1] / NM)
    lumped = fem.form(weight * f * ufl.dx(domain=mesh, scheme="vertex", degree=1))
    exact = fem.form(2 * np.pi * ufl.SpatialCoordinate(mesh)[0] * f * ufl.dx(domain=mesh))
    values = [comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM) for form in (lumped, exact)]
    assert values[0] == pytest.approx(values[1], rel=1e-12)
    assert weight.x.array.min() > 0.0
