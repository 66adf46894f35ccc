"""ECM filament dynamics: cations, Allen-Cahn filament phase, potential and heat of one cell.

The model lives on the switching layer (a submesh of the device stack): the active electrode
(top, e.g. Ag) and the inert cathode (bottom, e.g. Pt) are its boundaries ``anode`` and
``cathode``, both equipotential contacts and heat sinks (the electrodes' own resistance,
~0.1 ohm, is negligible against the contact). Unknowns and equations (DESIGN.md sec. 3):

* xi, Allen-Cahn deposition (:class:`~apcfem.physics.phase_field.AllenCahnDeposition`), grown
  from a hemispherical nucleus on the cathode at the axis;
* w = ln(c / c_eq), Nernst-Planck of the cations (:class:`~apcfem.physics.NernstPlanck`),
  mobile in the electrolyte only (D scaled by 1e-3 inside the metal), with the source
  -c_m d(xi)/dt (deposition consumes ions, dissolution releases them) and an
  exchange with the active electrode, j = j0_a (1 - c / c_eq) (Butler-Volmer at the zero
  overpotential of an unresolved double layer: the electrode keeps the adjacent electrolyte at
  c_eq, oxidising metal when depleted and plating ions when they pile up), and a one-way
  reduction of excess ions on the inert cathode, N.n = (j0_c / z F) max(c / c_eq - s_p, 0)
  (without it, ions drifting onto a blocking cathode pile up as exp(z V / V_T), since space
  charge is not modelled, and wet the cathode around the nucleus; the supersaturation s_p > 1
  needed to nucleate on the foreign substrate keeps the nucleus from ripening into it);
* phi, quasi-static current continuity with sigma(xi) = sigma_el + (sigma_fil - sigma_el) H(xi)
  (H: :func:`~apcfem.physics.phase_field.sharp_interpolation`, metal for xi > 3/4);
* T, steady heat with k(xi) (same H) and the Joule source sigma |grad phi|^2.

**Quantum contact.** The neck's Landauer conductance G_L is not ohmic. Once the filament
bridges the layer, the slab |z - z_neck| < l/2 of the filament carries sigma_q = G_L l / A_eff
(A_eff = int_slab H(xi) dA) instead of the metal's sigma, so the FE resistance R_cell = V^2 / P
is R_fe + 1/G_L, the contact voltage I/G_L drops across the neck (it drives the neck's own
growth and dissolution), and the ballistic power I^2/G_L is released in the metal at the neck.
Every section thinner than the first subband (a < j_01 / k_F, G_L = 0), and every cell whose
height range meets one, conducts like the electrolyte: a metal thread too thin to carry a
channel never conducts classically. The slab is kept inside the layer (a neck at the anode face,
where a cathode-grown cone touches it, puts the contact in the layer's last 0.3 nm).

**Operator splitting** (first order in dt; not yet verified by a rate test). A step
t -> t + dt (1) sets phi = V_cell
phi_unit with V_cell from the circuit at t + dt and the cell resistance of the state at t,
(2) solves the backward-Euler (xi, w) block with one SNES, phi and T frozen; after an accepted
step the caller extracts the neck, updates the contact, re-solves phi_unit (linear) and T.
The (xi, w) residual sums to an exact discrete balance, so metal atoms (ions + filament) change
only by the time-integrated exchange flux, to solver tolerance.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.mesh import create_submesh, locate_entities_boundary, meshtags
from mpi4py import MPI

from apcfem.config.schema import CaseConfig, GeometryConfig
from apcfem.coupling.mixed import BlockNewtonProblem
from apcfem.coupling.newton import NewtonProblem
from apcfem.materials import get_material
from apcfem.materials.laws import FARADAY_C_PER_MOL, fermi_wavevector_per_m
from apcfem.mesh import DeviceMesh, build_device_mesh
from apcfem.neck import NeckExtractor, NeckProfile
from apcfem.physics import ButlerVolmer, Conduction, Heat, NernstPlanck, Species, fixed_values
from apcfem.physics.nernst_planck import RESIDUAL_VOLUME_M3
from apcfem.physics.phase_field import AllenCahnDeposition, sharp_interpolation

log = logging.getLogger(__name__)

NM = 1e-9

MOLAR_MASS_KG_PER_MOL = {"Ag": 0.1078682, "Cu": 0.063546, "Au": 0.19696657}
"""Filament metals' molar masses (IUPAC standard atomic weights 2021, Pure Appl. Chem. 94, 573
(2022)); c_m = density / molar mass."""

LAYER_BOUNDARIES = ("cathode", "anode", "outer", "axis")

FIRST_BESSEL_ZERO = 2.404825557695773
"""j_01: a circular neck opens its first channel at k_F a = j_01."""

BROKEN_RADIUS_M = 0.05e-9
"""Equivalent radius [m] below which a section holds no metal (a tenth of an Ag atom's radius)."""

METAL_ION_MOBILITY_FRACTION = 1e-3
"""Ion diffusivity inside the filament metal relative to the electrolyte [-]: small, so that
ions cannot short-cut through the filament (it stays > 0 to keep w defined there)."""

UNKNOWN_BOUND = 50.0
"""|xi|, |w| <= 50 during Newton (a variational-inequality SNES): far outside the physical range
(xi in [0, 1], c / c_eq = e^w), it only keeps trial iterates of w out of exp() overflow."""

LINEAR = {"snes_type": "ksponly"}
"""Current continuity and heat are linear in their unknown here (sigma and k depend on xi
only): one direct solve, no Newton tolerance to reach at round-off level."""


def switching_layer_device(stack: DeviceMesh, geometry: GeometryConfig) -> DeviceMesh:
    """The switching layer of a device stack as a mesh of its own, boundaries named
    ``cathode`` (bottom), ``anode`` (top), ``outer`` and (2-D) ``axis``."""
    tdim = stack.mesh.topology.dim
    owned = stack.mesh.topology.index_map(tdim).size_local
    names = [n for n in ("switching_layer", "filament_seed") if stack.has_region(n)]
    cells = np.sort(stack.cells(*names))
    layer, *_ = create_submesh(stack.mesh, tdim, cells[cells < owned].astype(np.int32))
    layer.topology.create_connectivity(tdim - 1, tdim)
    z0 = geometry.bottom_electrode_thickness_nm * NM
    z1 = z0 + geometry.switching_layer_thickness_nm * NM
    tol = 1e-6 * (z1 - z0)
    axial = stack.axial_index
    radius = geometry.cell_radius_nm * NM

    def radial(x):
        return x[0] if stack.axisymmetric else np.hypot(x[0], x[1])

    markers = {"cathode": lambda x: np.abs(x[axial] - z0) < tol,
               "anode": lambda x: np.abs(x[axial] - z1) < tol,
               "outer": lambda x: np.abs(radial(x) - radius) < 1e-3 * radius,
               "axis": lambda x: np.abs(x[0]) < tol}
    names = LAYER_BOUNDARIES if stack.axisymmetric else LAYER_BOUNDARIES[:3]
    facets, values = [], []
    for tag, name in enumerate(names, start=1):
        found = locate_entities_boundary(layer, tdim - 1, markers[name])
        facets.append(found)
        values.append(np.full(found.size, tag, dtype=np.int32))
    facets_all = np.concatenate(facets)
    order = np.argsort(facets_all)
    # corner facets belong to one group only: keep the first (cathode/anode before outer/axis)
    unique, first = np.unique(facets_all[order], return_index=True)
    n_cells = layer.topology.index_map(tdim).size_local + layer.topology.index_map(
        tdim).num_ghosts
    all_cells = np.arange(n_cells, dtype=np.int32)
    return DeviceMesh(
        mesh=layer, cell_tags=meshtags(layer, tdim, all_cells, np.ones_like(all_cells)),
        facet_tags=meshtags(layer, tdim - 1, unique.astype(np.int32),
                            np.concatenate(values)[order][first]),
        regions={"switching_layer": 1},
        boundaries={name: tag for tag, name in enumerate(names, start=1)},
        axisymmetric=stack.axisymmetric)


class SectionAreaNeck(NeckExtractor):
    """Neck extraction from the metal area of each section, A(z) = int H(xi) dA.

    An evolved filament is not always star-shaped about the axis (a deposit can close around
    an electrolyte pocket or grow a side branch), so the first crossing along a ray
    (:class:`~apcfem.neck.NeckExtractor`) can miss metal that conducts. Here every sample counts
    with the metal fraction H(xi) = clip((xi - 1/4) / (1/2), 0, 1), the section's equivalent
    radius is a = sqrt(A / pi), and the profile is reduced to the neck as in the base class.
    """

    def __call__(self, field: fem.Function) -> NeckProfile:
        values = self._probe(field).reshape(len(self.z_m), self.n_theta, len(self.r_m))
        fraction = np.clip((values - 0.25) / 0.5, 0.0, 1.0)
        # int r f dr per ray (trapezoid), times dtheta summed over the rays
        per_ray = np.trapezoid(fraction * self.r_m, self.r_m, axis=-1)
        area = per_ray.sum(axis=1) * (2.0 * np.pi / self.n_theta)
        radius = np.sqrt(area / np.pi)
        # sections with less metal than a tenth of an atom's cross-section are broken
        return self._reduce(np.where(radius < BROKEN_RADIUS_M, 0.0, radius))


@dataclass(frozen=True)
class Inventory:
    """Metal in the layer [mol]: ions and filament; exchange rates [mol/s]: ion inflow from
    the anode, plating onto the bare cathode."""

    ions_mol: float
    filament_mol: float
    anode_inflow_mol_per_s: float
    cathode_plating_mol_per_s: float

    @property
    def metal_mol(self) -> float:
        return self.ions_mol + self.filament_mol


class EcmCell:
    """Fields, forms and solvers of an electrochemical-metallisation cell.

    Args:
        cfg: validated case (geometry, mesh, materials, ecm, physics).
        comm: communicator of the mesh.

    Attributes:
        rate_factor: ``fem.Constant`` multiplying both exchange current densities (set per
            cycle for seeded variability).
    """

    def __init__(self, cfg: CaseConfig, comm: MPI.Comm = MPI.COMM_WORLD):
        self.cfg = cfg
        ecm = cfg.ecm
        self.device = switching_layer_device(build_device_mesh(cfg.geometry, cfg.mesh, comm),
                                             cfg.geometry)
        mesh, m = self.device.mesh, self.device
        degree = cfg.physics.element_degree
        space = {name: fem.functionspace(mesh, ("Lagrange", degree))
                 for name in ("xi", "w", "phi", "T")}
        self.xi = fem.Function(space["xi"], name="xi")
        self.w = fem.Function(space["w"], name="log_concentration")
        self.phi_unit = fem.Function(space["phi"], name="phi_unit")
        self.phi = fem.Function(space["phi"], name="phi")
        self.T = fem.Function(space["T"], name="T")
        self.xi_old = fem.Function(space["xi"])
        self.w_old = fem.Function(space["w"])
        self.ambient_K = cfg.physics.ambient_temperature_K
        self.T.x.array[:] = self.ambient_K

        metal = get_material(cfg.materials.filament)
        if metal.ion is None or cfg.materials.filament not in MOLAR_MASS_KG_PER_MOL:
            raise ValueError(f"materials.filament = '{cfg.materials.filament}': an ECM filament "
                             f"needs an ion and a molar mass ({', '.join(MOLAR_MASS_KG_PER_MOL)})")
        ion = metal.ion
        self.z = float(ion.charge_number)
        self.c_metal = metal.density_kg_per_m3.value / MOLAR_MASS_KG_PER_MOL[
            cfg.materials.filament]
        self.c_eq = ecm.ion_reference_concentration_mol_per_m3
        # cations move through the electrolyte, not through the filament metal
        blocked = 1.0 - (1.0 - METAL_ION_MOBILITY_FRACTION) * sharp_interpolation(self.xi)
        self.species = Species(
            name=ion.species, charge_number=self.z,
            diffusivity_prefactor_m2_per_s=ion.diffusivity_prefactor_m2_per_s.value * blocked,
            activation_energy_eV=(ecm.activation_energy_eV or ion.activation_energy_eV.value),
            reference_concentration_mol_per_m3=self.c_eq,
            hop_distance_m=ion.hopping_distance_m.value if ecm.hopping_drift else None)
        self.dt = fem.Constant(mesh, 1.0)
        self.rate_factor = fem.Constant(mesh, 1.0)
        v0 = ecm.exchange_current_density_A_per_m2 / (self.z * FARADAY_C_PER_MOL * self.c_metal)
        self.phase = AllenCahnDeposition(
            interface_width_m=ecm.interface_width_nm * NM,
            capillary_mobility_m2_per_s=ecm.capillary_mobility_m2_per_s,
            deposition_velocity_m_per_s=self.rate_factor * v0,
            transfer_coefficient=ecm.transfer_coefficient)
        self.anode = ButlerVolmer(
            boundary="anode",
            exchange_current_density_A_per_m2=(
                self.rate_factor * ecm.anode_exchange_current_density_A_per_m2),
            electrode_potential_V=self.phi,  # unresolved double layer: zero overpotential
            transfer_coefficient=ecm.transfer_coefficient,
            reference_concentration_mol_per_m3=self.c_eq)
        self.transport = NernstPlanck(
            species=self.species, electrodes=(self.anode,),
            source=-self.c_metal * (self.xi - self.xi_old) / self.dt)

        v_xi, v_w = ufl.TestFunctions(ufl.MixedFunctionSpace(space["xi"], space["w"]))
        j0_c = self.rate_factor * ecm.cathode_exchange_current_density_A_per_m2
        plating_density = (j0_c / (self.z * FARADAY_C_PER_MOL)
                           * ufl.max_value(ufl.exp(self.w) - ecm.cathode_plating_supersaturation,
                                           0.0) * m.weight())
        plating_measure = m.ds("cathode")(degree=self.transport.quadrature_degree)
        plating = plating_density * plating_measure
        scale = 1.0 / (self.c_eq * RESIDUAL_VOLUME_M3)
        residual = (self.phase.residual(self.xi, v_xi, m, xi_old=self.xi_old, dt=self.dt,
                                        supersaturation=self.w)
                    + self.transport.residual(self.w, v_w, m, phi=self.phi, T=self.T,
                                              dt=self.dt,
                                              c_old=self.species.concentration(self.w_old))
                    + self.dt * scale * plating_density * v_w * plating_measure)
        self._ecm = BlockNewtonProblem(
            "ecm", residual, [self.xi, self.w],
            # absolute tolerance in residual units (c_eq 1 nm^3, i.e. ~1e-24 mol for c_eq =
            # 1e3 mol/m^3): 1e-8 of it is far below one atom; round-off in a stiff step
            # stalls near 1e-10, so tighter values only cost rejected steps. Full Newton steps
            # (the box bounds are the safeguard): backtracking crawls through the kinks of the
            # clipped interpolations.
            petsc_options={"snes_type": "vinewtonrsls", "snes_linesearch_type": "basic",
                           "snes_rtol": 1e-8, "snes_atol": 1e-8, "snes_stol": 1e-10,
                           "snes_max_it": 25})
        self._ecm.set_bounds(-UNKNOWN_BOUND, UNKNOWN_BOUND)

        self._setup_contact(cfg, space["phi"])
        self._setup_heat(cfg, space["T"])
        self._forms = {
            "ions": fem.form(self.transport.amount(self.w, m)),
            "filament": fem.form(self.phase.amount(self.xi, m, self.c_metal)),
            "inflow": fem.form(self.transport.electrode_ion_inflow(
                self.w, m, self.anode, phi=self.phi, T=self.T)),
            "plating": fem.form(plating)}
        self.set_nucleus(ecm.nucleus_radius_nm * NM)

    # -- state ---------------------------------------------------------------------------
    def set_nucleus(self, radius_m: float) -> None:
        """Initial state: hemispherical metal nucleus on the cathode at the axis, c = c_eq."""
        z0 = self.cfg.geometry.bottom_electrode_thickness_nm * NM
        lam = self.cfg.ecm.interface_width_nm * NM
        axial = self.device.axial_index

        def nucleus(x):
            r2 = x[0] ** 2 + (x[1] ** 2 if not self.device.axisymmetric else 0.0)
            distance = np.sqrt(r2 + (x[axial] - z0) ** 2)
            return 0.5 * (1.0 - np.tanh((distance - radius_m) / lam))

        self.xi.interpolate(nucleus)
        self.w.x.array[:] = 0.0
        self.accept()

    def accept(self) -> None:
        """Make the present (xi, w) the state of the last accepted time."""
        self.xi_old.x.array[:] = self.xi.x.array
        self.w_old.x.array[:] = self.w.x.array

    def reject(self) -> None:
        """Return (xi, w) to the last accepted state."""
        self.xi.x.array[:] = self.xi_old.x.array
        self.w.x.array[:] = self.w_old.x.array

    # -- solves --------------------------------------------------------------------------
    def advance(self, dt_s: float, V_cell_V: float) -> int:
        """One backward-Euler step of (xi, w) at the cell voltage V_cell [V] (phi frozen).

        Returns the Newton iterations. Raises SolverDivergedError (the caller rejects).
        """
        self.dt.value = dt_s
        self.set_cell_voltage(V_cell_V)
        return self._ecm.solve()

    def set_cell_voltage(self, V_cell_V: float) -> None:
        """phi = V_cell phi_unit [V] (current continuity is linear in the contact voltage)."""
        self.phi.x.array[:] = V_cell_V * self.phi_unit.x.array

    def set_contact(self, neck: NeckProfile, G_landauer_S: float) -> None:
        """Embed the neck's Landauer conductance as the slab conductivity (see module doc).

        Sections thinner than the first subband's radius j_01 / k_F carry no channel: cells at
        their heights conduct like the electrolyte, so a thread of metal too thin to count never
        conducts classically; a conducting neck (G_L > 0) gets the contact slab.
        """
        # a cell is thin if its height range meets a thin row (P1 xi in a cell spanning the
        # row would otherwise carry metal across it)
        half_row = 0.5 * (neck.z_m[1] - neck.z_m[0])
        thin_z = neck.z_m[neck.radius_m < self.first_subband_radius_m]
        thin = (np.searchsorted(thin_z, self._cell_z_range[:, 1] + half_row, side="right")
                > np.searchsorted(thin_z, self._cell_z_range[:, 0] - half_row, side="left"))
        self._thin.x.array[self._thin.function_space.dofmap.list[:, 0]] = thin.astype(float)
        connected = G_landauer_S > 0.0
        self._contact_on.value = 1.0 if connected else 0.0
        length = self.cfg.ecm.contact_length_nm * NM
        # keep the slab inside the layer: a neck at an electrode face (a tip touching the
        # anode) puts the contact in the layer's last slab of metal
        self._neck_z.value = float(np.clip(neck.neck_z_m, self._layer_z[0] + 0.5 * length,
                                           self._layer_z[1] - 0.5 * length))
        area = self.device.comm.allreduce(fem.assemble_scalar(self._slab_area), op=MPI.SUM)
        area /= length
        sigma_q = G_landauer_S * length / area if area > 0 else 0.0
        self._sigma_contact.value = max(sigma_q, self._sigma_el)

    def solve_resistance(self) -> tuple[float, int]:
        """Cell resistance R_cell = V^2/P [ohm] at unit voltage, and Newton iterations."""
        its = self._conduction.solve()
        power = self.device.comm.allreduce(fem.assemble_scalar(self._unit_power), op=MPI.SUM)
        return (1.0 / power if power > 0 else np.inf), its

    def solve_heat(self, V_cell_V: float) -> tuple[float, int]:
        """Steady temperature at cell voltage V_cell [V]; returns T_max [K] and iterations."""
        self._V_cell.value = V_cell_V
        if not self.cfg.ecm.heat:
            return self.ambient_K, 0
        its = self._heat.solve()
        comm = self.device.comm
        return comm.allreduce(float(self.T.x.array.max(initial=-np.inf)), op=MPI.MAX), its

    def inventory(self) -> Inventory:
        """Metal amounts [mol] and the anode exchange rate [mol/s] of the present state."""
        comm = self.device.comm
        return Inventory(*(comm.allreduce(fem.assemble_scalar(self._forms[k]), op=MPI.SUM)
                           for k in ("ions", "filament", "inflow", "plating")))

    def fields(self) -> list[fem.Function]:
        """Functions written as VTX snapshots."""
        return [self.xi, self.w, self.phi, self.T]

    # -- set-up --------------------------------------------------------------------------
    def _setup_contact(self, cfg: CaseConfig, space) -> None:
        m = self.device
        host = get_material(cfg.materials.switching_layer)
        filament = get_material(cfg.materials.filament)
        self._sigma_el = (cfg.ecm.electrolyte_conductivity_S_per_m
                          or host.electrical_conductivity_S_per_m.value)
        mesh = m.mesh
        self._contact_on = fem.Constant(mesh, 0.0)
        self._neck_z = fem.Constant(mesh, 0.0)
        self._sigma_contact = fem.Constant(mesh, self._sigma_el)
        z = ufl.SpatialCoordinate(mesh)[m.axial_index]
        half = 0.5 * cfg.ecm.contact_length_nm * NM
        slab = ufl.conditional(ufl.lt(abs(z - self._neck_z), half), 1.0, 0.0)
        h = sharp_interpolation(self.xi)
        self._slab_area = fem.form(m.weight() * slab * h * m.dx())
        in_contact = self._contact_on * slab
        self._thin = fem.Function(fem.functionspace(mesh, ("DG", 0)), name="thin_section")
        g = cfg.geometry
        z0 = g.bottom_electrode_thickness_nm * NM
        self._layer_z = (z0, z0 + g.switching_layer_thickness_nm * NM)
        # DG0 dofs follow the cells, whose vertex heights give each cell's z range [m]
        vertex_z = mesh.geometry.x[mesh.geometry.dofmaps[0]][:, :, m.axial_index]
        self._cell_z_range = np.stack([vertex_z.min(axis=1), vertex_z.max(axis=1)], axis=1)
        e_f, m_eff = filament.fermi_energy_eV.value, filament.effective_mass_me.value
        self.first_subband_radius_m = FIRST_BESSEL_ZERO / float(
            fermi_wavevector_per_m(e_f, m_eff))
        sigma_fil = ((filament.electrical_conductivity_S_per_m.value * (1.0 - in_contact)
                      + self._sigma_contact * in_contact) * (1.0 - self._thin)
                     + self._sigma_el * self._thin)
        self.sigma = self._sigma_el + (sigma_fil - self._sigma_el) * h
        self.k = (host.thermal_conductivity_W_per_mK.value
                  + (filament.thermal_conductivity_W_per_mK.value
                     - host.thermal_conductivity_W_per_mK.value) * h)
        conduction = Conduction(sigma=self.sigma)
        self._conduction_physics = conduction
        self._conduction = NewtonProblem(
            "ecm_phi", conduction.residual(self.phi_unit, ufl.TestFunction(space), m),
            self.phi_unit, bcs=self._contacts(space, top=1.0, bottom=0.0),
            petsc_options=LINEAR)
        self._unit_power = fem.form(conduction.dissipated_power(self.phi_unit, m))

    def _setup_heat(self, cfg: CaseConfig, space) -> None:
        self._V_cell = fem.Constant(self.device.mesh, 0.0)
        joule = self._V_cell**2 * self._conduction_physics.joule_power_density(self.phi_unit)
        heat = Heat(k=self.k, sources=(joule,))
        self._heat = NewtonProblem(
            "ecm_heat", heat.residual(self.T, ufl.TestFunction(space), self.device), self.T,
            bcs=self._contacts(space, top=self.ambient_K, bottom=self.ambient_K),
            petsc_options=LINEAR)

    def _contacts(self, space, top: float, bottom: float) -> list[fem.DirichletBC]:
        return fixed_values(space, self.device, {"anode": top, "cathode": bottom})
