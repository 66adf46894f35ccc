"""The carrier density the electrons see (:func:`apcfem.physics.conduction.averaged_density_residual`).

A column of vacancy-rich oxide (density n = exp(w), w piecewise linear as in the VCM cell,
cells of 0.15 nm along it) with a depleted layer across it. Its conductance with sigma
proportional to n (local) and to the Helmholtz average n_e over l = 0.1 nm is compared with the
uniform column's (G_0 = sigma A / L):

* a sheet one node thick (tunnel-transparent) blocks the local column (G < 1e-2 G_0: the
  quadrature points next to the node see n ~ 1e-4) but not the averaged one (G > 0.5 G_0);
* through a layer 0.6-1.5 nm thick the averaged column conducts as e^{-d/(2 l)} (within a
  factor 2.5), tunnelling's e^{-2 kappa d} for l = 1/(4 kappa): thick layers still block;
* the average keeps the amount (int n_e = int n to 1e-12) and a uniform density.

All on COMM_WORLD, so ``mpiexec -n 2 pytest`` runs them on a partitioned mesh.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.coupling.linear import LinearSolver
from apcfem.mesh.device import single_region_device
from apcfem.physics import Conduction
from apcfem.physics.conduction import averaged_density_residual

NM = 1e-9
LENGTH, WIDTH, CELLS = 3.0 * NM, 0.3 * NM, 20  # 0.15 nm cells along the column
AVERAGING_LENGTH = 0.1 * NM
DEPLETED = 1e-20  # n in the depleted layer, relative to the column's


def _column():
    domain = mesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [WIDTH, LENGTH]], [2, CELLS])
    return single_region_device(domain, axisymmetric=False)


def _total(form) -> float:
    return MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def _density(device, depleted_thickness_m: float):
    """w = ln n: 0, and ln(DEPLETED) on the nodes within the layer centred on the column."""
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    w = fem.Function(space)
    middle = 0.5 * LENGTH
    w.interpolate(lambda x: np.where(np.abs(x[1] - middle) <= 0.5 * depleted_thickness_m
                                     + 1e-3 * NM, np.log(DEPLETED), 0.0))
    return ufl.exp(w), space


def _averaged(device, density, space) -> fem.Function:
    averaged = fem.Function(space)
    with LinearSolver("test_average", averaged_density_residual(
            averaged, density, AVERAGING_LENGTH, device), averaged) as solver:
        solver.solve()
    return averaged


def _conductance(device, sigma) -> float:
    """G [S] of the column with sigma [S/m] (1 V between its ends: G = P / V^2)."""
    space = fem.functionspace(device.mesh, ("Lagrange", 1))
    phi = fem.Function(space)
    fdim = device.mesh.topology.dim - 1
    ends = [mesh.locate_entities_boundary(device.mesh, fdim, lambda x, z=z: np.isclose(x[1], z, rtol=0.0, atol=1e-3 * NM))
            for z in (0.0, LENGTH)]
    bcs = [fem.dirichletbc(value, fem.locate_dofs_topological(space, fdim, facets), space)
           for value, facets in zip((0.0, 1.0), ends, strict=True)]
    conduction = Conduction(sigma=sigma)
    with LinearSolver("test_column", conduction.residual(phi, ufl.TestFunction(space), device),
                      phi, bcs) as solver:
        solver.solve()
    return _total(conduction.dissipated_power(phi, device))


def _relative_conductances(thickness_m: float) -> tuple[float, float]:
    device = _column()
    density, space = _density(device, thickness_m)
    averaged = _averaged(device, density, space)
    floor = DEPLETED * 1e-10  # sigma > 0 where the P1 average undershoots
    uniform = WIDTH / LENGTH  # sigma = 1 S/m, planar column of unit depth
    return (_conductance(device, density) / uniform,
            _conductance(device, ufl.max_value(averaged, floor)) / uniform)


def test_a_sheet_one_cell_thick_blocks_local_but_not_averaged_conduction():
    local, averaged = _relative_conductances(0.0)  # one node row
    assert local < 1e-2, f"local sigma: G / G_0 = {local:.3g}"
    assert averaged > 0.5, f"averaged sigma: G / G_0 = {averaged:.3g}"


@pytest.mark.parametrize("thickness_nm", [0.6, 0.9, 1.2, 1.5])
def test_a_thick_layer_conducts_with_the_decay_of_tunnelling(thickness_nm):
    local, averaged = _relative_conductances(thickness_nm * NM)
    decay = np.exp(-thickness_nm * NM / (2.0 * AVERAGING_LENGTH))
    assert local < 1e-10
    assert 0.4 < averaged / decay < 2.5, f"G / G_0 = {averaged:.3g}, e^(-d/2l) = {decay:.3g}"


@pytest.mark.parametrize("thickness_m", [None, 0.0, 1.5 * NM])
def test_the_average_keeps_the_amount_and_a_uniform_density(thickness_m):
    device = _column()
    density, space = (_density(device, thickness_m) if thickness_m is not None
                      else (ufl.as_ufl(1.0), fem.functionspace(device.mesh, ("Lagrange", 1))))
    averaged = _averaged(device, density, space)
    amount = _total(density * ufl.dx(domain=device.mesh, degree=4))
    assert _total(averaged * ufl.dx(domain=device.mesh, degree=4)) == pytest.approx(amount,
                                                                                  rel=1e-12)
    if thickness_m is None:
        assert np.allclose(averaged.x.array, 1.0, rtol=0.0, atol=1e-12)
