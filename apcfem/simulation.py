"""Simulation facade: ``Simulation.from_config(cfg).run(output_dir)``.

One loop for every protocol (DESIGN.md sec. 6). A device model implementing the
:class:`~apcfem.coupling.cell.Cell` protocol is driven along a waveform: transient protocols
(``voltage_sweep``, ``current_sweep``, ``pulse_train``) evolve the filament with
:class:`~apcfem.coupling.ecm_cell.EcmCell` (or, with a ``[vcm]`` section, the oxygen-vacancy
filament of :class:`~apcfem.coupling.vcm_cell.VcmCell`) in real time, ``light_pulses`` closes a nanogap
with :class:`~apcfem.coupling.light_cell.LightCell` in real time; quasi-static sweeps
(``neck_radius_sweep``, ``source_voltage_sweep``, and the stimuli ``field_ramp``,
``temperature_ramp``, ``strain_ramp``) run the prescribed-shape
:class:`~apcfem.coupling.steady_cell.SteadyCell` along the same waveform in pseudo-time (one
pseudo-second per sweep point; the strain ramp's neck from
:class:`~apcfem.coupling.stretch.NeckStretch`), with the neck temperature and its count
iterated to consistency in each step. Each step from the accepted state at t:

1. the circuit is solved implicitly with the cell state: V_cell from the source, the series
   resistance and the compliance at R_cell -> advance the cell to t + dt -> extract the neck ->
   contact conductance (Landauer of the neck, or tunnelling across the gap, at the solved neck
   temperature, the field of a field ramp and, with ``landauer.finite_bias``, the contact
   bias) -> R_cell = R_body + 1/G -> the V_cell the circuit gives at R_cell (and, for an ECM
   cell with neck shells, the shell potential of the new neck, and while the filament tunnels
   through an image-lowered barrier (``landauer.gap_image_force``), the neck temperature its
   own operating point heats it to: counted at the previous step's temperature, such a tip's
   state flipped between a hot and a cool one); the next
   V_cell (and shell potential, neck temperature) by an Anderson step
   (:class:`~apcfem.coupling.fixed_point.StepFixedPoint`) until they agree;
2. a step whose R_cell changed by more than ``dynamics.max_resistance_change`` or whose solves
   failed is rejected and retried with a smaller step; no rejected state is ever written;
3. heat at the operating point, the row, the events (compliance reached, target conductance,
   stop voltage).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from mpi4py import MPI
from tqdm import tqdm

from apcfem import landauer
from apcfem.ballistic import BallisticCheck
from apcfem.circuit import (
    OperatingPoint,
    compliance_operating_point,
    current_source_operating_point,
)
from apcfem.config.schema import (
    REAL_TIME_PROTOCOLS,
    CaseConfig,
    FieldRamp,
    LightPulses,
    NeckRadiusSweep,
    SourceVoltageSweep,
    StrainRamp,
    TemperatureRamp,
)
from apcfem.coupling.cell import Cell, CellResistance
from apcfem.coupling.fixed_point import FLIP_LIMIT, StepFixedPoint
from apcfem.coupling.newton import SolverDivergedError
from apcfem.coupling.step_control import StepControl, StepRejected, StepSizeTooSmall
from apcfem.guards import PhysicalGuardError, PhysicalGuards
from apcfem.materials import case_filament, get_material
from apcfem.materials.laws import fermi_wavevector_per_m, tunnel_barrier_eV
from apcfem.mesh import NM, DeviceMesh, build_device_mesh
from apcfem.neck import NeckProfile, SectionAreaNeck, neck_site
from apcfem.output import (
    FieldWriter,
    SeriesWriter,
    plot_sweep,
    prepare_run_directory,
    write_run_info,
)
from apcfem.output.checkpoint import (
    CHECKPOINT,
    CheckpointError,
    read_checkpoint,
    write_checkpoint,
)
from apcfem.output.histogram import (
    conductance_histogram,
    cycle_count,
    reset_plateaus,
    write_histogram_csv,
)
from apcfem.output.plots import (
    plot_bias_sweep,
    plot_conductance_histogram,
    plot_light,
    plot_transient,
)
from apcfem.output.series import NonFiniteOutputError
from apcfem.physics import diffusive_contact_peak_K
from apcfem.protocols import (
    Waveform,
    build_waveform,
    draw_variation,
    light_waveform,
    read_waveform,
    stimuli,
)
from apcfem.quantum_contact import (
    contact_conductance,
    first_mode_radius_m,
    tunnel_spans_m,
    widened_span,
)
from apcfem.section_modes import NeckSectionLadder, section_aspect_ratio

log = logging.getLogger(__name__)

COLUMNS = ["step", "time_s", "V_source_V", "V_cell_V", "I_A", "G_G0", "G_landauer_G0",
           "channels", "R_fe_ohm", "neck_radius_m", "neck_z_m", "neck_curvature_per_m",
           "gap_m", "tunnel_gap_m", "T_max_K", "T_neck_K", "dt_s", "newton_its", "circuit_its",
           "rejected_steps", "limited", "cycle", "filament_mol", "exchanged_mol", "ballistic",
           "V_contact_V", "field_T", "T_ambient_K", "B_c_T", "displacement_m",
           "light_W_per_m2", "T_electrode_K", "neck_aspect_ratio"]
"""Time-series columns. ``G_landauer_G0`` is the contact conductance (Landauer of the neck, or
tunnelling across the gap), ``R_fe_ohm`` the FE body resistance (inf while broken),
``tunnel_gap_m`` the length of the gap the contact tunnels across (0 while a mode is open: the
extracted gap, or the closed sections of a broken face neck, at least the jump distance),
``T_neck_K`` the temperature that smears the Landauer count, ``circuit_its`` the implicit
circuit iterations, ``filament_mol`` the metal in the filament and ``exchanged_mol`` the
time-integrated oxidation of the active electrode, the atoms of jumps to contact and those the
interface noise exchanged with the electrolyte (their changes agree: conservation),
``V_contact_V`` the voltage across the quantum contact (I/G; the cell voltage across a gap),
``field_T`` the magnetic field, ``T_ambient_K`` the heat-sink temperature and ``B_c_T`` the
field above which the first step splits into resolvable half steps at the neck temperature and
saddle energy (:func:`apcfem.landauer.zeeman_critical_field_T`), ``displacement_m`` the
imposed stretch of a strain ramp or the closing of a gap by light, ``light_W_per_m2`` the
incident light, ``T_electrode_K`` the illuminated electrode's temperature at its tip and
``neck_aspect_ratio`` that of the neck's section (3-D; 1 in (r, z); nan while broken)."""

