"""ECM filament dynamics: metal phase field, ionic current, electronic current and heat.

The model lives on the switching layer (:func:`~apcfem.mesh.switching_layer.switching_layer_device`):
the active electrode (top, e.g. Ag) is the boundary ``anode``, the inert one (bottom, e.g. Pt)
``cathode``. Unknowns and equations (DESIGN.md sec. 3):

* xi, the filament metal (:class:`~apcfem.physics.phase_field.AllenCahnDeposition`), grown from
  the initial filament on the cathode (``ecm.initial_filament``: a hemispherical nucleus, or
  the cone an earlier set left). Its local terms are lumped at the vertices by default
  (``ecm.lumped_phase``), which keeps xi within [0, 1]. Its surface reaction
  M^z+ + z e^- <-> M follows mass-action Butler-Volmer kinetics with both Tafel branches in the
  electrochemical overpotential eta = phi_m - phi_e: the metal potential phi_m (electronic
  problem) and the electrolyte potential phi_e (ionic problem) are distinct fields, so the
  potential jumps across the metal/electrolyte interface. Deposition is v0 (j/j0) with
  v0 = j0 / (z F c_m); capillarity is K = v0 gamma Omega / (k_B T) from the metal's surface
  energy and atomic volume (the linearised Gibbs-Thomson term, no free knob).
  With ``ecm.shell_correction`` the overpotential around a connected neck also carries the
  shell part of its electrons' energy per atom (:mod:`apcfem.landauer.shell`), a lumped
  property of the contact (a function of its extracted radius, placed by
  :meth:`EcmCell.place_neck_shell` and iterated with the circuit), not a field.
  With ``ecm.matrix`` the metal grows beyond the cavity it has opened in the switching layer
  (the largest xi each point has held, from the initial filament and, for a cone short of the
  anode, the channel its dissolved part left) only against the layer's pressure, its
  indentation hardness p: deposition there needs the extra overpotential p Omega / (z e)
  (:mod:`apcfem.physics.matrix_cavity`), a threshold for the filament's thickening.
* phi_e, electroneutral ionic current continuity (:class:`~apcfem.physics.ionic_conduction.
  IonicConduction`): sigma_ion = z^2 F^2 D(T) c / (R T) with the Arrhenius D of the library ion,
  Mott-Gurney hopping drift, the deposition sink z F c_m d(xi)/dt and Butler-Volmer oxidation of
  the active anode (its own charge-transfer overpotential V_anode - phi_e).
* phi_m, electronic current continuity through filament and electrolyte leakage with the quantum
  contact as a lumped element across the neck plane, or across the electrode face when the
  neck sits on it (:class:`~apcfem.coupling.contact.ContactConduction`): R_cell = R_body + 1/G
  exactly, the contact voltage I/G a potential jump across the plane. While the filament is broken the
  contact is open and the tunnelling conductance G_t of the gap is in parallel with the FE
  leakage: R_cell = 1 / (G_t + 1/R_open).
* Jump to contact: once a gap closing under a deposition bias is narrower than an atomic
  diameter (``ecm.jump_to_contact_nm``), the apex atom bridges it (:meth:`EcmCell.bridge_gap`,
  called by the simulation loop after an accepted step). The last atomic gap cannot close by
  the reaction itself: the metal potential of the electrolyte nodes on the anode face is the
  anode's, so the face oxidises what would deposit there.
* T, steady heat with the Joule source and the contact power I^2/G released in the metal next to
  the neck (Gaussian of ``physics.neck_heating_length_nm``); the electrodes are heat sinks.

**Splitting.** (xi, phi_e) are one backward-Euler block solved by one SNES with phi_m = V_cell
phi_unit and T frozen; phi_m (linear in V_cell) and T are updated after each block solve. The
caller iterates block solve -> neck -> contact -> R_cell -> circuit until V_cell is consistent
(implicit circuit). With v = 1 in the ionic residual, the deposited metal c_m int xi changes
exactly by the time-integrated anode oxidation current / (z F): metal is conserved to solver
tolerance (the ions' own amount is fixed by electroneutrality). With
``variability.interface_noise`` each step's phase also gets the reaction's shot noise
(:mod:`apcfem.coupling.deposition_noise`), exchanged with the electrolyte at the interface and
booked with the anode's oxidation.
"""

from __future__ import annotations

import contextlib
import logging

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
    hemisphere_distance,
    slab_distance,
)
from apcfem.coupling.cell_heat import LINEAR, CellHeat
from apcfem.coupling.contact import ContactConduction, layer_leakage_S
from apcfem.coupling.deposition_noise import DepositionNoise, reaction_branches
from apcfem.coupling.mixed import BlockNewtonProblem
from apcfem.coupling.newton import NewtonProblem
from apcfem.filament import ON_AXIS, Section
from apcfem.landauer.shell import (
    circular_shell_chemical_potential_eV,
    last_channel_stable_radius_m,
)
from apcfem.materials import case_filament, get_material
from apcfem.materials.laws import (
    BOLTZMANN_J_PER_K,
    ELEMENTARY_CHARGE_C,
    FARADAY_C_PER_MOL,
    molar_density_mol_per_m3,
)
from apcfem.mesh import NM, build_device_mesh
from apcfem.mesh.switching_layer import switching_layer_device
from apcfem.neck import NeckProfile
from apcfem.physics import ButlerVolmer, Species, thermal_voltage
from apcfem.physics.interface_curvature import curvature_estimator
from apcfem.physics.ionic_conduction import IonicConduction
from apcfem.physics.matrix_cavity import OPEN_MATRIX, cavity_limited_ratio, pushes_the_wall
from apcfem.physics.phase_field import (
    AllenCahnDeposition,
    butler_volmer_ratio,
    reduced_gibbs_thomson,
    sharp_interpolation,
)
from apcfem.protocols import CycleVariation
from apcfem.quantum_contact import first_mode_radius_m

