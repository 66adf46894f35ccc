"""Simulation facade: ``Simulation.from_config(cfg).run(output_dir)``.

Quasi-static protocols (``neck_radius_sweep``, ``source_voltage_sweep``): one step is
prescribed filament field -> steady current continuity (FE ohmic resistance R_fe) -> neck
extraction -> Landauer conductance G_L of the neck -> circuit (series resistor + R_fe + 1/G_L)
-> steady heat with Joule and neck sources.

Transient protocols (``voltage_sweep``, ``current_sweep``, ``pulse_train``) evolve the filament
with :class:`~apcfem.coupling.filament_dynamics.EcmCell`: each accepted step of the adaptive
loop extracts the neck, counts its Landauer conductance, embeds it in the cell resistance, sets
the cell voltage from the circuit (with compliance) and checks the events (compliance reached,
target conductance, stop voltage). A failed Newton solve is rejected and retried with a smaller
step; no rejected state is ever written.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mpi4py import MPI
from tqdm import tqdm

from apcfem import landauer
from apcfem.circuit import (
    OperatingPoint,
    compliance_operating_point,
    current_source_operating_point,
    series_operating_point,
)
from apcfem.config.schema import TRANSIENT_PROTOCOLS, CaseConfig, NeckRadiusSweep
from apcfem.coupling.filament_dynamics import EcmCell, SectionAreaNeck
from apcfem.coupling.newton import SolverDivergedError
from apcfem.coupling.steady_cell import SteadyCell
from apcfem.coupling.step_control import StepControl
from apcfem.filament import NM, PrescribedFilament
from apcfem.materials import get_material
from apcfem.mesh import DeviceMesh, build_device_mesh
from apcfem.neck import NeckExtractor, NeckProfile
from apcfem.output import (
    FieldWriter,
    SeriesWriter,
    plot_sweep,
    prepare_run_directory,
    write_run_info,
)
from apcfem.output.plots import plot_transient
from apcfem.protocols import SweepPoint, Waveform, build_waveform, draw_variation, sweep_points

log = logging.getLogger(__name__)

COLUMNS = ["step", "time_s", "V_source_V", "V_cell_V", "I_A", "G_G0", "G_landauer_G0",
           "channels", "R_fe_ohm", "neck_radius_m", "neck_z_m", "neck_curvature_per_m",
           "gap_m", "T_max_K"]

TRANSIENT_COLUMNS = [*COLUMNS, "dt_s", "newton_its", "rejected_steps", "limited", "cycle",
                     "ions_mol", "filament_mol", "exchanged_mol"]
"""Transient runs add the step size, Newton iterations, cumulative rejected steps, whether
the compliance is active, the cycle, and the metal inventory: ions and filament in the layer
and the time-integrated net inflow (from the active electrode, minus plating on the bare
cathode) [mol]."""


@dataclass
class RunResult:
    """What a run returns to a script.

    Attributes:
        series: time-series columns (see :data:`COLUMNS`) as arrays.
        output_dir: where files were written (None for an in-memory run).
        files: name -> path of the main outputs.
        stats: run statistics of a transient run (stop reason, accepted and rejected steps,
            Newton iterations per step).
    """

    series: dict[str, np.ndarray]
    output_dir: Path | None
    files: dict[str, Path] = field(default_factory=dict)
    stats: dict[str, float | int | str] = field(default_factory=dict)


class Simulation:
    """A case on a communicator.

    Args:
        cfg: validated case.
        comm: MPI communicator (COMM_WORLD by default; COMM_SELF for a serial run per rank).
    """

    def __init__(self, cfg: CaseConfig, comm: MPI.Comm = MPI.COMM_WORLD):
        self.cfg = cfg
        self.comm = comm

    @classmethod
    def from_config(cls, cfg: CaseConfig, comm: MPI.Comm = MPI.COMM_WORLD) -> Simulation:
        return cls(cfg, comm)

    def build_mesh(self) -> DeviceMesh:
        return build_device_mesh(self.cfg.geometry, self.cfg.mesh, self.comm)

    def run(self, output_dir: str | Path | None = None, progress: bool = True) -> RunResult:
        """Run the protocol; with ``output_dir`` write CSV, fields, plots and provenance."""
        cfg, comm = self.cfg, self.comm
        started = time.perf_counter()
        out = prepare_run_directory(output_dir, cfg, comm) if output_dir else None
        if cfg.protocol.kind in TRANSIENT_PROTOCOLS:
            return self._run_transient(out, progress, started)
        device = self.build_mesh()
        cell = SteadyCell(device, cfg)
        extractor = self._neck_extractor(device)
        series = SeriesWriter(out / "timeseries.csv" if out else None, COLUMNS, comm)
        fields = (FieldWriter(out / "fields.bp", [cell.potential, cell.T, cell.xi])
                  if out and cfg.output.fields else None)
        steps = sweep_points(cfg.protocol)
        bar = tqdm(steps, desc="sweep", unit="step", disable=not progress or comm.rank != 0)
        for index, point in enumerate(bar):
            row = self._step(index, point, cell, extractor)
            series.append(row)
            if fields:
                fields.write(float(index))
            bar.set_postfix(G_G0=f"{row['G_G0']:.2f}", T=f"{row['T_max_K']:.0f}K")
        if fields:
            fields.close()
        result = RunResult(series.arrays(), out)
        if out:
            result.files = self._finish(out, result.series, time.perf_counter() - started)
        return result

    def _step(self, index: int, point: SweepPoint, cell: SteadyCell,
              extractor: NeckExtractor) -> dict[str, float]:
        cfg = self.cfg
        shape = PrescribedFilament.from_config(cfg.filament, cfg.geometry, point.neck_radius_nm)
        cell.set_filament(lambda x: shape.phase_field(x, cell.device.axisymmetric))
        R_fe, its_phi = cell.solve_resistance()
        neck = extractor(cell.xi)
        G_L_G0, channels = self._landauer(neck)
        R_quantum = np.inf if G_L_G0 <= 0 else 1.0 / (G_L_G0 * landauer.G0_S)
        op = series_operating_point(point.source_voltage_V, cfg.circuit.series_resistance_ohm,
                                    R_fe + R_quantum)
        neck_power = 0.0 if np.isinf(R_quantum) else op.I_A**2 * R_quantum
        T_max, its_T = cell.solve_heat(op.I_A * R_fe, neck_power, neck.neck_z_m)
        log.info("step %d: a_neck = %.3f nm, R_fe = %.1f ohm, G_L = %.3f G0, I = %.3e A, "
                 "T_max = %.1f K (Newton: phi %d, T %d)", index, neck.neck_radius_m / NM, R_fe,
                 G_L_G0, op.I_A, T_max, its_phi, its_T)
        G_cell_G0 = 0.0 if np.isinf(op.R_cell_ohm) else 1.0 / (op.R_cell_ohm * landauer.G0_S)
        return {"step": index, "time_s": float(index), "V_source_V": op.V_source_V,
                "V_cell_V": op.V_cell_V, "I_A": op.I_A, "G_G0": G_cell_G0,
                "G_landauer_G0": G_L_G0, "channels": channels, "R_fe_ohm": R_fe,
                "neck_radius_m": neck.neck_radius_m, "neck_z_m": neck.neck_z_m,
                "neck_curvature_per_m": neck.curvature_per_m, "gap_m": neck.gap_m,
                "T_max_K": T_max}

    def _landauer(self, neck: NeckProfile) -> tuple[float, float]:
        """Linear-response conductance [G0] and open channels of the extracted neck."""
        cfg = self.cfg
        if neck.neck_radius_m <= 0:
            return 0.0, 0.0
        metal = get_material(cfg.materials.filament)
        e_f, m_eff = metal.fermi_energy_eV.value, metal.effective_mass_me.value
        hbar_omega = 0.0
        if cfg.landauer.transmission == "saddle" and np.isfinite(neck.curvature_per_m):
            # modes that matter have their edge near E_F: evaluate the saddle energy there
            hbar_omega = float(landauer.saddle_hbar_omega_eV(
                e_f, neck.neck_radius_m, max(neck.curvature_per_m, 0.0), m_eff))
        temperature = cfg.landauer.temperature_K or cfg.physics.ambient_temperature_K
        result = landauer.circular_conductance(
            neck.neck_radius_m, fermi_energy_eV=e_f, effective_mass_me=m_eff,
            temperature_K=temperature, hbar_omega_eV=hbar_omega)
        return float(result.G_G0), float(result.channels)

    def _neck_extractor(self, device: DeviceMesh) -> NeckExtractor:
        g, f, m = self.cfg.geometry, self.cfg.filament, self.cfg.mesh
        z0 = g.bottom_electrode_thickness_nm
        z1 = z0 + g.switching_layer_thickness_nm
        r_max = min(0.98 * g.cell_radius_nm, f.base_radius_nm + 10 * f.interface_width_nm + 1.0)
        spacing = 0.5 * m.min_size_nm
        return NeckExtractor(device, (z0 * NM, z1 * NM), r_max * NM,
                             n_z=int(np.ceil((z1 - z0) / spacing)),
                             n_r=int(np.ceil(r_max / spacing)) + 1)

    def _finish(self, out: Path, series: dict[str, np.ndarray], wall_s: float) -> dict:
        files = {"timeseries": out / "timeseries.csv", "case": out / "resolved_case.toml"}
        if self.cfg.output.fields:
            files["fields"] = out / "fields.bp"
        if self.comm.rank == 0 and self.cfg.output.plots:
            if isinstance(self.cfg.protocol, NeckRadiusSweep):
                x = series["neck_radius_m"] / NM
                label = "extracted neck radius [nm]"
            else:
                x = series["V_source_V"]
                label = "source voltage [V]"
            files["staircase_plot"] = plot_sweep(
                {**series, "x": x}, "x", label, out / "conductance_staircase.png",
                self.cfg.title)
        files = self.comm.bcast(files, root=0)
        write_run_info(out, self.comm, {"wall_time_s": wall_s, "steps": len(series["step"]),
                                        "files": {k: str(v) for k, v in files.items()}})
        return files


    # -- transient protocols -------------------------------------------------------------
    def _run_transient(self, out: Path | None, progress: bool, started: float) -> RunResult:
        cfg, comm, dyn = self.cfg, self.comm, self.cfg.dynamics
        wave = build_waveform(cfg.protocol)
        cell = EcmCell(cfg, comm)
        cycle = 0
        variation = draw_variation(cfg.variability, cycle)
        cell.rate_factor.value = variation.rate_factor
        cell.set_nucleus(cfg.ecm.nucleus_radius_nm * NM * variation.nucleus_radius_factor)
        extractor = self._layer_neck_extractor(cell)
        series = SeriesWriter(out / "timeseries.csv" if out else None, TRANSIENT_COLUMNS, comm)
        fields = (FieldWriter(out / "fields.bp", cell.fields())
                  if out and cfg.output.fields else None)
        control = StepControl(dyn.dt_initial_s, dyn.dt_min_s, dyn.dt_max_s, wave.milestones_s,
                              dyn.target_newton_iterations)
        drive_cap = dyn.max_drive_step * float(np.max(np.abs(wave.values)))
        t, exchanged, inventory0 = 0.0, 0.0, cell.inventory()
        row, R_cell = self._observe(cell, extractor, wave, 0.0, {
            "step": 0, "dt_s": 0.0, "newton_its": 0, "rejected_steps": 0, "cycle": 0,
            "exchanged_mol": 0.0}, inventory0)
        series.append(row)
        bar = tqdm(total=wave.duration_s, desc=cfg.protocol.kind, unit="s",
                   disable=not progress or comm.rank != 0)
        reason = "end of protocol"
        while t < wave.duration_s * (1.0 - 1e-12):
            if control.accepted >= dyn.max_steps:
                reason = f"max_steps = {dyn.max_steps} reached"
                break
            slope = abs(wave.slope(t))
            dt = control.propose(t, drive_cap / slope if slope > 0 else None)
            predicted = self._operating_point(wave, t + dt, R_cell)
            try:
                its = cell.advance(dt, predicted.V_cell_V)
            except SolverDivergedError as err:
                cell.reject()
                control.cut(t, dt, err.reason)
                continue
            cell.accept()
            control.accept(its)
            t += dt
            inventory = cell.inventory()
            exchanged += dt * (inventory.anode_inflow_mol_per_s
                               - inventory.cathode_plating_mol_per_s)
            if wave.cycle(t) != cycle:
                cycle = wave.cycle(t)
                cell.rate_factor.value = draw_variation(cfg.variability, cycle).rate_factor
            row, R_cell = self._observe(cell, extractor, wave, t, {
                "step": control.accepted, "dt_s": dt, "newton_its": its,
                "rejected_steps": control.rejected,
                "cycle": cycle, "exchanged_mol": exchanged}, inventory)
            series.append(row)
            if fields and control.accepted % 10 == 0:
                fields.write(t)
            bar.update(dt)
            bar.set_postfix(V=f"{row['V_source_V']:.2f}", G_G0=f"{row['G_G0']:.2f}")
            event = self._event(row, series.arrays()["V_source_V"])
            if event:
                reason = event
                break
        bar.close()
        if fields:
            fields.write(t)
            fields.close()
        log.info("%s at t = %.4e s: %d steps accepted, %d rejected, %.2f Newton iterations per "
                 "step", reason, t, control.accepted, control.rejected,
                 control.mean_iterations())
        stats = {"stop_reason": reason, "accepted_steps": control.accepted,
                 "rejected_steps": control.rejected,
                 "newton_iterations_per_step": control.mean_iterations()}
        result = RunResult(series.arrays(), out, stats=stats)
        if out:
            result.files = self._finish_transient(out, result.series,
                                                  time.perf_counter() - started, stats)
        return result

    def _operating_point(self, wave: Waveform, t: float, R_cell: float) -> OperatingPoint:
        circuit = self.cfg.circuit
        if wave.quantity == "current":
            return current_source_operating_point(wave(t), R_cell, wave.voltage_limit_V)
        return compliance_operating_point(wave(t), circuit.series_resistance_ohm, R_cell,
                                          circuit.current_limit_A, circuit.reset_current_limit_A)

    def _observe(self, cell: EcmCell, extractor: SectionAreaNeck, wave: Waveform, t: float,
                 step: dict, inventory) -> tuple[dict, float]:
        """Neck -> Landauer -> contact -> R_cell -> circuit -> heat at an accepted state."""
        neck = extractor(cell.xi)
        connected = neck.gap_m == 0.0 and neck.neck_radius_m > 0.0
        G_L_G0, channels = self._landauer(neck) if connected else (0.0, 0.0)
        cell.set_contact(neck, G_L_G0 * landauer.G0_S)
        R_cell, _ = cell.solve_resistance()
        op = self._operating_point(wave, t, R_cell)
        T_max, _ = cell.solve_heat(op.V_cell_V)
        R_contact = 1.0 / (G_L_G0 * landauer.G0_S) if G_L_G0 > 0 else 0.0
        row = {"time_s": t, "V_source_V": op.V_source_V,
               "V_cell_V": op.V_cell_V, "I_A": op.I_A, "G_G0": 1.0 / (R_cell * landauer.G0_S),
               "G_landauer_G0": G_L_G0, "channels": channels, "R_fe_ohm": R_cell - R_contact,
               "neck_radius_m": neck.neck_radius_m, "neck_z_m": neck.neck_z_m,
               "neck_curvature_per_m": neck.curvature_per_m, "gap_m": neck.gap_m,
               "T_max_K": T_max, "limited": float(op.limited), "ions_mol": inventory.ions_mol,
               "filament_mol": inventory.filament_mol, **step}
        return row, R_cell

    def _event(self, row: dict, source_voltages: np.ndarray) -> str | None:
        """Name of the event that ends the run at this row, if any."""
        dyn = self.cfg.dynamics
        if dyn.stop_at_compliance and row["limited"]:
            return "compliance reached"
        if (dyn.target_conductance_G0 is not None and row["V_source_V"] >= 0
                and row["G_G0"] >= dyn.target_conductance_G0):
            return f"target conductance {dyn.target_conductance_G0:g} G0 reached"
        if (dyn.reset_target_conductance_G0 is not None and row["V_source_V"] < 0
                and row["G_G0"] <= dyn.reset_target_conductance_G0):
            return f"reset to {dyn.reset_target_conductance_G0:g} G0"
        if dyn.stop_voltage_V is not None and len(source_voltages) > 1:
            before, now = source_voltages[-2] - dyn.stop_voltage_V, row["V_source_V"] - \
                dyn.stop_voltage_V
            if now == 0.0 or before * now < 0.0:
                return f"stop voltage {dyn.stop_voltage_V:g} V reached"
        return None

    def _layer_neck_extractor(self, cell: EcmCell) -> SectionAreaNeck:
        g, m = self.cfg.geometry, self.cfg.mesh
        z0 = g.bottom_electrode_thickness_nm
        z1 = z0 + g.switching_layer_thickness_nm
        r_max = 0.9 * g.cell_radius_nm
        spacing = 0.5 * m.min_size_nm
        return SectionAreaNeck(cell.device, (z0 * NM, z1 * NM), r_max * NM,
                               n_z=int(np.ceil((z1 - z0) / spacing)),
                               n_r=int(np.ceil(r_max / spacing)) + 1)

    def _finish_transient(self, out: Path, series: dict[str, np.ndarray], wall_s: float,
                          stats: dict) -> dict:
        files = {"timeseries": out / "timeseries.csv", "case": out / "resolved_case.toml"}
        if self.cfg.output.fields:
            files["fields"] = out / "fields.bp"
        if self.comm.rank == 0 and self.cfg.output.plots:
            files["transient_plot"] = plot_transient(series, out / "transient.png",
                                                     self.cfg.title)
        files = self.comm.bcast(files, root=0)
        write_run_info(out, self.comm, {"wall_time_s": wall_s, **stats,
                                        "files": {k: str(v) for k, v in files.items()}})
        return files