BIAS_ITERATIONS = 50
"""Largest number of contact-bias iterations of a finite-bias count (``landauer.finite_bias``)."""

BIAS_TOLERANCE_V = 1e-7
"""The contact bias of a finite-bias count is consistent with the circuit to this [V]."""

SHELL_TOLERANCE_EV = 1e-3
"""The neck's electron-shell potential (``ecm.shell_correction``) a step solved with is
consistent with the neck it gives to this [eV] (iterated with the circuit)."""

TUNNEL_TEMPERATURE_TOLERANCE_K = 0.1
"""The neck temperature a tunnelling count is made at (``landauer.gap_image_force``) is
consistent with the temperature the state heats it to within this [K] (iterated with the
circuit; the count moves by < 1e-3 per K)."""

NECK_TEMPERATURE_ITERATIONS = 20
"""Largest number of heat/count iterations of a quasi-static step."""

NECK_TEMPERATURE_TOLERANCE_K = 1e-3
"""The neck temperature of a quasi-static step is consistent with its count to this [K]."""


SENTINEL_COLUMNS = ("R_fe_ohm", "neck_curvature_per_m", "ballistic", "T_electrode_K",
                    "neck_aspect_ratio")
"""Columns where a non-finite value has a meaning: R_fe_ohm = inf and neck_curvature_per_m,
ballistic, neck_aspect_ratio = nan while the filament is broken, T_electrode_K = nan without an illuminated
electrode. NaN or Inf anywhere else stops the run."""
FIELD_EVERY = 10
"""A transient run writes field snapshots every this many accepted steps (and at its end)."""


JUMP_PERSISTENCE = 0.5
"""A resistance change that keeps more than this fraction of its size when the step is cut
fourfold is a jump of the state -> R_cell map (e.g. the first atom bridging the gap), not an
unresolved transient: the step is then accepted. The change found is remembered across tries
that fail (Newton, circuit) and across accepted steps that move nothing (no Newton iteration):
a clamped neck held just below a mode edge by its shell barrier took steps of ~1e-9 s that
changed nothing while every step ~4x longer crossed the edge (R_cell -76 %) or left the
circuit and the shell potential without a fixed point; forgetting the crossing after each
such step held a cycled run at one instant for 3000 steps."""

CONTACT_TUNNEL_CONDUCTANCE_G0 = 1.0
"""A closing gap whose tunnelling conductance has reached one quantum is bridged like one
closed to the jump distance: the barrier has collapsed over the apex and the count already
carries a full channel, a contact in all but the atom's jump. Reached before the jump
distance only through an image-lowered barrier (``landauer.gap_image_force``: > 1 G0 across
0.4-0.47 nm between a blunt tip and the face); through the flat barrier a gap of one atomic
diameter tunnels ~1e-2 G0."""

GAP_WIDENINGS = 3
"""Widenings of a jump out of contact's gap, at most, until it measures the jump distance
(:meth:`Simulation._jump_out_of_contact`); one that the mesh does not resolve at all (a slab
narrower than its cells, still connected) widens by the whole jump distance each time."""

BROKEN_FIRST_STEP_S = 1e-9
"""First step [s] after a jump out of contact. The gap it opens takes the reverse cell voltage
over ~0.2 nm, where the electrolyte's potential has to form anew: from the connected state's,
Newton converges there at steps of ~1e-8 s and fails at longer ones, and how many cuts it
takes depends on round-off (on 1 and 2 ranks the bundled sweep's runs parted there)."""


@dataclass
class RunResult:
    """What a run returns to a script.

    Attributes:
        series: time-series columns (see :data:`COLUMNS`) as arrays.
        output_dir: where files were written (None for an in-memory run).
        files: name -> path of the main outputs.
        stats: run statistics (stop reason, accepted and rejected steps, Newton iterations per
            step). A stop reason starting with ``"failed"`` means the step size was cut below
            ``dynamics.dt_min_s``: the accepted steps up to there are in the series and files.
    """

    series: dict[str, np.ndarray]
    output_dir: Path | None
    files: dict[str, Path] = field(default_factory=dict)
    stats: dict[str, float | int | str] = field(default_factory=dict)


@dataclass
class _LoopState:
    """The loop's scalars besides the cell's fields and the step control (checkpointed)."""

    t: float = 0.0
    """time of the accepted state [s]"""
    cycle: int = 0
    exchanged: float = 0.0
    """time-integrated oxidation of the active electrode [mol]"""
    V_before: float = 0.0
    """source voltage of the last row [V] (stop-voltage crossing)"""
    settle_T_K: float = 0.0
    """neck temperature the accepted state's contact was computed with [K]"""
    neck_plane_m: float = np.nan
    """height of the accepted state's connected neck [m] (nan while broken), from which the
    next state's neck is extracted (:attr:`apcfem.neck.NeckExtractor.plane_m`)"""
    rejected_change: float = np.inf
    """R_cell change of the last try rejected for it since the state last moved
    (:data:`JUMP_PERSISTENCE`)"""
    turn_backs_s: list[float] = field(default_factory=list)
    """times [s] at which reverse sweeps were turned back (``reset_stop_conductance_G0``); the
    drive is the case's waveform turned back at each of them"""


@dataclass
class _State:
    """What the loop knows of the accepted state."""

    neck: NeckProfile
    contact_G_S: float
    channels: float
    resistance: CellResistance
    op: OperatingPoint
    T_neck_K: float
    electrons: landauer.Electrons
    V_contact_V: float
    tunnel_gap_m: float = 0.0
    """length of the gap the contact tunnels across [m] (0 while a mode is open)"""
    circuit_its: int = 0
    T_max_K: float = np.nan
    bridged_mol: float = 0.0
    """metal a jump to or out of contact added in the step [mol] (booked to the active
    electrode)"""
    broke: bool = False
    """the contact jumped out in the step (the next step restarts at BROKEN_FIRST_STEP_S)"""


