"""Drive protocols (DESIGN.md sec. 6). No FE here.

Quasi-static protocols are sequences of :class:`SweepPoint`; transient protocols (DC voltage or
current sweeps, pulse trains, set/reset cycles) are a piecewise-linear :class:`Waveform` of
time, whose corners are the milestones the time stepper lands on. Cycle-to-cycle variability is
drawn from ``np.random.default_rng(SeedSequence(seed, spawn_key=(cycle,)))``: the same draw on
every rank and in every run with the same seed, and a different one per cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from apcfem.config.schema import (
    CurrentSweep,
    FieldRamp,
    LightPulses,
    NeckRadiusSweep,
    PulseTrain,
    SourceVoltageSweep,
    StrainRamp,
    TemperatureRamp,
    VariabilityConfig,
    VoltageSweep,
)
from apcfem.filament import NM, ON_AXIS, Section


@dataclass(frozen=True)
class SweepPoint:
    """One quasi-static step: the source voltage [V] and, if swept, the neck radius [nm]."""

    source_voltage_V: float
    neck_radius_nm: float | None = None


def sweep_points(protocol: NeckRadiusSweep | SourceVoltageSweep) -> list[SweepPoint]:
    """The ordered steps of a sweep protocol."""
    if isinstance(protocol, NeckRadiusSweep):
        radii = np.linspace(protocol.neck_radius_start_nm, protocol.neck_radius_stop_nm,
                            protocol.points)
        return [SweepPoint(protocol.source_voltage_V, float(a)) for a in radii]
    voltages = np.linspace(protocol.start_V, protocol.stop_V, protocol.points)
    return [SweepPoint(float(v)) for v in voltages]


@dataclass(frozen=True)
class Waveform:
    """Piecewise-linear drive: a source voltage [V] or source current [A] against time [s].

    Attributes:
        times_s: corner times, increasing, starting at 0.
        values: drive value at each corner.
        quantity: ``"voltage"`` or ``"current"``.
        cycle_starts_s: start time of each cycle (first is 0).
        voltage_limit_V: for a current drive, the voltage compliance of the source.
    """

    times_s: np.ndarray
    values: np.ndarray
    quantity: str = "voltage"
    cycle_starts_s: np.ndarray = field(default_factory=lambda: np.zeros(1))
    voltage_limit_V: float | None = None

    @property
    def duration_s(self) -> float:
        return float(self.times_s[-1])

    @property
    def milestones_s(self) -> np.ndarray:
        """Corner times after t = 0: steps must land on them."""
        return self.times_s[1:]

    def __call__(self, t_s: float) -> float:
        """Drive value at time t [s] (held constant after the end)."""
        return float(np.interp(t_s, self.times_s, self.values))

    def cycle(self, t_s: float) -> int:
        """Index of the cycle that contains time t (a corner belongs to the cycle it starts)."""
        return int(np.searchsorted(self.cycle_starts_s, t_s, side="right") - 1)

    def slope(self, t_s: float) -> float:
        """d(value)/dt on the linear piece that starts at or before t [unit/s]."""
        i = int(np.clip(np.searchsorted(self.times_s, t_s, side="right") - 1, 0,
                        len(self.times_s) - 2))
        return float((self.values[i + 1] - self.values[i])
                     / (self.times_s[i + 1] - self.times_s[i]))

    def largest_change(self, t0_s: float, t1_s: float) -> float:
        """max |value(t) - value(t0)| over [t0, t1] (corners inside included)."""
        inside = self.times_s[(self.times_s > t0_s) & (self.times_s < t1_s)]
        points = np.concatenate([[t1_s], inside])
        return float(np.max(np.abs(np.interp(points, self.times_s, self.values) - self(t0_s))))

    def moving_away_from_zero(self, t_s: float) -> bool:
        """Whether the drive's magnitude grows on the piece that holds t."""
        return self(t_s) * self.slope(t_s) > 0.0

    def turned_back(self, t_s: float) -> Waveform:
        """This waveform with the piece that holds t reversed at t: from its value at t the
        drive returns at once along the next piece (at the same rate, a sweep stopped where it
        stands), and every later corner comes earlier by the time skipped.

        A sweep turned back at V(t) on its way to a trough V_k runs V(t) -> 0 instead of
        V(t) -> V_k -> 0. The piece must move away from zero (:meth:`moving_away_from_zero`)
        and be followed by one that returns."""
        i = int(np.searchsorted(self.times_s, t_s, side="right") - 1)
        if not self.moving_away_from_zero(t_s) or i + 2 >= self.times_s.size:
            raise ValueError(f"no return piece to turn back onto at t = {t_s:g} s")
        value = self(t_s)
        peak, back = self.values[i + 1], self.values[i + 2]
        t_back = self.times_s[i + 1] + ((self.times_s[i + 2] - self.times_s[i + 1])
                                        * (peak - value) / (peak - back))
        skipped = t_back - t_s
        head = i + 1 if self.times_s[i] < t_s else i  # t on a corner: that corner is t's
        later = self.cycle_starts_s > t_s
        return Waveform(
            times_s=np.concatenate([self.times_s[:head], [t_s], self.times_s[i + 2:] - skipped]),
            values=np.concatenate([self.values[:head], [value], self.values[i + 2:]]),
            quantity=self.quantity,
            cycle_starts_s=np.where(later, self.cycle_starts_s - skipped, self.cycle_starts_s),
            voltage_limit_V=self.voltage_limit_V)


