"""Oxygen exchange at the interface of a switching oxide with an oxygen-getter layer (VCM).

At a HfOx/Ti interface lattice oxygen moves into the getter and leaves a doubly charged vacancy
in the oxide, O_O -> V_O^2+ + O(Ti) + 2 e^-, and back. The exchange is an interfacial ion hop
across a barrier biased by the field, the rate law of high-field oxide growth (N. Cabrera &
N. F. Mott, Rep. Prog. Phys. 12, 163 (1949)) in Butler-Volmer form:

    j = j0 [exp(alpha z eta / V_T) - (c / c_eq) exp(-(1 - alpha) z eta / V_T)],   eta = a E_n,

with j > 0 the generation current density of vacancies into the oxide [A/m^2], z = 2, the
hop distance a, and E_n = grad(phi).n the field across the interface (n the outward normal of
the oxide: a positive getter side pushes V_O^2+ into the oxide): eta is the potential drop over
one hop. At zero field the reaction holds the interface at the vacancy concentration c_eq of
the getter's sub-oxide (the vacancy-rich "plug" of the JART VCM model); the forward branch has
no concentration factor, as lattice oxygen is abundant. With alpha = 1/2 the net rate at
c = c_eq is 2 j0 sinh(z a E_n / 2 V_T), the Cabrera-Mott law.

It plugs into :class:`~apcfem.physics.nernst_planck.NernstPlanck` as an electrode (an object with
``boundary`` and ``current_density(z, phi, c, T)``).
"""

from __future__ import annotations

from dataclasses import dataclass

import ufl

from apcfem.physics.nernst_planck import Scalar, thermal_voltage


@dataclass(frozen=True, kw_only=True)
class OxygenExchange:
    """Field-driven vacancy exchange at a named interface boundary of the oxide.

    Attributes:
        boundary: name of the facet group (the oxide's face on the getter).
        exchange_current_density_A_per_m2: j0 [A/m^2] (number or UFL expression).
        equilibrium_concentration_mol_per_m3: c_eq [mol/m^3] held at zero field.
        hop_distance_m: a [m], the length over which the interfacial field acts.
        normal: outward unit normal of the oxide (``ufl.FacetNormal``).
        transfer_coefficient: alpha [-], in (0, 1).
    """

    boundary: str
    exchange_current_density_A_per_m2: Scalar
    equilibrium_concentration_mol_per_m3: float
    hop_distance_m: float
    normal: ufl.core.expr.Expr
    transfer_coefficient: float = 0.5

    def __post_init__(self):
        if not 0.0 < self.transfer_coefficient < 1.0:
            raise ValueError(f"oxygen exchange at {self.boundary}: transfer_coefficient = "
                             f"{self.transfer_coefficient:g}: must be in (0, 1), e.g. 0.5")
        if not self.equilibrium_concentration_mol_per_m3 > 0.0:
            raise ValueError(f"oxygen exchange at {self.boundary}: equilibrium concentration "
                             f"{self.equilibrium_concentration_mol_per_m3:g} mol/m^3: must be > 0")

    def overpotential(self, phi) -> ufl.core.expr.Expr:
        """eta = a grad(phi).n [V], the potential drop over one hop across the interface."""
        return self.hop_distance_m * ufl.dot(ufl.grad(phi), self.normal)

    def current_density(self, z: float, phi, c, T: Scalar) -> ufl.core.expr.Expr:
        """Vacancy generation current density j [A/m^2] (> 0: vacancies enter the oxide).

        Args:
            z: charge number of the vacancy (+2).
            phi: electric potential in the oxide [V].
            c: vacancy concentration at the interface [mol/m^3].
            T: temperature [K].
        """
        reduced = z * self.overpotential(phi) / thermal_voltage(T)
        alpha = self.transfer_coefficient
        return self.exchange_current_density_A_per_m2 * (
            ufl.exp(alpha * reduced)
            - c / self.equilibrium_concentration_mol_per_m3 * ufl.exp(-(1.0 - alpha) * reduced))