class Simulation:
    """A case on a communicator.

    Args:
        cfg: validated case.
        comm: MPI communicator (COMM_WORLD by default; COMM_SELF for a serial run per rank).
    """

    def __init__(self, cfg: CaseConfig, comm: MPI.Comm = MPI.COMM_WORLD):
        self.cfg = cfg
        self.comm = comm
        self._metal = case_filament(cfg.materials)
        """The filament material with the case's overrides (read on every settle)."""
        self._ballistic = BallisticCheck(self._metal, comm.rank == 0)
        self._guards = PhysicalGuards(self._metal, comm)
        self._stimuli = stimuli(cfg.protocol)
        self._model_summary: dict[str, float] = {}
        self._section_ladder = NeckSectionLadder(
            float(fermi_wavevector_per_m(self._metal.fermi_energy_eV.value,
                                         self._metal.effective_mass_me.value)),
            self._metal.effective_mass_me.value)

    @classmethod
    def from_config(cls, cfg: CaseConfig, comm: MPI.Comm = MPI.COMM_WORLD) -> Simulation:
        return cls(cfg, comm)

    def build_mesh(self) -> DeviceMesh:
        return build_device_mesh(self.cfg.geometry, self.cfg.mesh, self.comm,
                                 self.cfg.physics.cell_quadrature_degree)

    def run(self, output_dir: str | Path | None = None, progress: bool = True,
            resume: bool = False) -> RunResult:
        """Run the protocol; with ``output_dir`` write CSV, fields, plots, provenance and
        restart checkpoints (every ``output.checkpoint_every_steps`` accepted steps, and when a
        run fails). ``resume=True`` continues the run in ``output_dir`` from its checkpoint
        (the time series is cut back to the checkpoint's step and continued), on any number of
        ranks, with this case (the same geometry and mesh; other settings may differ).

        Raises:
            CheckpointError: ``resume`` without a checkpoint of this mesh in ``output_dir``.
        """
        cfg, comm = self.cfg, self.comm
        started = time.perf_counter()
        if resume and not output_dir:
            raise CheckpointError("resume needs the run directory to continue")
        if resume and isinstance(cfg.protocol, LightPulses):
            raise CheckpointError("a light_pulses run cannot be resumed: the checkpoint does not "
                                  "hold the electrode model")
        if resume:  # its resolved case is replaced once the checkpoint has been read
            out = Path(output_dir)
        else:
            out = prepare_run_directory(output_dir, cfg, comm) if output_dir else None
        drive = self._drive()
        cell = self._cell(drive)
        # closed on the success path only: under MPI an exception aborts every rank (cli), and a
        # collective destroy entered by one failing rank alone would hang the others
        result = self._loop(cell, drive, out, progress, resume)
        result.stats.update(self._model_summary)
        if self.transient:
            result.stats.update(self._neck_site(result.series))
            result.stats.update(self._reset_plateaus(result.series))
        cell.close()
        if out:
            result.files = self._finish(out, result.series, time.perf_counter() - started,
                                        result.stats)
        return result

    def _neck_site(self, series: dict[str, np.ndarray]) -> dict[str, float]:
        """Height of the grown filament's neck in the layer (:func:`apcfem.neck.neck_site`),
        logged with the electrode it is nearer."""
        bottom, top = self.cfg.geometry.layer_bounds_nm()["switching_layer"]
        site = neck_site(series, (bottom * NM, top * NM))
        if site:
            materials = self.cfg.materials
            nearer = (materials.top_electrode if site["neck_height_fraction"] > 0.5
                      else materials.bottom_electrode)
            log.info("the neck sits %.2f nm above the %s face (%.2f of the layer), nearer the "
                     "%s electrode", site["neck_height_m"] / NM, materials.bottom_electrode,
                     site["neck_height_fraction"], nearer)
        return site

    @staticmethod
    def _reset_plateaus(series: dict[str, np.ndarray]) -> dict[str, list[float]]:
        """The levels the run's last reset dwells on
        (:func:`apcfem.output.histogram.reset_plateaus`) and their shares of its time, logged;
        empty without a reset."""
        plateaus = reset_plateaus(series)
        if not plateaus:
            return {}
        log.info("the reset dwells on %s", ", ".join(
            f"{p.level_G0:.2f} G0 ({100 * p.dwell_fraction:.0f} %)" for p in plateaus))
        return {"reset_plateaus_G0": [p.level_G0 for p in plateaus],
                "reset_plateau_dwell_fractions": [p.dwell_fraction for p in plateaus]}

    @property
    def transient(self) -> bool:
        return self.cfg.protocol.kind in REAL_TIME_PROTOCOLS

    def _drive(self) -> Waveform:
        """The source waveform; quasi-static sweeps in pseudo-time (1 s per point)."""
        protocol = self.cfg.protocol
        if isinstance(protocol, LightPulses):
            return read_waveform(protocol)
        if self.transient:
            return build_waveform(protocol)
        return quasi_static_waveform(protocol)

    def _cell(self, drive: Waveform) -> Cell:
        from apcfem.coupling.ecm_cell import EcmCell
        from apcfem.coupling.steady_cell import SteadyCell
        if isinstance(self.cfg.protocol, LightPulses):
            from apcfem.coupling.light_cell import LightCell
            cell = LightCell(self.build_mesh(), self.cfg, light_waveform(self.cfg.protocol))
            self._model_summary = {
                "tau_lumped_s": cell.electrodes.lumped_time_constant_s(),
                "reflectance": cell.electrodes.reflectance}
            return cell
        if self.transient:
            variation = draw_variation(self.cfg.variability, 0)
            if self.cfg.vcm is not None:
                from apcfem.coupling.vcm_cell import VcmCell
                return VcmCell(self.cfg, self.comm, variation)
            return EcmCell(self.cfg, self.comm, variation)
        device = self.build_mesh()
        if self._stimuli.displacement_nm is None:
            return SteadyCell(device, self.cfg, self._stimuli.neck_radius_nm,
                              self._stimuli.ambient_K)
        from apcfem.coupling.stretch import NeckStretch
        stretch = NeckStretch(device, self.cfg, self._stimuli.displacement_nm)
        self._model_summary = stretch.summary()
        return SteadyCell(device, self.cfg, stretch.neck_radius_nm, self._stimuli.ambient_K,
                          stretch.gap_nm)

    def _loop(self, cell: Cell, drive: Waveform, out: Path | None, progress: bool,
              resume: bool) -> RunResult:
        cfg, comm, dyn = self.cfg, self.comm, self.cfg.dynamics
        extractor = self._neck_extractor(cell)
        control = self._step_control(drive)
        drive_cap = (dyn.max_drive_step * float(np.max(np.abs(drive.values))) if self.transient
                     else np.inf)
        if resume:
            loop, state, rows, drive = self._restore(cell, extractor, drive, control, out)
            prepare_run_directory(out, cfg, comm, resume=True)
            resumed_from = control.accepted
        else:
            loop, rows = _LoopState(V_before=drive(0.0), settle_T_K=self._ambient_K(0.0)), None
            state = self._settle(cell, extractor, drive, 0.0, loop.settle_T_K)
            if not self.transient:
                state = self._settle_neck_temperature(cell, extractor, drive, 0.0, state)
            _keep_neck_plane(state.neck, loop, extractor)
        series = SeriesWriter(out / "timeseries.csv" if out else None, COLUMNS, comm,
                              SENTINEL_COLUMNS, rows)
        fields = self._field_writer(cell, out, control.accepted)
        if not resume:
            T_max = self._heat(cell, state) if self.transient else state.T_max_K
            series.append(self._row(cell, state, 0.0, T_max, {
                "step": 0, "dt_s": 0.0, "newton_its": 0, "rejected_steps": 0, "cycle": 0,
                "exchanged_mol": 0.0}))
            if fields:
                fields.write(0.0)
        bar = tqdm(total=drive.duration_s, initial=loop.t, desc=cfg.protocol.kind, unit="s",
                   disable=not progress or comm.rank != 0)
        reason = "end of protocol"
        while loop.t < drive.duration_s * (1.0 - 1e-12):
            t = loop.t
            if control.accepted >= dyn.max_steps:
                reason = f"max_steps = {dyn.max_steps} reached"
                break
            slope = abs(drive.slope(t))
            dt = control.propose(t, drive_cap / slope if slope > 0 else None)
            try:
                solves, new, change = self._step(cell, extractor, drive, t, dt, state, control,
                                                 loop.rejected_change)
            except (SolverDivergedError, StepRejected) as err:
                cell.reject()
                extractor.plane_m = loop.neck_plane_m
                loop.rejected_change = getattr(err, "change", loop.rejected_change)
                try:
                    control.cut(t, dt, str(err))
                except StepSizeTooSmall as stuck:  # all ranks: the solves are collective
                    reason = f"failed: step {control.accepted + 1}: {stuck}"
                    log.error("run stopped: %s", reason[8:])
                    self._checkpoint(cell, control, loop, len(series), out)
                    break
                continue
            cell.accept()
            its = sum(solves)
            if its > 0:  # a step that moved nothing keeps the jump a longer one found
                loop.rejected_change = np.inf
            control.accept(its, change / dyn.max_resistance_change if self.transient else 0.0,
                           solve_iterations=max(solves))
            if new.broke:
                control.restart(BROKEN_FIRST_STEP_S)
            loop.settle_T_K = state.T_neck_K  # what the new state was settled with
            loop.t = t + dt
            loop.exchanged += new.bridged_mol
            state = new
            _keep_neck_plane(state.neck, loop, extractor)
            try:
                row = self._accepted_row(cell, state, drive, control, loop, dt, its)
                series.append(row)
                if fields and (not self.transient or control.accepted % FIELD_EVERY == 0):
                    fields.write(loop.t)
            except (NonFiniteOutputError, PhysicalGuardError) as err:
                reason = f"failed: at t = {loop.t:.6e} s, step {control.accepted}: {err}"
                log.error("run stopped: %s", reason[8:])
                break
            if out and control.accepted % cfg.output.checkpoint_every_steps == 0:
                self._checkpoint(cell, control, loop, len(series), out)
            bar.update(dt)
            bar.set_postfix(V=f"{row['V_source_V']:.2f}", G_G0=f"{row['G_G0']:.2f}")
            event = self._event(row, loop.V_before)
            loop.V_before = row["V_source_V"]
            if event:
                reason = event
                break
            if self._reset_stops(row, drive, loop.t):
                drive = self._turn_back(drive, loop, control, bar)
        bar.close()
        if fields:
            if self.transient:
                fields.write(loop.t)
            fields.close()
        log.info("%s at t = %.4e s: %d steps accepted, %d rejected, %.2f Newton iterations per "
                 "step", reason, loop.t, control.accepted, control.rejected,
                 control.mean_iterations())
        stats = {"stop_reason": reason, "accepted_steps": control.accepted,
                 "rejected_steps": control.rejected,
                 "newton_iterations_per_step": control.mean_iterations(),
                 **({"resumed_from_step": resumed_from} if resume else {})}
        return RunResult(series.arrays(), out, stats=stats)

    def _step_control(self, drive: Waveform) -> StepControl:
        """Adaptive steps of a transient run; one pseudo-second per quasi-static sweep point.
        With the interface noise on, Newton's iteration count does not set dt (the step's rough
        increment costs iterations at any step size): R_cell's change and failed solves do."""
        dyn = self.cfg.dynamics
        if self.transient:
            noisy = self.cfg.variability.interface_noise > 0.0
            return StepControl(dyn.dt_initial_s, dyn.dt_min_s, dyn.dt_max_s, drive.milestones_s,
                               None if noisy else dyn.target_newton_iterations)
        return StepControl(1.0, 1.0, 1.0, drive.milestones_s)

    def _field_writer(self, cell: Cell, out: Path | None, step: int) -> FieldWriter | None:
        """Field snapshots: ``fields.bp``, or ``fields_from_step_<step>.bp`` for a resumed run
        (the earlier file keeps the snapshots before the restart)."""
        if not out or not self.cfg.output.fields:
            return None
        name = "fields.bp" if step == 0 else f"fields_from_step_{step}.bp"
        return FieldWriter(out / name, cell.fields())

    def _accepted_row(self, cell: Cell, state: _State, drive: Waveform, control: StepControl,
                      loop: _LoopState, dt: float, its: int) -> dict:
        """Heat (solved with the count in quasi-static steps), guards, cycle and exchanged
        charge of an accepted step; its row."""
        T_max = self._heat(cell, state) if self.transient else state.T_max_K
        inventory = cell.inventory()
        loop.exchanged += (dt * inventory.get("anode_inflow_mol_per_s", 0.0)
                           + inventory.get("noise_mol", 0.0))
        if self.transient and drive.cycle(loop.t) != loop.cycle:
            loop.cycle = drive.cycle(loop.t)
            cell.cycle_parameters.vary(draw_variation(self.cfg.variability, loop.cycle))
        self._guards.check(loop.t, control.accepted, cell, state.contact_G_S)
        return self._row(cell, state, loop.t, T_max, {
            "step": control.accepted, "dt_s": dt, "newton_its": its,
            "rejected_steps": control.rejected, "cycle": loop.cycle,
            "exchanged_mol": loop.exchanged})

    def _checkpoint(self, cell: Cell, control: StepControl, loop: _LoopState, rows: int,
                    out: Path | None) -> None:
        """Write the accepted state as the run directory's restart checkpoint (collective)."""
        if out is None:
            return
        scalars = {**asdict(loop), **control.state(), **getattr(cell, "state_scalars", dict)(),
                   "rows": rows, "ranks": self.comm.size}
        write_checkpoint(out / CHECKPOINT, cell.state_functions(), scalars, control.iterations,
                         self.comm)

    def _restore(self, cell: Cell, extractor: SectionAreaNeck, drive: Waveform,
                 control: StepControl, out: Path) -> tuple[_LoopState, _State, int, Waveform]:
        """The accepted state of the run directory's checkpoint: cell fields (and the cell's
        own scalars), loop scalars, step control, the drive with its resets turned back; the
        neck, contact and operating point re-derived from the fields."""
        scalars, iterations = read_checkpoint(out / CHECKPOINT, cell.state_functions(),
                                              self.comm)
        loop = _LoopState(**{k: scalars[k] for k in _LoopState.__dataclass_fields__
                             if k in scalars})
        control.restore(scalars, iterations)
        for t_back in loop.turn_backs_s:
            drive = drive.turned_back(t_back)
        control.milestones_s = drive.milestones_s
        if self.transient:
            cell.cycle_parameters.vary(draw_variation(self.cfg.variability, loop.cycle))
        else:  # the prescribed filament is a function of pseudo-time
            cell.advance(0.0, loop.t, 0.0)
        if hasattr(cell, "restore_scalars"):
            cell.restore_scalars(scalars)
        cell.accept()
        extractor.plane_m = loop.neck_plane_m  # the stored neck keeps its own plane
        state = self._settle(cell, extractor, drive, loop.t, loop.settle_T_K)
        self._heat(cell, state)
        log.info("resumed at t = %.6e s, step %d (checkpoint written on %d ranks)", loop.t,
                 control.accepted, int(scalars["ranks"]))
        return loop, state, int(scalars["rows"]), drive

    def _step(self, cell: Cell, extractor: SectionAreaNeck, drive: Waveform, t: float,
              dt: float, before: _State, control: StepControl,
              rejected_change: float) -> tuple[list[int], _State, float]:
        """Advance with the circuit (and the neck's shell potential) solved implicitly, then
        bridge a gap closed to the jump distance. Returns the Newton iterations of each circuit
        iteration's solve, the new state and its relative R_cell change before any jump;
        raises StepRejected or SolverDivergedError (the caller rejects the state and cuts
        dt)."""
        dyn = self.cfg.dynamics
        op = self._operating_point(drive, t + dt, before.resistance.cell_ohm)
        shells = getattr(cell, "has_neck_shell", False)
        # a gap whose barrier the image force lowers tunnels with a conductance that the
        # neck temperature moves (counted at the previous step's, the state flipped)
        tunnelling = (self.transient and before.neck.gap_m > 0.0
                      and self.cfg.landauer.gap_image_force)
        x = [op.V_cell_V, *([cell.neck_shell] if shells else []),
             *([before.T_neck_K] if tunnelling else [])]
        tolerances = [dyn.circuit_tolerance * abs(op.V_source_V) + 1e-6,
                      *([SHELL_TOLERANCE_EV] if shells else []),
                      *([TUNNEL_TEMPERATURE_TOLERANCE_K] if tunnelling else [])]
        coupling, newton = StepFixedPoint(tolerances), []
        try:
            for iteration in range(1, dyn.max_circuit_iterations + 1):
                newton.append(cell.advance(t, dt, x[0]))
                state = self._settle(cell, extractor, drive, t + dt,
                                     x[-1] if tunnelling else before.T_neck_K)
                extractor.hold_plane = True  # the neck moves at most in the first iteration
                state.circuit_its = iteration
                G = [state.op.V_cell_V]
                if shells:
                    G.append(cell.place_neck_shell(state.neck, state.electrons))
                if tunnelling:
                    G.append(self._own_neck_temperature_K(cell, state))
                if coupling.converged(x, G):
                    break
                if iteration == dyn.max_circuit_iterations and coupling.flipping():
                    log.info("t = %.6e s: the circuit flips between two states within %g of its "
                             "tolerances: accepted at the last iterate", t, FLIP_LIMIT)
                    break
                x = coupling.next(x, G)
                if shells:
                    cell.set_neck_shell(x[1])
            else:
                raise StepRejected(f"circuit not consistent after {dyn.max_circuit_iterations} "
                                   "iterations")
        finally:
            extractor.hold_plane = False
        if not self.transient:
            state = self._settle_neck_temperature(cell, extractor, drive, t + dt, state)
            state.circuit_its = iteration
        change = _relative_change(before.resistance.cell_ohm, state.resistance.cell_ohm)
        jump = change > JUMP_PERSISTENCE * rejected_change
        if (self.transient and change > dyn.max_resistance_change and not jump
                and dt * control.cut_factor >= control.dt_min_s):
            raise StepRejected(f"R_cell changed by {change:.2g}", change)
        if jump:
            log.info("t = %.6e s: R_cell jumps by %.3g (persists as dt is cut): accepted", t,
                     change)
        state = self._jump_to_contact(cell, extractor, drive, t + dt, before.neck.gap_m, state)
        return newton, self._jump_out_of_contact(cell, extractor, drive, t + dt, before.neck,
                                                 state), change

    def _jump_to_contact(self, cell: Cell, extractor: SectionAreaNeck, drive: Waveform,
                         t: float, previous_gap_m: float, state: _State) -> _State:
        """A gap that closed in the step, under a deposition bias, to at most the cell's jump
        distance, or that did not widen and tunnels with at least
        :data:`CONTACT_TUNNEL_CONDUCTANCE_G0`, is bridged (``bridge_gap`` of an evolving cell)
        and the bridged state settled at the same time t [s] (the circuit sees the new R_cell
        at once; the jump is exempt from the step's R_cell limit). The gap is the cell's
        ``closing_gap_m`` where it has one (a lumped front the extracted profile lags). A
        failure here rejects the whole step."""
        gap = getattr(cell, "closing_gap_m", lambda neck: neck.gap_m)(state.neck)
        jump_m = getattr(cell, "jump_to_contact_m", 0.0)
        closed = gap <= jump_m and gap < previous_gap_m
        collapsed = (gap <= previous_gap_m and state.contact_G_S
                     >= CONTACT_TUNNEL_CONDUCTANCE_G0 * landauer.G0_S)
        if not (jump_m > 0.0 and gap > 0.0 and (closed or collapsed)
                and state.op.V_cell_V > 0.0):
            return state
        added_mol = cell.bridge_gap(state.neck)
        bridged = self._settle(cell, extractor, drive, t, state.T_neck_K)
        bridged.circuit_its, bridged.bridged_mol = state.circuit_its, added_mol
        log.info("t = %.6e s: jump to contact across a %.3f nm gap: G %.3g -> %.3g G0", t,
                 gap / NM, state.contact_G_S / landauer.G0_S,
                 bridged.contact_G_S / landauer.G0_S)
        return bridged

    def _jump_out_of_contact(self, cell: Cell, extractor: SectionAreaNeck, drive: Waveform,
                             t: float, before: NeckProfile, state: _State) -> _State:
        """A connected neck whose last mode closed in the step (the count tunnels across its
        closed sections), that thinned in it below the radius where it becomes unstable
        (``unstable_neck_radius_m`` of an evolving cell), or that carries no mode at all
        (narrower than the first mode's radius j_01 / k_F, thinning or not: a transfer-matrix
        count tunnels through such a constriction without a gap in the profile, and a 3-D
        vacancy neck of 0.2 nm stayed connected at 0.23 G0 while the sweep rose), breaks: the
        cell removes the metal of
        the gap the count tunnels across (the sections narrower than that radius, at least the
        jump distance; ``break_contact`` of an evolving cell, which then holds the broken state
        the count describes) and the broken state is settled at the same time t [s]. The gap
        it leaves is at least the jump distance as the extraction measures it (where the metal
        of the sections vanishes, inside the removed slab by the interfaces' outer halves):
        a shorter one is widened (:func:`~apcfem.quantum_contact.widened_span`), or the next
        closing of the gap, however small, would jump straight back into contact. A failure
        here rejects the whole step."""
        jump_m = getattr(cell, "jump_to_contact_m", 0.0)
        neck = state.neck
        if not (jump_m > 0.0 and neck.gap_m == 0.0):
            return state
        closed_below = None
        if state.tunnel_gap_m == 0.0:
            unstable = getattr(cell, "unstable_neck_radius_m", lambda electrons: 0.0)
            thinning = before.gap_m == 0.0 and neck.neck_radius_m < before.neck_radius_m
            closed_below = max(unstable(state.electrons) if thinning else 0.0,
                               first_mode_radius_m(state.electrons))
            if neck.neck_radius_m >= closed_below:
                return state
        spans = tunnel_spans_m(neck, state.electrons, jump_m, closed_below)
        removed_mol = cell.break_contact(spans)
        broken = self._settle(cell, extractor, drive, t, state.T_neck_K)
        for _ in range(GAP_WIDENINGS):
            short_m = jump_m - broken.neck.gap_m
            if short_m <= 0.0:
                break
            spans = [widened_span(low, high, short_m, *extractor.z_range_m)
                     for low, high in spans]
            removed_mol += cell.break_contact(spans)
            broken = self._settle(cell, extractor, drive, t, state.T_neck_K)
        if broken.neck.gap_m == 0.0:
            raise StepRejected(f"a neck of {neck.neck_radius_m / NM:.3f} nm with no open mode "
                               "could not be broken: its gap is narrower than the mesh there "
                               "(refine mesh.min_size_nm)")
        broken.circuit_its = state.circuit_its
        broken.bridged_mol = state.bridged_mol + removed_mol
        broken.broke = True
        log.info("t = %.6e s: jump out of contact at a %.3f nm neck: G %.3g -> %.3g G0", t,
                 state.neck.neck_radius_m / NM, state.contact_G_S / landauer.G0_S,
                 broken.contact_G_S / landauer.G0_S)
        return broken

    def _settle(self, cell: Cell, extractor: SectionAreaNeck, drive: Waveform, t: float,
                T_neck_K: float) -> _State:
        """Neck -> contact conductance -> R_cell -> operating point of the present state.

        With ``landauer.finite_bias`` the count is at the contact bias, iterated with the
        circuit until the bias it gives is the bias it was counted at."""
        neck = extractor(cell.filament)
        electrons = self._electrons(self.cfg.landauer.temperature_K or T_neck_K, t)
        barrier = self._gap_barrier_eV()
        edges = self._section_ladder(neck.section_polygon_m, neck.neck_radius_m)
        for _ in range(BIAS_ITERATIONS):
            G = contact_conductance(neck, extractor.z_range_m, electrons, barrier,
                                    self.cfg.landauer.transmission,
                                    getattr(cell, "jump_to_contact_m", 0.0), edges,
                                    self._gap_permittivity())
            cell.set_contact(neck, G.G_S)
            resistance = cell.resistance()
            op = self._operating_point(drive, t, resistance.cell_ohm)
            V_contact = _contact_voltage_V(op, G.G_S)
            bias = V_contact if self.cfg.landauer.finite_bias else 0.0
            if abs(bias - electrons.bias_V) <= BIAS_TOLERANCE_V:
                break
            electrons = electrons.with_(bias_V=bias)
        else:
            raise StepRejected(f"contact bias not consistent after {BIAS_ITERATIONS} "
                               "iterations")
        return _State(neck, G.G_S, G.channels, resistance, op, T_neck_K, electrons, V_contact,
                      G.tunnel_gap_m)

    def _settle_neck_temperature(self, cell: Cell, extractor: SectionAreaNeck,
                                 drive: Waveform, t: float, state: _State) -> _State:
        """Quasi-static steps: the steady heat at the operating point and the count it smears
        iterated to one neck temperature (a ramp of the sinks moves it between steps)."""
        for _ in range(NECK_TEMPERATURE_ITERATIONS):
            counted_at = state.T_neck_K
            state.T_max_K = self._heat(cell, state)
            if abs(state.T_neck_K - counted_at) <= NECK_TEMPERATURE_TOLERANCE_K:
                return state
            state = self._settle(cell, extractor, drive, t, state.T_neck_K)
        raise StepRejected(f"neck temperature not consistent after "
                           f"{NECK_TEMPERATURE_ITERATIONS} heat solves")

    def _own_neck_temperature_K(self, cell: Cell, state: _State) -> float:
        """The neck temperature [K] the state's own operating point heats it to; the cell's
        temperature field, which its kinetics read, is left as it was."""
        kept = cell.T.x.array.copy()
        counted_at = state.T_neck_K
        self._heat(cell, state)
        heated = state.T_neck_K
        cell.T.x.array[:] = kept
        state.T_neck_K = counted_at
        return heated

    def _heat(self, cell: Cell, state: _State) -> float:
        """Steady heat at the accepted operating point; updates the neck temperature."""
        T_max = cell.solve_heat(state.op.V_cell_V, state.neck.neck_z_m, state.contact_G_S)
        state.T_neck_K = cell.neck_temperature(state.neck.neck_z_m)
        if self.cfg.physics.contact_heating == "diffusive" and state.neck.gap_m == 0.0:
            state.T_neck_K = float(diffusive_contact_peak_K(state.T_neck_K, state.V_contact_V))
        return max(T_max, state.T_neck_K)

    def _electrons(self, temperature_K: float, t: float) -> landauer.Electrons:
        """The filament metal's electrons at the neck temperature [K] and the field of
        pseudo-time t [s] (zero bias: see :meth:`_settle`)."""
        metal = self._metal
        field = self._stimuli.field_T(t) if self._stimuli.field_T else 0.0
        return landauer.Electrons(metal.fermi_energy_eV.value, metal.effective_mass_me.value,
                                  temperature_K, beta=self.cfg.landauer.beta, field_T=field,
                                  g_factor=self.cfg.landauer.g_factor)

    def _critical_field_T(self, state: _State) -> float:
        """Zeeman critical field [T] of the counted neck: the smearing is the neck temperature
        and, with saddle-point transmission, hbar omega of the neck curvature at E_F."""
        neck, electrons = state.neck, state.electrons
        hbar_omega = 0.0
        if (self.cfg.landauer.transmission == "saddle" and np.isfinite(neck.curvature_per_m)
                and neck.neck_radius_m > 0):
            hbar_omega = landauer.saddle_hbar_omega_eV(
                electrons.fermi_energy_eV, neck.neck_radius_m, max(neck.curvature_per_m, 0.0),
                electrons.effective_mass_me)
        return float(landauer.zeeman_critical_field_T(
            electrons.temperature_K, g_factor=electrons.g_factor, hbar_omega_eV=hbar_omega))

    def _ambient_K(self, t: float) -> float:
        """Heat-sink temperature at (pseudo-)time t [K]."""
        ramp = self._stimuli.ambient_K
        return ramp(t) if ramp else self.cfg.physics.ambient_temperature_K

    def _gap_barrier_eV(self) -> float:
        """Tunnel barrier above E_F in a gap [eV]: the case's, or W_metal - chi_host."""
        cfg = self.cfg
        if cfg.ecm.tunnel_barrier_eV is not None:
            return cfg.ecm.tunnel_barrier_eV
        metal = self._metal
        host = get_material(cfg.materials.switching_layer)
        return float(tunnel_barrier_eV(metal.work_function_eV.value,
                                       host.electron_affinity_eV.value))

    def _gap_permittivity(self) -> float | None:
        """Permittivity of the image force on a gap's barrier (``landauer.gap_image_force``),
        the switching layer's, or None: a flat barrier."""
        if not self.cfg.landauer.gap_image_force:
            return None
        host = get_material(self.cfg.materials.switching_layer)
        return float(host.image_force_permittivity.value)

    def _operating_point(self, wave: Waveform, t: float, R_cell: float) -> OperatingPoint:
        circuit = self.cfg.circuit
        if wave.quantity == "current":
            return current_source_operating_point(wave(t), R_cell, wave.voltage_limit_V)
        return compliance_operating_point(wave(t), circuit.series_resistance_ohm, R_cell,
                                          circuit.current_limit_A, circuit.reset_current_limit_A)

    def _row(self, cell: Cell, state: _State, t: float, T_max: float, step: dict) -> dict:
        op, neck = state.op, state.neck
        G_cell = 0.0 if np.isinf(op.R_cell_ohm) else 1.0 / (op.R_cell_ohm * landauer.G0_S)
        inventory = cell.inventory()
        return {"time_s": t, "V_source_V": op.V_source_V, "V_cell_V": op.V_cell_V,
                "I_A": op.I_A, "G_G0": G_cell, "G_landauer_G0": state.contact_G_S / landauer.G0_S,
                "channels": state.channels, "R_fe_ohm": state.resistance.body_ohm,
                "neck_radius_m": neck.neck_radius_m, "neck_z_m": neck.neck_z_m,
                "neck_curvature_per_m": neck.curvature_per_m, "gap_m": neck.gap_m,
                "neck_aspect_ratio": _aspect_ratio(neck),
                "tunnel_gap_m": state.tunnel_gap_m, "T_max_K": T_max,
                "T_neck_K": state.T_neck_K, "circuit_its": state.circuit_its,
                "limited": float(op.limited),
                "filament_mol": inventory.get("filament_mol", 0.0),
                "ballistic": self._ballistic(neck, state.T_neck_K),
                "V_contact_V": state.V_contact_V, "field_T": float(state.electrons.field_T),
                "T_ambient_K": self._ambient_K(t), "B_c_T": self._critical_field_T(state),
                "displacement_m": (self._stimuli.displacement_nm(t) * NM
                                   if self._stimuli.displacement_nm else 0.0),
                "light_W_per_m2": 0.0, "T_electrode_K": np.nan,
                **getattr(cell, "observables", dict)(), **step}

    def _event(self, row: dict, V_before: float) -> str | None:
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
        if dyn.stop_voltage_V is not None:
            before, now = V_before - dyn.stop_voltage_V, row["V_source_V"] - dyn.stop_voltage_V
            if now == 0.0 or before * now < 0.0:
                return f"stop voltage {dyn.stop_voltage_V:g} V reached"
        return None

    def _reset_stops(self, row: dict, drive: Waveform, t: float) -> bool:
        """Whether a reverse sweep turns back here: G has fallen to the protocol's
        ``reset_stop_conductance_G0`` while the drive still moves deeper into the reset."""
        stop_G0 = getattr(self.cfg.protocol, "reset_stop_conductance_G0", None)
        return (stop_G0 is not None and row["V_source_V"] < 0 and row["G_G0"] <= stop_G0
                and drive.moving_away_from_zero(t))

    @staticmethod
    def _turn_back(drive: Waveform, loop: _LoopState, control: StepControl,
                   bar: tqdm) -> Waveform:
        """The drive turned back at the accepted time; steps land on its new corners."""
        log.info("reset stopped at %.4g V (t = %.6e s): the sweep returns to 0 V", drive(loop.t),
                 loop.t)
        loop.turn_backs_s.append(loop.t)
        drive = drive.turned_back(loop.t)
        control.milestones_s = drive.milestones_s
        bar.total = drive.duration_s
        return drive

    def _neck_extractor(self, cell: Cell) -> SectionAreaNeck:
        g, m = self.cfg.geometry, self.cfg.mesh
        z0 = g.bottom_electrode_thickness_nm
        z1 = z0 + g.switching_layer_thickness_nm
        r_max = 0.9 * g.cell_radius_nm
        spacing = 0.5 * m.min_size_nm
        level = self.cfg.vcm.neck_level if self.cfg.vcm is not None else 0.5
        return SectionAreaNeck(cell.device, (z0 * NM, z1 * NM), r_max * NM,
                               n_z=int(np.ceil((z1 - z0) / spacing)),
                               n_r=int(np.ceil(r_max / spacing)) + 1, level=level)

    def _finish(self, out: Path, series: dict[str, np.ndarray], wall_s: float,
                stats: dict) -> dict:
        files = {"timeseries": out / "timeseries.csv", "case": out / "resolved_case.toml"}
        if self.cfg.output.fields:
            for path in sorted(out.glob("fields*.bp")):  # one per element (FieldWriter)
                files[path.stem] = path
        if self.comm.rank == 0 and self.cfg.output.plots:
            if isinstance(self.cfg.protocol, LightPulses):
                files["light_plot"] = plot_light(series, out / "light_response.png",
                                                 self.cfg.title)
            elif self.transient:
                files["transient_plot"] = plot_transient(series, out / "transient.png",
                                                         self.cfg.title)
            else:
                files["staircase_plot"] = self._staircase_plot(out, series)
        kept = max(1, self.cfg.output.histogram_skip_cycles)
        if self.transient and cycle_count(series) > kept and self.comm.rank == 0:
            files.update(self._histogram_files(out, series))
        files = self.comm.bcast(files, root=0)
        write_run_info(out, self.comm, {"wall_time_s": wall_s, **stats,
                                        "files": {k: str(v) for k, v in files.items()}})
        return files

    def _histogram_files(self, out: Path, series: dict[str, np.ndarray]) -> dict[str, Path]:
        """Conductance histograms of a cycled run: CSV, and PNG with plots on (rank 0)."""
        histogram = conductance_histogram(
            series, skip_cycles=self.cfg.output.histogram_skip_cycles)
        files = {"histogram": write_histogram_csv(histogram, out / "conductance_histogram.csv")}
        if self.cfg.output.plots:
            files["histogram_plot"] = plot_conductance_histogram(
                histogram, out / "conductance_histogram.png", self.cfg.title)
        return files

    def _staircase_plot(self, out: Path, series: dict[str, np.ndarray]) -> Path:
        protocol = self.cfg.protocol
        if isinstance(protocol, NeckRadiusSweep):
            x, label = series["neck_radius_m"] / NM, "extracted neck radius [nm]"
        elif isinstance(protocol, FieldRamp):
            x, label = series["field_T"], "magnetic field [T]"
        elif isinstance(protocol, StrainRamp):
            x, label = series["displacement_m"] / NM, "imposed displacement [nm]"
        elif isinstance(protocol, TemperatureRamp):
            x, label = series["T_ambient_K"], "heat-sink temperature [K]"
        elif self.cfg.landauer.finite_bias:
            return plot_bias_sweep(series, out / "conductance_bias.png", self.cfg.title)
        else:
            x, label = series["V_source_V"], "source voltage [V]"
        return plot_sweep({**series, "x": x}, "x", label, out / "conductance_staircase.png",
                          self.cfg.title)


