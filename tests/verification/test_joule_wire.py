"""Joule-heated wire between two heat sinks: T_max = T0 + sigma V^2 / (8 k).

A cylinder (axisymmetric) and a bar (3-D) with the potential and temperature fixed at both
ends and insulated sides: phi is linear, the Joule source uniform, T a parabola.
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.coupling import NewtonProblem
from apcfem.mesh import single_region_device
from apcfem.physics import Conduction, Heat

SIGMA, K, V, T0 = 6.3e7, 429.0, 0.05, 300.0  # Ag-like wire [S/m], [W/(m K)], [V], [K]
LENGTH = 20e-9


def _end_bcs(space, axial: int, low: float, high: float):
    # an absolute tolerance relative to the wire: np.isclose's default 1e-8 m spans it
    def at(height):
        return lambda x: np.isclose(x[axial], height, atol=1e-3 * LENGTH)

    dofs_low = fem.locate_dofs_geometrical(space, at(0.0))
    dofs_high = fem.locate_dofs_geometrical(space, at(LENGTH))
    return [fem.dirichletbc(fem.Constant(space.mesh, low), dofs_low, space),
            fem.dirichletbc(fem.Constant(space.mesh, high), dofs_high, space)]


@pytest.mark.parametrize(("axisymmetric", "degree"), [(True, 1), (True, 2), (False, 1)])
def test_joule_wire_peak_temperature(axisymmetric, degree):
    comm = MPI.COMM_WORLD
    if axisymmetric:
        domain = mesh.create_rectangle(comm, [[0, 0], [2e-9, LENGTH]], [4, 32])
    else:
        domain = mesh.create_box(comm, [[0, 0, 0], [2e-9, 2e-9, LENGTH]], [2, 2, 32])
    device = single_region_device(domain, axisymmetric)
    axial = device.axial_index
    space = fem.functionspace(domain, ("Lagrange", degree))
    phi, T = fem.Function(space), fem.Function(space)
    conduction = Conduction(sigma=fem.Constant(domain, SIGMA))
    with NewtonProblem("wire_phi", conduction.residual(phi, ufl.TestFunction(space), device), phi,
                       _end_bcs(space, axial, 0.0, V)) as problem:
        problem.solve()
    heat = Heat(k=fem.Constant(domain, K), sources=(conduction.joule_power_density(phi),))
    T.x.array[:] = T0
    with NewtonProblem("wire_T", heat.residual(T, ufl.TestFunction(space), device), T,
                       _end_bcs(space, axial, T0, T0)) as problem:
        problem.solve()
    t_max = comm.allreduce(T.x.array.max(), op=MPI.MAX)
    expected = T0 + SIGMA * V**2 / (8 * K)
    assert abs(t_max - expected) < 0.01 * (expected - T0), (t_max, expected)
