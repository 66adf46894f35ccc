"""The deposition shot noise: its variance is the Poisson count of the atoms a flat interface
exchanges (both Butler-Volmer branches), its draws are standard normal, and a node gets the same
draw on any partition (run on 1 and 2 ranks)."""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.coupling.deposition_noise import (
    DepositionNoise,
    input_node_keys,
    reaction_branches,
    step_normals,
)

NM = 1e-9
WIDTH, HEIGHT, LAM = 1.0 * NM, 3.0 * NM, 0.15 * NM
V0 = 2e-9  # deposition velocity [m/s]
ALPHA, Y0 = 0.5, 2.0  # transfer coefficient, reduced overpotential z e eta / k_B T
OMEGA = 1e-22  # "atomic volume" [m^2 in 2-D]: small, so that a node exchanges many atoms
ATOM = 0.3 * NM  # the filter's correlation length


def _flat_interface(comm, correlation_length_m=ATOM):
    """A planar tanh interface across a 1 x 3 nm rectangle (metal below y = 1.5 nm) and its
    noise at the uniform overpotential Y0 (close it after use)."""
    domain = mesh.create_rectangle(comm, [[0.0, 0.0], [WIDTH, HEIGHT]], [10, 120])
    xi = fem.Function(fem.functionspace(domain, ("Lagrange", 1)))
    xi.interpolate(lambda x: 0.5 * (1.0 - np.tanh((x[1] - HEIGHT / 2) / LAM)))
    branches = reaction_branches(fem.Constant(domain, Y0), ALPHA)
    vertex_dx = ufl.dx(domain=domain, scheme="vertex", degree=1)
    return xi, DepositionNoise(xi, branches, V0, LAM, (1.0, vertex_dx),
                               (1.0, ufl.dx(domain=domain)), OMEGA, correlation_length_m,
                               seed=7, scale=1.0)


def test_a_flat_interface_exchanges_the_sharp_interface_count():
    """Sum over nodes of the variance rate = v0 L (e^{alpha y} + e^{-(1 - alpha) y}) / Omega,
    the atoms a sharp interface of length L exchanges per second at the Butler-Volmer rates
    (j0 / (z e) = v0 / Omega per area)."""
    _, noise = _flat_interface(MPI.COMM_WORLD)
    exact = V0 * WIDTH * (np.exp(ALPHA * Y0) + np.exp(-(1 - ALPHA) * Y0)) / OMEGA
    assert noise.expected_exchange_per_s() == pytest.approx(exact, rel=0.01)
    noise.close()


@pytest.mark.parametrize("correlation_length_m", [0.0, ATOM])
def test_the_deposited_noise_has_the_poisson_variance(correlation_length_m):
    """Over 3000 steps the noise's total deposited volume sum_i V_i delta_i has mean 0 and
    variance Omega^2 x (expected exchange count in dt) within 4 standard errors, white or
    filtered over an atom."""
    xi, noise = _flat_interface(MPI.COMM_WORLD, correlation_length_m)
    comm, dt = MPI.COMM_WORLD, 1e-6
    volume = fem.form(noise.increment * ufl.dx(domain=xi.function_space.mesh, scheme="vertex",
                                              degree=1))
    totals = []
    for step in range(3000):
        noise.draw(step * dt, dt)
        totals.append(comm.allreduce(fem.assemble_scalar(volume), op=MPI.SUM) / OMEGA)
    noise.close()
    totals = np.array(totals)
    expected = noise.expected_exchange_per_s() * dt
    assert abs(totals.mean()) < 4 * np.sqrt(expected / totals.size)
    assert totals.var() / expected == pytest.approx(1.0, abs=4 * np.sqrt(2 / totals.size))


def test_the_filter_keeps_the_total_and_smooths_the_nodes():
    """The same step's draw, white and filtered over an atom: the same deposited volume (to
    solver tolerance), a 10x smaller nodal mean square (the 1-D interface's nodes are 0.025 nm
    apart)."""
    comm, draws = MPI.COMM_WORLD, []
    for length in (0.0, ATOM):
        xi, noise = _flat_interface(comm, length)
        noise.draw(0.0, 1e-6)
        owned = xi.function_space.dofmap.index_map.size_local
        volume = fem.form(noise.increment * ufl.dx(domain=xi.function_space.mesh,
                                                   scheme="vertex", degree=1))
        draws.append((comm.allreduce(fem.assemble_scalar(volume), op=MPI.SUM),
                      comm.allreduce(np.sum(noise.increment.x.array[:owned] ** 2), op=MPI.SUM)))
        noise.close()
    (white_total, white_square), (total, square) = draws
    assert total == pytest.approx(white_total, rel=1e-8)
    assert square < 0.1 * white_square


def test_draws_are_standard_normal_and_keyed_by_step():
    keys = np.arange(200_000)
    z = step_normals(3, 0.5, 1e-3, keys, keys.size)
    assert abs(z.mean()) < 0.01 and z.std() == pytest.approx(1.0, abs=0.01)
    np.testing.assert_array_equal(z, step_normals(3, 0.5, 1e-3, keys, keys.size))
    for other in (step_normals(4, 0.5, 1e-3, keys, keys.size),
                  step_normals(3, 0.5, 0.5e-3, keys, keys.size)):
        assert abs(np.corrcoef(z, other)[0, 1]) < 0.01


def test_a_node_draws_the_same_on_any_partition():
    """The distributed mesh's nodes get the values the same nodes get on a one-rank mesh (run
    under mpiexec -n 2 this compares two partitions)."""
    spaces = [_flat_interface(c)[0].function_space for c in (MPI.COMM_WORLD, MPI.COMM_SELF)]
    keys = [input_node_keys(V) for V in spaces]
    assert keys[0][1] == keys[1][1]  # the same number of input nodes
    coordinates = [np.round(V.tabulate_dof_coordinates()[:, :2] / NM, 9) for V in spaces]
    draws = [step_normals(1, 0.0, 1e-3, *k) for k in keys]
    lookup = {tuple(x): z for x, z in zip(coordinates[1], draws[1], strict=True)}
    for x, z in zip(coordinates[0], draws[0], strict=True):
        assert lookup[tuple(x)] == z