def _triangle_cycle(peak: float, troughs: list[float], rate: float) -> tuple[list, list]:
    """Corners (t, value) of 0 -> peak -> 0 [-> trough_k -> 0 for each trough] at a constant
    ramp rate."""
    levels = [0.0, peak, 0.0] + [level for trough in troughs for level in (trough, 0.0)]
    times = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(levels)) / rate)])
    return list(times), levels


def _pulse_cycle(p: PulseTrain) -> tuple[list, list]:
    """Corners of one set pulse (and its reset pulse), each in its own interval."""
    amplitudes = [a for a in (p.amplitude_V, p.reset_amplitude_V) if a is not None]
    times, values = [], []
    for k, amplitude in enumerate(amplitudes):
        t0 = k * p.interval_s
        times += [t0, t0 + p.rise_s, t0 + p.rise_s + p.width_s, t0 + 2 * p.rise_s + p.width_s]
        values += [0.0, amplitude, amplitude, 0.0]
    times.append(len(amplitudes) * p.interval_s)
    values.append(0.0)
    return times, values


@dataclass(frozen=True)
class Ramp:
    """A quantity swept quasi-statically: ``points`` values from ``start`` to ``stop``, one per
    pseudo-second (linear in between)."""

    start: float
    stop: float
    points: int

    def __call__(self, t_s: float) -> float:
        """Value at pseudo-time t [s] (held at the ends)."""
        return float(np.interp(t_s, np.arange(self.points),
                               np.linspace(self.start, self.stop, self.points)))


@dataclass(frozen=True)
class Stimuli:
    """The external conditions a quasi-static protocol sweeps (None: not swept).

    Attributes:
        neck_radius_nm: prescribed neck radius [nm].
        field_T: magnetic field [T].
        ambient_K: heat-sink temperature [K].
        displacement_nm: axial displacement of the top contact [nm].
    """

    neck_radius_nm: Ramp | None = None
    field_T: Ramp | None = None
    ambient_K: Ramp | None = None
    displacement_nm: Ramp | None = None


def stimuli(protocol) -> Stimuli:
    """What a quasi-static protocol sweeps against pseudo-time."""
    if isinstance(protocol, NeckRadiusSweep):
        return Stimuli(neck_radius_nm=Ramp(protocol.neck_radius_start_nm,
                                           protocol.neck_radius_stop_nm, protocol.points))
    if isinstance(protocol, FieldRamp):
        return Stimuli(field_T=Ramp(protocol.start_T, protocol.stop_T, protocol.points))
    if isinstance(protocol, TemperatureRamp):
        return Stimuli(ambient_K=Ramp(protocol.start_K, protocol.stop_K, protocol.points))
    if isinstance(protocol, StrainRamp):
        return Stimuli(displacement_nm=Ramp(0.0, protocol.displacement_stop_nm,
                                            protocol.points))
    return Stimuli()


