"""Electroneutral cation transport: current continuity of the ions in the electrolyte.

In an ECM electrolyte (Ag+ in SiO2) with one mobile cation and an immobile compensating
background, electroneutrality fixes the cation concentration at c (Debye length ~0.1 nm at
c = 1e3 mol/m^3, below the mesh size), so the Nernst-Planck flux of DESIGN.md sec. 3 reduces
to an ionic current

    i = -sigma_ion grad(phi_e),   sigma_ion = z^2 F^2 D(T) c / (R T) * h(|grad phi_e|),

with the Arrhenius diffusivity D(T) and the Mott-Gurney hopping factor h = sinh(x)/x,
x = z a |grad phi_e| / (2 V_T), of :class:`~apcfem.physics.nernst_planck.Species`: the ionic
conductivity follows from the transport parameters, it is not a number of its own. Charge
conservation with the surface reactions:

    div i = -z F q_dep,

where q_dep = c_m d(xi)/dt [mol/(m^3 s)] is the metal deposited from the electrolyte onto the
filament (dissolution releases ions), and at an active electrode the ions enter with the
Butler-Volmer oxidation current j_ox (i.n = -j_ox). Ions do not move inside the metal: sigma_ion
is multiplied by a mobile fraction (1 in the electrolyte, small in the metal, keeping phi_e
defined there).

**Scaled residual.** The residual is the charge balance over one backward-Euler step [C]
(dt times the currents, plus z F times the metal deposited in the step) divided by
:data:`CHARGE_SCALE_C`: its entries are O(1) for nm cells, commensurate with the phase field's
(volume balance in nm^3), and the deposition term does not grow as 1/dt (which would put
round-off above the Newton tolerance at small steps).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ufl

from apcfem.materials.laws import FARADAY_C_PER_MOL, GAS_CONSTANT_J_PER_MOLK
from apcfem.mesh import DeviceMesh
from apcfem.physics.nernst_planck import ButlerVolmer, Scalar, Species

CHARGE_SCALE_C = 1e-17
"""Charge [C] in whose units the ionic residual is counted (~60 Ag+, ~1 nm^3 of Ag)."""


@dataclass(frozen=True, kw_only=True)
class IonicConduction:
    """Current continuity of one mobile cation species under electroneutrality.

    Attributes:
        species: the cation (charge z, D(T), concentration c = its reference concentration,
            hop distance a for the high-field drift).
        mobile_fraction: factor of sigma_ion [-] (1 in the electrolyte, small in the metal).
        electrodes: active electrodes exchanging ions by Butler-Volmer kinetics.
        quadrature_degree: degree of the volume integrals (as the phase field's, so that the
            deposition source balances the deposited amount exactly).
    """

    species: Species
    mobile_fraction: Scalar = 1.0
    electrodes: Sequence[ButlerVolmer] = ()
    quadrature_degree: int = 4

    def conductivity(self, phi, T: Scalar) -> ufl.core.expr.Expr:
        """sigma_ion = z^2 F^2 D(T) c h / (R T) times the mobile fraction [S/m]."""
        z, c = self.species.charge_number, self.species.reference_concentration_mol_per_m3
        return (z**2 * FARADAY_C_PER_MOL**2 * c / (GAS_CONSTANT_J_PER_MOLK * ufl.as_ufl(T))
                * self.species.diffusivity(T) * self.species.drift_factor(phi, T)
                * self.mobile_fraction)

    def current_density(self, phi, T: Scalar) -> ufl.core.expr.Expr:
        """Ionic current density i = -sigma_ion grad(phi_e) [A/m^2]."""
        return -self.conductivity(phi, T) * ufl.grad(phi)

    def electrode_current(self, electrode: ButlerVolmer, phi, T: Scalar) -> ufl.core.expr.Expr:
        """Oxidation current density j_ox [A/m^2] of an active electrode (> 0: ions enter)."""
        c = self.species.reference_concentration_mol_per_m3
        return electrode.current_density(self.species.charge_number, phi, c, T)

    def residual(self, phi, v, m: DeviceMesh, *, T: Scalar, dt: Scalar,
                 deposited_mol_per_m3,
                 deposition_integral: tuple[Scalar, ufl.Measure] | None = None) -> ufl.Form:
        """int W [dt sigma grad phi.grad v + z F dq v] - dt sum_e int_e W j_ox v, over Q_scale.

        Args:
            phi: electrolyte potential phi_e (unknown) [V].
            v: test function.
            m: device mesh.
            T: temperature [K].
            dt: time step [s].
            deposited_mol_per_m3: dq = c_m (xi - xi_old), metal deposited from the electrolyte
                in the step [mol/m^3] (> 0 consumes ions).
            deposition_integral: volume weight and measure of the deposition term, those the
                phase field integrates its amount with (default: the residual's).
        """
        dx = m.dx()(degree=self.quadrature_degree)
        z = self.species.charge_number
        weight = m.weight() / CHARGE_SCALE_C
        deposition_weight, deposition_dx = deposition_integral or (m.weight(), dx)
        form = (weight * dt * ufl.inner(self.conductivity(phi, T) * ufl.grad(phi), ufl.grad(v))
                * dx + deposition_weight / CHARGE_SCALE_C * z * FARADAY_C_PER_MOL
                * deposited_mol_per_m3 * v * deposition_dx)
        for electrode in self.electrodes:
            form -= (weight * dt * self.electrode_current(electrode, phi, T) * v
                     * m.ds(electrode.boundary)(degree=self.quadrature_degree))
        return form

    def electrode_inflow(self, electrode: ButlerVolmer, phi, m: DeviceMesh,
                         T: Scalar) -> ufl.Form:
        """Ions entering through an electrode, int W j_ox / (z F) [mol/s] (scalar form)."""
        return (m.weight() * self.electrode_current(electrode, phi, T)
                / (self.species.charge_number * FARADAY_C_PER_MOL)
                * m.ds(electrode.boundary)(degree=self.quadrature_degree))
