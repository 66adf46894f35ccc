"""Verification of Nernst-Planck (log-density) and Poisson with space charge.

1. Manufactured solution of the steady Nernst-Planck operator with a given potential and
   temperature, every term on (Arrhenius D(T), Einstein drift with Mott-Gurney hopping, Soret),
   axisymmetric (r, z) and 3-D, P1 and P2: w = ln(c/c_ref) converges at L2 p + 1, H1 p.
2. Drift to a blocking wall at cell Peclet number 100 (a column of 4 cells across 400 V_T): the
   steady state must be the Boltzmann profile c ~ exp(-z phi / V_T), positive everywhere.
3. A closed cell (all boundaries blocking) with drift conserves the amount over 100 backward-Euler
   steps, for one species in a given field and for a self-consistent Poisson-Nernst-Planck pair.
4. Butler-Volmer exchange: over one step the amount changes by exactly dt * int j/(zF) dS, and an
   anodic overpotential injects ions.
5. A 1:1 electrolyte against a charged wall (monolithic PNP) matches Gouy-Chapman,
   tanh(psi/4) = tanh(psi_0/4) exp(-x/lambda_D), lambda_D^2 = eps k_B T / (e^2 N_A sum z^2 c).

All tests use COMM_WORLD, so ``mpiexec -n 2 pytest`` runs them on a partitioned mesh.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from mms_support import (
    assert_optimal_rates,
    exact_dirichlet_bc,
    unit_device,
    weighted_error_norms,
)

from apcfem.coupling import NewtonProblem
from apcfem.coupling.mixed import BlockNewtonProblem, backward_euler
from apcfem.materials.laws import (
    BOLTZMANN_J_PER_K,
    ELEMENTARY_CHARGE_C,
    EPSILON_0_F_PER_M,
    FARADAY_C_PER_MOL,
)
from apcfem.mesh import DeviceMesh
from apcfem.physics.nernst_planck import ButlerVolmer, NernstPlanck, Species
from apcfem.physics.poisson import SpaceChargePoisson

T_K = 300.0
VT = BOLTZMANN_J_PER_K * T_K / ELEMENTARY_CHARGE_C  # thermal voltage [V]
D = 1e-12  # diffusivity of the verification species [m^2/s]


def _species(z: float = 1.0, c_ref: float = 1e3, **kwargs) -> Species:
    return Species(name=f"ion{z:+g}", charge_number=z, diffusivity_prefactor_m2_per_s=D,
                   activation_energy_eV=0.0, reference_concentration_mol_per_m3=c_ref, **kwargs)


def _column(radius_m: float, length_m: float, cells: tuple[int, int]) -> DeviceMesh:
    """Axisymmetric column (r, z) in [0, R] x [0, L], boundaries ``bottom`` and ``top``."""
    domain = mesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [radius_m, length_m]], cells)
    fdim = domain.topology.dim - 1
    tol = 1e-6 * length_m
    bottom = mesh.locate_entities_boundary(domain, fdim, lambda x: np.abs(x[1]) < tol)
    top = mesh.locate_entities_boundary(domain, fdim, lambda x: np.abs(x[1] - length_m) < tol)
    facets = np.concatenate([bottom, top])
    order = np.argsort(facets)
    values = np.concatenate([np.full_like(bottom, 1), np.full_like(top, 2)])
    domain.topology.create_connectivity(fdim, fdim + 1)
    tdim = domain.topology.dim
    cells_local = np.arange(domain.topology.index_map(tdim).size_local, dtype=np.int32)
    return DeviceMesh(
        mesh=domain, cell_tags=mesh.meshtags(domain, tdim, cells_local, np.ones_like(cells_local)),
        facet_tags=mesh.meshtags(domain, fdim, facets[order], values[order]),
        regions={"domain": 1}, boundaries={"bottom": 1, "top": 2}, axisymmetric=True)


def _owned(u: fem.Function, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """(coordinate along ``axis``, value) of the dofs of u on all ranks, sorted by coordinate."""
    n = u.function_space.dofmap.index_map.size_local
    x = u.function_space.tabulate_dof_coordinates()[:n, axis]
    comm = u.function_space.mesh.comm
    x = np.concatenate(comm.allgather(x))
    values = np.concatenate(comm.allgather(u.x.array[:n]))
    order = np.argsort(x, kind="stable")
    return x[order], values[order]


def _total(form: fem.Form) -> float:
    return MPI.COMM_WORLD.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


# -- 1. manufactured solution -----------------------------------------------------------------

def _mms_errors(n: int, degree: int, axisymmetric: bool) -> tuple[float, float]:
    device = unit_device(n, axisymmetric)
    domain = device.mesh
    x = ufl.SpatialCoordinate(domain)
    axial = device.axial_index
    # radial dependence through cos(pi r): every field is symmetric about the axis r = 0
    shape = ufl.cos(ufl.pi * x[0]) * (1.0 if axisymmetric else ufl.cos(ufl.pi * x[1]))
    exact = 0.5 * shape * ufl.cos(ufl.pi * x[axial]) + x[axial]  # w = ln(c/c_ref)
    phi = 0.05 * (x[axial] + shape * (1.0 + x[axial]))  # [V]: up to ~4 V_T
    T = 300.0 + 40.0 * shape * ufl.sin(ufl.pi * x[axial])  # [K]
    # unit-square scales: D ~ 0.5 m^2/s, hopping argument z a |E| / 2 V_T ~ 1, S_T grad T ~ 1
    species = Species(name="X+", charge_number=1.0, diffusivity_prefactor_m2_per_s=1.0,
                      activation_energy_eV=0.02, reference_concentration_mol_per_m3=2.0,
                      soret_coefficient_per_K=0.01, hop_distance_m=0.5)
    w_weight = device.weight()
    source = ufl.div(w_weight * NernstPlanck(species=species).flux(exact, phi, T)) / w_weight
    transport = NernstPlanck(species=species, source=source, quadrature_degree=2 * degree + 2)
    space = fem.functionspace(domain, ("Lagrange", degree))
    w = fem.Function(space)
    residual = transport.residual(w, ufl.TestFunction(space), device, phi=phi, T=T, dt=1.0)
    NewtonProblem(f"np_mms_{degree}", residual, w,
                  [exact_dirichlet_bc(space, exact, device)]).solve()
    return weighted_error_norms(w, exact, device, degree)


@pytest.mark.parametrize(
    ("axisymmetric", "degree", "sizes"),
    [(True, 1, (8, 16, 32)), (True, 2, (4, 8, 16)),
     (False, 1, (4, 8, 16)), (False, 2, (2, 4, 8))])
def test_nernst_planck_mms_rates(axisymmetric, degree, sizes):
    assert_optimal_rates([_mms_errors(n, degree, axisymmetric) for n in sizes], degree)


# -- 2. drift against a blocking wall at cell Peclet 100 --------------------------------------

def test_drift_to_blocking_wall_at_cell_peclet_100():
    length, cells, drop = 10e-9, 4, 400.0  # cell Peclet number z dphi / V_T = 100
    device = _column(length / 10, length, (1, cells))
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    species = _species()
    transport = NernstPlanck(species=species)
    z = ufl.SpatialCoordinate(device.mesh)[1]
    phi = drop * VT * z / length  # [V], drives the cations to the bottom wall
    w = fem.Function(space)  # flat initial guess c = c_ref
    residual = transport.residual(w, ufl.TestFunction(space), device, phi=phi, T=T_K,
                                  dt=length**2 / D)
    bc = transport.fixed_concentration(space, device, "bottom", 1e3)  # c(0) = c_ref
    # The residual weights each node by its concentration, so convergence relative to the
    # (large) initial residual would leave the depleted nodes at ~1e-3 c_ref; converge the
    # amount balance absolutely instead, to 1e-10 c_ref nm^3 per node.
    NewtonProblem("np_peclet", residual, w, [bc], petsc_options={
        "snes_rtol": 0.0, "snes_atol": 1e-10, "snes_max_it": 100}).solve()
    zs, ws = _owned(w, axis=1)
    c = species.reference_concentration_mol_per_m3 * np.exp(ws)  # [mol/m^3]
    boltzmann = 1e3 * np.exp(-drop * zs / length)
    assert c.min() > 0.0
    assert np.abs(c - boltzmann).max() < 1e-2 * boltzmann.max(), \
        f"max |c - c_Boltzmann| / c(0) = {np.abs(c - boltzmann).max() / boltzmann.max():.2e}"


# -- 3. closed cells ---------------------------------------------------------------------------

def test_closed_cell_conserves_amount():
    length = 10e-9
    device = _column(length, length, (16, 16))
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    species = _species(hop_distance_m=0.5e-9)
    transport = NernstPlanck(species=species)
    x = ufl.SpatialCoordinate(device.mesh)
    phi = (1.0 + 0.2 * ufl.cos(ufl.pi * x[0] / length)) * x[1] / length  # [V], Pe ~ 40
    w, w_old = fem.Function(space), fem.Function(space)
    w_old.interpolate(lambda p: np.log1p(0.5 * np.cos(np.pi * p[0] / length)
                                         * np.cos(np.pi * p[1] / length)))
    w.x.array[:] = w_old.x.array
    dt = 2e-3 * length**2 / D
    residual = transport.residual(w, ufl.TestFunction(space), device, phi=phi, T=T_K, dt=dt,
                                  c_old=species.concentration(w_old))
    amount = fem.form(transport.amount(w, device))
    start = _total(amount)
    backward_euler(NewtonProblem("np_closed", residual, w), [(w, w_old)], steps=100)
    drift = abs(_total(amount) / start - 1.0)
    c_bottom, c_top = (_total(fem.form(device.weight() * species.concentration(w)
                                       * device.ds(name))) for name in ("bottom", "top"))
    assert c_bottom > 1e3 * c_top, "the drift did not move the cations to the bottom"
    assert drift < 1e-10, f"relative change of the amount {drift:.2e} over 100 steps"


def test_closed_cell_pnp_conserves_both_species():
    length, c_ref = 10e-9, 10.0
    device = _column(length, length, (8, 16))
    spaces = [fem.functionspace(device.mesh, ("Lagrange", 1)) for _ in range(3)]
    phi, w_plus, w_minus = (fem.Function(s) for s in spaces)
    old = [fem.Function(s) for s in spaces[1:]]
    species = [_species(+1.0, c_ref), _species(-1.0, c_ref)]
    poisson = SpaceChargePoisson(eps_r=10.0, charge_numbers=(1.0, -1.0),
                                 background_mol_per_m3=(0.0, 0.0),
                                 concentration_scale_mol_per_m3=c_ref)
    v_phi, v_plus, v_minus = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    dt = 1e-2 * length**2 / D
    transport = [NernstPlanck(species=s) for s in species]
    residual = poisson.residual(phi, v_phi, device, [s.concentration(w) for s, w in
                                                     zip(species, (w_plus, w_minus))])
    for tr, w, w_old, v in zip(transport, (w_plus, w_minus), old, (v_plus, v_minus)):
        residual += tr.residual(w, v, device, phi=phi, T=T_K, dt=dt,
                                c_old=tr.species.concentration(w_old))
    fdim = device.mesh.topology.dim - 1
    bcs = [fem.dirichletbc(value, fem.locate_dofs_topological(spaces[0], fdim,
                                                              device.facets(name)), spaces[0])
           for name, value in (("bottom", 0.0), ("top", 0.2))]
    amounts = [fem.form(tr.amount(w, device)) for tr, w in zip(transport, (w_plus, w_minus))]
    start = [_total(a) for a in amounts]
    problem = BlockNewtonProblem("pnp_closed", residual, [phi, w_plus, w_minus], bcs)
    backward_euler(problem, list(zip((w_plus, w_minus), old)), steps=100)
    drift = [abs(_total(a) / a0 - 1.0) for a, a0 in zip(amounts, start)]
    _, w_top = _owned(w_minus, axis=1)
    assert w_top[-1] - w_top[0] > 1.0, "anions did not accumulate at the positive contact"
    assert max(drift) < 1e-10, f"relative change of the amounts {drift} over 100 steps"


# -- 4. Butler-Volmer exchange -----------------------------------------------------------------

def test_butler_volmer_exchange_balance():
    length = 10e-9
    device = _column(length, length, (4, 8))
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    species = _species(z=1.0)
    electrode = ButlerVolmer(boundary="bottom", exchange_current_density_A_per_m2=1e3,
                             electrode_potential_V=0.05, transfer_coefficient=0.3,
                             reference_concentration_mol_per_m3=1e3)
    transport = NernstPlanck(species=species, electrodes=(electrode,))
    w, w_old = fem.Function(space), fem.Function(space)
    phi = fem.Constant(device.mesh, 0.0)
    dt = 1e-1 * length**2 / D
    residual = transport.residual(w, ufl.TestFunction(space), device, phi=phi, T=T_K, dt=dt,
                                  c_old=species.concentration(w_old))
    amount = fem.form(transport.amount(w, device))
    start = _total(amount)
    NewtonProblem("np_bv", residual, w).solve()
    inflow = _total(fem.form(transport.electrode_ion_inflow(w, device, electrode, phi=phi,
                                                            T=T_K)))
    change = _total(amount) - start
    assert inflow > 0.0, "an anodic overpotential must inject cations"
    assert abs(change / (dt * inflow) - 1.0) < 1e-10, f"change {change}, dt*inflow {dt * inflow}"
    j_expected = 1e3 * (np.exp(0.3 * 0.05 / VT) - np.exp(-0.7 * 0.05 / VT))  # at c = c_ref
    area = np.pi * length**2
    assert 0.5 < inflow * FARADAY_C_PER_MOL / (area * j_expected) < 1.0, \
        "cathodic branch must grow with the injected concentration"


# -- 5. Gouy-Chapman double layer --------------------------------------------------------------

def test_pnp_gouy_chapman_debye_layer():
    c_bulk, eps_r, phi_wall = 10.0, 10.0, 0.1  # [mol/m^3], [-], [V]: psi_0 = 3.9
    debye = np.sqrt(EPSILON_0_F_PER_M * eps_r * BOLTZMANN_J_PER_K * T_K
                    / (ELEMENTARY_CHARGE_C * FARADAY_C_PER_MOL * 2.0 * c_bulk))  # 1.09 nm
    length = 15.0 * debye
    device = _column(length / 20, length, (1, 100))
    spaces = [fem.functionspace(device.mesh, ("Lagrange", 2)) for _ in range(3)]
    phi, w_plus, w_minus = (fem.Function(s) for s in spaces)
    species = [_species(+1.0, c_bulk), _species(-1.0, c_bulk)]
    poisson = SpaceChargePoisson(eps_r=eps_r, charge_numbers=(1.0, -1.0),
                                 background_mol_per_m3=(0.0, 0.0),
                                 concentration_scale_mol_per_m3=c_bulk)
    v_phi, v_plus, v_minus = ufl.TestFunctions(ufl.MixedFunctionSpace(*spaces))
    residual = poisson.residual(phi, v_phi, device, [species[0].concentration(w_plus),
                                                     species[1].concentration(w_minus)])
    for s, w, v in zip(species, (w_plus, w_minus), (v_plus, v_minus)):
        residual += NernstPlanck(species=s).residual(w, v, device, phi=phi, T=T_K,
                                                     dt=debye**2 / D)
    fdim = device.mesh.topology.dim - 1
    bcs = [fem.dirichletbc(phi_wall, fem.locate_dofs_topological(spaces[0], fdim,
                                                                 device.facets("bottom")),
                           spaces[0]),
           fem.dirichletbc(0.0, fem.locate_dofs_topological(spaces[0], fdim,
                                                            device.facets("top")), spaces[0])]
    bcs += [NernstPlanck(species=s).fixed_concentration(space, device, "top", c_bulk)
            for s, space in zip(species, spaces[1:])]
    BlockNewtonProblem("pnp_debye", residual, [phi, w_plus, w_minus], bcs).solve()

    x, phi_h = _owned(phi, axis=1)
    psi, psi_wall = phi_h / VT, phi_wall / VT
    gouy_chapman = 4.0 * np.arctanh(np.tanh(psi_wall / 4.0) * np.exp(-x / debye))
    profile_error = np.abs(psi - gouy_chapman).max() / psi_wall
    fit = (x > 0.5 * debye) & (x < 6.0 * debye)
    slope = np.polyfit(x[fit], np.log(np.tanh(psi[fit] / 4.0)), 1)[0]
    fitted_debye = -1.0 / slope
    assert abs(fitted_debye / debye - 1.0) < 0.02, \
        f"fitted Debye length {fitted_debye:.4e} m, expected {debye:.4e} m"
    assert profile_error < 0.02, f"max |psi - psi_GC| / psi_0 = {profile_error:.2e}"
