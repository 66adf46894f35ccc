"""Verification of the edge-averaged (Scharfetter-Gummel) fluxes of a lattice-gas species.

1. The Bernoulli function B(x) = x / (e^x - 1) and its derivative, at any real x.
2. Without drift the edge fluxes are the P1 stiffness matrix: the same residual as the
   assembled Galerkin form dt D int W grad(c).grad(v), axisymmetric and 3-D.
3. A Boltzmann profile c ~ exp(-z phi / V_T) in a uniform field has no flux at the nodes
   (dilute limit), the property that makes the scheme exact for a drift layer thinner than a
   cell.
4. The fluxes conserve the amount (the residual sums to zero) and their Jacobian is the
   derivative of the residual; in the dilute limit it is an M-matrix (positive diagonal,
   non-positive off-diagonal entries) whatever the drift.
5. Drift to a blocking wall across 40 V_T (cell Peclet 10) by backward Euler with the site
   occupation as the Newton unknown: each step converges in a few iterations while the far end
   empties to 1e-17 of the wall's concentration, the amount is conserved and the steady state
   is the exact exponential at the nodes.
6. A drift-diffusion mode relaxing in a closed column (8 V_T across it; exact solution
   e^{-bz/2} (cos kz - b/2k sin kz) e^{-D (k^2 + b^2/4) t} on the equilibrium e^{-bz}),
   planar and axisymmetric: the nodal error converges at second order (dt ~ h^2).

All tests use COMM_WORLD, so ``mpiexec -n 2 pytest`` runs them on a partitioned mesh.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, la, mesh
from mms_support import unit_device
from mpi4py import MPI

from apcfem.coupling import NewtonProblem
from apcfem.materials.laws import BOLTZMANN_J_PER_K, ELEMENTARY_CHARGE_C
from apcfem.mesh import DeviceMesh
from apcfem.physics.nernst_planck import NernstPlanck, Species
from apcfem.physics.scharfetter_gummel import (
    EdgeMesh,
    EdgeTransport,
    bernoulli,
    bernoulli_derivative,
)

T_K = 300.0
VT = BOLTZMANN_J_PER_K * T_K / ELEMENTARY_CHARGE_C
D = 1e-12  # diffusivity [m^2/s]
SITES = 1e9  # site concentration [mol/m^3]: large enough for the dilute limit
Z = 2.0


def _species(sites: float = SITES, **kwargs) -> Species:
    return Species(name="V", charge_number=Z, reference_concentration_mol_per_m3=1e3,
                   site_concentration_mol_per_m3=sites,
                   **{"diffusivity_prefactor_m2_per_s": D, "activation_energy_eV": 0.0,
                      **kwargs})


def _summed(space: fem.FunctionSpace, local: np.ndarray) -> np.ndarray:
    """Local contributions summed into their owners; the owned entries."""
    vector = la.vector(space.dofmap.index_map)
    vector.array[:] = local
    vector.scatter_reverse(la.InsertMode.add)
    return vector.array[:space.dofmap.index_map.size_local].copy()


def _edges(device: DeviceMesh, species: Species, phi, T: float = T_K, dt: float = 1.0):
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    edges = EdgeMesh.of(space, device)
    transport = EdgeTransport(species, edges, scale=1.0)
    x = space.tabulate_dof_coordinates()
    n = len(x)
    transport.freeze(phi(x.T)[edges.cell_dofs], np.full(n, T), dt)
    return space, transport, x


def test_bernoulli_function_at_any_argument():
    x = np.concatenate([-np.logspace(-8, 3, 60), [0.0], np.logspace(-8, 3, 60)])
    b = bernoulli(x)
    assert np.all(np.isfinite(b)) and np.all(b >= 0.0)
    np.testing.assert_allclose(bernoulli(-x) - b, x, rtol=1e-12, atol=1e-15)
    assert bernoulli(np.array(0.0)) == 1.0
    moderate = x[np.abs(x) < 50.0]
    step = 1e-6 * np.maximum(1.0, np.abs(moderate))
    numeric = (bernoulli(moderate + step) - bernoulli(moderate - step)) / (2 * step)
    np.testing.assert_allclose(bernoulli_derivative(moderate), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("axisymmetric", [True, False])
def test_without_drift_the_fluxes_are_the_p1_stiffness(axisymmetric):
    device = unit_device(4 if axisymmetric else 3, axisymmetric)
    space, transport, x = _edges(device, _species(), phi=lambda p: 0.0 * p[0])
    theta = 1e-3 * (1.0 + x[:, 0] + x[:, 1] ** 2 + np.sin(3.0 * x[:, 2]))
    edge_residual = _summed(space, transport.residual(theta))

    c = fem.Function(space)
    c.x.array[:] = SITES * theta
    v = ufl.TestFunction(space)
    galerkin = fem.assemble_vector(fem.form(
        D * device.weight() * ufl.inner(ufl.grad(c), ufl.grad(v)) * device.dx()))
    galerkin.scatter_reverse(la.InsertMode.add)
    owned = galerkin.array[:space.dofmap.index_map.size_local]
    scale = device.comm.allreduce(float(np.max(np.abs(owned))), op=MPI.MAX)
    assert scale > 0
    np.testing.assert_allclose(edge_residual, owned, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("axisymmetric", [True, False])
def test_a_boltzmann_profile_carries_no_flux(axisymmetric):
    """Uniform field along the transport axis, 20 V_T over the unit mesh (5-7 V_T per
    cell): the nodal exponential balances every edge."""
    device = unit_device(4 if axisymmetric else 3, axisymmetric)
    axis = device.axial_index
    drop = 20.0 * VT / Z

    def phi(p):
        return drop * p[axis]

    space, transport, x = _edges(device, _species(), phi)
    theta = 1e-9 * np.exp(-Z * phi(x.T) / VT)
    residual = _summed(space, transport.residual(theta))
    # the size of the individual edge terms: the same profile without the field
    flat, plain, _ = _edges(device, _species(), lambda p: 0.0 * p[0])
    size = device.comm.allreduce(float(np.max(np.abs(_summed(flat, plain.residual(theta))))),
                                 op=MPI.MAX)
    assert size > 0
    assert device.comm.allreduce(float(np.max(np.abs(residual))), op=MPI.MAX) < 1e-7 * size


@pytest.mark.parametrize("axisymmetric", [True, False])
def test_a_thermodiffusion_equilibrium_carries_no_flux(axisymmetric):
    """No field, T from 300 to 1500 K across the mesh, a heat of transport Q* = -1.35 eV
    (Strukov's -E_a of HfOx vacancies): the zero-flux profile c ~ exp(Q* / k_B T) spans
    e^42 and balances every edge (the edge integral of Q* / (k_B T^2) is exact); with a
    constant S_T of the same mean size instead it does not. Sizes: against the residual of
    the same profile without thermodiffusion (its diffusion alone)."""
    device = unit_device(4 if axisymmetric else 3, axisymmetric)
    heat = -1.35
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    x = space.tabulate_dof_coordinates()
    T = 300.0 + 1200.0 * x[:, device.axial_index] ** 2 + 50.0 * x[:, 0]
    vt = BOLTZMANN_J_PER_K / ELEMENTARY_CHARGE_C * T
    theta = 1e-30 * np.exp(heat / vt - heat / vt.max())

    def largest_residual(species: Species) -> float:
        transport = EdgeTransport(species, EdgeMesh.of(space, device), scale=1.0)
        transport.freeze(np.zeros(transport.edges.cell_dofs.shape), T, 1.0)
        return device.comm.allreduce(float(np.max(np.abs(
            _summed(space, transport.residual(theta))), initial=0.0)), op=MPI.MAX)

    size = largest_residual(_species(activation_energy_eV=0.5))  # the diffusion alone
    assert size > 0
    balanced = largest_residual(_species(activation_energy_eV=0.5, heat_of_transport_eV=heat))
    assert balanced < 1e-9 * size
    mean_soret = heat / (BOLTZMANN_J_PER_K / ELEMENTARY_CHARGE_C) / (300.0 * 1500.0)
    assert largest_residual(_species(activation_energy_eV=0.5,
                                     soret_coefficient_per_K=mean_soret)) > 1e-3 * size


@pytest.mark.parametrize("axisymmetric", [True, False])
def test_the_fluxes_conserve_and_their_jacobian_is_exact(axisymmetric):
    device = unit_device(3, axisymmetric)
    rng = np.random.default_rng(7 + device.comm.rank)
    species = _species(sites=2.0, soret_coefficient_per_K=1e-3, activation_energy_eV=0.3,
                       diffusivity_prefactor_m2_per_s=1e-7)
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    transport = EdgeTransport(species, EdgeMesh.of(space, device), scale=1.0)
    x = space.tabulate_dof_coordinates()
    n = len(x)
    phi = 0.4 * x[:, 0] - 0.7 * x[:, 1] ** 2
    hopping = rng.uniform(1.0, 1.5, len(transport.edges.cell_dofs))  # Mott-Gurney factors
    transport.freeze(phi[transport.edges.cell_dofs], 300.0 + 400.0 * x[:, 1], 1.0, hopping)
    theta = rng.uniform(1e-6, 0.9, n)
    total = device.comm.allreduce(float(transport.residual(theta).sum()), op=MPI.SUM)
    size = device.comm.allreduce(float(np.abs(transport.residual(theta)).sum()), op=MPI.SUM)
    assert abs(total) < 1e-13 * size

    blocks = transport.jacobian(theta)
    dofs = transport.edges.cell_dofs
    dense = np.zeros((n, n))
    for cell, local in enumerate(dofs):
        dense[np.ix_(local, local)] += blocks[cell]
    step = 1e-7
    numeric = np.empty((n, n))
    for k in range(n):
        up, down = theta.copy(), theta.copy()
        up[k] += step
        down[k] -= step
        numeric[:, k] = (transport.residual(up) - transport.residual(down)) / (2 * step)
    np.testing.assert_allclose(dense, numeric, rtol=0, atol=1e-6 * np.max(np.abs(dense)))


def test_in_the_dilute_limit_the_jacobian_is_an_m_matrix():
    device = unit_device(4, axisymmetric=True)  # right triangles: every cotangent weight >= 0
    rng = np.random.default_rng(3 + device.comm.rank)
    _, transport, x = _edges(device, _species(), lambda p: 0.0 * p[0])
    n = len(x)
    transport.freeze(rng.uniform(-1.0, 1.0, transport.edges.cell_dofs.shape), np.full(n, T_K),
                     1.0)  # 80 V_T between the vertices of a cell: every edge drift-dominated
    theta = rng.uniform(1e-30, 1e-9, n)
    blocks = transport.jacobian(theta)
    dense = np.zeros((n, n))
    for cell, local in enumerate(transport.edges.cell_dofs):
        dense[np.ix_(local, local)] += blocks[cell]
    touched = np.unique(transport.edges.cell_dofs)  # (a ghost dof may be in no owned cell)
    dense = dense[np.ix_(touched, touched)]
    diagonal = np.diag(dense).copy()
    off = dense - np.diag(diagonal)
    assert np.all(diagonal > 0)
    assert np.all(off <= 1e-12 * diagonal.max())
    np.testing.assert_allclose(dense.sum(axis=0), 0.0, atol=1e-10 * diagonal.max())


def _column(cells: int, axisymmetric: bool = True) -> DeviceMesh:
    """Column [0, 0.25] x [0, 1] (m), axisymmetric (r, z) or planar (x, z), one crossed cell
    across (symmetric: the two side nodes of a height see the same weights)."""
    domain = mesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [0.25, 1.0]], (1, cells),
                                   diagonal=mesh.DiagonalType.crossed)
    tdim = domain.topology.dim
    cells_local = np.arange(domain.topology.index_map(tdim).size_local, dtype=np.int32)
    empty = np.zeros(0, dtype=np.int32)
    return DeviceMesh(
        mesh=domain, cell_tags=mesh.meshtags(domain, tdim, cells_local, np.ones_like(cells_local)),
        facet_tags=mesh.meshtags(domain, tdim - 1, empty, empty), regions={"column": 1},
        boundaries={}, axisymmetric=axisymmetric)


def test_drift_to_a_blocking_wall_reaches_the_exact_exponential():
    device = _column(cells=4)
    species = _species()
    transport = NernstPlanck(species=species)
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    theta, theta_old = fem.Function(space), fem.Function(space)
    theta.x.array[:] = theta_old.x.array[:] = 1e-9
    drop = 40.0 * VT / Z  # phi rises along z: the ions drift to the wall at z = 0
    edges = EdgeMesh.of(space, device)
    flux = EdgeTransport(species, edges, transport.residual_scale)
    x = space.tabulate_dof_coordinates()
    weight = device.nodal_weight()
    v = ufl.TestFunction(space)
    storage = transport.lumped_storage(SITES * theta, v, device, SITES * theta_old, weight)
    amount = fem.form(transport.lumped_amount(SITES * theta, device, weight))
    start = device.comm.allreduce(fem.assemble_scalar(amount), op=MPI.SUM)
    iterations = []
    with NewtonProblem("sg_column", storage, theta, cell_terms=flux,
                       petsc_options={"snes_rtol": 1e-12, "snes_atol": 1e-20}) as problem:
        for dt in np.geomspace(1e-3, 1e3, 13) / D:
            flux.freeze(drop * x[edges.cell_dofs, 1], np.full(len(x), T_K), dt)
            iterations.append(problem.solve())
            theta_old.x.array[:] = theta.x.array
            now = device.comm.allreduce(fem.assemble_scalar(amount), op=MPI.SUM)
            assert now == pytest.approx(start, rel=1e-10)
    assert max(iterations) <= 4, iterations
    exact = np.exp(-Z * drop * x[:, 1] / VT)
    wall = device.comm.allreduce(float(theta.x.array.max()), op=MPI.MAX)  # at z = 0
    # to the vacant-fraction correction of the drift, theta |t| ~ 1e-7 per edge
    np.testing.assert_allclose(theta.x.array, wall * exact, rtol=1e-5, atol=0)


def _relaxation_error(cells: int, axisymmetric: bool) -> float:
    """Nodal error at t = T of a drift-diffusion mode relaxing in a closed column.

    c_t = D (c_zz + b c_z) with zero flux c_z + b c = 0 at z = 0, L has the modes
    e^{-bz/2} (cos kz - b/(2k) sin kz) e^{-D (k^2 + b^2/4) t}, k = pi/L, on top of the
    equilibrium e^{-bz} (here b L = 4: 8 V_T across the column, cell Peclet 4-0.5)."""
    device = _column(cells, axisymmetric)
    length, b = 1.0, 4.0
    k, decay = np.pi / length, D * ((np.pi / length) ** 2 + b * b / 4.0)
    species = _species()
    transport = NernstPlanck(species=species)
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    x = space.tabulate_dof_coordinates()[:, 1]

    def exact(t):
        mode = np.exp(-b * x / 2) * (np.cos(k * x) - b / (2 * k) * np.sin(k * x))
        return 1e-6 * (np.exp(-b * x) + 0.5 * mode * np.exp(-decay * t))

    theta, theta_old = fem.Function(space), fem.Function(space)
    theta.x.array[:] = theta_old.x.array[:] = exact(0.0)
    edges = EdgeMesh.of(space, device)
    flux = EdgeTransport(species, edges, transport.residual_scale)
    v = ufl.TestFunction(space)
    storage = transport.lumped_storage(SITES * theta, v, device, SITES * theta_old,
                                       device.nodal_weight())
    end, steps = 0.5 / decay, 4 * (cells // 4) ** 2
    dt = end / steps
    # z phi / V_T = b z: the ions drift to z = 0
    flux.freeze(VT / Z * b * x[edges.cell_dofs], np.full(len(x), T_K), dt)
    with NewtonProblem(f"sg_relax_{cells}", storage, theta, cell_terms=flux,
                       petsc_options={"snes_rtol": 1e-12, "snes_atol": 1e-30}) as problem:
        for _ in range(steps):
            problem.solve()
            theta_old.x.array[:] = theta.x.array
    owned = space.dofmap.index_map.size_local
    error = np.max(np.abs(theta.x.array - exact(end))[:owned], initial=0.0)
    return device.comm.allreduce(float(error), op=MPI.MAX) / 1e-6


@pytest.mark.parametrize("axisymmetric", [False, True])
def test_a_relaxing_drift_mode_converges_at_second_order(axisymmetric):
    """Refining cells and steps together (dt ~ h^2), the nodal error falls 4x per halving."""
    errors = [_relaxation_error(cells, axisymmetric) for cells in (16, 32, 64)]
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[-1] < 5e-4, errors  # of the equilibrium's scale
    assert np.all(rates > 1.75), (errors, rates)
