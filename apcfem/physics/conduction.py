"""Quasi-static current continuity -div(sigma grad phi) = 0 (DESIGN.md sec. 3)."""

from __future__ import annotations

from dataclasses import dataclass

import ufl

from apcfem.mesh import DeviceMesh


@dataclass(frozen=True, kw_only=True)
class Conduction:
    """Current continuity for the electric potential phi [V].

    Attributes:
        sigma: electrical conductivity [S/m] (UFL expression, may depend on fields).
        source: volumetric current source q_r [A/m^3] (default none).
    """

    sigma: ufl.core.expr.Expr
    source: ufl.core.expr.Expr | None = None

    def residual(self, phi, v, m: DeviceMesh) -> ufl.Form:
        """Weak residual: int w sigma grad(phi).grad(v) - q_r v  (w = 2 pi r if axisymmetric)."""
        form = m.weight() * ufl.inner(self.sigma * ufl.grad(phi), ufl.grad(v)) * m.dx()
        if self.source is not None:
            form -= m.weight() * self.source * v * m.dx()
        return form

    def joule_power_density(self, phi) -> ufl.core.expr.Expr:
        """Joule heating sigma |grad phi|^2 [W/m^3]."""
        return self.sigma * ufl.inner(ufl.grad(phi), ufl.grad(phi))

    def dissipated_power(self, phi, m: DeviceMesh) -> ufl.Form:
        """Total Joule power [W] as a scalar form; for a contact pair at voltage V, R = V^2/P."""
        return m.weight() * self.joule_power_density(phi) * m.dx()