log = logging.getLogger(__name__)

METAL_ION_MOBILITY_FRACTION = 1e-3
"""Ionic conductivity inside the filament metal relative to the electrolyte [-]: ions do not
move through the metal; > 0 keeps phi_e defined there."""

ELECTRONIC_CONTRAST_FLOOR = 1e-9
"""Smallest electronic conductivity of the electrolyte relative to the metal's [-] (0.06 S/m
for Ag, against 1e-10 S/m of thin-film SiO2): diffuse metal floating in the electrolyte makes
the electronic system as ill-conditioned as this ratio (at 1e-18 the direct solve returned
potentials far outside [0, V]). The raised value only shapes the fields: the leakage in R_cell
of a broken filament is the host's own (:func:`~apcfem.coupling.contact.layer_leakage_S`), and
in parallel with a connected filament it is below 1e-4 G0."""

SHELL_SCALARS = ("neck_shell_eV", "neck_shell_z_m", "neck_shell_width_m")
"""Checkpoint names of the neck-shell window's value, height and width
(:meth:`EcmCell.state_scalars`)."""

NUCLEUS_RELAXATION_STEPS = 12
"""Steps of the zero-bias relaxation of the initial nucleus (see EcmCell._relax_interface)."""

RELAXATION_NEWTON_ITERATIONS = 100
"""Newton iteration limit of the solves that start far from the discrete solution, where the
line search takes damped steps at first and a shorter step does not help: the relaxation of the
interpolated nucleus (35 iterations for the first step on the 0.05 nm mesh) and the first step
after a jump into or out of contact or a jump of the neck's shell potential, whose residual (the
ionic potential's equilibration around the changed neck) does not shrink with dt (on the
0.025 nm mesh: 46 iterations after a bridge, 42 when the shells of a connected 0.3 nm neck
switch on, where 30 failed at every dt down to 1e-13 s). The other time steps keep
BLOCK_OPTIONS' 30 and cut dt instead."""

FAR_START_SHELL_CHANGE_EV = 0.1
"""A change of the neck's shell potential [eV] from the one the last converged solve used above
which the next solve counts as a far start (RELAXATION_NEWTON_ITERATIONS): the Butler-Volmer
rates there change by e^{alpha z Delta / k_B T}, 7x at 300 K."""

GEOMETRY_RESIDUAL_SCALE = 1e-3
"""Factor on the residuals of the curvature unknowns in the (xi, phi_e, geometry) block [-].
Newton's direction does not depend on it; the line search's merit ||F|| does. In the bulk
phases the level-set normal grad d / |grad d| is ill-defined (|grad d| ~ 0) and its residual
grows quadratically along a Newton step there, which made the backtracking take ~10 % steps
although the physical rows would converge with the full step (seen on a hold at 0.56 V:
4-20 damped iterations per step). Scaled, the merit is the physics' residual; the geometry rows
still converge to the Newton tolerance / GEOMETRY_RESIDUAL_SCALE."""

BLOCK_OPTIONS = {"snes_type": "newtonls", "snes_linesearch_type": "bt",
                 "snes_stol": 1e-12, "snes_max_it": 30}
"""(xi, phi_e) Newton: full steps (the step controller cuts dt on failure); its residual
tolerance is ``solver.ecm_newton_tolerance``, in the scaled units of the physics modules
(1 nm^3 of phase, 1e-16 A of ionic current)."""


