"""Allen-Cahn phase field of an electrodeposited filament (DESIGN.md sec. 3, filament phase).

xi = 1 in the filament metal and 0 in the electrolyte. In the spirit of the electrodeposition
phase-field model of Liang & Chen (Electrochim. Acta 115, 644 (2014), eq. 6),

    d(xi)/dt = M [eps^2 lap(xi) - f'(xi)] - (v0 / 3 lambda) h'(xi) j / j0,

with the double well f = xi^2 (1 - xi)^2, the interpolation h = xi^3 (6 xi^2 - 15 xi + 10)
(h' = 30 xi^2 (1 - xi)^2 localises the reaction to the interface) and the Butler-Volmer current

    j / j0 = exp(alpha z eta / V_T) - exp(-(1 - alpha) z eta / V_T)    (> 0: dissolution).

**Parameters with a meaning.** The 1-D equilibrium profile is xi = (1 - tanh(x / lambda)) / 2 with
lambda = sqrt(2) eps (the tanh half-width of :mod:`apcfem.filament`). The sharp-interface limit is
the normal velocity v_n = K kappa + v0 (-j / j0) with K = M eps^2 [m^2/s] the capillary mobility
(curvature kappa [1/m]: a cylinder shrinks as r^2 = r0^2 - 2 K t) and v0 = j0 / (z F c_m) [m/s]
the deposition velocity of an exchange current j0 into metal of molar density c_m: the factor
1 / (3 lambda) = 1 / int(xi'^2 dx) turns the reaction rate into that velocity.

**Overpotential.** The double layer at the filament surface (< 0.5 nm) is not resolved, so metal
and adjacent electrolyte share the potential phi, and the overpotential of the reduction
M^z+ + z e^- -> M is the electrochemical-potential difference of ion and metal atom,
eta = -(V_T / z) ln(c / c_eq), with c_eq the ion concentration in equilibrium with the metal
(a flat surface). Ions piled up by the field at the filament tip (c > c_eq) drive deposition,
ions pulled away (c < c_eq) drive dissolution; the rate is Butler-Volmer in eta. With the
log-density w = ln(c / c_ref) of :mod:`apcfem.physics.nernst_planck` and c_ref = c_eq,
z eta / V_T = -w.

**Scaled residual.** Like the Nernst-Planck residual, the phase-field residual is the step
balance int W [(xi - xi_old) + dt (...)] v divided by RESIDUAL_VOLUME_M3 (1 nm^3), so its entries
are O(1) on nm meshes.
"""

from __future__ import annotations

from dataclasses import dataclass

import ufl

from apcfem.mesh import DeviceMesh
from apcfem.physics.nernst_planck import RESIDUAL_VOLUME_M3

Scalar = float | ufl.core.expr.Expr


def interpolation(xi) -> ufl.core.expr.Expr:
    """h(xi) = xi^3 (6 xi^2 - 15 xi + 10): 0 -> 1 with h'(0) = h'(1) = 0 [-]."""
    return xi**3 * (6.0 * xi**2 - 15.0 * xi + 10.0)


def interpolation_derivative(xi) -> ufl.core.expr.Expr:
    """h'(xi) = 30 xi^2 (1 - xi)^2 [-]."""
    return 30.0 * xi**2 * (1.0 - xi) ** 2


def sharp_interpolation(xi) -> ufl.core.expr.Expr:
    """H(xi) = h(clip(2 xi - 1/2, 0, 1)): 0 for xi < 1/4, 1 for xi > 3/4 [-].

    Interpolates properties with a contrast of 1e10 (sigma of metal and electrolyte): with h
    itself the tail xi ~ 0.1 of a diffuse interface would already conduct like a metal, whereas
    the filament boundary (neck extraction) is the xi = 1/2 contour.
    """
    return interpolation(ufl.max_value(ufl.min_value(2.0 * xi - 0.5, 1.0), 0.0))


