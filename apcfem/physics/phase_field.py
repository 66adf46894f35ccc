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

**Overpotential and capillarity.** The surface reaction M <-> M^z+ + z e^- follows mass-action
Butler-Volmer kinetics (:func:`butler_volmer_ratio`) in the electrochemical overpotential of
oxidation

    eta = phi_metal - phi_electrolyte - (V_T / z) ln(c / c_ref) + gamma Omega kappa / (z e),

(metal and electrolyte potentials distinct; kappa the mean curvature, sum of the principal
curvatures, > 0 on a convex metal surface whose atoms are less bound: the Gibbs-Thomson shift,
~0.13 V for an Ag cylinder of 1 nm radius). The Allen-Cahn gradient term carries the part of it
that is linear in kappa, with K = v0 gamma Omega / (k_B T) (j / j0 ~ z e eta / k_B T for small
eta, any alpha): it keeps the diffuse profile and moves the interface by K kappa implicitly. The
reaction term carries the rest, j / j0 (eta) - gamma Omega kappa / k_B T, so that the total
normal velocity is v0 j / j0 with the full exponential dependence on the curvature: a thread
thinner than a few atoms dissolves at once, as it should, rather than at the linear rate.

The curvature in the reaction comes from auxiliary unknowns of the phase field (see
:mod:`apcfem.physics.interface_curvature`).

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

NM = 1e-9

def interpolation(xi) -> ufl.core.expr.Expr:
    """h(xi) = xi^3 (6 xi^2 - 15 xi + 10): 0 -> 1 with h'(0) = h'(1) = 0 [-]."""
    return xi**3 * (6.0 * xi**2 - 15.0 * xi + 10.0)


def interpolation_derivative(xi) -> ufl.core.expr.Expr:
    """h'(xi) = 30 xi^2 (1 - xi)^2 [-]."""
    return 30.0 * xi**2 * (1.0 - xi) ** 2


def clipped_interpolation_derivative(xi) -> ufl.core.expr.Expr:
    """h' of xi clipped to [0, 1] [-]: the weight of the interface reaction, zero outside
    [0, 1] (where h' itself would grow again and push xi further out)."""
    return interpolation_derivative(ufl.max_value(ufl.min_value(xi, 1.0), 0.0))


def sharp_interpolation(xi) -> ufl.core.expr.Expr:
    """H(xi) = h(clip(2 xi - 1/2, 0, 1)): 0 for xi < 1/4, 1 for xi > 3/4 [-].

    Interpolates properties with a contrast of 1e10 (sigma of metal and electrolyte): with h
    itself the tail xi ~ 0.1 of a diffuse interface would already conduct like a metal, whereas
    the filament boundary (neck extraction) is the xi = 1/2 contour.
    """
    return interpolation(ufl.max_value(ufl.min_value(2.0 * xi - 0.5, 1.0), 0.0))


def butler_volmer_ratio(reduced_overpotential, transfer_coefficient: float,
                        concentration_ratio=1.0) -> ufl.core.expr.Expr:
    """Mass-action Butler-Volmer j / j0 = e^{alpha y} - (c / c_ref) e^{-(1 - alpha) y} [-].

    y = z e eta / (k_B T) is the reduced overpotential (> 0: the metal is positive against the
    electrolyte and dissolves). Both Tafel branches are kept: the rate changes by a decade per
    ln(10) k_B T / (alpha z e) (120 mV for alpha = 1/2, z = 1 at 300 K), so growth effectively
    stops below a threshold (Bard & Faulkner, Electrochemical Methods, 2nd ed., eq. 3.4.10).
    """
    alpha = transfer_coefficient
    return (ufl.exp(alpha * reduced_overpotential)
            - concentration_ratio * ufl.exp(-(1.0 - alpha) * reduced_overpotential))


GIBBS_THOMSON_CAP = 30.0
"""|gamma Omega kappa / k_B T| is capped smoothly near here [-] (kappa of ~0.2 nm for Ag, a
single-atom thread): the rate is then already e^15 times the exchange rate, and exp() stays
finite in Newton trials (see :func:`smooth_cap`)."""


def reduced_gibbs_thomson(curvature, capillary_length) -> ufl.core.expr.Expr:
    """gamma Omega kappa / (k_B T) [-], smoothly capped at GIBBS_THOMSON_CAP.

    Args:
        curvature: mean curvature of the metal surface [1/m] (> 0 convex).
        capillary_length: gamma Omega / (k_B T) [m] (number or UFL expression of T).
    """
    return smooth_cap(capillary_length * curvature, GIBBS_THOMSON_CAP)


def smooth_cap(x, cap: float) -> ufl.core.expr.Expr:
    """x / (1 + (x / cap)^8)^(1/8): x for |x| << cap, tends to +-cap, smooth (keeps Newton's
    Jacobian continuous where a hard clip would switch the derivative off) [units of x]."""
    return x / (1.0 + (x / cap) ** 8) ** 0.125


def smooth_floor(x, floor: float) -> ufl.core.expr.Expr:
    """(x + sqrt(x^2 + 4 floor^2)) / 2: x for x >> floor, floor at x = 0, > 0 always, smooth
    [units of x]."""
    return 0.5 * (x + ufl.sqrt(x * x + 4.0 * floor * floor))