def _relative_change(before_ohm: float, after_ohm: float) -> float:
    """|Delta R| / min(R) of two resistances (0 if both infinite, inf if one is)."""
    if np.isinf(before_ohm) and np.isinf(after_ohm):
        return 0.0
    return abs(after_ohm - before_ohm) / min(before_ohm, after_ohm)


def _keep_neck_plane(neck: NeckProfile, loop: _LoopState, extractor: SectionAreaNeck) -> None:
    """The accepted neck's plane, for the extraction of the next state (and the checkpoint)."""
    loop.neck_plane_m = neck.neck_z_m if neck.gap_m == 0.0 else np.nan
    extractor.plane_m = loop.neck_plane_m


def _aspect_ratio(neck: NeckProfile) -> float:
    """Aspect ratio of the neck's section [-]: of its polygon in 3-D, 1 in (r, z), nan while
    the filament is broken."""
    if neck.gap_m > 0 or not neck.neck_radius_m > 0:
        return np.nan
    if neck.section_polygon_m is None:
        return 1.0
    return section_aspect_ratio(neck.section_polygon_m)


def _contact_voltage_V(op: OperatingPoint, contact_G_S: float) -> float:
    """Voltage across the quantum contact [V]: I/G in series with the body, at most the cell
    voltage (reached across a gap, which is in parallel with the leakage)."""
    if contact_G_S <= 0.0:
        return op.V_cell_V
    return float(np.sign(op.V_cell_V) * min(abs(op.I_A) / contact_G_S, abs(op.V_cell_V)))


def quasi_static_waveform(protocol) -> Waveform:
    """Source voltage of a quasi-static sweep at pseudo-times 0, 1, ..., points - 1 [s]."""
    times = np.arange(protocol.points, dtype=float)
    if isinstance(protocol, SourceVoltageSweep):
        values = np.linspace(protocol.start_V, protocol.stop_V, protocol.points)
    else:  # the other quasi-static protocols sweep a stimulus at a fixed read voltage
        values = np.full(protocol.points, protocol.source_voltage_V)
    return Waveform(times_s=times, values=values)
