"""Manufactured solutions for current continuity, axisymmetric (r, z) and 3-D, P1 and P2.

u = cos(pi r) cos(pi z) (axisymmetric, smooth at r = 0 where the axis is a natural boundary)
and u = cos(pi x) cos(pi y) cos(pi z) (3-D), sigma = 1 + x^2 (variable coefficient). The
source is derived symbolically: f = -(1/w) div(w sigma grad u) with w the volume weight.
Expected rates: L2 p + 1, H1 p. Runs serially and on 2 ranks (mesh partitioned).
"""

import pytest
import ufl
from dolfinx import fem
from mms_support import (
    assert_optimal_rates,
    exact_dirichlet_bc,
    smooth_profile,
    unit_device,
    weighted_error_norms,
)

from apcfem.coupling import NewtonProblem
from apcfem.physics import Conduction


def _errors(n: int, degree: int, axisymmetric: bool) -> tuple[float, float]:
    device = unit_device(n, axisymmetric)
    domain = device.mesh
    x = ufl.SpatialCoordinate(domain)
    exact = smooth_profile(device)
    sigma = 1.0 + x[0] ** 2
    w = device.weight()
    source = -ufl.div(w * sigma * ufl.grad(exact)) / w
    space = fem.functionspace(domain, ("Lagrange", degree))
    u = fem.Function(space)
    physics = Conduction(sigma=sigma, source=source)
    residual = physics.residual(u, ufl.TestFunction(space), device)
    with NewtonProblem(f"mms_{degree}", residual, u, [exact_dirichlet_bc(space, exact, device)]) as problem:
        problem.solve()
    return weighted_error_norms(u, exact, device, degree)


@pytest.mark.parametrize(
    ("axisymmetric", "degree", "sizes"),
    [(True, 1, (8, 16, 32)), (True, 2, (4, 8, 16)),
     (False, 1, (4, 8, 16)), (False, 2, (2, 4, 8))])
def test_conduction_mms_rates(axisymmetric, degree, sizes):
    assert_optimal_rates([_errors(n, degree, axisymmetric) for n in sizes], degree)
