"""Linear thermo-elasticity -div(sigma) = f (DESIGN.md sec. 3, strain).

sigma = lambda tr(eps_e) I + 2 mu eps_e with the elastic strain eps_e = eps(u) - alpha dT I
(isotropic Duhamel-Neumann law; Timoshenko & Goodier, Theory of Elasticity, 3rd ed., 1970,
ch. 13). Strain and stress are always 3x3 tensors:

* 3-D: eps = sym(grad u).
* axisymmetric (x[0] = r, x[1] = z, u = (u_r, u_z)), components ordered (r, theta, z):
  eps_rr = du_r/dr, eps_zz = du_z/dz, eps_rz = (du_r/dz + du_z/dr)/2 and the hoop strain
  eps_thth = u_r/r; volume integrals carry 2 pi r, so the hoop term stays finite on the axis,
  where the caller sets u_r = 0.
* a 2-D mesh that is not axisymmetric is taken in plane strain (eps_zz = 0).

Displacements are applied with :func:`displacement_bc` on named boundaries (a uniaxial strain
eps is a displacement eps L of one face); unconstrained boundaries are traction free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from apcfem.mesh import DeviceMesh


@dataclass(frozen=True, kw_only=True)
class ThermoElasticity:
    """Quasi-static linear thermo-elasticity for the displacement u [m].

    Attributes:
        youngs_modulus: Young's modulus E [Pa] (UFL expression, e.g. DG0 per region).
        poisson_ratio: Poisson ratio nu (-1 < nu < 0.5).
        thermal_expansion: linear thermal expansion coefficient alpha [1/K].
        delta_T: temperature rise above the stress-free temperature [K] (none: isothermal).
        body_force: volumetric force f [N/m^3], components as u (none: zero).
    """

    youngs_modulus: ufl.core.expr.Expr | float
    poisson_ratio: ufl.core.expr.Expr | float
    thermal_expansion: ufl.core.expr.Expr | float = 0.0
    delta_T: ufl.core.expr.Expr | float | None = None
    body_force: ufl.core.expr.Expr | None = None

    def strain(self, u, m: DeviceMesh) -> ufl.core.expr.Expr:
        """Total small strain eps(u), a 3x3 tensor (see the module docstring)."""
        if m.mesh.geometry.dim == 3:
            return ufl.sym(ufl.grad(u))
        g = ufl.grad(u)
        hoop = u[0] / ufl.SpatialCoordinate(m.mesh)[0] if m.axisymmetric else 0.0
        shear = 0.5 * (g[0, 1] + g[1, 0])
        return ufl.as_tensor([[g[0, 0], 0.0, shear],
                              [0.0, hoop, 0.0],
                              [shear, 0.0, g[1, 1]]])

    def stress(self, u, m: DeviceMesh) -> ufl.core.expr.Expr:
        """Cauchy stress sigma [Pa], a 3x3 tensor."""
        E, nu = self.youngs_modulus, self.poisson_ratio
        mu = E / (2 * (1 + nu))
        lmbda = E * nu / ((1 + nu) * (1 - 2 * nu))
        eps = self.strain(u, m)
        if self.delta_T is not None:
            eps = eps - self.thermal_expansion * self.delta_T * ufl.Identity(3)
        return lmbda * ufl.tr(eps) * ufl.Identity(3) + 2 * mu * eps

    def residual(self, u, v, m: DeviceMesh) -> ufl.Form:
        """Weak residual: int w (sigma(u) : eps(v) - f . v)  (w = 2 pi r if axisymmetric)."""
        form = m.weight() * ufl.inner(self.stress(u, m), self.strain(v, m)) * m.dx()
        if self.body_force is not None:
            form -= m.weight() * ufl.dot(self.body_force, v) * m.dx()
        return form


def displacement_bc(space: fem.FunctionSpace, m: DeviceMesh, boundary: str, component: int,
                    value: fem.Constant | float) -> fem.DirichletBC:
    """Prescribe one displacement component on a named boundary.

    Args:
        space: the vector displacement space.
        m: device mesh.
        boundary: boundary name.
        component: 0, 1 (, 2): x, y, z in 3-D; r, z if axisymmetric.
        value: displacement [m]; a ``fem.Constant`` can be changed between solves (strain
            ramps) without rebuilding the problem.

    Returns:
        The Dirichlet condition.
    """
    sub = space.sub(component)
    dofs = fem.locate_dofs_topological(sub, m.mesh.topology.dim - 1, m.facets(boundary))
    if not isinstance(value, fem.Constant):
        value = fem.Constant(m.mesh, PETSc.ScalarType(value))
    return fem.dirichletbc(value, dofs, sub)


def mean_displacement(u: fem.Function, m: DeviceMesh, boundary: str) -> np.ndarray:
    """Area-weighted mean displacement of a named surface [m], one entry per component.

    Works on exterior boundaries and on interior interfaces (e.g. electrode/switching-layer
    interfaces: the change of the electrode gap is the difference of the mean u_z of the two
    interfaces), whatever the ghost mode of the mesh: each facet is integrated once, from one
    adjacent cell, by the rank that owns it. Axisymmetric surfaces are weighted by 2 pi r.
    Collective.
    """
    ds = ufl.Measure("ds", domain=m.mesh, subdomain_data=[(1, _one_sided_facets(m, boundary))])
    w = m.weight()

    def integral(f) -> float:
        return m.comm.allreduce(fem.assemble_scalar(fem.form(w * f * ds(1))), op=MPI.SUM)

    area = integral(ufl.as_ufl(1.0))
    if area <= 0:
        raise ValueError(f"boundary '{boundary}' has zero area")
    return np.array([integral(u[i]) for i in range(u.ufl_shape[0])]) / area


def _one_sided_facets(m: DeviceMesh, boundary: str) -> np.ndarray:
    """Flattened (cell, local facet index) pairs, one per facet of ``boundary`` owned here."""
    topology = m.mesh.topology
    tdim = topology.dim
    topology.create_connectivity(tdim - 1, tdim)
    topology.create_connectivity(tdim, tdim - 1)
    f2c, c2f = topology.connectivity(tdim - 1, tdim), topology.connectivity(tdim, tdim - 1)
    facets = m.facets(boundary)
    facets = facets[facets < topology.index_map(tdim - 1).size_local]
    pairs = np.empty((len(facets), 2), dtype=np.int32)
    for i, facet in enumerate(facets):
        cell = f2c.links(facet)[0]
        pairs[i] = cell, np.flatnonzero(c2f.links(cell) == facet)[0]
    return pairs.ravel()
