"""Quasi-static current continuity -div(sigma grad phi) = 0 (DESIGN.md sec. 3), and the
carrier density that sets a density-dependent sigma."""

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


def averaged_density_residual(averaged, density, length_m: float, m: DeviceMesh,
                              quadrature_degree: int = 4) -> ufl.Form:
    """Residual of the Helmholtz average n_e - l^2 lap n_e = n (zero normal flux), the carrier
    density n (e.g. oxygen vacancies) averaged over the length l as the conducting electrons
    see it, for a conductivity sigma(n_e) instead of a local sigma(n).

    A local sigma(n) lets a depleted layer one cell thick carry the whole voltage: the field
    there sweeps the layer's ions out and deepens it, an instability whose only length is the
    mesh's. Electrons cross a thin depleted layer by tunnelling, with a transmission
    e^{-2 kappa d}; through the averaged density a layer of thickness d >> l conducts as
    e^{-d / (2 l)} (the average decays as e^{-x/l} into it from both sides), so
    l = 1 / (4 kappa) gives the layer tunnelling's decay (kappa = 2.6 /nm, l = 0.1 nm for a
    1.25 eV barrier with m* = 0.2 m_e), and a sheet one 0.15 nm cell thick no longer blocks.
    The average keeps the amount (the test function 1 gives int n_e = int n) and a uniform n,
    and its matrix is constant (assembled and factorised once).

    Args:
        averaged: n_e (unknown function, the space of n).
        density: n (UFL expression).
        length_m: l [m].
        m: device mesh (axisymmetric weight included).
        quadrature_degree: of the integrals (n is usually not a polynomial).
    """
    v = ufl.TestFunction(averaged.function_space)
    dx = m.dx()(degree=quadrature_degree)
    return m.weight() * ((averaged - density) * v + length_m**2 * ufl.inner(
        ufl.grad(averaged), ufl.grad(v))) * dx