def build_waveform(protocol: VoltageSweep | CurrentSweep | PulseTrain) -> Waveform:
    """Waveform of a transient protocol, all its cycles concatenated."""
    if isinstance(protocol, VoltageSweep):
        times, values = _triangle_cycle(protocol.set_voltage_V, protocol.reset_stops_V,
                                        protocol.ramp_rate_V_per_s)
        cycles = protocol.cycles
    elif isinstance(protocol, CurrentSweep):
        resets = [] if protocol.reset_current_A is None else [protocol.reset_current_A]
        times, values = _triangle_cycle(protocol.set_current_A, resets,
                                        protocol.ramp_rate_A_per_s)
        cycles = protocol.cycles
    else:
        times, values = _pulse_cycle(protocol)
        cycles = protocol.count
    period = times[-1]
    all_times = np.concatenate([[0.0]] + [np.asarray(times[1:]) + k * period
                                          for k in range(cycles)])
    all_values = np.concatenate([[values[0]]] + [values[1:]] * cycles)
    current = isinstance(protocol, CurrentSweep)
    return Waveform(times_s=all_times, values=all_values,
                    quantity="current" if current else "voltage",
                    cycle_starts_s=period * np.arange(cycles),
                    voltage_limit_V=protocol.voltage_limit_V if current else None)


def light_waveform(protocol: LightPulses, rise_fraction: float = 1e-3) -> Waveform:
    """Incident intensity [W/m^2] against time: ``cycles`` x (on for ``on_s``, off for
    ``off_s``), each switching over ``rise_fraction`` of the on time (an LED switches in
    nanoseconds, far below the thermal time)."""
    rise = rise_fraction * protocol.on_s
    period = protocol.on_s + protocol.off_s
    corners = [(0.0, 0.0)]
    for k in range(protocol.cycles):
        start = k * period
        corners += [(start + rise, 1.0), (start + protocol.on_s, 1.0),
                    (start + protocol.on_s + rise, 0.0), (start + period, 0.0)]
    times, on = (np.array(v) for v in zip(*corners, strict=True))
    return Waveform(times_s=times, values=protocol.intensity_W_per_m2 * on)


def read_waveform(protocol: LightPulses) -> Waveform:
    """Constant read voltage [V] with the light's corners as milestones."""
    light = light_waveform(protocol)
    return Waveform(times_s=light.times_s,
                    values=np.full(light.times_s.size, protocol.source_voltage_V))


ACTIVATION_TRUNCATION = 2.0
"""A cycle's activation-energy shift is drawn within this many sigma [-]."""


def cycle_rng(seed: int, cycle: int) -> np.random.Generator:
    """The random generator of one cycle (independent streams per cycle, rank-independent)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(cycle,)))


@dataclass(frozen=True)
class CycleVariation:
    """One cycle's draw: factors on its parameters [-] (1 = nominal) and, in 3-D, the initial
    filament's section (:class:`~apcfem.coupling.cell_geometry.Section`)."""

    rate_factor: float = 1.0
    nucleus_radius_factor: float = 1.0
    section: Section = ON_AXIS
    activation_energy_shift_eV: float = 0.0


def draw_variation(cfg: VariabilityConfig, cycle: int) -> CycleVariation:
    """Draw the variation of a cycle: log-normal rate factor, uniform nucleus-radius factor,
    then (3-D) an axis offset uniform over the disc of ``nucleus_offset_nm`` and an elliptic
    section of aspect ratio 1 + ``section_aspect_spread`` u (u uniform in [0, 1)) at a uniform
    orientation, then an activation-energy shift, normal with sigma
    ``activation_energy_spread_eV`` truncated at 2 sigma. Spreads of 0 draw nothing new: a case
    without them keeps its earlier draws."""
    rng = cycle_rng(cfg.seed, cycle)
    rate = float(np.exp(cfg.rate_spread * rng.standard_normal()))
    radius = float(1.0 + cfg.nucleus_radius_spread * rng.uniform(-1.0, 1.0))
    section = ON_AXIS
    if cfg.nucleus_offset_nm > 0 or cfg.section_aspect_spread > 0:
        distance = cfg.nucleus_offset_nm * NM * np.sqrt(rng.uniform())
        direction = rng.uniform(0.0, 2.0 * np.pi)
        section = Section(offset_m=(float(distance * np.cos(direction)),
                                    float(distance * np.sin(direction))),
                          aspect_ratio=float(1.0 + cfg.section_aspect_spread * rng.uniform()),
                          angle_rad=float(rng.uniform(0.0, np.pi)))
    shift = 0.0
    if cfg.activation_energy_spread_eV > 0:
        shift = cfg.activation_energy_spread_eV * float(
            np.clip(rng.standard_normal(), -ACTIVATION_TRUNCATION, ACTIVATION_TRUNCATION))
    return CycleVariation(rate_factor=rate, nucleus_radius_factor=radius, section=section,
                          activation_energy_shift_eV=shift)
