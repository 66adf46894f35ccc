"""Nernst-Planck ion transport in the log-density formulation (DESIGN.md sec. 3).

For each mobile species of charge number z

    dc/dt + div N = R,   N = -D grad c - z D c grad(phi) / V_T - D S_T c grad T,

with D(T) = D0 exp(-E_a / k_B T) (Arrhenius), the Einstein mobility mu = e D / (k_B T), so that
z mu c grad(phi) = z D c grad(phi) / V_T with V_T = k_B T / e, and S_T the Soret coefficient:
a constant part plus Q* / (k_B T^2) from a heat of transport Q* (the thermodiffusion of a
hopping species; zero flux then means c ~ exp(Q* / k_B T), so Q* < 0 draws the species into
hot regions: Strukov, Alibart & Williams, Appl. Phys. A 107, 509 (2012) take Q* = -E_a for
the oxygen vacancies of a hot filament).

**Discretisation.** The unknown is the log-density w = ln(c / c_ref), so c = c_ref exp(w) is
positive for any discrete w, and the flux is written as

    N = -D c (grad w + z h grad(phi) / V_T + S_T grad T)

(the log-density formulation of Metti, Xu & Liu, J. Comput. Phys. 306, 1 (2016); the
quasi-Fermi variable of semiconductor device simulation). Standard Galerkin in w has no
streamline oscillation at any cell Peclet number: the exponential is carried by exp(w), and an
equilibrium (Boltzmann) profile c ~ exp(-z phi / V_T) is reproduced exactly when phi is in the
space of w. h = 1 is linear (Einstein) drift; the optional high-field hopping drift of Mott and
Gurney multiplies it by

    h = sinh(x) / x,   x = z a |grad phi| / (2 V_T),

so that the drift velocity is v = (2 D / a) sinh(z a E / 2 V_T): with D = a^2 nu exp(-E_a/k_B T)
(hop rate nu each way over distance a) this is v = 2 a nu exp(-E_a/k_B T) sinh(z e a E/2 k_B T)
and it tends to the Einstein drift z D E / V_T at low field (Mott & Gurney, *Electronic
Processes in Ionic Crystals*, 1940, ch. II; Genreith-Schriever & De Souza, Phys. Rev. B 94,
224304 (2016)). At x = E_a / k_B T the field has lowered the forward barrier to zero: beyond
it h keeps its value there (the exponential gain stops; the drift grows only with the field).
Note the factor 2: DESIGN.md pairs this v with D = a^2 nu exp(..) / 2, which would break the
Einstein relation at low field; here D is the species' own diffusivity and only a enters the
hopping law.

Time stepping is backward Euler with the mass term (c_ref exp(w) - c_old) / dt evaluated with the
same quadrature rule as :meth:`NernstPlanck.amount`. The test function v = 1 lies in the space of
a closed cell (no Dirichlet condition), so the discrete amount changes exactly by dt times the
boundary exchange and source: conservation to solver tolerance.

Two consequences of weighting by c = exp(w): (a) each nodal equation is scaled by the local
concentration, so where c / max(c) is below the Newton tolerance w is not determined (harmless
for the physics; use an absolute tolerance in the scaled units below when depleted regions
matter); (b) in a cell whose Boltzmann layer is much thinner than the cell (cell Peclet >> 1)
no fixed quadrature rule resolves int exp(w): the amount there is conserved but not accurate,
so resolve layers where transients matter.

**Site exclusion (lattice gas).** A species on a lattice of c_s sites per volume
(``site_concentration_mol_per_m3``, e.g. oxygen vacancies on the oxygen sublattice) hops only
into empty sites: N = -D grad c - D c (1 - c/c_s) (z h grad(phi) / V_T + S_T grad T) (the
lattice-gas or Bikerman form; Kilic, Bazant & Ajdari, Phys. Rev. E 75, 021502 (2007)). The
unknown is then the logit w = ln(theta / (1 - theta)), theta = c / c_s, so c = c_s / (1 + e^-w)
stays in (0, c_s) for any discrete w and the flux is again a factor times a gradient of
w-like terms, N = -D c (1 - theta) (grad w + z h grad(phi) / V_T + S_T grad T); at theta << 1
it is the log-density flux above. Without it a Boltzmann layer at a blocking electrode under
1 V would pile up exp(2 V / V_T) ~ 1e33 times the bulk concentration.

**Boundaries.** Blocking (zero normal flux) is natural; fixed concentration is a Dirichlet value
w = ln(c / c_ref) (:meth:`NernstPlanck.fixed_concentration`); an electrode exchanges ions by
Butler-Volmer kinetics (:class:`ButlerVolmer`).

**Scaled units (stated here once; apcfem.physics.poisson uses the same).** Fields at the
interface are SI: phi [V], T [K], c [mol/m^3], mesh coordinates [m]. Inside the forms
concentrations are in units of c_ref (exp(w)) and potentials in units of V_T. Residuals are
dimensionless: the Nernst-Planck residual is the amount balance [mol] over one step dt,
divided by c_ref * RESIDUAL_VOLUME_M3 (1 nm^3); the Poisson residual is the charge balance [C]
divided by F * c_scale * RESIDUAL_VOLUME_M3. This keeps residual entries of O(1) on nm meshes,
so absolute SNES tolerances keep their meaning, and makes the blocks of a coupled
Poisson-Nernst-Planck system commensurate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem

from apcfem.materials.laws import (
    BOLTZMANN_J_PER_K,
    ELEMENTARY_CHARGE_C,
    FARADAY_C_PER_MOL,
)
from apcfem.mesh import DeviceMesh

RESIDUAL_VOLUME_M3 = 1e-27
"""Volume [m^3] (1 nm^3) in whose units residual amounts are counted (see module docstring)."""

# Below this x^2 the hopping factor sinh(x)/x is its Taylor polynomial (error < x^6/5040).
_SMALL_X2 = 1e-4

_NO_DRIFT2_PER_M2 = 1e-34
"""|drift grad phi|^2 [1/m^2] below which the drift direction is taken as undefined (the
streamline diffusion there is ~Pe^2/3 ~ 0 whichever direction is used)."""

HOPPING_ARGUMENT_CAP = 40.0
"""x = z a E / (2 V_T) is capped here in the hopping factor (E ~ 8e9 V/m for a = 0.25 nm,
beyond dielectric breakdown): keeps sinh finite where a field is unphysical, e.g. the
electrolyte potential inside a metal filament."""

Scalar = float | ufl.core.expr.Expr


def _vertex_rule(m: DeviceMesh) -> ufl.Measure:
    """The cell measure with the vertex quadrature (row-sum mass lumping of P1)."""
    return m.dx()(scheme="vertex", degree=1)


def thermal_voltage(T: Scalar) -> ufl.core.expr.Expr:
    """Thermal voltage k_B T / e [V] of a temperature [K] (number or UFL expression)."""
    return BOLTZMANN_J_PER_K / ELEMENTARY_CHARGE_C * ufl.as_ufl(T)


@dataclass(frozen=True, kw_only=True)
class Species:
    """A mobile ionic species.

    Attributes:
        name: label, e.g. ``"Ag+"``.
        charge_number: z [-], e.g. +1 for Ag+, +2 for V_O.
        diffusivity_prefactor_m2_per_s: D0 of D = D0 exp(-E_a / k_B T) [m^2/s] (number or UFL
            expression, e.g. a :func:`~apcfem.physics.region_constant`).
        activation_energy_eV: E_a [eV] (number or UFL expression).
        reference_concentration_mol_per_m3: c_ref [mol/m^3]: w = ln(c / c_ref); also the unit
            of the residual (see module docstring). Pick a typical concentration.
        soret_coefficient_per_K: constant part of S_T [1/K].
        heat_of_transport_eV: Q* [eV] of the part Q* / (k_B T^2) of S_T; with S_T's constant
            part 0, 0 switches thermodiffusion off.
        hop_distance_m: hop distance a [m] of the Mott-Gurney high-field drift; None keeps the
            linear (Einstein) drift.
        site_concentration_mol_per_m3: c_s [mol/m^3] of a lattice gas (see the module
            docstring): w is then the logit of c / c_s; None for dilute ions (w = ln(c / c_ref)).
    """

    name: str
    charge_number: float
    diffusivity_prefactor_m2_per_s: Scalar
    activation_energy_eV: Scalar
    reference_concentration_mol_per_m3: float
    soret_coefficient_per_K: Scalar = 0.0
    heat_of_transport_eV: float = 0.0
    hop_distance_m: float | None = None
    site_concentration_mol_per_m3: float | None = None

    def __post_init__(self):
        if not self.reference_concentration_mol_per_m3 > 0.0:
            raise ValueError(f"species {self.name}: reference_concentration_mol_per_m3 = "
                             f"{self.reference_concentration_mol_per_m3:g}: must be > 0 "
                             "(a typical concentration in mol/m^3, e.g. 1e3)")
        if self.hop_distance_m is not None and not self.hop_distance_m > 0.0:
            raise ValueError(f"species {self.name}: hop_distance_m = {self.hop_distance_m:g}: "
                             "must be > 0 (hopping distance in metres, e.g. 2.5e-10) or None")
        barrier = self.activation_energy_eV
        if self.hop_distance_m is not None and isinstance(barrier, float | int) and barrier <= 0:
            raise ValueError(f"species {self.name}: activation_energy_eV = {barrier:g} with "
                             "hop_distance_m: the hopping drift lowers a barrier, it must be > 0 "
                             "(e.g. 0.8 eV for Ag+ in SiO2), or hop_distance_m None")
        sites = self.site_concentration_mol_per_m3
        if sites is not None and not sites > 0.0:
            raise ValueError(f"species {self.name}: site_concentration_mol_per_m3 = {sites:g}: "
                             "must be > 0 (lattice sites in mol/m^3, e.g. 9.2e4) or None")

    def diffusivity(self, T: Scalar) -> ufl.core.expr.Expr:
        """Arrhenius diffusivity D(T) [m^2/s] at temperature T [K]."""
        return self.diffusivity_prefactor_m2_per_s * ufl.exp(
            -ufl.as_ufl(self.activation_energy_eV) / thermal_voltage(T))

    def concentration(self, w) -> ufl.core.expr.Expr:
        """Concentration [mol/m^3] of the unknown w: c_ref exp(w), or c_s / (1 + exp(-w)) on a
        lattice of c_s sites."""
        if self.site_concentration_mol_per_m3 is not None:
            return self.site_concentration_mol_per_m3 / (1.0 + ufl.exp(-w))
        return self.reference_concentration_mol_per_m3 * ufl.exp(w)

    def vacant_fraction(self, w) -> ufl.core.expr.Expr | float:
        """1 - c/c_s, the fraction of empty sites a hop can go to [-] (1 for dilute ions)."""
        if self.site_concentration_mol_per_m3 is None:
            return 1.0
        return 1.0 / (1.0 + ufl.exp(w))

    def log_density(self, concentration_mol_per_m3: float | np.ndarray) -> float | np.ndarray:
        """The unknown w of a concentration c [mol/m^3] > 0: ln(c / c_ref), or ln(c / (c_s - c))
        on a lattice (c < c_s)."""
        c = np.asarray(concentration_mol_per_m3, dtype=float)
        sites = self.site_concentration_mol_per_m3
        if not np.all(c > 0.0) or (sites is not None and not np.all(c < sites)):
            raise ValueError(f"species {self.name}: concentration {np.min(c):g} .. {np.max(c):g}"
                             " mol/m^3 has no log-density: must be > 0"
                             + ("" if sites is None else f" and < the sites {sites:g}"))
        w = np.log(c / (sites - c)) if sites is not None else np.log(
            c / self.reference_concentration_mol_per_m3)
        return float(w) if w.ndim == 0 else w

    def hopping_velocity_m_per_s(self, field_V_per_m: float, T_K: float) -> float:
        """Drift velocity [m/s] of the species in a uniform field E [V/m] at T [K] (numbers):
        Mott-Gurney hopping (2 D / a) sinh(x), x = z a E / (2 k_B T / e), with the argument
        capped as in :meth:`drift_factor` (barrier-free hop, HOPPING_ARGUMENT_CAP); the
        Einstein drift z D E / (k_B T / e) without a hop distance (constant numbers only)."""
        V_T = BOLTZMANN_J_PER_K * T_K / ELEMENTARY_CHARGE_C
        D = float(self.diffusivity_prefactor_m2_per_s) * np.exp(
            -float(self.activation_energy_eV) / V_T)
        z, E = abs(self.charge_number), abs(field_V_per_m)
        if self.hop_distance_m is None:
            return z * D * E / V_T
        x = min(z * self.hop_distance_m * E / (2.0 * V_T),
                float(self.activation_energy_eV) / V_T, HOPPING_ARGUMENT_CAP)
        return 2.0 * D / self.hop_distance_m * float(np.sinh(x))

    def drift_factor(self, phi, T: Scalar) -> ufl.core.expr.Expr:
        """Hopping enhancement h = sinh(x)/x of the Einstein drift (1 without hopping) [-]."""
        if self.hop_distance_m is None:
            return ufl.as_ufl(1.0)
        # h is even in x, so it is written in x^2: smooth (and differentiable) at zero field.
        x2 = (self.charge_number * self.hop_distance_m / (2.0 * thermal_voltage(T))) ** 2 \
            * ufl.inner(ufl.grad(phi), ufl.grad(phi))
        # the field cannot lower the barrier below zero: beyond z e a E / 2 = E_a the forward
        # hop is barrier-free and the drift grows no faster than the field
        barrier_free = ufl.as_ufl(self.activation_energy_eV) / thermal_voltage(T)
        x = ufl.min_value(ufl.min_value(ufl.sqrt(ufl.max_value(x2, _SMALL_X2)), barrier_free),
                          HOPPING_ARGUMENT_CAP)
        return ufl.conditional(ufl.lt(x2, _SMALL_X2), 1.0 + x2 / 6.0 + x2**2 / 120.0,
                               ufl.sinh(x) / x)


@dataclass(frozen=True, kw_only=True)
class ButlerVolmer:
    """Electrochemical exchange M <-> M^{z+} + z e^- of a species at an electrode boundary.

    Current density (Bard & Faulkner, *Electrochemical Methods*, 2nd ed. 2001, eq. 3.4.10):

        j = j0 [exp(alpha z eta / V_T) - r exp(-(1 - alpha) z eta / V_T)],
        eta = phi_electrode - phi - E_eq,

    with r = 1, or r = c / c_bv if ``reference_concentration_mol_per_m3`` = c_bv is given (the
    reduction then stops when no ion is left, which keeps the log-density finite).

    Sign convention: j > 0 is anodic (oxidation of the electrode metal, ions released into the
    electrolyte); with n the outward normal of the electrolyte the ion flux is
    N.n = -j / (z F), so an anodic current is an influx.

    Attributes:
        boundary: name of the electrode facet group.
        exchange_current_density_A_per_m2: j0 [A/m^2] (number or UFL expression).
        electrode_potential_V: phi_electrode [V] (e.g. a ``fem.Constant`` driven by the circuit).
        equilibrium_potential_V: E_eq [V].
        transfer_coefficient: alpha [-], in (0, 1).
        reference_concentration_mol_per_m3: c_bv [mol/m^3] of a concentration-dependent
            reduction branch, or None for r = 1.
    """

    boundary: str
    exchange_current_density_A_per_m2: Scalar
    electrode_potential_V: Scalar
    equilibrium_potential_V: Scalar = 0.0
    transfer_coefficient: float = 0.5
    reference_concentration_mol_per_m3: float | None = None

    def __post_init__(self):
        if not 0.0 < self.transfer_coefficient < 1.0:
            raise ValueError(f"Butler-Volmer at {self.boundary}: transfer_coefficient = "
                             f"{self.transfer_coefficient:g}: must be in (0, 1), e.g. 0.5")

    def current_density(self, z: float, phi, c, T: Scalar) -> ufl.core.expr.Expr:
        """Anodic current density j [A/m^2].

        Args:
            z: charge number of the ion (electrons transferred per ion).
            phi: electrolyte potential at the electrode [V].
            c: ion concentration at the electrode [mol/m^3].
            T: temperature [K].
        """
        vt = thermal_voltage(T)
        eta = self.electrode_potential_V - phi - self.equilibrium_potential_V
        alpha = self.transfer_coefficient
        reduction = ufl.exp(-(1.0 - alpha) * z * eta / vt)
        if self.reference_concentration_mol_per_m3 is not None:
            reduction *= c / self.reference_concentration_mol_per_m3
        return self.exchange_current_density_A_per_m2 * (ufl.exp(alpha * z * eta / vt)
                                                        - reduction)


@dataclass(frozen=True, kw_only=True)
class NernstPlanck:
    """Transport of one species; sum the residuals of several species (and Poisson) for PNP.

    Attributes:
        species: the mobile species.
        source: volumetric production R [mol/(m^3 s)] (UFL expression), or None.
        electrodes: Butler-Volmer exchange boundaries; all other boundaries without a Dirichlet
            condition are blocking.
        quadrature_degree: quadrature degree of all Nernst-Planck integrals (exp(w) is not a
            polynomial); :meth:`amount` uses the same rule, which makes the discrete balance exact.
        streamline_diffusion: add the Scharfetter-Gummel scheme's numerical diffusion along
            the drift where the cell Peclet number exceeds ~1 (:meth:`_streamline_diffusion`).
    """

    species: Species
    source: ufl.core.expr.Expr | None = None
    electrodes: tuple[ButlerVolmer, ...] = ()
    quadrature_degree: int = 4
    streamline_diffusion: bool = False

    @property
    def residual_scale(self) -> float:
        """1 / (c_ref RESIDUAL_VOLUME_M3) [1/mol], the unit of the residual's amounts."""
        return 1.0 / (self.species.reference_concentration_mol_per_m3 * RESIDUAL_VOLUME_M3)

    def flux(self, w, phi, T: Scalar) -> ufl.core.expr.Expr:
        """Ion flux N [mol/(m^2 s)] of the log-density w, potential phi [V], temperature T [K]."""
        sp = self.species
        drift = sp.charge_number * sp.drift_factor(phi, T) / thermal_voltage(T)
        gradient = ufl.grad(w)
        if self.streamline_diffusion:
            mesh = w.ufl_function_space().mesh
            gradient += ufl.dot(self._streamline_diffusion(drift, phi, mesh), gradient)
        driving = gradient + drift * ufl.grad(phi)
        if not (isinstance(sp.soret_coefficient_per_K, float | int)
                and sp.soret_coefficient_per_K == 0):
            driving += sp.soret_coefficient_per_K * ufl.grad(T)
        if sp.heat_of_transport_eV != 0.0:
            driving += sp.heat_of_transport_eV / thermal_voltage(T) / T * ufl.grad(T)
        return -sp.diffusivity(T) * sp.concentration(w) * sp.vacant_fraction(w) * driving

    @staticmethod
    def _streamline_diffusion(drift, phi, mesh) -> ufl.core.expr.Expr:
        """The numerical diffusion of the Scharfetter-Gummel flux, relative to D: the tensor
        (Pe coth Pe - 1) b b^T, b the drift direction, Pe = |drift grad phi| h / 2 the cell
        Peclet number (h: cell diameter).

        On a uniform 1-D grid, central differences plus D (Pe coth Pe - 1) are the
        exponentially fitted (Scharfetter-Gummel, Il'in-Allen-Southwell) scheme, monotone at
        any Peclet number; along the streamline it is the optimal SUPG diffusion of Brooks &
        Hughes, Comput. Methods Appl. Mech. Eng. 32, 199 (1982). Without it Galerkin has no
        diffusion to spare where a drift front is thinner than a cell (Pe >> 1), and the
        log-density turns the undershoots into mesh-scale spots of extreme depletion. It is
        ~Pe^2/3 below Pe ~ 1 (second-order consistent: the rates of a resolved solution stay)
        and first order above. Unlike Scharfetter-Gummel it acts on grad c, not on the
        electrochemical potential: a Boltzmann layer at a blocking wall thinner than a cell is
        spread over ~ a cell instead of being exact at the nodes. Pe is capped at
        HOPPING_ARGUMENT_CAP, as the hopping argument: beyond it the field is unphysical.
        """
        field = drift * ufl.grad(phi)
        magnitude2 = ufl.inner(field, field)
        magnitude = ufl.sqrt(ufl.max_value(magnitude2, _NO_DRIFT2_PER_M2))
        peclet = ufl.min_value(magnitude * ufl.CellDiameter(mesh) / 2.0, HOPPING_ARGUMENT_CAP)
        extra = ufl.conditional(ufl.lt(peclet, 1e-2), peclet**2 / 3.0,
                                peclet / ufl.tanh(peclet) - 1.0)
        direction = field / magnitude
        return extra * ufl.outer(direction, direction)

    def residual(self, w, v, m: DeviceMesh, *, phi, T: Scalar, dt: Scalar,
                 c_old: ufl.core.expr.Expr | None = None) -> ufl.Form:
        """Backward-Euler residual, or the steady residual if ``c_old`` is None.

        int_Omega W [(c - c_old) v - dt (N . grad v + R v)] + int_electrodes W dt (N.n) v,
        scaled by 1 / (c_ref RESIDUAL_VOLUME_M3) (W = 2 pi r if axisymmetric, else 1).

        Args:
            w: log-density ln(c / c_ref) [-] (unknown function).
            v: test function.
            m: device mesh.
            phi: electric potential [V].
            T: temperature [K].
            dt: time step [s]; in a steady residual, the time scale weighting it against other
                blocks of a coupled system (e.g. L^2/D).
            c_old: concentration at the previous time [mol/m^3], e.g.
                ``species.concentration(w_old)``; None for a steady problem.
        """
        sp, scale = self.species, self.residual_scale
        weight = m.weight()
        dx = m.dx()(degree=self.quadrature_degree)
        form = -dt * scale * weight * ufl.inner(self.flux(w, phi, T), ufl.grad(v)) * dx
        if c_old is not None:
            form += scale * weight * (sp.concentration(w) - c_old) * v * dx
        if self.source is not None:
            form -= dt * scale * weight * self.source * v * dx
        return form + self.electrode_residual(sp.concentration(w), v, m, phi=phi, T=T, dt=dt)

    def electrode_residual(self, c, v, m: DeviceMesh, *, phi, T: Scalar,
                           dt: Scalar) -> ufl.Form | int:
        """The electrodes' terms int_electrodes W dt (N.n) v of :meth:`residual` at the
        concentration c [mol/m^3] (0 if there is no electrode)."""
        sp, scale = self.species, self.residual_scale
        form = 0
        for electrode in self.electrodes:
            j = electrode.current_density(sp.charge_number, phi, c, T)
            normal_flux = -j / (sp.charge_number * FARADAY_C_PER_MOL)
            ds = m.ds(electrode.boundary)(degree=self.quadrature_degree)
            form += dt * scale * m.weight() * normal_flux * v * ds
        return form

    def lumped_storage(self, c, v, m: DeviceMesh, c_old, nodal_weight) -> ufl.Form:
        """The storage term of :meth:`residual` at the concentration c [mol/m^3] (P1) with the
        row-sum lumped mass,
        sum_i M_i (c_i - c_old_i) v_i / (c_ref RESIDUAL_VOLUME_M3) (M_i = int W phi_i;
        ``nodal_weight`` is :meth:`~apcfem.mesh.DeviceMesh.nodal_weight`), the storage of the
        edge fluxes of :mod:`apcfem.physics.scharfetter_gummel`."""
        return self.residual_scale * nodal_weight * (c - c_old) * v * _vertex_rule(m)

    def lumped_amount(self, c, m: DeviceMesh, nodal_weight) -> ufl.Form:
        """Total amount sum_i M_i c_i [mol] (scalar form) of :meth:`lumped_storage` at the
        concentration c [mol/m^3]."""
        return nodal_weight * c * _vertex_rule(m)

    def amount(self, w, m: DeviceMesh) -> ufl.Form:
        """Total amount int c dV [mol] (scalar form), with the quadrature of the residual."""
        return m.weight() * self.species.concentration(w) * m.dx()(degree=self.quadrature_degree)

    def electrode_ion_inflow(self, c, m: DeviceMesh, electrode: ButlerVolmer, *, phi,
                             T: Scalar) -> ufl.Form:
        """Ion inflow int j / (z F) dS [mol/s] through one electrode at the concentration
        c [mol/m^3] of the residual's electrode term (scalar form)."""
        sp = self.species
        j = electrode.current_density(sp.charge_number, phi, c, T)
        ds = m.ds(electrode.boundary)(degree=self.quadrature_degree)
        return m.weight() * j / (sp.charge_number * FARADAY_C_PER_MOL) * ds

    def fixed_concentration(self, space: fem.FunctionSpace, m: DeviceMesh, boundary: str,
                            concentration_mol_per_m3: float) -> fem.DirichletBC:
        """Dirichlet condition w = ln(c / c_ref) on a named boundary of the mesh."""
        dofs = fem.locate_dofs_topological(space, m.mesh.topology.dim - 1, m.facets(boundary))
        return fem.dirichletbc(self.species.log_density(concentration_mol_per_m3), dofs, space)
