"""VCM filament dynamics: oxygen vacancies, electronic current with the quantum contact, heat.

A valence-change cell (Pt/HfOx/Ti/TiN; DESIGN.md sec. 2-3) on its switching layer
(:func:`~apcfem.mesh.switching_layer.switching_layer_device`): the inert electrode (Pt, bottom)
is the boundary ``cathode``, the oxide's face on the oxygen getter (Ti, or the top electrode
itself) ``anode``. Unknowns and equations:

* c_V, the V_O^2+ concentration, by Nernst-Planck on the oxygen sublattice
  (:class:`~apcfem.physics.nernst_planck.NernstPlanck` with a lattice-gas
  :class:`~apcfem.physics.nernst_planck.Species`: site exclusion keeps c_V below the oxygen
  site density), Arrhenius D(T), Mott-Gurney high-field drift and optional Soret term,
  discretised by ``vcm.vacancy_flux``: Galerkin in the logit w with the Scharfetter-Gummel
  numerical diffusion along the drift (``NernstPlanck.streamline_diffusion``; the hopping
  drift's cell Peclet number is >> 1 near the set), or the fluxes edge by edge by
  Scharfetter-Gummel (:mod:`apcfem.physics.scharfetter_gummel`: monotone at any cell Peclet
  number) with the lumped storage of the nodal amounts. The Pt
  side is blocking; at the getter, vacancies are generated and annihilated by the field-driven
  oxygen exchange (:class:`~apcfem.physics.oxygen_exchange.OxygenExchange`), which holds the
  interface at the vacancy-rich plug concentration c_eq at zero field.
* phi, electronic current continuity -div(sigma grad phi) = 0 with the quantum contact as a
  lumped element across the neck plane (:class:`~apcfem.coupling.contact.ContactConduction`),
  and the electronic conductivity rising steeply across the metallic threshold c_th:

      sigma(c_V, T) = sigma_ox + z e n mu_n (1 - S) + sigma_f(T) S,
      S = (1 + tanh(ln(c_V / c_th) / w)) / 2,   sigma_f(T) = sigma_f0 / (1 + alpha (T - T0)),

  with c_V the density the electrons see, averaged over ``vcm.electron_averaging_length_nm``
  (:func:`~apcfem.physics.conduction.averaged_density_residual`: a depleted sheet thinner than
  a few tenths of a nanometre is tunnelled through, not a barrier that concentrates the field),
  the hopping conduction of the vacancy-doped oxide (z e N mu_n, the disc conductivity of the
  JART VCM v1b model, Bengel et al., IEEE TCAS-I 67, 4618 (2020)) below c_th and the vacancy
  filament's metallic conductivity (its resistivity linear in T, as in Russo et al., IEEE TED
  56, 193 (2009)) above it. The filament is the region c_V > c_th: the field S (``filament``)
  is what the neck is extracted from (S = 1/2 on c_V = c_th). While the filament is broken
  the hopping conduction through the gap is in parallel with the tunnelling conductance of the
  gap, and it is what heats the gap (the thermally assisted set).
* Reset of a filament broken on the Pt face: the depleted gap's front is lumped (its edge,
  k_B T / (z e E) thick, is far below the mesh): it rises at the vacancies' hopping velocity
  in the gap's field and sweeps the vacancies it passes into the filament, so the gap grows
  with the reverse voltage; under the next set bias it descends at that velocity and the
  filament fills the gap behind it (:meth:`VcmCell._move_depletion_front`).
* T, steady heat with the Joule source and the contact power, k rising with S from the oxide's
  to the filament's; the electrodes are heat sinks. The temperature sets D(T) (Arrhenius):
  Joule heating of the neck accelerates its own dissolution in reset (the
  self-accelerated thermal dissolution of Russo et al. 2009).

**Splitting.** c_V is one backward-Euler Newton solve with phi = V_cell phi_unit (the
contact's unit-voltage potential) and T frozen (in w, or with Scharfetter-Gummel in the site
occupation theta = c_V / c_sites, in which the fluxes are linear but for the vacant fraction
1 - theta; the stored state is w either way), iterated with the steady heat of the state it
gives until T is consistent (a thermal runaway, whose D(T) rises by decades per 100 K, is stiff
in T); phi_unit is updated after it (as in the ECM cell, :mod:`apcfem.coupling.ecm_cell`) and
the loop iterates the step with the circuit until V_cell is consistent. The vacancy amount
changes exactly by the time-integrated exchange (the test function 1 lies in the space; the
edge fluxes cancel in pairs): vacancies are conserved to solver tolerance, except where drift
empties nodes down to DEPLETION_FLOOR.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from apcfem.config.schema import CaseConfig
from apcfem.coupling.cell import CellResistance, CycleParameters
from apcfem.coupling.cell_geometry import (
    bridge_distance,
    bridge_radius_m,
    check_unit_potential,
    clipped_potential,
    cone_distance,
    frustum_distance,
    slab_distance,
)
from apcfem.coupling.cell_heat import CellHeat, film_conductance
from apcfem.coupling.contact import ContactConduction
from apcfem.coupling.fixed_point import AitkenRelaxation
from apcfem.coupling.linear import LinearSolver
from apcfem.coupling.newton import NewtonProblem, SolverDivergedError
from apcfem.coupling.step_control import StepRejected
from apcfem.filament import ON_AXIS, Section
from apcfem.materials import case_filament, get_material
from apcfem.materials.laws import (
    AVOGADRO_PER_MOL,
    ELEMENTARY_CHARGE_C,
    LIBRARY_TEMPERATURE_K,
    lattice_thermal_conductivity,
)
from apcfem.mesh import NM, build_device_mesh
from apcfem.mesh.device import nodal_vector
from apcfem.mesh.probe import PointProbe
from apcfem.mesh.switching_layer import switching_layer_device
from apcfem.neck import NeckProfile
from apcfem.physics import NernstPlanck, Species, wiedemann_franz_k
from apcfem.physics.conduction import averaged_density_residual
from apcfem.physics.oxygen_exchange import OxygenExchange
from apcfem.physics.scharfetter_gummel import EdgeMesh, EdgeTransport
from apcfem.protocols import CycleVariation
from apcfem.quantum_contact import first_mode_radius_m

VACANCY_OPTIONS = {"snes_linesearch_type": "bt", "snes_rtol": 1e-9, "snes_atol": 1e-8,
                   "snes_stol": 0.0, "snes_max_it": 30}
"""Vacancy Newton: the residual is the amount balance of a step in units of c_ref nm^3 (see
:mod:`apcfem.physics.nernst_planck`; 2 vacancies), so atol 1e-8 is ~2e-8 vacancies per node
and step; a stricter one meets the round-off of the large drift terms next to depleted nodes.
The Galerkin solve in the logit is bounded (variational inequality, ``vinewtonrsls``); the
Scharfetter-Gummel solve in the occupation is not: PETSc's variational-inequality solvers take
an unknown within 1e-8 of a bound as on it, so every occupation below 1e-8 would be frozen."""

DEPLETION_FLOOR = 1e-20
"""Lowest c_V, as a fraction of the background [-]: the lower bound of the Galerkin Newton's
logit, and the floor a Scharfetter-Gummel step's occupation is raised to (the logit of the
state must stay finite). Drift depletes regions to Boltzmann factors like exp(-2 V / V_T) ~
1e-34, where the logit is no longer determined by its Galerkin equation (the rows of the
Jacobian scale with c): unbounded Newton steps ran off to w ~ -1e10 and the LU factorisation
failed. A node held at the floor does not balance its amount: over the high-resistance branch
the Galerkin vacancies are conserved to ~1e-7 of one vacancy, through a set transient only to
~1 vacancy (see the README)."""

SATURATION_CEILING = 1.0 - 1e-6
"""Highest site occupation c_V / c_sites [-] (the mirror of DEPLETION_FLOOR: the drift term's
1 - c/c_sites vanishes at saturation)."""

THERMAL_ITERATIONS = 12
"""Largest number of vacancy/heat iterations of a step (see VcmCell.advance)."""

THERMAL_TOLERANCE_K = 1.0
"""The temperature of a vacancy step is consistent with the state it gives to this [K]."""

MAX_FRONT_HOPS_PER_STEP = 1.0
"""Hops a depletion front may move in one step: its velocity is taken at the step's start
(the field across the gap, the temperature at the front), and it falls as the gap it opens
widens and cools, so a longer move is cut into shorter steps."""

DEPLETION_FRONT_BAND_HOPS = 1.0
"""Thickness of the filament band above a receding depletion front that takes the vacancies
the front sweeps out, and above a descending one whose concentration fills the nodes it
passes, in hop distances [-]."""

DEPLETED_GAP_FRACTION = 0.01
"""A face gap whose lower half holds at most this fraction of c_th [-] is depleted: a set bias
closes it by a lumped front (see VcmCell._move_depletion_front)."""

FILL_RESERVE = 1.5
"""A descending depletion front takes the vacancies it fills the gap with from the filament
column above it, down to this many times c_th in each node at most [-] (S = 0.94 there; the
filament is at 2 c_th)."""

def per_m3_to_mol(concentration_per_m3: float) -> float:
    """A number density [1/m^3] as a molar concentration [mol/m^3]."""
    return concentration_per_m3 / AVOGADRO_PER_MOL


def electrode_film_sinks(cfg: CaseConfig) -> dict[str, float]:
    """Thermal conductance per area [W/(m^2 K)] of the films between each face of the switching
    layer and its far heat sink: ``cathode`` (the bottom electrode and the layers below it),
    ``anode`` (the layers above the switching layer, the top electrode and those above it),
    each film of its library thermal conductivity."""
    material_of = cfg.region_material_names()
    bounds = cfg.geometry.layer_bounds_nm()
    z_lo = bounds["switching_layer"][0]
    films = {"cathode": [], "anode": []}
    for name, (bottom, top) in bounds.items():
        if name == "switching_layer":
            continue
        k = get_material(material_of[name]).thermal_conductivity_W_per_mK.value
        films["cathode" if top <= z_lo else "anode"].append(((top - bottom) * NM, k))
    return {face: film_conductance(stack) for face, stack in films.items()}


class VcmCell:
    """Fields, forms and solvers of a valence-change cell (a ``Cell``).

    Args:
        cfg: validated case with a ``[vcm]`` section.
        comm: communicator of the mesh.
        variation: the first cycle's draw (seeded variability: rate factor, activation
            energy, initial filament's size and section); nominal if None.

    Attributes:
        cycle_parameters: the per-cycle constants (:class:`CycleParameters`): the factor on
            the exchange current density and the vacancies' activation energy.
        c_sites_mol_per_m3, c_threshold_mol_per_m3, c_background_mol_per_m3,
        c_filament_mol_per_m3: the oxygen sites, c_th, the oxide's and the initial filament's
            (= exchange equilibrium) vacancy concentrations [mol/m^3].
    """

    def __init__(self, cfg: CaseConfig, comm: MPI.Comm = MPI.COMM_WORLD,
                 variation: CycleVariation | None = None):
        self.cfg = cfg
        vcm, g = cfg.vcm, cfg.geometry
        self.device = switching_layer_device(build_device_mesh(
            g, cfg.mesh, comm, cfg.physics.cell_quadrature_degree), g)
        mesh, m = self.device.mesh, self.device
        self.layer_z_m = (g.bottom_electrode_thickness_nm * NM,
                          (g.bottom_electrode_thickness_nm + g.switching_layer_thickness_nm) * NM)
        space = fem.functionspace(mesh, ("Lagrange", cfg.physics.element_degree))
        self.w = fem.Function(space, name="vacancy_logit")
        self.w_old = fem.Function(space)
        self.T = fem.Function(space, name="T")
        self.ambient_K = cfg.physics.ambient_temperature_K
        self.T.x.array[:] = self.ambient_K
        self._T_step = fem.Function(space)
        """the temperature of the vacancy step (iterated with the heat to the new state's)"""
        self._T_step_start = fem.Function(space)
        """the temperature a step started from (a rejected step's heat is discarded)"""
        self._step_started = False
        self.filament = fem.Function(space, name="filament")
        self.concentration = fem.Function(space, name="c_V_per_m3")

        host = get_material(cfg.materials.switching_layer)
        metal = case_filament(cfg.materials)
        self._set_concentrations(host)
        self.cycle_parameters = CycleParameters(
            mesh, vcm.activation_energy_eV or host.ion.activation_energy_eV.value,
            cfg.variability.activation_energy_spread_eV)
        self.species = self._vacancy(host)
        self.dt = fem.Constant(mesh, 1.0)
        self.exchange = OxygenExchange(
            boundary="anode",
            exchange_current_density_A_per_m2=(self.cycle_parameters.rate_factor
                                               * self._exchange_j0()),
            equilibrium_concentration_mol_per_m3=self.c_filament_mol_per_m3,
            hop_distance_m=host.ion.hopping_distance_m.value,
            normal=ufl.FacetNormal(mesh), transfer_coefficient=vcm.transfer_coefficient)
        self.transport = NernstPlanck(species=self.species, electrodes=(self.exchange,),
                                      streamline_diffusion=vcm.vacancy_flux == "galerkin")

        c = self.species.concentration(self.w)
        self._averaging = self._electron_averaging(c, m)
        c_e = ufl.max_value(self._averaging.u if self._averaging else c,
                            DEPLETION_FLOOR * self.c_background_mol_per_m3)
        step = 0.5 * (1.0 + ufl.tanh(ufl.ln(c_e / self.c_threshold_mol_per_m3)
                                     / vcm.threshold_width))
        points = space.element.interpolation_points
        self._step_expr = fem.Expression(step, points)
        self._concentration_expr = fem.Expression(c * AVOGADRO_PER_MOL, points)
        sigma_host = host.electrical_conductivity_S_per_m.value
        sigma_hopping = (abs(self.species.charge_number) * ELEMENTARY_CHARGE_C * AVOGADRO_PER_MOL
                         * c_e * host.electron_mobility_m2_per_Vs.value)
        self.sigma = ((sigma_host + sigma_hopping) * (1.0 - step)
                      + self._filament_sigma(metal) * step)
        self._hopping_crosses_cut = fem.Constant(mesh, 1.0)
        """1 while the filament is broken (the gap's hopping conduction crosses the cut), 0
        while connected (see :meth:`set_contact`)."""
        self.contact = ContactConduction(
            self.device, self.sigma, cfg.physics.element_degree, lower_contact="cathode",
            upper_contact="anode",
            leak_sigma=(sigma_host + self._hopping_crosses_cut * sigma_hopping) * (1.0 - step),
            disc_edge_m=cfg.mesh.min_size_nm * NM)
        self.phi = fem.Function(self.contact.potential.function_space, name="phi")
        self.jump_to_contact_m = (vcm.jump_to_contact_nm * NM
                                  if vcm.jump_to_contact_nm is not None
                                  else host.ion.hopping_distance_m.value)
        """A closing gap this narrow [m] bridges (:meth:`bridge_gap`), and a neck whose last
        mode closes counts as a gap at least this wide (jump out of contact); 0: neither."""
        self.bridge_radius_m = bridge_radius_m(metal)
        """Radius [m] of the one-channel column a jump to contact leaves (VO_filament's k_F)."""
        self._jump_logit = fem.Function(space)
        self.broken = True
        self.tunnel_conductance_S = 0.0
        self._face_gap_top_m = np.nan
        """top [m] of the extracted gap on the Pt face of the present state; nan: no such
        gap"""
        self.depletion_front_m = np.nan
        """Height [m] of a reset's depletion front on the Pt face (see
        :meth:`_move_depletion_front`); nan while there is none"""
        self._accepted_front_m = np.nan
        self._front_xy = (0.0, 0.0)
        self._dof_x = space.tabulate_dof_coordinates()
        """coordinates [m] of the vacancy dofs (the depletion front's sweep)"""
        v = ufl.TestFunction(space)
        self._lumped_volume = nodal_vector(fem.form(self.device.weight() * v * self.device.dx()))
        """int W phi_i [m^3] of each node (the lumped amount's volumes)"""

        self._edge_flux: EdgeTransport | None = None
        """the Scharfetter-Gummel fluxes (``vcm.vacancy_flux``), None for Galerkin"""
        self._solver, self._forms = (self._edge_vacancy_solver(space)
                                     if vcm.vacancy_flux == "scharfetter_gummel"
                                     else self._galerkin_vacancy_solver(space))

        k_host = host.thermal_conductivity_W_per_mK.value
        k = k_host + (self._filament_k(metal, vcm.filament_heat_conduction) - k_host) * step
        tcr = metal.temperature_coefficient_of_resistivity_per_K
        self._heat = CellHeat("vcm_heat", m, self.contact, self.sigma, k, self.filament, self.T,
                              {"anode": self.ambient_K, "cathode": self.ambient_K},
                              cfg.physics.neck_heating_length_nm * NM,
                              linear=(tcr is None or tcr.value == 0.0)
                              and vcm.filament_heat_conduction == "table",
                              joule_when_broken=True,
                              film_sinks=electrode_film_sinks(cfg)
                              if vcm.heat_sinks == "electrode_films" else None,
                              power_split=cfg.physics.neck_power_split)
        variation = variation or CycleVariation()
        self.cycle_parameters.vary(variation)
        self.set_filament(variation.nucleus_radius_factor, variation.section)

    # -- set-up --------------------------------------------------------------------------
    def _galerkin_vacancy_solver(self, space) -> tuple[NewtonProblem, dict]:
        """The log-density Galerkin residual in w (with streamline diffusion), its bounded
        Newton and the inventory forms (amount and exchange with the residual's quadrature)."""
        m, c = self.device, self.species.concentration(self.w)
        residual = self.transport.residual(
            self.w, ufl.TestFunction(space), m, phi=self.phi, T=self._T_step, dt=self.dt,
            c_old=self.species.concentration(self.w_old))
        solver = NewtonProblem("vcm", residual, self.w,
                               petsc_options={**VACANCY_OPTIONS, "snes_type": "vinewtonrsls"})
        solver.set_bounds(
            self.species.log_density(DEPLETION_FLOOR * self.c_background_mol_per_m3),
            self.species.log_density(SATURATION_CEILING * self.c_sites_mol_per_m3))
        return solver, self._inventory_forms(self.transport.amount(self.w, m), c)

    def _edge_vacancy_solver(self, space) -> tuple[NewtonProblem, dict]:
        """The Scharfetter-Gummel fluxes with the lumped storage in the occupation theta, their
        (unbounded) Newton and the inventory forms (lumped amount; exchange at the residual's
        concentration)."""
        m = self.device
        nodal_weight = m.nodal_weight()
        self._occupation = fem.Function(space, name="vacancy_site_occupation")
        """theta = c_V / c_sites: the Newton's unknown (the fluxes are linear in it but for the
        vacant fraction; in the logit a depleted node needs tens of Newton iterations to
        settle), kept equal to the logistic of w"""
        c_new = self.c_sites_mol_per_m3 * self._occupation
        v = ufl.TestFunction(space)
        residual = (self.transport.lumped_storage(
            c_new, v, m, self.species.concentration(self.w_old), nodal_weight)
            + self.transport.electrode_residual(c_new, v, m, phi=self.phi, T=self._T_step,
                                                dt=self.dt))
        self._edge_flux = EdgeTransport(self.species, EdgeMesh.of(space, m),
                                        self.transport.residual_scale)
        cells = len(self._edge_flux.edges.cell_dofs)
        self._phi_cell_dofs = self.phi.function_space.dofmap.list[:cells]
        """phi's dofs at the vertices of each owned cell (phi jumps across the contact cut)"""
        self._hopping = fem.Function(fem.functionspace(m.mesh, ("DG", 0)))
        self._hopping_expr = fem.Expression(
            self.species.drift_factor(self.phi, self._T_step),
            self._hopping.function_space.element.interpolation_points)
        self._hopping_cell_dofs = self._hopping.function_space.dofmap.list[:cells, 0]
        """the Mott-Gurney factor of each cell's field (the law of the Galerkin flux)"""
        solver = NewtonProblem("vcm", residual, self._occupation,
                               petsc_options={**VACANCY_OPTIONS, "snes_type": "newtonls"},
                               cell_terms=self._edge_flux)
        return solver, self._inventory_forms(
            self.transport.lumped_amount(c_new, m, nodal_weight), c_new)

    def _inventory_forms(self, amount: ufl.Form, c_exchange) -> dict[str, fem.Form]:
        """The forms of :meth:`inventory`: the vacancy amount and the getter's generation rate
        at the concentration ``c_exchange`` of the residual's exchange term."""
        return {"filament_mol": fem.form(amount),
                "anode_inflow_mol_per_s": fem.form(self.transport.electrode_ion_inflow(
                    c_exchange, self.device, self.exchange, phi=self.phi, T=self._T_step))}

    def _set_concentrations(self, host) -> None:
        """Sites, threshold, background and filament concentrations [mol/m^3], checked in
        order (background < threshold < filament < sites)."""
        vcm = self.cfg.vcm
        low = vcm.background_concentration_per_m3 or host.vacancy_concentration_min_per_m3.value
        high = vcm.filament_concentration_per_m3 or host.vacancy_concentration_max_per_m3.value
        sites = host.oxygen_site_density_per_m3.value
        c_th = vcm.threshold_concentration_per_m3
        if not low < c_th < high < sites:
            raise ValueError(
                f"vcm: need background < threshold_concentration_per_m3 < filament < oxygen "
                f"sites, got {low:.3g} < {c_th:.3g} < {high:.3g} < {sites:.3g} per m^3: set "
                "vcm.threshold_concentration_per_m3 between the background and filament "
                "concentrations (vcm.*_concentration_per_m3 or the library limits of "
                f"'{host.name}')")
        self.c_sites_mol_per_m3 = per_m3_to_mol(sites)
        self.c_threshold_mol_per_m3 = per_m3_to_mol(c_th)
        self.c_background_mol_per_m3 = per_m3_to_mol(low)
        self.c_filament_mol_per_m3 = per_m3_to_mol(high)

    def _vacancy(self, host) -> Species:
        """V_O^2+ on the oxygen sublattice, with the library's (or the case's) transport."""
        vcm, ion = self.cfg.vcm, host.ion
        return Species(
            name=ion.species, charge_number=float(ion.charge_number),
            diffusivity_prefactor_m2_per_s=ion.diffusivity_prefactor_m2_per_s.value,
            activation_energy_eV=self.cycle_parameters.activation_energy_eV,
            reference_concentration_mol_per_m3=self.c_filament_mol_per_m3,
            soret_coefficient_per_K=vcm.soret_coefficient_per_K,
            heat_of_transport_eV=vcm.heat_of_transport_eV,
            hop_distance_m=ion.hopping_distance_m.value if vcm.hopping_drift else None,
            site_concentration_mol_per_m3=self.c_sites_mol_per_m3)

    def _exchange_j0(self) -> float:
        """j0 of the oxygen exchange [A/m^2]: the case's, or the getter's library value."""
        if self.cfg.vcm.exchange_current_density_A_per_m2 is not None:
            return self.cfg.vcm.exchange_current_density_A_per_m2
        getter = get_material(self.cfg.exchange_material()[1])
        return getter.oxygen_exchange_current_density_A_per_m2.value

    def _electron_averaging(self, c, m) -> LinearSolver | None:
        """The solver of c_e, the vacancy density the electrons see
        (:func:`~apcfem.physics.conduction.averaged_density_residual` over
        ``vcm.electron_averaging_length_nm``); None for a length 0 (local sigma(c_V))."""
        length = self.cfg.vcm.electron_averaging_length_nm * NM
        if length == 0.0:
            return None
        c_e = fem.Function(self.w.function_space, name="c_V_electronic")
        return LinearSolver("vcm_averaging", averaged_density_residual(
            c_e, c, length, m, self.transport.quadrature_degree), c_e)

    def _filament_k(self, metal, law: str) -> ufl.core.expr.Expr:
        """k_f [W/(m K)] of the vacancy filament: the material's value, or (``law`` =
        'wiedemann_franz') its lattice part plus the electrons' L0 sigma_f(T) T."""
        k_table = metal.thermal_conductivity_W_per_mK.value
        if law == "table":
            return ufl.as_ufl(k_table)
        lattice = lattice_thermal_conductivity(k_table, metal.electrical_conductivity_S_per_m.value)
        return lattice + wiedemann_franz_k(self._filament_sigma(metal), self.T)

    def _filament_sigma(self, metal) -> ufl.core.expr.Expr:
        """sigma_f(T) = sigma_f0 / (1 + alpha (T - T0)) [S/m] of the vacancy filament, T0 the
        library's temperature."""
        sigma = metal.electrical_conductivity_S_per_m.value
        tcr = metal.temperature_coefficient_of_resistivity_per_K
        if tcr is None or tcr.value == 0.0:
            return ufl.as_ufl(sigma)
        return sigma / (1.0 + tcr.value * (self.T - LIBRARY_TEMPERATURE_K))

    # -- state ---------------------------------------------------------------------------
    def set_filament(self, size_factor: float = 1.0, section: Section = ON_AXIS) -> None:
        """Initial state: the filament a forming and a reset left. A cone of c_filament from
        the getter interface (base radius) to the Pt (tip radius), both radii scaled by
        size_factor and (3-D) its axis and section those of ``section`` (seeded variability),
        in an oxide of c_background; its last ``vcm.disc_length_nm`` on the Pt is the
        partially depleted disc of c_disc < c_th (the disc of the JART model: the gap of a
        broken filament, conducting by hopping), except, with ``vcm.apex_radius_nm``, the
        stub of the broken neck: a frustum of c_filament from the tip's face down to the apex
        radius ``vcm.apex_gap_nm`` above the Pt (:meth:`_stub_distance`).
        Boundaries are tanh steps of ``vcm.interface_width_nm`` in ln c."""
        vcm = self.cfg.vcm
        self.section = section
        z_pt, z_getter = self.layer_z_m
        distance = cone_distance(self.device, z_getter, z_pt,
                                 vcm.cone_base_radius_nm * NM * size_factor,
                                 vcm.cone_tip_radius_nm * NM * size_factor, 0.0, section)
        width, axial = vcm.interface_width_nm * NM, self.device.axial_index
        disc_top = z_pt + vcm.disc_length_nm * NM
        stub = self._stub_distance(size_factor)
        low, high = np.log(self.c_background_mol_per_m3), np.log(self.c_filament_mol_per_m3)
        depletion = (high - np.log(per_m3_to_mol(vcm.disc_concentration_per_m3))) / (high - low)

        def logit(x):
            inside = 0.5 * (1.0 - np.tanh(distance(x) / width))
            in_disc = 0.5 * (1.0 - np.tanh((x[axial] - disc_top) / width))
            if stub is not None:
                in_disc = in_disc * 0.5 * (1.0 + np.tanh(stub(x) / width))
            contrast = inside * (1.0 - depletion * in_disc)
            return self.species.log_density(np.exp(low + (high - low) * contrast))

        self.w.interpolate(logit)
        self.T.x.array[:] = self.ambient_K
        self._T_step.x.array[:] = self.ambient_K
        self.phi.x.array[:] = 0.0
        self.accept()

    def _stub_distance(self, size_factor: float):
        """Signed distance [m] to the broken neck's stub in the initial disc, or None without
        ``vcm.apex_radius_nm``: a frustum on the filament's axis from the tip's radius (scaled
        by size_factor) at the disc's top to the apex radius ``vcm.apex_gap_nm`` above the Pt,
        cut flat there (prolonged two interface widths above the disc, into the cone). A reset
        breaks the neck where its last mode closes and the gap then opens from there (Ielmini,
        IEEE TED 58, 4309 (2011)), so the filament a reset leaves ends in a narrow stub, not in
        the tip's whole face: under the next set the field on the stub's axis closes the gap
        there first, into a contact of a few modes, not across the face."""
        vcm = self.cfg.vcm
        if vcm.apex_radius_nm is None:
            return None
        z_pt = self.layer_z_m[0]
        tip, apex = vcm.cone_tip_radius_nm * size_factor, vcm.apex_radius_nm * size_factor
        depth, overlap = vcm.disc_length_nm - vcm.apex_gap_nm, 2.0 * vcm.interface_width_nm
        base = tip + (tip - apex) * overlap / depth  # the stub's flank, prolonged
        z_apex = z_pt + vcm.apex_gap_nm * NM
        return frustum_distance(self.device, z_pt + (vcm.disc_length_nm + overlap) * NM,
                                z_apex, z_apex, base * NM, apex * NM, self.section)

    def _concentration_logit(self, distance):
        """The vacancy logit of a filament whose threshold contour (c_V = c_th) is the zero of
        the signed distance d [m] (> 0 outside): a tanh step of ``vcm.interface_width_nm`` in
        ln c from the oxide's background to the filament's concentration, shifted so that it
        passes c_th at d = 0, as a function of points for ``interpolate``."""
        width = self.cfg.vcm.interface_width_nm * NM
        low, high = np.log(self.c_background_mol_per_m3), np.log(self.c_filament_mol_per_m3)
        at_threshold = (np.log(self.c_threshold_mol_per_m3) - low) / (high - low)
        shift = width * np.arctanh(1.0 - 2.0 * at_threshold)
        return lambda x: self.species.log_density(
            np.exp(low + (high - low) * 0.5 * (1.0 - np.tanh((distance(x) + shift) / width))))

    def bridge_gap(self, neck: NeckProfile) -> float:
        """Jump to contact: the last hop of a closing gap. The gap of ``neck`` is bridged by a
        column of the filament's concentration (c_V = max(c_V, that of
        :func:`~apcfem.coupling.cell_geometry.bridge_distance`'s frustum, overlapping each side
        by two interface widths) down to the one-channel radius. The present state becomes
        the bridged one (accepted or rejected with its step). Returns the vacancies added
        [mol] (the caller books them as exchanged)."""
        overlap = 2.0 * self.cfg.vcm.interface_width_nm * NM
        column = bridge_distance(self.device, neck, overlap, self.bridge_radius_m,
                                 self.section)
        before = self.inventory()["filament_mol"]
        self._jump_logit.interpolate(self._concentration_logit(column))
        np.maximum(self.w.x.array, self._jump_logit.x.array, out=self.w.x.array)
        self._update_filament()
        return self.inventory()["filament_mol"] - before

    def closing_gap_m(self, neck: NeckProfile) -> float:
        """The gap [m] a jump to contact would bridge: the extracted one, or the height of a
        lumped depletion front above the Pt face if that is lower (the extraction sees the
        front only where it passed a node: on 0.15-0.3 nm cells it lags the front by up to a
        cell, and a front stopped at the jump distance could read as a wider gap)."""
        if neck.gap_m > 0.0 and np.isfinite(self.depletion_front_m):
            bottom, jump = self.layer_z_m[0], self.jump_to_contact_m
            # a front stopped at bottom + jump is the jump distance above the face exactly
            # ((bottom + jump) - bottom is not, in floating point: no bridge, the run stalled)
            height = (jump if self.depletion_front_m <= bottom + jump
                      else self.depletion_front_m - bottom)
            return min(neck.gap_m, height)
        return neck.gap_m

    def unstable_neck_radius_m(self, electrons) -> float:
        """A connected neck thinning below this radius [m] breaks: the first mode's radius
        j_01 / k_F of the vacancy filament, where its last mode closes (the transfer-matrix
        count then tunnels through the closed sections, which the cut would still treat as
        a contact disc with the oxide's hopping halo blocked around it)."""
        return first_mode_radius_m(electrons)

    def break_contact(self, spans_m: list[tuple[float, float]]) -> float:
        """Jump out of contact: between each pair of heights (low, high) [m] the vacancies fall
        to the oxide's background (c_V = min(c_V, profile of the slab's complement)), as a
        neck whose last mode closed snaps apart: the field then holds the gap the count
        tunnels across. The present state becomes the broken one. Returns the vacancies
        removed [mol] (negative; booked like :meth:`bridge_gap`'s)."""
        before = self.inventory()["filament_mol"]
        for low, high in spans_m:
            self._jump_logit.interpolate(self._concentration_logit(
                slab_distance(self.device, low, high)))
            np.minimum(self.w.x.array, self._jump_logit.x.array, out=self.w.x.array)
        self._update_filament()
        return self.inventory()["filament_mol"] - before

    def _update_filament(self) -> None:
        """The occupation theta, the filament indicator S and c_V [1/m^3] of the present
        vacancy field (its logit w)."""
        if self._edge_flux is not None:
            self._occupation.x.array[:] = 0.5 * (1.0 + np.tanh(0.5 * self.w.x.array))
        if self._averaging:
            self._averaging.solve()
        self.filament.interpolate(self._step_expr)
        self.concentration.interpolate(self._concentration_expr)

    def accept(self) -> None:
        """Make the present vacancy field the state of the last accepted time."""
        self.w_old.x.array[:] = self.w.x.array
        self._step_started = False
        self._accepted_front_m = self.depletion_front_m
        self._update_filament()

    def reject(self) -> None:
        """Return the vacancy field to the last accepted state and the temperature to the
        one the rejected step started from (its retry's heat iteration does not start from the
        temperature of the state it rejected, tens of K hotter near the runaway)."""
        self.w.x.array[:] = self.w_old.x.array
        self.depletion_front_m = self._accepted_front_m
        if self._step_started:
            self.T.x.array[:] = self._T_step_start.x.array
        self._step_started = False
        self._update_filament()

    # -- solves --------------------------------------------------------------------------
    def advance(self, t_s: float, dt_s: float, V_cell_V: float) -> int:
        """One backward-Euler step of c_V from the accepted state at cell voltage V_cell [V],
        with phi = V_cell phi_unit and the temperature of the new state: the vacancy step and
        the steady heat (at the present contact cut) are iterated until T changes by less than
        THERMAL_TOLERANCE_K (the Arrhenius feedback of a thermal runaway is implicit), with
        Aitken relaxation of T (near a hot spot plain substitution oscillates with a growing
        amplitude once the step is a few ns long: gains of -1.2 to -1.4 seen at ~1300 K). Returns
        the most Newton iterations of one vacancy solve (what the step control reads); raises
        SolverDivergedError."""
        self.dt.value = dt_s
        self.phi.x.array[:] = clipped_potential(self.contact, V_cell_V)
        if not self._step_started:
            self._T_step_start.x.array[:] = self.T.x.array
            self._step_started = True
        iterations = 0
        relaxation = AitkenRelaxation(self.device.comm,
                                      self.T.function_space.dofmap.index_map.size_local)
        for _ in range(THERMAL_ITERATIONS):
            self._T_step.x.array[:] = self.T.x.array
            iterations = max(iterations, self._vacancy_step())
            if not self.cfg.vcm.heat:
                break
            self.contact.solve_cell_resistance()
            self.solve_heat(V_cell_V, self.contact.neck_z_m, self.contact.conductance_S
                            or self.tunnel_conductance_S)
            change = self.device.comm.allreduce(
                float(np.max(np.abs(self.T.x.array - self._T_step.x.array), initial=0.0)),
                op=MPI.MAX)
            if change <= THERMAL_TOLERANCE_K:
                break
            self.T.x.array[:] = relaxation.next(self._T_step.x.array, self.T.x.array)
        else:
            raise SolverDivergedError("vcm_heat", 0, THERMAL_ITERATIONS)
        self._move_depletion_front(dt_s, V_cell_V)
        return iterations

    def _vacancy_step(self) -> int:
        """The Newton solve of c_V at the present phi and T_step (see :meth:`advance`)."""
        try:
            if self._edge_flux is None:
                return self._solver.solve()
            return self._edge_vacancy_step()
        finally:
            self._update_filament()

    def _edge_vacancy_step(self) -> int:
        """The Scharfetter-Gummel solve in theta, then w = logit(theta) with theta kept within
        [DEPLETION_FLOOR c_background, SATURATION_CEILING c_sites] / c_sites."""
        self._hopping.interpolate(self._hopping_expr)
        self._edge_flux.freeze(self.phi.x.array[self._phi_cell_dofs], self._T_step.x.array,
                               float(self.dt.value),
                               self._hopping.x.array[self._hopping_cell_dofs])
        iterations = self._solver.solve()
        theta = self._occupation.x.array
        floor = DEPLETION_FLOOR * self.c_background_mol_per_m3 / self.c_sites_mol_per_m3
        np.clip(theta, floor, SATURATION_CEILING, out=theta)
        self.w.x.array[:] = np.log(theta / (1.0 - theta))
        return iterations

    def _gap_on_pt_face(self, neck: NeckProfile) -> float:
        """Top [m] of the gap of ``neck`` that ends on the Pt face; nan if none does."""
        bottom = self.layer_z_m[0]
        for low, high in neck.gap_spans_m:
            if low <= bottom + 1e-15:
                return high
        return np.nan

    def _move_depletion_front(self, dt_s: float, V_cell_V: float) -> None:
        """The depletion front of a filament broken on the Pt face, moved by the vacancies'
        hopping drift in the gap's field (a lumped front: its Boltzmann edge, k_B T / (z e E)
        ~ 0.01 nm, is far below the mesh, on which the field lives in the depleted cell layer
        alone, the front's own node sees none and the front stays pinned to that node while
        diffusion refills it at 600-700 K). It moves by v dt in the step, v the Mott-Gurney
        velocity (:meth:`~apcfem.physics.nernst_planck.Species.hopping_velocity_m_per_s`) in
        the gap's mean field |V_cell| u_front / gap (u the unit potential at the front, the
        face's leak included) at the front's temperature (Ielmini's gap growth and closing,
        IEEE TED 58, 4309 (2011)):

        * under a reset bias (V_cell < 0: the field drives the vacancies from the Pt into the
          filament) it rises from the accepted front, or the extracted gap's top if that is
          higher, and sweeps the vacancies it passes into the filament above it
          (:meth:`_sweep_vacancies`);
        * under a set bias it descends from the accepted front, or from the top of a depleted
          gap (:meth:`_gap_is_depleted`: one a reset swept or a jump out of contact left, with
          no vacancies on the mesh for the field to move), and the filament above fills the
          nodes it passes on the front's axis (:meth:`_fill_gap`). It stops at the jump
          distance above the face: the last hop is the jump to contact (:meth:`closing_gap_m`,
          :meth:`bridge_gap`). A gap with vacancies in it (a formed cell's partly doped disc)
          has no front: they move on the mesh.

        At zero bias the front stays. A step that would move it by more than
        MAX_FRONT_HOPS_PER_STEP hops is rejected (raises StepRejected): the loop cuts it."""
        top = self._face_gap_top_m
        accepted = self._accepted_front_m
        start = np.nan
        if np.isfinite(top) and V_cell_V < 0.0:
            start = max(top, accepted) if np.isfinite(accepted) else top
        elif np.isfinite(top) and V_cell_V > 0.0:
            start = accepted if np.isfinite(accepted) else (
                top if self._gap_is_depleted(top) else np.nan)
        elif np.isfinite(top):
            start = accepted
        self.depletion_front_m = start
        if not np.isfinite(start) or V_cell_V == 0.0:
            return
        bottom = self.layer_z_m[0]
        hop = self.species.hop_distance_m or self.jump_to_contact_m
        field, T = self._front_field_and_temperature(start, abs(V_cell_V))
        shift = dt_s * self.species.hopping_velocity_m_per_s(field, T)
        front = (start + shift if V_cell_V < 0.0
                 else max(start - shift, bottom + self.jump_to_contact_m))
        if abs(front - start) > MAX_FRONT_HOPS_PER_STEP * hop:
            raise StepRejected(f"the depletion front would move {abs(front - start) / NM:.3g} "
                               f"nm in one step (at most {MAX_FRONT_HOPS_PER_STEP:g} hop)")
        self.depletion_front_m = front
        if V_cell_V < 0.0:
            radius = self._filament_radius_m(start - hop, front + hop)
            self._sweep_vacancies(front, radius, hop)
        else:
            radius = self._filament_radius_m(front - hop, start + hop)
            self._fill_gap(front, start, radius, hop)

    def _gap_is_depleted(self, top_m: float) -> bool:
        """Whether the lower half of the face gap below ``top_m`` [m] (within the filament's
        radius there) holds no more than DEPLETED_GAP_FRACTION of c_th anywhere."""
        bottom = self.layer_z_m[0]
        hop = self.species.hop_distance_m or self.jump_to_contact_m
        z, inside = self._front_masks(self._filament_radius_m(top_m - hop, top_m + hop))
        lower = inside & (z < 0.5 * (bottom + top_m))
        c = self._nodal_concentration()
        highest = self.device.comm.allreduce(float(np.max(c[lower], initial=0.0)), op=MPI.MAX)
        return highest <= DEPLETED_GAP_FRACTION * self.c_threshold_mol_per_m3

    def _filament_radius_m(self, low_m: float, high_m: float) -> float:
        """How far [m] the filament's nodes (S > 1/2) between heights ``low_m`` and ``high_m``
        [m] reach from the front's axis, plus two interface widths (its outer edge, not the
        section's area-equivalent radius: a tip that thinned on the axis keeps a ring)."""
        z = self._dof_x[:, self.device.axial_index]
        near = (z >= low_m) & (z <= high_m) & (self.filament.x.array > 0.5)
        reach = self.device.comm.allreduce(float(np.max(self._dof_rho()[near], initial=0.0)),
                                           op=MPI.MAX)
        return reach + 2.0 * self.cfg.vcm.interface_width_nm * NM

    def _front_field_and_temperature(self, front_m: float, V_V: float) -> tuple[float, float]:
        """The gap's mean field [V/m] under |V_cell| = ``V_V`` [V] and the temperature [K] at
        a front at height ``front_m`` [m] (on the filament's axis)."""
        point = np.zeros((1, 3))
        point[0, self.device.axial_index] = front_m
        if not self.device.axisymmetric:
            point[0, :2] = self._front_xy
        probe = PointProbe(self.device.mesh, point)
        u, T = float(probe(self.contact.potential)[0]), float(probe(self.T)[0])
        return V_V * min(max(u, 0.0), 1.0) / (front_m - self.layer_z_m[0]), T

    def _dof_rho(self) -> np.ndarray:
        """Distance [m] of the vacancy dofs from the front's axis."""
        x = self._dof_x
        return (x[:, 0] if self.device.axisymmetric
                else np.hypot(*(x[:, :2] - np.asarray(self._front_xy)).T))

    def _front_masks(self, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
        """(z [m] of the vacancy dofs, whether each lies within ``radius_m`` [m] of the
        front's axis)."""
        return self._dof_x[:, self.device.axial_index], self._dof_rho() < radius_m

    def _owned_amount(self, c: np.ndarray) -> float:
        """The amount [mol] of nodal concentrations ``c`` [mol/m^3] (lumped, all ranks)."""
        owned = self.w.function_space.dofmap.index_map.size_local
        return self.device.comm.allreduce(float(np.sum((c * self._lumped_volume)[:owned])),
                                          op=MPI.SUM)

    def _nodal_concentration(self) -> np.ndarray:
        """c_V [mol/m^3] at the vacancy dofs (from the logit w)."""
        return self.c_sites_mol_per_m3 / (1.0 + np.exp(-self.w.x.array))

    def _set_concentration(self, c: np.ndarray) -> None:
        """Make the nodal concentrations ``c`` [mol/m^3] the present vacancy field."""
        self.w.x.array[:] = np.log(c / (self.c_sites_mol_per_m3 - c))
        self._update_filament()

    def _sweep_vacancies(self, front_m: float, radius_m: float, hop_m: float) -> None:
        """The nodes below ``front_m`` [m] within ``radius_m`` [m] of the front's axis lose their
        vacancies (down to the oxide's background) to the filament nodes (S > 1/2) of the band
        DEPLETION_FRONT_BAND_HOPS hops of ``hop_m`` [m] above it, whose concentrations rise in
        proportion (the amount is kept)."""
        z, inside = self._front_masks(radius_m)
        swept = inside & (z < front_m)
        band = (inside & (z >= front_m) & (z < front_m + DEPLETION_FRONT_BAND_HOPS * hop_m)
                & (self.filament.x.array > 0.5))
        c = self._nodal_concentration()
        removed = np.maximum(np.where(swept, c - self.c_background_mol_per_m3, 0.0), 0.0)
        moved, held = self._owned_amount(removed), self._owned_amount(np.where(band, c, 0.0))
        if moved <= 0.0 or held <= 0.0:
            return
        c = c - removed
        c = np.where(band, np.minimum(c * (1.0 + moved / held),
                                      SATURATION_CEILING * self.c_sites_mol_per_m3), c)
        self._set_concentration(c)

    def _fill_gap(self, front_m: float, start_m: float, radius_m: float, hop_m: float) -> None:
        """The nodes a descending front passed (from ``start_m`` down to ``front_m`` [m], within
        the one-channel radius of its axis, ``bridge_radius_m``: the front is the apex of the
        tip, where the field is highest and the hopping velocity, exponential in it, outruns
        the flanks; as a reset leaves a stub, a set grows a tip, not a plate across the
        filament's face, whose first contact would count ~10 G0) take the concentration of the
        filament within DEPLETION_FRONT_BAND_HOPS hops of ``hop_m`` [m] above ``start_m``; the
        vacancies come from the filament column above ``start_m`` (the nodes with S > 1/2
        within ``radius_m`` [m] of the axis),
        each giving in proportion to what it holds above FILL_RESERVE c_th (the amount is kept:
        the column drifts down as a whole, and none of its sections falls towards c_th: taken
        in proportion to the whole concentration, a thin part of the column broke, its gap
        0.86 nm up with the face gap closed, and the hopping halo carried the clamp current)."""
        z, inside = self._front_masks(radius_m)
        c = self._nodal_concentration()
        column = inside & (z >= start_m) & (self.filament.x.array > 0.5)
        band = column & (z < start_m + DEPLETION_FRONT_BAND_HOPS * hop_m)
        spare = np.where(column, np.maximum(c - FILL_RESERVE * self.c_threshold_mol_per_m3, 0.0),
                         0.0)
        held = self._owned_amount(spare)
        band_volume = self._owned_amount(np.where(band, 1.0, 0.0))
        if held <= 0.0 or band_volume <= 0.0:
            return
        c_fill = self._owned_amount(np.where(band, c, 0.0)) / band_volume
        _, apex = self._front_masks(min(radius_m, self.bridge_radius_m))
        passed = apex & (z >= front_m) & (z < start_m)
        added = np.maximum(np.where(passed, c_fill - c, 0.0), 0.0)
        needed = self._owned_amount(added)
        if needed <= 0.0:
            return
        share = min(needed, held) / needed
        c = c + share * added - spare * (share * needed / held)
        self._set_concentration(c)

    def set_contact(self, neck: NeckProfile, conductance_S: float) -> None:
        """Place the quantum contact (G [S]) at the extracted neck. A broken filament is cut
        at its gap with no contact disc: only the oxide's hopping conduction crosses the plane
        there, and the tunnelling conductance G of the gap is in parallel with it. The two cuts
        are not continuous in the neck radius (the halo's hopping is blocked while connected:
        a 0.05 nm thread read 222 kOhm, its broken state 2.3 kOhm), so a thinning neck breaks
        at the first mode's radius (:meth:`unstable_neck_radius_m`). A neck narrower than the disc the mesh
        can carry (no quadrature point of its plane within its radius: the first contact of
        a closing gap, 0.03 nm on 0.15 nm cells) is that limit: its count's conductance is
        in parallel with the hopping path, as a gap's is."""
        self.broken = neck.gap_m > 0.0 or neck.neck_radius_m <= 0.0
        self.contact.set_cut(neck.neck_z_m, 0.0 if self.broken else neck.neck_radius_m, 0.0,
                             neck.section_centre_m)
        self.broken = self.broken or self.contact.disc_area_m2 <= 0.0
        self._face_gap_top_m = self._gap_on_pt_face(neck) if self.broken else np.nan
        if not np.isfinite(self._face_gap_top_m):
            self.depletion_front_m = np.nan
        self._front_xy = neck.section_centre_m
        self._hopping_crosses_cut.value = 1.0 if self.broken else 0.0
        self.tunnel_conductance_S = conductance_S if self.broken else 0.0
        if not self.broken:
            self.contact.set_conductance(conductance_S)

    def resistance(self) -> CellResistance:
        """R_cell and R_body [ohm] of the present state: R_cell = 1 / (G_t + 1/R_cut) with the
        contact cut (R_cut = R_body + 1/G for a connected filament, the hopping path across
        the gap for a broken one, G_t its tunnelling conductance)."""
        R_cut = self.contact.solve_cell_resistance()
        check_unit_potential(self.contact, "vcm_contact")
        R_cell = 1.0 / (1.0 / R_cut + self.tunnel_conductance_S)
        return CellResistance(R_cell, self.contact.solve_body_resistance())

    def solve_heat(self, V_cell_V: float, neck_z_m: float, contact_conductance_S: float) -> float:
        """Steady temperature at the operating point; returns T_max [K] (the contact's own
        power: the hopping oxide around the contact disc carries the rest of the current)."""
        if not self.cfg.vcm.heat:
            return self.ambient_K
        return self._heat.solve(V_cell_V, neck_z_m, contact_conductance_S, broken=self.broken)

    def neck_temperature(self, neck_z_m: float) -> float:
        """Temperature at the neck [K] (sets the Landauer smearing): at its height on the axis, in
        3-D at the centre of its section (collective)."""
        return self._heat.neck_temperature(neck_z_m)

    def inventory(self) -> dict[str, float]:
        """Vacancies in the oxide [mol] (column ``filament_mol``) and their generation rate at
        the getter in the last step [mol/s] (integrated into ``exchanged_mol``)."""
        comm = self.device.comm
        return {k: comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM)
                for k, f in self._forms.items()}

    def state_scalars(self) -> dict[str, float]:
        """What a restart checkpoint stores besides :meth:`state_functions`: the height of a
        reset's depletion front [m] (-1: none)."""
        front = self._accepted_front_m
        return {"depletion_front_m": front if np.isfinite(front) else -1.0}

    def restore_scalars(self, scalars: dict[str, float]) -> None:
        """Set the depletion front from a checkpoint's scalars (then :meth:`accept`)."""
        front = float(scalars.get("depletion_front_m", -1.0))
        self.depletion_front_m = front if front >= 0.0 else np.nan

    def state_functions(self) -> dict[str, fem.Function]:
        """The accepted state a restart checkpoint stores (restore it, then :meth:`accept`)."""
        return {"vacancy_logit": self.w, "T": self.T}

    def fields(self) -> list[fem.Function]:
        """Functions written as VTX snapshots."""
        return [self.concentration, self.filament, self.phi, self.T]

    def close(self) -> None:
        """Destroy the solvers (collective; the same order on every rank)."""
        self._solver.close()
        if self._averaging:
            self._averaging.close()
        self.contact.close()
        self._heat.close()
