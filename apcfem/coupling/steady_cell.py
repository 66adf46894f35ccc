"""Steady cell: current continuity and heat on a device with a prescribed filament field.

The prescribed-shape :class:`~apcfem.coupling.cell.Cell` of quasi-static sweeps: its state is
the filament phase field of a :class:`~apcfem.filament.PrescribedFilament`, whose neck radius
follows a schedule in pseudo-time. Current continuity is linear in phi, so it is solved at 1 V
across the contacts (bottom grounded); resistances are R = V^2/P with P the dissipated power (a
variational, superconvergent estimate):

* R_body, the FE ohmic resistance of electrodes and filament: ordinary current continuity;
* R_cell = R_body + 1/G: the quantum contact of conductance G at the neck is a lumped element in
  series, a potential jump across the neck plane (:mod:`apcfem.coupling.contact`).

The external circuit sets the cell voltage V_cell, which scales the unit fields and the Joule
source of the heat equation. The ballistic power I^2/G of the quantum contact is released in the
filament metal next to the neck (Gaussian of width ``neck_heating_length_nm``), as electrons
relax within an inelastic length. A broken filament (a gap) leaves the plane open: the tunnelling
conductance of the gap is then in parallel with the FE leakage, R_cell = 1/(G_t + 1/R_open).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from dolfinx import fem

from apcfem.config.schema import CaseConfig
from apcfem.coupling.cell import CellResistance
from apcfem.coupling.cell_heat import CellHeat
from apcfem.coupling.contact import ContactConduction, layer_leakage_S
from apcfem.filament import PrescribedFilament
from apcfem.materials import Material, case_filament, get_material
from apcfem.mesh import NM, DeviceMesh
from apcfem.neck import NeckProfile
from apcfem.physics import region_constant, wiedemann_franz_k


class SteadyCell:
    """Forms and solvers of the prescribed-shape cell, built once and re-solved per step.

    Owns PETSc objects: call :meth:`close` on every rank when done.

    Args:
        device: the device stack mesh (contacts ``bottom_contact``, ``top_contact``).
        cfg: the case (filament shape, materials, physics).
        neck_radius_nm: schedule of the prescribed neck radius [nm] against pseudo-time [s]
            (None: the case's ``filament.neck_radius_nm`` throughout).
        ambient_K: schedule of the heat-sink temperature [K] against pseudo-time [s] (None:
            the case's ``physics.ambient_temperature_K`` throughout).
        gap_nm: schedule of the gap of a broken filament [nm] against pseudo-time [s] (None:
            the case's ``filament.gap_nm`` throughout).

    Attributes:
        filament: the phase field xi (1 in the filament metal), read by the neck extraction.
        contact: the unit-voltage body and cut-cell solves; ``contact.potential`` is the cell
            potential at 1 V with the contact's jump (DG), ``contact.powers`` the power split.
        potential: cell potential of the last :meth:`solve_heat` [V], continuous (P): the nodal
            values of V_cell * ``contact.potential``, so the jump is spread over the cells the
            neck plane cuts.
        T: temperature [K].
    """

    def __init__(self, device: DeviceMesh, cfg: CaseConfig,
                 neck_radius_nm: Callable[[float], float] | None = None,
                 ambient_K: Callable[[float], float] | None = None,
                 gap_nm: Callable[[float], float] | None = None):
        self.device = device
        self.cfg = cfg
        degree = cfg.physics.element_degree
        space = fem.functionspace(device.mesh, ("Lagrange", degree))
        self.xi = fem.Function(space, name="xi")
        self.filament = self.xi
        self.potential = fem.Function(space, name="phi")
        self.T = fem.Function(space, name="T")
        self.ambient_K = cfg.physics.ambient_temperature_K
        sigma, k, sigma_host = self._properties(cfg)
        self.sigma = sigma
        # the leak across the neck plane is the host's: the filament crosses it only as contact
        self.contact = ContactConduction(device, sigma, degree, "bottom_contact", "top_contact",
                                         leak_sigma=sigma_host, method=cfg.solver.conduction)
        self.phi_unit = self.contact.phi_body
        self._body_ohm: float | None = None  # R_body of the present filament, once solved
        layer = get_material(cfg.materials.switching_layer)
        self.leakage_S = layer_leakage_S(cfg.geometry,
                                         layer.electrical_conductivity_S_per_m.value)
        """Leakage [S] of the switching layer (parallel plate), in parallel with the
        tunnelling conductance while the filament is broken."""
        wiedemann_franz = cfg.physics.wiedemann_franz
        self._heat = CellHeat("heat", device, self.contact, sigma,
                              wiedemann_franz_k(sigma, self.T) if wiedemann_franz else k,
                              self.xi, self.T,
                              {"top_contact": self.ambient_K,
                               "bottom_contact": self.ambient_K},
                              cfg.physics.neck_heating_length_nm * NM,
                              linear=not wiedemann_franz, method=cfg.solver.heat,
                              power_split=cfg.physics.neck_power_split)
        self.T.x.array[:] = self.ambient_K

        self._schedule = neck_radius_nm
        self._ambient_schedule = ambient_K
        self._gap_schedule = gap_nm
        self._drawn: tuple[float, float] | None = None  # (neck radius, gap) [nm]
        self._accepted_t_s = 0.0
        self._set_time(0.0)

    # -- state ---------------------------------------------------------------------------
    def set_filament(self, phase_field) -> None:
        """Interpolate a filament phase field xi(x) (callable on (3, N) points [m])."""
        self.xi.interpolate(phase_field)
        self.xi.x.scatter_forward()
        self._body_ohm = None

    def advance(self, t_s: float, dt_s: float, V_cell_V: float) -> int:
        """Prescribe the filament of pseudo-time t + dt [s] (no nonlinear solve: returns 0)."""
        self._set_time(t_s + dt_s)
        return 0

    def accept(self) -> None:
        """Make the present filament the accepted one."""
        self._accepted_t_s = self._t_s

    def reject(self) -> None:
        """Return to the filament of the last accepted pseudo-time."""
        self._set_time(self._accepted_t_s)

    def inventory(self) -> dict[str, float]:
        """No conserved amounts: the filament is prescribed."""
        return {}

    def state_functions(self) -> dict[str, fem.Function]:
        """The accepted state a restart checkpoint stores: T [K] (the heat solve's initial
        guess). The filament follows from the pseudo-time (:meth:`advance` to it)."""
        return {"T": self.T}

    def fields(self) -> list[fem.Function]:
        """Functions written as field snapshots (one continuous space)."""
        return [self.potential, self.T, self.xi]

    # -- current continuity --------------------------------------------------------------
    def set_contact(self, neck: NeckProfile, conductance_S: float) -> None:
        """Place the quantum contact (G [S]) at the extracted neck (see ContactConduction)."""
        self.contact.place(neck, conductance_S)

    def resistance(self) -> CellResistance:
        """R_cell (with the contact of :meth:`set_contact`) and R_body [ohm] (collective)."""
        R_body, _ = self.solve_resistance()
        return CellResistance(self.contact.cell_resistance_ohm(self.leakage_S), R_body)

    def solve_resistance(self) -> tuple[float, int]:
        """FE ohmic (body) resistance of the whole stack without the contact [ohm], and the
        solves it took (0 if the filament has not changed since the last, else 1: linear)."""
        if self._body_ohm is not None:
            return self._body_ohm, 0
        self._body_ohm = self.contact.solve_body_resistance()
        return self._body_ohm, 1

    def solve_cell_resistance(self) -> float:
        """R_cell = R_body + 1/G [ohm] with the contact placed by :meth:`set_contact` (without
        the tunnelling of a gap; an open plane gives the large finite resistance of the
        leakage through the host)."""
        return self.contact.solve_cell_resistance()

    # -- heat ----------------------------------------------------------------------------
    def solve_heat(self, V_cell_V: float, neck_z_m: float, contact_conductance_S: float) -> float:
        """Steady temperature at the operating point, after :meth:`resistance`; returns T_max
        [K]. Also sets :attr:`potential` to V_cell times the unit cell potential."""
        self.potential.interpolate(self.contact.potential)
        self.potential.x.array[:] *= V_cell_V
        return self._heat.solve(V_cell_V, neck_z_m, contact_conductance_S,
                                broken=self.contact.open)

    def neck_temperature(self, neck_z_m: float) -> float:
        """Temperature at the neck [K] (sets the Landauer smearing): at its height on the axis, in
        3-D at the centre of its section (collective)."""
        return self._heat.neck_temperature(neck_z_m)

    def close(self) -> None:
        """Destroy the solvers' PETSc objects. Collective, same order on every rank."""
        self.contact.close()
        self._heat.close()

    # -- set-up --------------------------------------------------------------------------
    def _set_time(self, t_s: float) -> None:
        """Filament and sinks of pseudo-time t [s]: the scheduled heat-sink temperature, neck
        radius and gap (the filament re-drawn only if new)."""
        self._t_s = t_s
        if self._ambient_schedule is not None:
            self.ambient_K = self._ambient_schedule(t_s)
            self._heat.set_sink_temperature(self.ambient_K)
        f = self.cfg.filament
        radius_nm = f.neck_radius_nm if self._schedule is None else self._schedule(t_s)
        gap_nm = f.gap_nm if self._gap_schedule is None else self._gap_schedule(t_s)
        if (radius_nm, gap_nm) == self._drawn:
            return
        shape = replace(PrescribedFilament.from_config(f, self.cfg.geometry, radius_nm),
                        gap_m=gap_nm * NM)
        self.set_filament(lambda x: shape.phase_field(x, self.device.axisymmetric))
        self._drawn = (radius_nm, gap_nm)

    def _properties(self, cfg: CaseConfig):
        """sigma [S/m] and k [W/(m K)]: region values, filament metal blended in by xi; and the
        host conductivity without the filament [S/m]."""
        host = host_materials(self.device, cfg)
        filament = case_filament(cfg.materials)
        sigma_host = region_constant(
            self.device, {r: m.electrical_conductivity_S_per_m.value for r, m in host.items()},
            "sigma_host")
        k_host = region_constant(
            self.device, {r: m.thermal_conductivity_W_per_mK.value for r, m in host.items()},
            "k_host")
        sigma_f = filament.electrical_conductivity_S_per_m.value
        k_f = filament.thermal_conductivity_W_per_mK.value
        # xi vanishes outside the switching layer, so electrodes keep their own values.
        return (sigma_host + (sigma_f - sigma_host) * self.xi,
                k_host + (k_f - k_host) * self.xi, sigma_host)


def host_materials(device: DeviceMesh, cfg: CaseConfig) -> dict[str, Material]:
    """The material of each region of the mesh before the filament is drawn in (the seed
    region is switching layer)."""
    names = cfg.region_material_names()
    return {region: get_material(names[region]) for region in device.regions}