class EcmCell:
    """Fields, forms and solvers of an electrochemical-metallisation cell (a ``Cell``).

    Args:
        cfg: validated case (geometry, mesh, materials, ecm, physics).
        comm: communicator of the mesh.
        variation: the first cycle's draw (seeded variability: rate factor, activation
            energy, initial filament's size and section); nominal if None.

    Attributes:
        cycle_parameters: the per-cycle constants (:class:`CycleParameters`): the factor on
            both exchange current densities and the ions' activation energy.
    """

    def __init__(self, cfg: CaseConfig, comm: MPI.Comm = MPI.COMM_WORLD,
                 variation: CycleVariation | None = None):
        self.cfg = cfg
        ecm = cfg.ecm
        g = cfg.geometry
        self.device = switching_layer_device(build_device_mesh(
            g, cfg.mesh, comm, cfg.physics.cell_quadrature_degree), g)
        mesh, m = self.device.mesh, self.device
        self.layer_z_m = (g.bottom_electrode_thickness_nm * NM,
                          (g.bottom_electrode_thickness_nm + g.switching_layer_thickness_nm) * NM)
        degree = cfg.physics.element_degree
        space = {name: fem.functionspace(mesh, ("Lagrange", degree))
                 for name in ("xi", "phi_e", "T")}
        self.xi = fem.Function(space["xi"], name="xi")
        self.filament = self.xi
        self.phi_e = fem.Function(space["phi_e"], name="phi_electrolyte")
        self.T = fem.Function(space["T"], name="T")
        self.xi_old = fem.Function(space["xi"])
        self._jump_profile = fem.Function(space["xi"])
        """Scratch for the profile a jump into or out of contact imposes on xi."""
        self.phi_e_old = fem.Function(space["phi_e"])
        self.ambient_K = cfg.physics.ambient_temperature_K
        self.T.x.array[:] = self.ambient_K

        metal = case_filament(cfg.materials)
        host = get_material(cfg.materials.switching_layer)
        self._check_metal(metal)
        ion = metal.ion
        self.z = float(ecm.charge_number or ion.charge_number)
        self.atomic_volume_m3 = metal.atomic_volume_m3.value
        self.c_metal = molar_density_mol_per_m3(metal.density_kg_per_m3.value,
                                                metal.molar_mass_kg_per_mol.value)
        sigma_metal = metal.electrical_conductivity_S_per_m.value
        sigma_leak = max(host.electrical_conductivity_S_per_m.value,
                         ELECTRONIC_CONTRAST_FLOOR * sigma_metal)
        # metal where the neck extraction sees metal (H(xi), xi > 1/4), so that a cut placed in
        # the extracted gap never slices off a floating sliver of the tip
        self.sigma = sigma_leak + (sigma_metal - sigma_leak) * sharp_interpolation(self.xi)
        self.contact = ContactConduction(self.device, self.sigma, degree,
                                         lower_contact="cathode", upper_contact="anode",
                                         leak_sigma=sigma_leak, method=cfg.solver.conduction)
        self.jump_to_contact_m = (ecm.jump_to_contact_nm * NM
                                  if ecm.jump_to_contact_nm is not None
                                  else (6.0 * metal.atomic_volume_m3.value / np.pi) ** (1 / 3))
        """A closing gap this narrow [m] bridges (:meth:`bridge_gap`), and a face neck whose
        last mode closes counts as a gap at least this wide (jump out of contact,
        :func:`apcfem.quantum_contact.contact_conductance`); 0: neither."""
        self._far_start = False
        """The state was just bridged or broken, or its shell potential jumped, and it was not
        yet solved from (see :meth:`_solve_step`)."""
        self._solved_shell_eV = 0.0
        """The shell potential [eV] of the last converged block solve."""
        self.bridge_radius_m = bridge_radius_m(metal)
        self.leakage_S = layer_leakage_S(cfg.geometry, host.electrical_conductivity_S_per_m.value)
        """Leakage [S] of the switching layer (parallel plate, physical host conductivity), in
        parallel with the tunnelling conductance while the filament is broken."""
        # metal potential: the contact's discontinuous field at the cell voltage
        self.phi_m = fem.Function(self.contact.potential.function_space, name="phi_metal")
        self.dt = fem.Constant(mesh, 1.0)
        self.V_cell = fem.Constant(mesh, 0.0)
        self.cycle_parameters = CycleParameters(
            mesh, ecm.activation_energy_eV or ion.activation_energy_eV.value,
            cfg.variability.activation_energy_spread_eV)
        v0 = ecm.exchange_current_density_A_per_m2 / (self.z * FARADAY_C_PER_MOL * self.c_metal)
        self.deposition_velocity_m_per_s = v0
        self.capillary_mobility_m2_per_s = (
            v0 * metal.surface_energy_J_per_m2.value * metal.atomic_volume_m3.value
            / (BOLTZMANN_J_PER_K * self.ambient_K))
        # auxiliary unknowns that give the surface curvature (apcfem.physics.interface_curvature)
        self.estimator = curvature_estimator(ecm.curvature, ecm.interface_width_nm * NM,
                                             AllenCahnDeposition.quadrature_degree)
        geometry_spaces = [fem.functionspace(mesh, ("Lagrange", 1)) for _ in self.estimator.names]
        self.geometry = [fem.Function(V, name=n)
                         for V, n in zip(geometry_spaces, self.estimator.names, strict=True)]
        self.geometry_old = [fem.Function(V) for V in geometry_spaces]
        self.exchange_factor = self.cycle_parameters.rate_factor * self._thermal_activation()
        """Factor on the deposition and capillary rates [-]: the cycle's draw, and j0(T)."""
        self.phase = AllenCahnDeposition(
            interface_width_m=ecm.interface_width_nm * NM,
            capillary_mobility_m2_per_s=self.exchange_factor * self.capillary_mobility_m2_per_s,
            deposition_velocity_m_per_s=self.exchange_factor * v0,
            transfer_coefficient=ecm.transfer_coefficient,
            lumped_weight=m.nodal_weight() if ecm.lumped_phase else None)
        # Gibbs-Thomson: with the Laplacian curvature the Allen-Cahn term moves the interface by
        # K kappa (linear part) and the reaction adds the rest of the exponential law (see
        # apcfem.physics.phase_field)
        kT = BOLTZMANN_J_PER_K * self.T
        self.curvature = self.estimator.curvature(self.geometry, self.xi)
        reduced_gt = reduced_gibbs_thomson(
            self.curvature,
            metal.surface_energy_J_per_m2.value * metal.atomic_volume_m3.value / kT)
        reduced_eta = (self.z * (self.phi_m - self.phi_e) / thermal_voltage(self.T) + reduced_gt
                       + self._neck_shell_term(mesh))
        self.cavity = fem.Function(space["xi"], name="cavity")
        """Largest xi each point has held: the cavity the metal opened in the matrix
        (:mod:`apcfem.physics.matrix_cavity`; used with ``ecm.matrix``)."""
        self._wall_moves = None
        if ecm.matrix:
            reduced_pressure = self._matrix_pressure_Pa(host) * self.atomic_volume_m3 / kT
            self.dissolution_current = cavity_limited_ratio(
                reduced_eta, ecm.transfer_coefficient, reduced_pressure, self.xi, self.cavity)
            self._wall_moves = (fem.Function(space["xi"]), fem.Expression(
                pushes_the_wall(reduced_eta, ecm.transfer_coefficient, reduced_pressure),
                space["xi"].element.interpolation_points))
        else:
            self.dissolution_current = butler_volmer_ratio(reduced_eta,
                                                           ecm.transfer_coefficient)
        # the level-set curvature carries the whole law (its Allen-Cahn motion cancelled): a
        # linear part from the Laplacian-based motion would disagree with it at h ~ lambda
        self._cancelled_curvature = None
        if ecm.curvature == "laplacian":
            self.dissolution_current = self.dissolution_current - reduced_gt
        else:
            self._cancelled_curvature = self.curvature
        hop_m = (ecm.hopping_distance_nm * NM if ecm.hopping_distance_nm is not None
                 else ion.hopping_distance_m.value)
        self.species = Species(
            name=ion.species, charge_number=self.z,
            diffusivity_prefactor_m2_per_s=ion.diffusivity_prefactor_m2_per_s.value,
            activation_energy_eV=self.cycle_parameters.activation_energy_eV,
            reference_concentration_mol_per_m3=ecm.ion_reference_concentration_mol_per_m3,
            hop_distance_m=hop_m if ecm.hopping_drift else None)
        self.anode = ButlerVolmer(
            boundary="anode",
            exchange_current_density_A_per_m2=(
                self.cycle_parameters.rate_factor * ecm.anode_exchange_current_density_A_per_m2),
            electrode_potential_V=self.V_cell,
            transfer_coefficient=ecm.transfer_coefficient)
        metal_fraction = sharp_interpolation(self.xi)
        self.ionic = IonicConduction(
            species=self.species,
            mobile_fraction=1.0 - (1.0 - METAL_ION_MOBILITY_FRACTION) * metal_fraction,
            electrodes=(self.anode,), quadrature_degree=self.phase.quadrature_degree)

        self.noise = self._deposition_noise(reduced_eta, v0)

        v_xi, v_phi, *v_geometry = ufl.TestFunctions(ufl.MixedFunctionSpace(
            space["xi"], space["phi_e"], *geometry_spaces))
        # the ionic current carries the mean deposition; the noise's atoms are exchanged with the
        # electrolyte at the interface (booked in inventory()'s noise_mol)
        increment = self.noise.increment if self.noise is not None else None
        change = self.xi - self.xi_old if increment is None else self.xi - self.xi_old - increment
        deposited = self.c_metal * change
        residual = (self.phase.residual(self.xi, v_xi, m, xi_old=self.xi_old, dt=self.dt,
                                        dissolution_current=self.dissolution_current,
                                        cancelled_curvature=self._cancelled_curvature,
                                        increment=increment)
                    + self.ionic.residual(self.phi_e, v_phi, m, T=self.T, dt=self.dt,
                                          deposited_mol_per_m3=deposited,
                                          deposition_integral=self.phase.local_integral(m))
                    + GEOMETRY_RESIDUAL_SCALE
                    * sum(self.estimator.residuals(self.geometry, self.xi, v_geometry, m)))
        self._block = BlockNewtonProblem("ecm", residual, [self.xi, self.phi_e, *self.geometry],
                                         petsc_options=self._block_options())
        # the geometry unknowns of a prescribed xi (initial states), in turn, so that Newton
        # starts consistent
        tests = [ufl.TestFunction(V) for V in geometry_spaces]
        self._geometry_start = [
            NewtonProblem(f"ecm_{name}", form, unknown, petsc_options=LINEAR)
            for name, form, unknown in zip(
                self.estimator.names,
                self.estimator.residuals(self.geometry, self.xi, tests, m), self.geometry,
                strict=True)]

        k_host = host.thermal_conductivity_W_per_mK.value
        k = k_host + (metal.thermal_conductivity_W_per_mK.value - k_host) * metal_fraction
        self._heat = CellHeat("ecm_heat", m, self.contact, self.sigma, k, metal_fraction,
                              self.T, {"anode": self.ambient_K, "cathode": self.ambient_K},
                              cfg.physics.neck_heating_length_nm * NM,
                              method=cfg.solver.heat,
                              power_split=cfg.physics.neck_power_split)
        self._forms = {
            "filament_mol": fem.form(self.phase.amount(self.xi, m, self.c_metal)),
            "anode_inflow_mol_per_s": fem.form(
                self.ionic.electrode_inflow(self.anode, self.phi_e, m, self.T))}
        if self.noise is not None:
            self._forms["noise_mol"] = fem.form(
                self.phase.amount(self.noise.increment, m, self.c_metal))
        variation = variation or CycleVariation()
        self.cycle_parameters.vary(variation)
        self.set_filament(variation.nucleus_radius_factor, variation.section)

    def _matrix_pressure_Pa(self, host) -> float:
        """The pressure [Pa] growth beyond the cavity works against (``ecm.matrix``): the
        override ``ecm.matrix_cavity_pressure_GPa``, else the switching layer's indentation
        hardness (the case loader has checked that the library gives it)."""
        if self.cfg.ecm.matrix_cavity_pressure_GPa is not None:
            return self.cfg.ecm.matrix_cavity_pressure_GPa * 1e9
        return host.indentation_hardness_Pa.value

    @staticmethod
    def _check_metal(metal) -> None:
        needed = ("ion", "molar_mass_kg_per_mol", "surface_energy_J_per_m2", "atomic_volume_m3")
        missing = [k for k in needed if getattr(metal, k, None) is None]
        if missing:
            raise ValueError(f"materials.filament = '{metal.name}': an ECM filament metal needs "
                             f"{', '.join(missing)} in the materials library (e.g. 'Ag', 'Cu')")

    # -- state ---------------------------------------------------------------------------
    def set_filament(self, size_factor: float = 1.0, section: Section = ON_AXIS) -> None:
        """Initial state at no bias (``ecm.initial_filament``), its radii scaled by size_factor
        and (3-D) its axis and section those of ``section`` (seeded variability): a
        hemispherical nucleus on the cathode, or the cone an earlier set left (base on the
        cathode, tip radius, gap to the anode; connected at gap 0). The profile is then
        relaxed (see :meth:`_relax_interface`)."""
        ecm = self.cfg.ecm
        self.section = section
        if ecm.initial_filament == "cone":
            distance = cone_distance(self.device, *self.layer_z_m,
                                     ecm.cone_base_radius_nm * NM * size_factor,
                                     ecm.cone_tip_radius_nm * NM * size_factor,
                                     ecm.cone_gap_nm * NM, section)
            self.phi_e.x.array[:] = 0.0
        else:
            radius_m = ecm.nucleus_radius_nm * NM * size_factor
            distance = hemisphere_distance(self.device, self.layer_z_m[0], radius_m, section)
            # the electrolyte in Gibbs-Thomson equilibrium with the nucleus (kappa = 2 / R):
            # the start of the first Newton solve, whose Butler-Volmer terms are exponential
            metal = case_filament(self.cfg.materials)
            self.phi_e.x.array[:] = (2.0 * metal.surface_energy_J_per_m2.value
                                     * metal.atomic_volume_m3.value
                                     / (self.z * ELEMENTARY_CHARGE_C * radius_m))
        self.xi.interpolate(self._profile(distance))
        self.update_geometry()
        self.phi_m.x.array[:] = 0.0
        self.cavity.x.array[:] = OPEN_MATRIX
        self.accept()
        self._relax_interface()
        self._open_cavity(size_factor, section)

    def _open_cavity(self, size_factor: float, section: Section) -> None:
        """The matrix's cavity at the start: the relaxed initial filament and, for a cone short
        of the anode, the channel its dissolved part left, narrowing linearly from the tip's
        centre (tip radius) to the anode (``ecm.channel_radius_nm``; by default the cone's
        taper continued, tip - (base - tip) (gap + tip) / (length - gap - tip), 0 if the taper
        closes first) and on into the anode."""
        ecm = self.cfg.ecm
        self.cavity.x.array[:] = self.xi.x.array
        if not ecm.matrix or ecm.initial_filament != "cone" or ecm.cone_gap_nm == 0.0:
            return
        base_m = ecm.cone_base_radius_nm * NM * size_factor
        tip_m = ecm.cone_tip_radius_nm * NM * size_factor
        cathode_m, anode_m = self.layer_z_m
        start_m = anode_m - ecm.cone_gap_nm * NM - tip_m
        if ecm.channel_radius_nm is None:
            taper = (base_m - tip_m) / (start_m - cathode_m)
            at_anode_m = max(tip_m - taper * (anode_m - start_m), 0.0)
        else:
            at_anode_m = ecm.channel_radius_nm * NM * size_factor
        beyond_m = anode_m + 2.0 * ecm.interface_width_nm * NM
        self._jump_profile.interpolate(self._profile(frustum_distance(
            self.device, start_m, anode_m, beyond_m, tip_m, at_anode_m, section)))
        np.maximum(self.cavity.x.array, self._jump_profile.x.array, out=self.cavity.x.array)

    def _thermal_activation(self) -> ufl.core.expr.Expr | float:
        """j0(T) / j0 [-] with ``ecm.thermally_activated_exchange``: Arrhenius in the local
        temperature with this cycle's migration barrier of the ion (the reduction's last step
        is the ion's hop onto the metal; the rate constant of a charge transfer is thermally
        activated, Bard & Faulkner, Electrochemical Methods, 2nd ed., sec. 3.3), 1 at
        ``physics.ambient_temperature_K``, where the case gives j0 (an ambient ramp does not
        move it); else 1."""
        if not self.cfg.ecm.thermally_activated_exchange:
            return 1.0
        barrier = ufl.as_ufl(self.cycle_parameters.activation_energy_eV)
        return ufl.exp(barrier / thermal_voltage(self.ambient_K)
                       - barrier / thermal_voltage(self.T))

    def _deposition_noise(self, reduced_eta, v0: float) -> DepositionNoise | None:
        """The reaction's shot noise (``variability.interface_noise`` > 0), else None."""
        variability, ecm = self.cfg.variability, self.cfg.ecm
        if variability.interface_noise == 0.0:
            return None
        atomic_diameter_m = (6.0 * self.atomic_volume_m3 / np.pi) ** (1 / 3)
        quadrature = self.device.dx()(degree=self.phase.quadrature_degree)
        return DepositionNoise(self.xi, reaction_branches(reduced_eta, ecm.transfer_coefficient),
                               self.exchange_factor * v0, ecm.interface_width_nm * NM,
                               self.phase.local_integral(self.device),
                               (self.device.weight(), quadrature), self.atomic_volume_m3,
                               atomic_diameter_m, variability.seed,
                               variability.interface_noise)

    def _neck_shell_term(self, mesh) -> ufl.core.expr.Expr | float:
        """delta_mu / (k_B T) of the neck's electron shells (:meth:`place_neck_shell`) in a
        Gaussian window about the neck plane, as wide as the neck's radius [-]; 0 (no term in
        the forms) without ``ecm.shell_correction``."""
        if not self.cfg.ecm.shell_correction:
            return 0.0
        self.neck_shell_eV = fem.Constant(mesh, 0.0)
        self._shell_z = fem.Constant(mesh, 0.0)
        self._shell_width = fem.Constant(mesh, 1.0)
        self._shell = (self.neck_shell_eV, self._shell_z, self._shell_width)
        self._accepted_shell = tuple(float(c.value) for c in self._shell)
        z = ufl.SpatialCoordinate(mesh)[self.device.axial_index]
        window = ufl.exp(-((z - self._shell_z) / self._shell_width) ** 2)
        return self.neck_shell_eV * window / thermal_voltage(self.T)

    @property
    def has_neck_shell(self) -> bool:
        """Whether the overpotential carries the neck's shell potential
        (``ecm.shell_correction``), which the step then iterates with the circuit."""
        return self.cfg.ecm.shell_correction

    def place_neck_shell(self, neck: NeckProfile, electrons) -> float:
        """The shell part of the chemical potential of the atoms of a connected neck [eV]
        (0 while broken or without ``ecm.shell_correction``; below the first mode's radius,
        its value there)
        at the electrons' temperature, from the equivalent radius of the section at the
        window's plane; the window moves to the narrowest slice only when that leaves its
        width. The step solves with the value :meth:`set_neck_shell` gives it."""
        if not self.cfg.ecm.shell_correction:
            return 0.0
        present = float(self.neck_shell_eV.value)
        shell = 0.0
        if neck.gap_m == 0.0 and neck.neck_radius_m > 0.0:
            width = max(neck.neck_radius_m, self.cfg.ecm.interface_width_nm * NM)
            # the window stays on its constriction while the narrowest slice moves within it
            # (on a near-uniform rod the minimum hops between slices)
            if present == 0.0 or abs(neck.neck_z_m - float(self._shell_z.value)) > width:
                self._shell_z.value = neck.neck_z_m
            self._shell_width.value = width
            radius = float(np.interp(float(self._shell_z.value), neck.z_m, neck.radius_m))
            # a section narrower than the first mode's radius holds no conduction channel: it
            # keeps the (unbinding) shell potential of the last channel's closing, so that
            # the potential is continuous in the radius. (The Weyl-subtracted term of an
            # emptier section would be an artefact, -3 eV at 0.05 nm; a cut to 0 there was a
            # jump of ~0.8 eV, across which a thinning neck's step iteration has no fixed
            # point: the reset crawled towards the first mode's radius with ever shorter steps.)
            shell = circular_shell_chemical_potential_eV(
                max(radius, first_mode_radius_m(electrons)), electrons.with_(bias_V=0.0),
                self.atomic_volume_m3)
        return shell

    def unstable_neck_radius_m(self, electrons) -> float:
        """A connected neck thinning below this radius [m] breaks: the shell potential's
        minimum on the one-channel plateau (at the electrons' temperature), below which the
        shell potential rises as the neck thins and its dissolution runs away (0: never,
        without ``ecm.shell_correction``). The run would otherwise follow that collapse (0.22
        -> 0.20 nm within ~0.4 ms of a 2 V/s sweep, at steps down to 1e-9 s) to the first
        mode's radius, where the last mode closes."""
        if not self.cfg.ecm.shell_correction:
            return 0.0
        return last_channel_stable_radius_m(electrons.with_(bias_V=0.0), self.atomic_volume_m3)

    @property
    def neck_shell(self) -> float:
        """The neck's shell potential [eV] the next step solves with (0 without
        ``ecm.shell_correction``)."""
        return float(self.neck_shell_eV.value) if self.cfg.ecm.shell_correction else 0.0

    def set_neck_shell(self, shell_eV: float) -> None:
        """The neck's shell potential [eV] the next step solves with (see
        :meth:`place_neck_shell`); a jump of more than FAR_START_SHELL_CHANGE_EV makes the next
        solve a far start."""
        self.neck_shell_eV.value = shell_eV
        if abs(shell_eV - self._solved_shell_eV) > FAR_START_SHELL_CHANGE_EV:
            self._far_start = True

    def bridge_gap(self, neck: NeckProfile) -> float:
        """Jump to contact: bridge the gap of ``neck`` (xi = max(xi, profile of
        :func:`~apcfem.coupling.cell_geometry.bridge_distance`), overlapping each side by two
        interface widths). The present state becomes the bridged one (accepted or rejected
        with its step). Returns the metal added [mol] (the caller books it to the active
        electrode, whose atoms jump)."""
        overlap = 2.0 * self.cfg.ecm.interface_width_nm * NM
        bridge = bridge_distance(self.device, neck, overlap, self.bridge_radius_m, self.section)
        before = self.inventory()["filament_mol"]
        self._jump_profile.interpolate(self._profile(bridge))
        self.xi.x.array[:] = np.maximum(self.xi.x.array, self._jump_profile.x.array)
        self._widen_cavity()
        self.update_geometry()
        self._far_start = True
        return self.inventory()["filament_mol"] - before

    def break_contact(self, spans_m: list[tuple[float, float]]) -> float:
        """Jump out of contact: the metal between each pair of heights (low, high) [m] leaves
        (xi = min(xi, equilibrium profile of the slab's complement)), as a neck whose last mode
        closed snaps apart, its atoms returning to the banks (Agrait, Levy Yeyati & van
        Ruitenbeek, Phys. Rep. 377, 81, 2003, sec. 4.2): the field then holds the gap the
        count tunnels across. The present state becomes the broken one (accepted or rejected
        with its step). Returns the metal removed [mol] (negative; booked like
        :meth:`bridge_gap`'s)."""
        before = self.inventory()["filament_mol"]
        allowed = self._jump_profile
        for low, high in spans_m:
            allowed.interpolate(self._profile(slab_distance(self.device, low, high)))
            self.xi.x.array[:] = np.minimum(self.xi.x.array, allowed.x.array)
        self.update_geometry()
        self._far_start = True
        return self.inventory()["filament_mol"] - before

    def _profile(self, distance):
        """The equilibrium tanh profile xi = (1 - tanh(d / lambda)) / 2 of a signed distance d
        [m] (> 0 outside the metal), as a function of points for ``interpolate``."""
        lam = self.cfg.ecm.interface_width_nm * NM
        return lambda x: 0.5 * (1.0 - np.tanh(distance(x) / lam))

    def update_geometry(self) -> None:
        """Signed distance and curvature of the present xi (after xi was set directly)."""
        for problem in self._geometry_start:
            problem.solve()

    def _relax_interface(self) -> None:
        """Relax the interpolated nucleus to the discrete equilibrium profile at zero bias:
        NUCLEUS_RELAXATION_STEPS backward-Euler steps of growing size, 0.1 ms in all (the
        profile relaxes in ~lambda^2 / K; ripening in that time is below 1e-3 of the nucleus).
        The run's clock starts afterwards."""
        if self.noise is not None:
            self.noise.clear()
        with self._far_start_newton():
            for dt in np.geomspace(1e-9, 1e-4, NUCLEUS_RELAXATION_STEPS) * (1e-4 / np.sum(
                    np.geomspace(1e-9, 1e-4, NUCLEUS_RELAXATION_STEPS))):
                self._solve_step(float(dt), 0.0)
                self.accept()

    @contextlib.contextmanager
    def _far_start_newton(self):
        """The block's Newton limit raised to RELAXATION_NEWTON_ITERATIONS for the solves
        inside (restored afterwards, also on failure)."""
        snes = self._block.problem.solver
        step_limit = snes.getTolerances()[3]
        snes.setTolerances(max_it=RELAXATION_NEWTON_ITERATIONS)
        try:
            yield
        finally:
            snes.setTolerances(max_it=step_limit)

    def accept(self) -> None:
        """Make the present (xi, phi_e, curvature unknowns, neck shell term) the state of the
        last accepted time."""
        self.xi_old.x.array[:] = self.xi.x.array
        for old, new in zip(self.geometry_old, self.geometry, strict=True):
            old.x.array[:] = new.x.array
        self.phi_e_old.x.array[:] = self.phi_e.x.array
        self._move_cavity_wall()
        if self.cfg.ecm.shell_correction:
            self._accepted_shell = tuple(float(c.value) for c in self._shell)

    def _move_cavity_wall(self) -> None:
        """With ``ecm.matrix``: the cavity takes the accepted xi where the reaction deposits
        against the matrix (:func:`~apcfem.physics.matrix_cavity.pushes_the_wall`); metal
        beyond the wall elsewhere stays under the pressure. Owners' values on every rank."""
        if self._wall_moves is None:
            return
        moves, expression = self._wall_moves
        moves.interpolate(expression)
        moves.x.scatter_forward()
        pushed = moves.x.array > 0.5
        cavity = self.cavity.x.array
        cavity[pushed] = np.maximum(cavity[pushed], self.xi.x.array[pushed])

    def _widen_cavity(self) -> None:
        """The cavity takes every point's present xi where that is larger (an atom jumping
        into contact, or an initial profile, displaces the matrix)."""
        np.maximum(self.cavity.x.array, self.xi.x.array, out=self.cavity.x.array)

    def reject(self) -> None:
        """Return (xi, phi_e, curvature unknowns, neck shell term) to the last accepted
        state."""
        self.xi.x.array[:] = self.xi_old.x.array
        for old, new in zip(self.geometry_old, self.geometry, strict=True):
            new.x.array[:] = old.x.array
        self.phi_e.x.array[:] = self.phi_e_old.x.array
        if self.cfg.ecm.shell_correction:
            for constant, value in zip(self._shell, self._accepted_shell, strict=True):
                constant.value = value

    # -- solves --------------------------------------------------------------------------
    def advance(self, t_s: float, dt_s: float, V_cell_V: float) -> int:
        """One backward-Euler step (t_s, t_s + dt_s) of (xi, phi_e, curvature unknowns) from the
        accepted state at cell voltage V_cell [V] (phi_m and T frozen), with the step's shot
        noise if on (drawn at the step's first call). Returns Newton iterations; raises
        SolverDivergedError."""
        if self.noise is not None:
            self.set_cell_voltage(V_cell_V)
            self.noise.draw(t_s, dt_s)
        return self._solve_step(dt_s, V_cell_V)

    def _solve_step(self, dt_s: float, V_cell_V: float) -> int:
        """The block solve of a step of dt_s [s] at V_cell [V] (see :meth:`advance`); the
        first converged solve after a jump into or out of contact or of the shell potential
        may take RELAXATION_NEWTON_ITERATIONS."""
        self.dt.value = dt_s
        self.set_cell_voltage(V_cell_V)
        with self._far_start_newton() if self._far_start else contextlib.nullcontext():
            iterations = self._block.solve()
        self._far_start = False
        self._solved_shell_eV = self.neck_shell
        return iterations

    def set_cell_voltage(self, V_cell_V: float) -> None:
        """phi_m = V_cell phi_unit [V] (electronic conduction is linear in the voltage), with
        phi_unit clipped to [0, 1] (see apcfem.coupling.cell_geometry)."""
        self.V_cell.value = V_cell_V
        self.phi_m.x.array[:] = clipped_potential(self.contact, V_cell_V)

    def set_contact(self, neck: NeckProfile, conductance_S: float) -> None:
        """Place the quantum contact (G [S]) at the extracted neck (see ContactConduction)."""
        self.contact.place(neck, conductance_S)

    def resistance(self) -> CellResistance:
        """R_cell and R_body [ohm] of the present state (solves phi_unit); R_body is inf while
        the filament is broken."""
        R_cell = self.contact.cell_resistance_ohm(self.leakage_S)
        check_unit_potential(self.contact, "ecm_contact")
        if self.contact.open:
            return CellResistance(R_cell, np.inf)
        return CellResistance(R_cell, self.contact.solve_body_resistance())

    def _block_options(self) -> dict:
        """:data:`BLOCK_OPTIONS` with the case's residual tolerance (absolute and relative)."""
        tolerance = self.cfg.solver.ecm_newton_tolerance
        return {**BLOCK_OPTIONS, "snes_rtol": tolerance, "snes_atol": tolerance}

    def solve_heat(self, V_cell_V: float, neck_z_m: float, contact_conductance_S: float) -> float:
        """Steady temperature at the operating point; returns T_max [K]."""
        if not self.cfg.ecm.heat:
            return self.ambient_K
        return self._heat.solve(V_cell_V, neck_z_m, contact_conductance_S,
                                broken=self.contact.open)

    def neck_temperature(self, neck_z_m: float) -> float:
        """Temperature at the neck [K] (sets the Landauer smearing): at its height on the axis, in
        3-D at the centre of its section (collective)."""
        return self._heat.neck_temperature(neck_z_m)

    def inventory(self) -> dict[str, float]:
        """Filament metal [mol] and the anode's oxidation rate [mol/s] of the present state,
        and with the interface noise the metal its last step exchanged with the electrolyte
        [mol]."""
        comm = self.device.comm
        return {k: comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM)
                for k, f in self._forms.items()}

    def state_functions(self) -> dict[str, fem.Function]:
        """The accepted state a restart checkpoint stores (restore it, then :meth:`accept`)."""
        cavity = {"cavity": self.cavity} if self.cfg.ecm.matrix else {}
        return {"xi": self.xi, "phi_e": self.phi_e, "T": self.T,
                **{u.name: u for u in self.geometry}, **cavity}

    def state_scalars(self) -> dict[str, float]:
        """What a restart checkpoint stores besides :meth:`state_functions`: whether the next
        solve is a far start (it may take more Newton iterations, see :meth:`_solve_step`) and,
        with shells, the accepted neck-shell window (its value [eV], height [m] and width [m]):
        where the window sits depends on the necks before it (see :meth:`place_neck_shell`)."""
        far_start = {"far_start": float(self._far_start)}
        if not self.cfg.ecm.shell_correction:
            return far_start
        return {**far_start, **dict(zip(SHELL_SCALARS, self._accepted_shell, strict=True))}

    def restore_scalars(self, scalars: dict[str, float]) -> None:
        """Set the far-start flag and the neck-shell window from a checkpoint's scalars (then
        :meth:`accept`; the restored shell counts as solved); a checkpoint without the flag
        counts as no far start."""
        self._far_start = bool(scalars.get("far_start", 0.0))
        if not self.cfg.ecm.shell_correction:
            return
        missing = [key for key in SHELL_SCALARS if key not in scalars]
        if missing:
            raise ValueError(f"the checkpoint has no {', '.join(missing)} (written without "
                             "ecm.shell_correction or by an older apcfem): rerun without "
                             "--resume")
        for constant, key in zip(self._shell, SHELL_SCALARS, strict=True):
            constant.value = float(scalars[key])
        self._solved_shell_eV = float(self.neck_shell_eV.value)

    def fields(self) -> list[fem.Function]:
        """Functions written as VTX snapshots (with the interface noise: the last step's
        shift [m] and phase increment [-]; with the matrix: its cavity [-])."""
        noise = [] if self.noise is None else [self.noise.shift, self.noise.increment]
        cavity = [self.cavity] if self.cfg.ecm.matrix else []
        return [self.xi, *self.geometry, self.phi_e, self.phi_m, self.T, *noise, *cavity]

    def close(self) -> None:
        """Destroy the solvers (collective; the same order on every rank)."""
        self._block.close()
        if self.noise is not None:
            self.noise.close()
        for problem in self._geometry_start:
            problem.close()
        self.contact.close()
        self._heat.close()

    # -- set-up --------------------------------------------------------------------------
