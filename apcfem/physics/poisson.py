"""Poisson equation with ionic space charge (DESIGN.md sec. 3).

    -div(eps_0 eps_r grad phi) = F sum_i z_i (c_i - c_i,bg)

for the electric potential phi [V] in an insulating layer before forming (Debye layers, field
distribution), with c_i [mol/m^3] the mobile ion concentrations and c_i,bg the immobile
compensating background. Summed with the Nernst-Planck residuals of
:mod:`apcfem.physics.nernst_planck` it gives the Poisson-Nernst-Planck system; the residual is
scaled as stated there: the charge balance [C] divided by F * c_scale * RESIDUAL_VOLUME_M3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ufl

from apcfem.materials.laws import EPSILON_0_F_PER_M, FARADAY_C_PER_MOL
from apcfem.mesh import DeviceMesh

RESIDUAL_VOLUME_M3 = 1e-27
"""Volume [m^3] (1 nm^3) in whose units residual charges are counted, as in Nernst-Planck."""


@dataclass(frozen=True, kw_only=True)
class SpaceChargePoisson:
    """Electrostatics with the space charge of mobile ions.

    Attributes:
        eps_r: relative permittivity [-] (number or UFL expression, e.g. a region constant).
        charge_numbers: z_i [-] of the mobile species, in the order of the concentrations
            passed to :meth:`residual`.
        background_mol_per_m3: c_i,bg [mol/m^3] per species (numbers or UFL expressions).
        concentration_scale_mol_per_m3: c_scale [mol/m^3] of the residual scaling; use the
            species' reference concentration.
    """

    eps_r: float | ufl.core.expr.Expr
    charge_numbers: tuple[float, ...]
    background_mol_per_m3: tuple[float | ufl.core.expr.Expr, ...]
    concentration_scale_mol_per_m3: float = 1.0

    def __post_init__(self):
        if len(self.charge_numbers) != len(self.background_mol_per_m3):
            raise ValueError(f"SpaceChargePoisson: {len(self.charge_numbers)} charge numbers "
                             f"but {len(self.background_mol_per_m3)} background concentrations: "
                             "give one background (mol/m^3, e.g. 0.0) per species")
        if not self.concentration_scale_mol_per_m3 > 0.0:
            raise ValueError(f"SpaceChargePoisson: concentration_scale_mol_per_m3 = "
                             f"{self.concentration_scale_mol_per_m3:g}: must be > 0")

    def charge_density(self, concentrations: Sequence[ufl.core.expr.Expr]) -> ufl.core.expr.Expr:
        """Space charge rho = F sum z_i (c_i - c_i,bg) [C/m^3] of concentrations [mol/m^3]."""
        if len(concentrations) != len(self.charge_numbers):
            raise ValueError(f"SpaceChargePoisson: {len(concentrations)} concentrations for "
                             f"{len(self.charge_numbers)} species")
        return FARADAY_C_PER_MOL * sum(
            z * (c - bg) for z, c, bg in zip(self.charge_numbers, concentrations,
                                             self.background_mol_per_m3, strict=True))

    def residual(self, phi, v, m: DeviceMesh,
                 concentrations: Sequence[ufl.core.expr.Expr]) -> ufl.Form:
        """Weak residual int W (eps grad phi . grad v - rho v) / (F c_scale RESIDUAL_VOLUME_M3).

        Args:
            phi: electric potential [V] (unknown function).
            v: test function.
            m: device mesh (W = 2 pi r if axisymmetric, else 1).
            concentrations: c_i [mol/m^3] in the order of ``charge_numbers``, e.g.
                ``species.concentration(w)``.
        """
        scale = 1.0 / (FARADAY_C_PER_MOL * self.concentration_scale_mol_per_m3
                       * RESIDUAL_VOLUME_M3)
        eps = EPSILON_0_F_PER_M * self.eps_r
        integrand = (eps * ufl.inner(ufl.grad(phi), ufl.grad(v))
                     - self.charge_density(concentrations) * v)
        return scale * m.weight() * integrand * m.dx()