def double_well_derivative(xi) -> ufl.core.expr.Expr:
    """f'(xi) of f = xi^2 (1 - xi)^2 [-]."""
    return 2.0 * xi * (1.0 - xi) * (1.0 - 2.0 * xi)


@dataclass(frozen=True, kw_only=True)
class AllenCahnDeposition:
    """Allen-Cahn filament phase driven by Butler-Volmer deposition/dissolution.

    Attributes:
        interface_width_m: lambda, tanh half-width of the interface [m].
        capillary_mobility_m2_per_s: K = M eps^2 = v0 gamma Omega / (k_B T) [m^2/s] (0: no
            surface tension and no restoring double well; keep it > 0).
        deposition_velocity_m_per_s: v0 = j0 / (z F c_m) [m/s] (number or UFL expression).
        transfer_coefficient: alpha [-] in (0, 1).
        quadrature_degree: degree of all integrals (as the Nernst-Planck residual, so that the
            source -c_m d(xi)/dt of the ions balances the deposited amount exactly).
        lumped_weight: None, or the nodal volume weight
            (:meth:`~apcfem.mesh.DeviceMesh.nodal_weight`) with which the local terms are
            integrated at the vertices (mass lumping).
    """

    interface_width_m: float
    capillary_mobility_m2_per_s: Scalar
    deposition_velocity_m_per_s: Scalar
    transfer_coefficient: float = 0.5
    quadrature_degree: int = 4
    lumped_weight: Scalar | None = None

    def __post_init__(self):
        if not 0.0 < self.transfer_coefficient < 1.0:
            raise ValueError(f"transfer_coefficient = {self.transfer_coefficient:g}: must be in "
                             "(0, 1), e.g. 0.5")
        if not self.interface_width_m > 0.0:
            raise ValueError(f"interface_width_m = {self.interface_width_m:g}: must be > 0 "
                             "(tanh half-width in metres, e.g. 1.5e-10)")


    def rate(self, xi, dissolution_current, cancelled_curvature=None) -> ufl.core.expr.Expr:
        """Local part of d(xi)/dt [1/s]: double well, reaction and, if ``cancelled_curvature``
        [1/m] is given, the counter term +K kappa |grad xi|_eq that cancels the curvature motion
        of the Allen-Cahn terms (no gradient term)."""
        lam = self.interface_width_m
        mobility = 2.0 * self.capillary_mobility_m2_per_s / lam**2  # M = K / eps^2
        rate = (-mobility * double_well_derivative(xi)
                - self.deposition_velocity_m_per_s / (3.0 * lam)
                * clipped_interpolation_derivative(xi) * dissolution_current)
        if cancelled_curvature is None:
            return rate
        profile_slope = 2.0 * xi * (1.0 - xi) / lam  # unclipped: smooth through 0 and 1
        return rate + self.capillary_mobility_m2_per_s * cancelled_curvature * profile_slope

    def residual(self, xi, v, m: DeviceMesh, *, xi_old, dt: Scalar, dissolution_current,
                 cancelled_curvature=None, increment=None) -> ufl.Form:
        """Backward-Euler residual int W [(xi - xi_old - increment) v
        + dt (K grad xi.grad v - rate v)] / V0.

        Args:
            xi: phase field (unknown) [-].
            v: test function.
            m: device mesh.
            xi_old: phase field at the previous time [-].
            dt: time step [s].
            dissolution_current: j / j0 [-] of the surface reaction, > 0 dissolves (e.g.
                :func:`butler_volmer_ratio`).
            cancelled_curvature: the interface curvature [1/m] whose Allen-Cahn motion is
                cancelled (curvature-free phase field, Sun & Beckermann, J. Comput. Phys. 220,
                626 (2007)); then ``dissolution_current`` must carry the whole Gibbs-Thomson
                law. None: the Allen-Cahn terms move the interface by K kappa.
            increment: None, or a nodal change of xi [-] added over the step (the deposition
                shot noise, :mod:`apcfem.coupling.deposition_noise`).
        """
        dx = m.dx()(degree=self.quadrature_degree)
        rate = self.rate(xi, dissolution_current, cancelled_curvature)
        local_weight, local_dx = self.local_integral(m)
        change = xi - xi_old if increment is None else xi - xi_old - increment
        return (local_weight / RESIDUAL_VOLUME_M3 * (change - dt * rate) * v * local_dx
                + m.weight() / RESIDUAL_VOLUME_M3 * dt * self.capillary_mobility_m2_per_s
                * ufl.inner(ufl.grad(xi), ufl.grad(v)) * dx)

    def local_integral(self, m: DeviceMesh) -> tuple[Scalar, ufl.Measure]:
        """Volume weight and measure of the local terms (time derivative, double well,
        reaction) and of the amount: the nodal weight at the vertices when lumped (with the
        M-matrix of the gradient term on a non-obtuse P1 mesh, a step then keeps xi within
        [0, 1]), else the residual quadrature."""
        if self.lumped_weight is not None:
            return self.lumped_weight, m.dx()(scheme="vertex", degree=1)
        return m.weight(), m.dx()(degree=self.quadrature_degree)

    def amount(self, xi, m: DeviceMesh, molar_density_mol_per_m3: float) -> ufl.Form:
        """Metal in the filament c_m int xi dV [mol] (scalar form, residual quadrature)."""
        weight, local_dx = self.local_integral(m)
        return molar_density_mol_per_m3 * weight * xi * local_dx
