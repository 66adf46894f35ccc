"""Mean curvature of the diffuse filament surface for the Gibbs-Thomson shift (DESIGN.md sec. 3).

The phase field xi (1 in the metal) has no curvature of its own; two estimators add auxiliary
P1 unknowns to the filament's Newton block, each with one residual per unknown that depends on
xi and the unknowns before it only (so they can also be solved in turn for a prescribed xi):

* :class:`LaplacianCurvature` (``ecm.curvature = "laplacian"``): mu = -lap(xi) and the
  equilibrium-profile identity lap(xi) = xi_nn - kappa |grad xi| with |grad xi| = 2 xi (1 - xi)
  / lambda and xi_nn = f'(xi) / eps^2. It assumes the tanh profile: at h ~ lambda it reads
  0.7-4.2 /nm across a 0.47 nm tanh cylinder (exact 1.9-2.5 /nm), up to 0.23 V of error in the
  Gibbs-Thomson shift of Ag.
* :class:`LevelSetCurvature` (``ecm.curvature = "level_set"``): the nodal signed distance
  d = lambda atanh(1 - 2 xi) (linear across the interface, so P1 represents it where the steep
  tanh of xi is not) and kappa = div(grad d / |grad d|) in weak form with a lumped mass and the
  boundary flux kept, carried from each node's level set to the xi = 1/2 surface. Exact at the
  nodes for cylinders (necks) on any mesh, and for spheres within a few % weighted by h'(xi)
  on the device meshes (larger at axis nodes).

Both return kappa [1/m], > 0 on a convex metal surface.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem

from apcfem.mesh import DeviceMesh, nodal_vector
from apcfem.physics.nernst_planck import RESIDUAL_VOLUME_M3
from apcfem.physics.phase_field import double_well_derivative, smooth_cap, smooth_floor

NM = 1e-9

CURVATURE_SLOPE_FLOOR_PER_M = 1e6
"""Added to the profile slope 2 xi (1 - xi) / lambda [1/m] in the Laplacian estimate: keeps it
finite in the bulk phases, where the reaction (weighted by h'(xi)) is off anyway."""

PROFILE_TAIL = 1e-3
"""Beyond xi = delta and 1 - delta (this delta [-], |d| = 3.8 lambda, where h'(xi) < 3e-5) the
signed distance lambda atanh(1 - 2 xi) is continued linearly (C1): bounded slope, so that the
round-off-sized xi of the bulk phases (and Newton iterates outside [0, 1]) do not make the
distance, and through it the curvature, ill-conditioned."""

NORMAL_FLOOR = 1e-2
"""|grad d| is regularised as sqrt(|grad d|^2 + delta^2) with this delta [-] in the unit normal
grad d / |grad d| (|grad d| = 1 in the band, small in the linear tail)."""

PARALLEL_MAP_FLOOR = 0.05
"""Smallest denominator 1 - kappa d [-] of the map from a node's level set to the xi = 1/2
surface (smoothly floored, see :func:`~apcfem.physics.phase_field.smooth_floor`)."""

CURVATURE_CAP_PER_M = 20e9
"""|kappa| is capped smoothly near 20 /nm [1/m], a sphere of one Ag atom's radius: in the tail
of the profile the level sets' curvature is meaningless."""


@dataclass(frozen=True, kw_only=True)
class _Estimator:
    """Attributes:
        interface_width_m: lambda, tanh half-width of the interface [m].
        quadrature_degree: degree of the integrals (as the phase field's).
    """

    interface_width_m: float
    quadrature_degree: int = 4


class LaplacianCurvature(_Estimator):
    """kappa from mu = -lap(xi) (unknown in 1/nm^2) and the equilibrium-profile identity."""

    names = ("minus_laplacian_xi",)

    def residuals(self, unknowns, xi, tests, m: DeviceMesh) -> list[ufl.Form]:
        """Weak mu = -lap(xi): int W (mu v - nm^2 grad xi . grad v) / V0 (natural boundary:
        the interface meets walls at right angles)."""
        (mu,), (v,) = unknowns, tests
        weight = m.weight() / RESIDUAL_VOLUME_M3
        dx = m.dx()(degree=self.quadrature_degree)
        return [weight * (mu * v - NM**2 * ufl.inner(ufl.grad(xi), ufl.grad(v))) * dx]

    def curvature(self, unknowns, xi) -> ufl.core.expr.Expr:
        """kappa [1/m] = (f'(xi) / eps^2 + mu) / |grad xi|_eq."""
        (mu,) = unknowns
        lam = self.interface_width_m
        bounded = ufl.max_value(ufl.min_value(xi, 1.0), 0.0)
        slope = 2.0 * bounded * (1.0 - bounded) / lam + CURVATURE_SLOPE_FLOOR_PER_M
        return (2.0 * double_well_derivative(xi) / lam**2 + mu / NM**2) / slope


class LevelSetCurvature(_Estimator):
    """kappa of the level sets from the nodal signed distance d [nm] (unknowns: d, kappa [1/nm])."""

    names = ("distance_nm", "level_set_curvature_per_nm")

    def signed_distance(self, xi) -> ufl.core.expr.Expr:
        """Distance from the xi = 1/2 surface, > 0 in the electrolyte [m]: lambda atanh(1 - 2 xi)
        of the equilibrium profile, continued linearly beyond PROFILE_TAIL."""
        y = 1.0 - 2.0 * xi
        edge = 1.0 - 2.0 * PROFILE_TAIL
        inside = 0.5 * ufl.ln((1.0 + y) / (1.0 - y))
        tail = float(np.arctanh(edge)) + (abs(y) - edge) / (1.0 - edge**2)
        return self.interface_width_m * ufl.conditional(
            ufl.lt(abs(y), edge), inside, ufl.sign(y) * tail)

    def residuals(self, unknowns, xi, tests, m: DeviceMesh) -> list[ufl.Form]:
        """[nodal distance d_i = lambda atanh(1 - 2 xi_i) (lumped: each node's own equation),
        weak kappa = div(n), n = grad d / |grad d|: int W kappa v = -int W n . grad v +
        int_dO W n . nu v (nm units)].

        The mass terms are lumped (vertex quadrature): a consistent mass gives a node-to-node
        checkerboard with the piecewise-constant normal. The boundary term keeps the curvature
        of level sets that meet a wall at an angle (natural conditions would force n . nu = 0
        and put a spurious curvature on the wall nodes)."""
        (distance, kappa), (v_d, v_k) = unknowns, tests
        weight, lumped = _lumped_mass(m)
        volume = m.weight() / RESIDUAL_VOLUME_M3
        dx = m.dx()(degree=self.quadrature_degree)
        ds = ufl.ds(domain=m.mesh, degree=self.quadrature_degree)
        grad_d = NM * ufl.grad(distance)  # [nm / nm], 1 in the band
        normal = grad_d / ufl.sqrt(ufl.inner(grad_d, grad_d) + NORMAL_FLOOR**2)
        wall = ufl.FacetNormal(m.mesh)
        return [weight * (distance - self.signed_distance(xi) / NM) * v_d * lumped,
                weight * kappa * v_k * lumped
                + volume * NM * ufl.inner(normal, ufl.grad(v_k)) * dx
                - volume * NM * ufl.inner(normal, wall) * v_k * ds]

    def curvature(self, unknowns, xi) -> ufl.core.expr.Expr:
        """kappa [1/m] of the xi = 1/2 surface seen from each node.

        The unknown is the curvature of the level set through the node, a parallel surface at
        distance d; it is carried back as one principal curvature, k / (1 - k d): exact for a
        cylinder (a neck); for a sphere of radius R it gives 2 / (R - d) instead of 2 / R, an
        error odd in d that the reaction's weight h'(xi), even in d, averages to second order."""
        distance, kappa = unknowns
        mapped = kappa / NM / smooth_floor(1.0 - kappa * distance, PARALLEL_MAP_FLOOR)
        return smooth_cap(mapped, CURVATURE_CAP_PER_M)


CurvatureEstimator = LaplacianCurvature | LevelSetCurvature


def curvature_estimator(kind: str, interface_width_m: float,
                        quadrature_degree: int) -> CurvatureEstimator:
    """The estimator named by ``ecm.curvature`` ("laplacian" or "level_set")."""
    estimators = {"laplacian": LaplacianCurvature, "level_set": LevelSetCurvature}
    if kind not in estimators:
        raise ValueError(f"ecm.curvature = '{kind}': use one of {sorted(estimators)}")
    return estimators[kind](interface_width_m=interface_width_m,
                            quadrature_degree=quadrature_degree)


def _lumped_mass(m: DeviceMesh) -> tuple[ufl.core.expr.Expr, ufl.Measure]:
    """Weight [1/m^3] and vertex-quadrature measure of a lumped mass term for P1 unknowns.

    The vertex rule takes the weight W at the node, which keeps div(n) exact for a cylinder at
    every node on uniform meshes, walls included; on an axisymmetric mesh W = 2 pi r vanishes at
    the axis, so the axis nodes take the row-sum average int W phi_i / int phi_i of their hat
    function instead (precomputed as a P1 function)."""
    lumped = m.dx()(metadata={"quadrature_rule": "vertex", "quadrature_degree": 1})
    if not m.axisymmetric:
        return m.weight() / RESIDUAL_VOLUME_M3, lumped
    space = fem.functionspace(m.mesh, ("Lagrange", 1))
    test = ufl.TestFunction(space)
    weighted, plain = (nodal_vector(fem.form(w * test * m.dx())) for w in (m.weight(), 1.0))
    nodal = fem.Function(space)
    nodal.interpolate(fem.Expression(m.weight(), space.element.interpolation_points))
    owned = space.dofmap.index_map.size_local
    on_axis = np.isclose(space.tabulate_dof_coordinates()[:owned, 0], 0.0, atol=1e-15)
    nodal.x.array[:owned][on_axis] = (weighted[:owned] / plain[:owned])[on_axis]
    nodal.x.scatter_forward()
    return nodal / RESIDUAL_VOLUME_M3, lumped