def double_well_derivative(xi) -> ufl.core.expr.Expr:
    """f'(xi) of f = xi^2 (1 - xi)^2 [-]."""
    return 2.0 * xi * (1.0 - xi) * (1.0 - 2.0 * xi)


@dataclass(frozen=True, kw_only=True)
class AllenCahnDeposition:
    """Allen-Cahn filament phase driven by Butler-Volmer deposition/dissolution.

    Attributes:
        interface_width_m: lambda, tanh half-width of the interface [m].
        capillary_mobility_m2_per_s: K = M eps^2 [m^2/s] (0: no surface tension and no
            restoring double well; keep it > 0).
        deposition_velocity_m_per_s: v0 = j0 / (z F c_m) [m/s] (number or UFL expression).
        transfer_coefficient: alpha [-] in (0, 1).
        quadrature_degree: degree of all integrals (as the Nernst-Planck residual, so that the
            source -c_m d(xi)/dt of the ions balances the deposited amount exactly).
    """

    interface_width_m: float
    capillary_mobility_m2_per_s: Scalar
    deposition_velocity_m_per_s: Scalar
    transfer_coefficient: float = 0.5
    quadrature_degree: int = 4

    def __post_init__(self):
        if not 0.0 < self.transfer_coefficient < 1.0:
            raise ValueError(f"transfer_coefficient = {self.transfer_coefficient:g}: must be in "
                             "(0, 1), e.g. 0.5")
        if not self.interface_width_m > 0.0:
            raise ValueError(f"interface_width_m = {self.interface_width_m:g}: must be > 0 "
                             "(tanh half-width in metres, e.g. 1.5e-10)")

    def dissolution_current(self, supersaturation) -> ufl.core.expr.Expr:
        """j / j0 [-] (> 0 dissolves) for s = ln(c / c_eq) = -z eta / V_T."""
        alpha = self.transfer_coefficient
        return ufl.exp(-alpha * supersaturation) - ufl.exp((1.0 - alpha) * supersaturation)

    def rate(self, xi, supersaturation) -> ufl.core.expr.Expr:
        """Local part of d(xi)/dt [1/s]: double well and reaction (no gradient term)."""
        lam = self.interface_width_m
        mobility = 2.0 * self.capillary_mobility_m2_per_s / lam**2  # M = K / eps^2
        # h' of xi clipped to [0, 1]: outside it the reaction would push xi further out
        bounded = ufl.max_value(ufl.min_value(xi, 1.0), 0.0)
        return (-mobility * double_well_derivative(xi)
                - self.deposition_velocity_m_per_s / (3.0 * lam)
                * interpolation_derivative(bounded) * self.dissolution_current(supersaturation))

    def residual(self, xi, v, m: DeviceMesh, *, xi_old, dt: Scalar,
                 supersaturation) -> ufl.Form:
        """Backward-Euler residual int W [(xi - xi_old) v + dt (K grad xi.grad v - rate v)] / V0.

        Args:
            xi: phase field (unknown) [-].
            v: test function.
            m: device mesh.
            xi_old: phase field at the previous time [-].
            dt: time step [s].
            supersaturation: ln(c / c_eq) [-] (e.g. the log-density w with c_ref = c_eq).
        """
        weight = m.weight() / RESIDUAL_VOLUME_M3
        dx = m.dx()(degree=self.quadrature_degree)
        return weight * ((xi - xi_old) * v
                         + dt * self.capillary_mobility_m2_per_s
                         * ufl.inner(ufl.grad(xi), ufl.grad(v))
                         - dt * self.rate(xi, supersaturation) * v) * dx

    def amount(self, xi, m: DeviceMesh, molar_density_mol_per_m3: float) -> ufl.Form:
        """Metal in the filament c_m int xi dV [mol] (scalar form, residual quadrature)."""
        return (molar_density_mol_per_m3 * m.weight() * xi
                * m.dx()(degree=self.quadrature_degree))
