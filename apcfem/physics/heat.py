"""Heat equation rho c_p dT/dt = div(k grad T) + Q (DESIGN.md sec. 3), steady form here."""

from __future__ import annotations

from dataclasses import dataclass

import ufl

from apcfem.mesh import DeviceMesh


@dataclass(frozen=True, kw_only=True)
class Heat:
    """Steady heat conduction with volumetric sources.

    Attributes:
        k: thermal conductivity [W/(m K)] (UFL expression; may depend on T, e.g. Wiedemann-Franz).
        sources: volumetric heat sources [W/m^3] (Joule heating, neck dissipation, light).
    """

    k: ufl.core.expr.Expr
    sources: tuple[ufl.core.expr.Expr, ...] = ()

    def residual(self, T, v, m: DeviceMesh) -> ufl.Form:
        """Weak residual: int w (k grad T . grad v - sum(Q) v)."""
        form = m.weight() * ufl.inner(self.k * ufl.grad(T), ufl.grad(v)) * m.dx()
        for q in self.sources:
            form -= m.weight() * q * v * m.dx()
        return form
