"""Typed, validated case schema.

A case file is TOML; every section maps to one frozen pydantic model below. Units are SI and
stated in the field names (``_nm`` for geometry, which gmsh draws in nanometres and the mesh
module scales to metres). Unknown keys are rejected (``extra="forbid"``).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


MAX_CURRENT_LIMIT_A = 1e-2
"""Largest compliance current I_cc a case may set [A]."""


DEVICE_REGIONS = ("bottom_electrode", "switching_layer", "filament_seed", "top_electrode")
"""Region (cell group) names of a device mesh."""
DEVICE_BOUNDARIES = ("bottom_contact", "top_contact", "outer", "axis", "bottom_interface",
                     "top_interface")
"""Boundary (facet group) names of a device mesh."""
REQUIRED_REGIONS = ("bottom_electrode", "switching_layer", "top_electrode")
"""Regions every device mesh must have (the solvers assign materials and contacts to them)."""
REQUIRED_BOUNDARIES = ("bottom_contact", "top_contact")
"""Boundaries every device mesh must have (the circuit's contacts and the heat sinks)."""

LAYER_POSITIONS = ("below_bottom_electrode", "below_top_electrode", "above_top_electrode")
"""Where an extra layer of the stack goes: under the bottom electrode (a substrate or adhesion
layer, drawn at z < 0), between the switching layer and the top electrode (an oxygen-exchange
layer such as Ti in TiN/Ti/HfOx/TiN), or on the top electrode (a capping layer)."""


class LayerConfig(_Section):
    """An extra layer of the stack: a region of its own, named, with its material.

    Layers of one position are stacked bottom to top in the order given. The bottom and top
    contacts are the outer faces of the whole stack, so current and heat cross the layers.
    """

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="region name, e.g. "
                      "capping_layer, oxygen_exchange_layer, substrate")
    position: Literal[LAYER_POSITIONS]
    thickness_nm: float = Field(gt=0, le=1e4)
    material: str = Field(description="library name (apcfem materials)")


class GeometryConfig(_Section):
    """Cylindrical device stack: bottom electrode / switching layer / top electrode [nm], and
    optional extra ``layers`` (``[[geometry.layers]]``)."""

    kind: Literal["axisymmetric", "3d"] = Field(
        "axisymmetric", description="2-D axisymmetric (r, z) or full 3-D cylinder")
    cell_radius_nm: float = Field(20.0, gt=0, le=1e4)
    bottom_electrode_thickness_nm: float = Field(10.0, gt=0, le=1e4)
    switching_layer_thickness_nm: float = Field(10.0, gt=0, le=1e4)
    top_electrode_thickness_nm: float = Field(10.0, gt=0, le=1e4)
    seed_radius_nm: float = Field(
        0.0, ge=0, description="radius of a pre-formed filament seed subdomain; 0 = none")
    layers: list[LayerConfig] = Field(
        default_factory=list, description="extra layers beyond the three of the stack")

    @model_validator(mode="after")
    def _seed_fits(self) -> GeometryConfig:
        if self.seed_radius_nm >= self.cell_radius_nm:
            raise ValueError(
                f"seed_radius_nm = {self.seed_radius_nm:g} must be smaller than "
                f"cell_radius_nm = {self.cell_radius_nm:g}")
        return self

    @model_validator(mode="after")
    def _layer_names_distinct(self) -> GeometryConfig:
        names = [layer.name for layer in self.layers]
        for i, name in enumerate(names):
            if name in DEVICE_REGIONS or name in names[:i]:
                raise ValueError(f"layers[{i}].name = '{name}' is taken: give each extra "
                                 f"layer a name other than {', '.join(DEVICE_REGIONS)} and "
                                 "the other layers'")
        return self

    @property
    def region_names(self) -> tuple[str, ...]:
        """Every region name of the stack: the package's and the extra layers'."""
        return DEVICE_REGIONS + tuple(layer.name for layer in self.layers)

    def layer_bounds_nm(self) -> dict[str, tuple[float, float]]:
        """Layer name -> (z_bottom, z_top) [nm], bottom to top; the bottom electrode starts at
        z = 0 (layers below it lie at z < 0, so the switching layer stays where the three
        thicknesses put it)."""
        below = [(l.name, l.thickness_nm) for l in self.layers
                 if l.position == "below_bottom_electrode"]
        middle = [(l.name, l.thickness_nm) for l in self.layers
                  if l.position == "below_top_electrode"]
        above = [(l.name, l.thickness_nm) for l in self.layers
                 if l.position == "above_top_electrode"]
        order = [*below, ("bottom_electrode", self.bottom_electrode_thickness_nm),
                 ("switching_layer", self.switching_layer_thickness_nm), *middle,
                 ("top_electrode", self.top_electrode_thickness_nm), *above]
        z = -sum(t for _, t in below) + np.concatenate([[0.0], np.cumsum([t for _, t in order])])
        return {name: (float(z[i]), float(z[i + 1])) for i, (name, _) in enumerate(order)}


GroupRef = str | int | list[str | int]
"""A group of a mesh file: a name (physical group, cell set), an integer cell-data tag, or a
list of them (united)."""


class MeshConfig(_Section):
    """Mesh sizes [nm]: fine near the filament axis in the switching layer, coarse outside.

    With ``file`` set the device mesh is read from that file instead (any format meshio reads;
    a relative path is relative to the case file). ``regions`` and ``boundaries`` then map the
    package's names to the file's groups (by default each name maps to the group of the same
    name), and ``min_size_nm`` still sets the neck sampling (half of it).
    """

    min_size_nm: float = Field(0.05, gt=0, le=100)
    max_size_nm: float = Field(4.0, gt=0, le=1000)
    refinement_radius_nm: float = Field(
        2.0, ge=0, description="distance from the axis within which min_size_nm is used")
    growth_per_nm: float = Field(
        0.4, gt=0, description="increase of the element size per nm of distance beyond it")
    file: str | None = Field(
        None, description="device mesh file read with meshio (.msh, .vtu, .inp, .xdmf, ...)")
    length_unit: Literal["nm", "m"] | None = Field(
        None, description="unit of the coordinates in ``file`` (required with it)")
    cell_data: str | None = Field(
        None, description="integer cell-data array that integer group references index; "
        "default: gmsh:physical, else the file's only integer cell-data array")
    regions: dict[str, GroupRef] = Field(
        default_factory=dict, description="region name -> group(s) of the file")
    boundaries: dict[str, GroupRef] = Field(
        default_factory=dict, description="boundary name -> facet group(s) of the file")
    max_cells: int = Field(
        2_000_000, ge=1, description="largest number of cells a built mesh may have: a case "
        "whose estimate (before meshing) exceeds it is refused")

    @model_validator(mode="after")
    def _sizes_ordered(self) -> MeshConfig:
        if self.min_size_nm > self.max_size_nm:
            raise ValueError(f"min_size_nm = {self.min_size_nm:g} exceeds "
                             f"max_size_nm = {self.max_size_nm:g}")
        return self

    @model_validator(mode="after")
    def _file_needs_unit(self) -> MeshConfig:
        if self.file is not None and self.length_unit is None:
            raise ValueError(f"file = '{self.file}' needs length_unit = 'nm' or 'm' (the unit "
                             "of its coordinates)")
        if self.file is None and (self.regions or self.boundaries or self.length_unit
                                  or self.cell_data):
            raise ValueError("regions, boundaries, length_unit and cell_data describe a mesh "
                             "file: set file = 'device.msh' or delete them")
        _check_names("boundaries", self.boundaries, DEVICE_BOUNDARIES)
        return self


def _check_names(table: str, mapping: dict, known: tuple[str, ...]) -> None:
    """Every key of a [mesh.regions]/[mesh.boundaries] table is a name the package uses."""
    for name in mapping:
        if name not in known:
            raise ValueError(f"{table}.{name}: not one of the package's "
                             f"{table.rsplit('.', 1)[-1]} ({', '.join(known)})")


CELL_MEASURE = {2: np.sqrt(3.0) / 4.0, 3: 1.0 / (6.0 * np.sqrt(2.0))}
"""Area (volume) of the equilateral triangle (regular tetrahedron) of unit edge."""


def estimate_cells(geometry: GeometryConfig, mesh: MeshConfig, samples: int = 400) -> float:
    """Cells the built-in mesh of ``geometry`` will have: the integral of 1 / (c h^d) over the
    stack, h the size field of :mod:`apcfem.mesh.stack` (``min_size_nm`` within
    ``refinement_radius_nm`` of the axis in the switching layer, growing by ``growth_per_nm``
    to ``max_size_nm``) and c h^d the measure of a regular cell of edge h. Midpoint rule on a
    ``samples`` x ``samples`` grid; an estimate, within a factor of ~2 of what gmsh makes."""
    bounds = geometry.layer_bounds_nm()
    z_low, z_high = min(b[0] for b in bounds.values()), max(b[1] for b in bounds.values())
    z0, z1 = bounds["switching_layer"]
    r = (np.arange(samples) + 0.5) * geometry.cell_radius_nm / samples
    z = z_low + (np.arange(samples) + 0.5) * (z_high - z_low) / samples
    rr, zz = np.meshgrid(r, z)
    distance = np.hypot(np.maximum(rr - mesh.refinement_radius_nm, 0.0),
                        np.maximum(np.maximum(z0 - zz, zz - z1), 0.0))
    size = np.minimum(mesh.max_size_nm, mesh.min_size_nm + mesh.growth_per_nm * distance)
    dim = 2 if geometry.kind == "axisymmetric" else 3
    measure = 2.0 * np.pi * rr if dim == 3 else 1.0  # a 3-D cylinder: dV = 2 pi r dr dz
    cell_area = geometry.cell_radius_nm * (z_high - z_low) / samples ** 2
    return float(np.sum(measure * cell_area / (CELL_MEASURE[dim] * size ** dim)))


class MaterialsConfig(_Section):
    """Material of each region, by name in the materials library (``apcfem materials``)."""

    bottom_electrode: str = "Pt"
    switching_layer: str = "SiO2"
    top_electrode: str = "Ag"
    filament: str = "Ag"
    filament_conductivity_S_per_m: float | None = Field(
        None, gt=0, description="override of the filament's library electrical conductivity "
        "[S/m] (e.g. to sweep a hypothesis the library states a range for); its "
        "Wiedemann-Franz thermal part and its Drude mean free path follow "
        "(apcfem.materials.case_filament)")


class FilamentConfig(_Section):
    """Prescribed filament shape, drawn as a diffuse phase field xi in the switching layer.

    The radius profile is a(z) = a_neck + (a_base - a_neck) |z - z_neck|^p / L^p with L the
    distance from the neck to the farther electrode; p = 2 is an hourglass, p = 1 a double
    cone. A broken filament has a gap of ``gap_nm`` centred on the neck, between two tips of
    radius a_n. ``neck_position`` is the neck height as a fraction of the switching-layer thickness
    (0 = bottom electrode, 1 = top electrode).
    """

    shape: Literal["hourglass", "cone"] = "hourglass"
    neck_radius_nm: float = Field(0.5, ge=0, le=100)
    base_radius_nm: float = Field(3.0, gt=0, le=1000)
    neck_position: float = Field(0.5, ge=0, le=1)
    gap_nm: float = Field(
        0.0, ge=0, le=100, description="length of a break at the neck (broken filament)")
    aspect_ratio: float = Field(
        1.0, ge=1, le=10, description="3-D only: elliptical section with semi-axes "
        "a*sqrt(q) along x and a/sqrt(q) along y (same area as the circle of radius a)")
    interface_width_nm: float = Field(
        0.05, gt=0, le=10, description="tanh half-width of the filament boundary")


class PhysicsConfig(_Section):
    """Discretisation and thermal boundary data."""

    element_degree: int = Field(1, ge=1, le=3, description="Lagrange degree of phi and T")
    ambient_temperature_K: float = Field(300.0, gt=0, le=2000)
    neck_heating_length_nm: float = Field(
        1.0, gt=0, description="length over which the ballistic neck power I^2/G is released "
        "into the metal on both sides of the neck (inelastic relaxation length)")
    neck_power_split: Literal["metal", "banks"] = Field(
        "metal", description="how the neck power divides: 'metal' all into the meshed metal "
        "around the neck (weighted by metal fraction), 'banks' half on each side of the neck "
        "plane (the Landauer dissipation of an energy-independent transmission), the part of a "
        "side's half that falls in the electrode beyond the mesh leaving to that electrode's "
        "sink (a neck on an electrode face or a gap next to it heats the filament with half)")
    contact_heating: Literal["ballistic", "diffusive"] = Field(
        "ballistic", description="where the quantum contact's electrons dissipate: "
        "'ballistic' in the banks (the contact is at the banks' temperature, which smears the "
        "count), 'diffusive' inside the contact (Wiedemann-Franz: its peak temperature "
        "sqrt(T_banks^2 + V_contact^2/(4 L0)) smears the count and enters T_max); choose "
        "'diffusive' when the run warns that the neck is longer than the mean free path")
    wiedemann_franz: bool = Field(
        False, description="thermal conductivity k = L0 sigma T everywhere (electronic heat "
        "conduction; the steady heat becomes nonlinear) instead of the tabulated k")
    quadrature_degree: int | None = Field(
        None, ge=1, le=12, description="degree of the cell integrals of the device's forms; "
        "default 2 * element_degree + 2 (UFL's own estimate adds up every factor of the "
        "state-dependent laws, 5-7 for a cell's heat and conduction, and costs a third of a 3-D "
        "step); a form that sets its own degree keeps it")

    @property
    def cell_quadrature_degree(self) -> int:
        """``quadrature_degree`` or its default 2 * element_degree + 2."""
        return self.quadrature_degree or 2 * self.element_degree + 2


class LandauerConfig(_Section):
    """Channel counter for the circular neck."""

    transmission: Literal["abrupt", "saddle", "transfer_matrix"] = Field(
        "saddle", description="mode transmission of a whole neck: step function, adiabatic "
        "saddle point, or transfer matrix through the extracted profile (a broken filament "
        "always tunnels by transfer matrix)")
    temperature_K: float | None = Field(
        None, gt=0, le=2000, description="electron temperature; default: ambient")
    finite_bias: bool = Field(
        False, description="count at the bias across the contact (I/G, solved self-"
        "consistently with the circuit) instead of in linear response")
    beta: float = Field(0.5, ge=0, le=1, description="fraction of the contact bias dropped "
                        "on the top side, mu_top = E_F + beta eV")
    g_factor: float = Field(2.0, gt=0, le=100, description="electron g-factor (Zeeman)")
    gap_image_force: bool = Field(
        False, description="lower the tunnel barrier of a gap by the image force of its two "
        "metal surfaces (Simmons 1963), with the switching layer's image_force_permittivity "
        "from the materials library: G rises continuously from the tunnelling range towards "
        "the first plateau as a gap closes")


class CircuitConfig(_Section):
    """Source -> series resistor -> (optional compliance transistor) -> cell (top contact).

    The bottom contact is grounded. With ``current_limit_A`` set, a select transistor in
    saturation clamps the set-polarity (positive) current at I_cc; ``reset_current_limit_A``
    clamps the magnitude of negative currents (None: no limit, as for a reset through an open
    transistor).
    """

    series_resistance_ohm: float = Field(1.0e3, ge=0)
    current_limit_A: float | None = Field(
        None, gt=0, le=MAX_CURRENT_LIMIT_A,
        description="compliance current I_cc of the set polarity [A]")
    reset_current_limit_A: float | None = Field(
        None, gt=0, le=1e-1, description="limit of |I| for negative currents [A]")


class NeckRadiusSweep(_Section):
    """Quasi-static sweep of the prescribed neck radius at a fixed source voltage."""

    kind: Literal["neck_radius_sweep"]
    source_voltage_V: float = 0.1
    neck_radius_start_nm: float = Field(0.1, ge=0)
    neck_radius_stop_nm: float = Field(1.5, ge=0)
    points: int = Field(57, ge=2, le=100000)


class SourceVoltageSweep(_Section):
    """Quasi-static sweep of the source voltage with the prescribed filament fixed."""

    kind: Literal["source_voltage_sweep"]
    start_V: float = 0.0
    stop_V: float = 1.0
    points: int = Field(21, ge=2, le=100000)


class VoltageSweep(_Section):
    """Transient DC voltage sweep 0 -> set_voltage_V -> 0 [-> reset_voltage_V -> 0], ``cycles``
    times, at a constant ramp rate (the voltage is the source voltage of the circuit).

    ``reset_voltage_V`` may be a list of stop voltages: the reset branch is then one reverse
    sweep 0 -> V_k -> 0 per value, in order (the stop-voltage ladder of partial resets, Kharlanov
    et al. 2022 in the review sec. 4.2); the conductance left by each is read back at 0 V.
    """

    kind: Literal["voltage_sweep"]
    ramp_rate_V_per_s: float = Field(1.0, gt=0)
    set_voltage_V: float = Field(1.0, gt=0, description="maximum voltage of the set branch")
    reset_voltage_V: float | list[float] | None = Field(
        None, description="stop voltage(s) of the reset branch [V], < 0; None: set branch only")
    reset_stop_conductance_G0: float | None = Field(
        None, gt=0, description="turn each reverse sweep back towards 0 V as soon as the cell "
        "conductance falls to this [G0] (a reset stopped where the contact breaks, as a "
        "source-measure unit's current-threshold stop); None: to reset_voltage_V")
    cycles: int = Field(1, ge=1, le=100000)

    @field_validator("reset_voltage_V")
    @classmethod
    def _reset_negative(cls, value):
        if isinstance(value, list) and not value:
            raise ValueError("give at least one reset stop voltage, e.g. [-0.6, -0.7], or "
                             "delete reset_voltage_V for a set branch only")
        bad = [v for v in _as_stops(value) if not v < 0]
        if bad:
            raise ValueError(f"reset_voltage_V = {bad[0]:g}: a reset stop voltage must be < 0 "
                             "(the reverse polarity), e.g. -1.0")
        return value

    @model_validator(mode="after")
    def _stop_needs_a_reset(self) -> VoltageSweep:
        if self.reset_stop_conductance_G0 is not None and self.reset_voltage_V is None:
            raise ValueError("reset_stop_conductance_G0 stops a reverse sweep, but there is "
                             "none: give reset_voltage_V (the furthest the sweep may go, e.g. "
                             "-1.0) or delete reset_stop_conductance_G0")
        return self

    @property
    def reset_stops_V(self) -> list[float]:
        """The reset branch's stop voltages, in order [V] (empty: set branch only)."""
        return _as_stops(self.reset_voltage_V)


def _as_stops(value: float | list[float] | None) -> list[float]:
    """A reset voltage given as one value, a list or None, as a list of stops [V]."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class CurrentSweep(_Section):
    """Transient DC current sweep (a current source drives the cell): 0 -> set_current_A -> 0
    [-> reset_current_A -> 0], ``cycles`` times; the source voltage is capped at
    ``voltage_limit_V`` (voltage compliance of the current source)."""

    kind: Literal["current_sweep"]
    ramp_rate_A_per_s: float = Field(1e-4, gt=0)
    set_current_A: float = Field(1e-4, gt=0, le=1e-2)
    reset_current_A: float | None = Field(None, lt=0, ge=-1e-1)
    voltage_limit_V: float = Field(2.0, gt=0)
    cycles: int = Field(1, ge=1, le=100000)


class PulseTrain(_Section):
    """Trapezoidal voltage pulses: ``count`` set pulses of ``amplitude_V``, each optionally
    followed by a reset pulse of ``reset_amplitude_V``; pulses are ``interval_s`` apart (start
    to start). A set/reset pair is one cycle."""

    kind: Literal["pulse_train"]
    amplitude_V: float = Field(1.0, description="set pulse height [V]")
    width_s: float = Field(1e-6, gt=0, description="time at full amplitude [s]")
    rise_s: float = Field(1e-8, gt=0, description="rise time = fall time [s]")
    interval_s: float = Field(1e-5, gt=0, description="start-to-start spacing of pulses [s]")
    count: int = Field(1, ge=1, le=100000)
    reset_amplitude_V: float | None = Field(None, description="reset pulse height [V]")

    @model_validator(mode="after")
    def _pulses_fit(self) -> PulseTrain:
        if self.width_s + 2 * self.rise_s > self.interval_s:
            raise ValueError(f"width_s + 2 rise_s = {self.width_s + 2 * self.rise_s:g} s "
                             f"exceeds interval_s = {self.interval_s:g} s")
        return self


class FieldRamp(_Section):
    """Quasi-static ramp of the magnetic field (Zeeman splitting of the channels) with the
    prescribed filament fixed, read at a fixed source voltage."""

    kind: Literal["field_ramp"]
    source_voltage_V: float = 1e-3
    start_T: float = Field(0.0, ge=0, le=1000)
    stop_T: float = Field(10.0, ge=0, le=1000)
    points: int = Field(41, ge=2, le=100000)


class TemperatureRamp(_Section):
    """Quasi-static ramp of the heat-sink (ambient) temperature with the prescribed filament
    fixed, read at a fixed source voltage; the solved neck temperature smears the count."""

    kind: Literal["temperature_ramp"]
    source_voltage_V: float = 1e-3
    start_K: float = Field(18.0, gt=0, le=2000)
    stop_K: float = Field(290.0, gt=0, le=2000)
    points: int = Field(28, ge=2, le=100000)


class StrainRamp(_Section):
    """Quasi-static stretch of the prescribed neck (mechanically controllable break junction):
    the top contact is displaced along the axis, read at a fixed source voltage. The neck
    strains elastically until its axial stress reaches the yield stress, then thins plastically
    at constant volume over ``plastic_zone_nm`` and breaks into a gap once its radius falls
    below ``break_radius_nm`` (:mod:`apcfem.coupling.stretch`)."""

    kind: Literal["strain_ramp"]
    source_voltage_V: float = 1e-2
    displacement_stop_nm: float = Field(8.0, gt=0, le=1e3)
    points: int = Field(81, ge=2, le=100000)
    yield_stress_Pa: float = Field(
        1.5e9, gt=0, description="axial stress at which the neck starts to flow [Pa]")
    plastic_zone_nm: float = Field(
        0.5, gt=0, description="length of the neck that thins plastically [nm]")
    break_radius_nm: float = Field(
        0.23, gt=0, description="neck radius below which the contact ruptures [nm]")


class LightPulses(_Section):
    """Light switched on and off over a nanogap read at a fixed source voltage, in real time.

    Two-scale (:mod:`apcfem.coupling.light_cell`): a micrometre model of one electrode, a metal
    film of ``materials.top_electrode`` on a substrate disc, absorbs the light (tabulated n, k;
    ``absorption``), heats (transient, the substrate's bottom a heat sink) and expands
    (thermo-elasticity); its rim displacement, twice for the two facing electrodes, closes the
    gap of the nanometre neck model."""

    kind: Literal["light_pulses"]
    source_voltage_V: float = 1e-2
    wavelength_nm: float = Field(530.0, gt=0, description="LED wavelength [nm]")
    intensity_W_per_m2: float = Field(2.7e5, gt=0, description="incident intensity [W/m^2]")
    on_s: float = Field(1e-3, gt=0, description="light-on time of each cycle [s]")
    off_s: float = Field(1.5e-3, gt=0, description="dark time of each cycle [s]")
    cycles: int = Field(3, ge=1, le=1000)
    electrode_radius_um: float = Field(5.0, gt=0, description="radius of the film disc [um]")
    electrode_thickness_nm: float = Field(50.0, gt=0, description="metal film [nm]")
    substrate_thickness_um: float = Field(5.0, gt=0, description="substrate [um]")
    substrate: str = Field("PEO", description="substrate material (library name)")
    substrate_refractive_index: float = Field(
        1.46, gt=0, description="real refractive index of the substrate (Helmholtz exit port)")
    absorption: Literal["beer_lambert", "helmholtz"] = Field(
        "helmholtz", description="absorbed power: Beer-Lambert with Fresnel reflection, or the "
        "two-field Helmholtz solve through the film (interference included)")
    columns: int = Field(100, ge=4, le=10000, description="radial cells of the electrode model")


Protocol = Annotated[NeckRadiusSweep | SourceVoltageSweep | VoltageSweep | CurrentSweep
                     | PulseTrain | FieldRamp | TemperatureRamp | StrainRamp | LightPulses,
                     Field(discriminator="kind")]

TRANSIENT_PROTOCOLS = ("voltage_sweep", "current_sweep", "pulse_train")
"""Protocol kinds run by the filament-dynamics model rather than by quasi-static steps."""

REAL_TIME_PROTOCOLS = (*TRANSIENT_PROTOCOLS, "light_pulses")
"""Protocol kinds stepped in real time with adaptive steps (the others: one pseudo-second per
sweep point)."""


class DynamicsConfig(_Section):
    """Adaptive time stepping and events of a transient run."""

    dt_initial_s: float = Field(1e-4, gt=0)
    dt_min_s: float = Field(1e-12, gt=0)
    dt_max_s: float = Field(1e-2, gt=0)
    max_drive_step: float = Field(
        0.01, gt=0, le=1, description="largest change of the drive per step, as a fraction of "
        "the waveform's largest |value| (resolves sweeps and pulse edges)")
    target_newton_iterations: int = Field(
        5, ge=1, le=30, description="dt grows below, and shrinks above, this iteration count")
    max_steps: int = Field(20000, ge=1)
    max_resistance_change: float = Field(
        0.1, gt=0, le=10, description="largest |Delta R_cell / R_cell| of an accepted step "
        "(larger changes are cut back, down to dt_min_s)")
    circuit_tolerance: float = Field(
        1e-3, gt=0, le=0.1, description="V_cell of the implicit circuit iteration is consistent "
        "when it changes by less than this fraction of |V_source| (or 1 uV)")
    max_circuit_iterations: int = Field(8, ge=1, le=50)
    stop_at_compliance: bool = Field(False, description="end the run when I reaches I_cc")
    target_conductance_G0: float | None = Field(
        None, gt=0, description="end the run when the cell conductance reaches this [G0] "
        "at a source voltage >= 0 (set)")
    reset_target_conductance_G0: float | None = Field(
        None, gt=0, description="end the run when the cell conductance falls to this [G0] at "
        "a negative source voltage (reset complete, e.g. the filament ruptured)")
    stop_voltage_V: float | None = Field(
        None, description="end the run when the source voltage reaches this value [V]")

    @model_validator(mode="after")
    def _steps_ordered(self) -> DynamicsConfig:
        if not self.dt_min_s <= self.dt_initial_s <= self.dt_max_s:
            raise ValueError(f"need dt_min_s <= dt_initial_s <= dt_max_s, got {self.dt_min_s:g}"
                             f", {self.dt_initial_s:g}, {self.dt_max_s:g}")
        return self


class VariabilityConfig(_Section):
    """Seeded cycle-to-cycle variability: a draw per cycle from
    ``np.random.default_rng(SeedSequence(seed, spawn_key=(cycle,)))``."""

    seed: int = Field(0, ge=0)
    rate_spread: float = Field(
        0.0, ge=0, le=2, description="log-normal sigma of the deposition/exchange rates")
    nucleus_radius_spread: float = Field(
        0.0, ge=0, le=0.5, description="relative spread of the initial filament's radii "
        "(nucleus or cone)")
    nucleus_offset_nm: float = Field(
        0.0, ge=0, description="3-D: the initial filament's axis sits off the cell's, at a "
        "seeded point uniform over the disc of this radius [nm] (smaller than the filament's "
        "narrowest radius: the neck's rays and the jump to contact start from the axis)")
    section_aspect_spread: float = Field(
        0.0, ge=0, le=2, description="3-D: the initial filament's section is an ellipse of "
        "seeded aspect ratio 1 + spread u (u uniform in [0, 1)) and seeded orientation")
    interface_noise: float = Field(
        0.0, ge=0, le=10, description="ECM: shot noise of the metal/electrolyte reaction, as a "
        "factor on the standard deviation of the Poisson count of the atoms each node exchanges "
        "in a step (both Butler-Volmer branches): 0 = off, 1 = the physical amplitude; drawn "
        "per step from the seed (apcfem.coupling.deposition_noise)")
    activation_energy_spread_eV: float = Field(
        0.0, ge=0, le=0.3, description="sigma [eV] of a per-cycle shift of the mobile species' "
        "activation energy (the ions of an ECM cell, the vacancies of a VCM cell), normal and "
        "truncated at 2 sigma: the hopping barrier of the few sites a filament's tip crosses "
        "varies from cycle to cycle (the fits of the JART HfO2 model span 0.8-1.5 eV)")

    @property
    def seeded(self) -> bool:
        """Whether the seed reaches any source (a spread, an offset or the noise)."""
        return any(getattr(self, name) for name in type(self).model_fields if name != "seed")


REMOVED_ECM_KEYS = {
    "capillary_mobility_m2_per_s": "capillarity now follows from the filament metal's surface "
    "energy and atomic volume, K = v0 gamma Omega / (k_B T) (materials library)",
    "electrolyte_conductivity_S_per_m": "the ionic conductivity now follows from the ion's "
    "transport parameters, sigma = z^2 F^2 D c / (R T)",
    "contact_length_nm": "the quantum contact is now a lumped element across the neck plane",
    "cathode_exchange_current_density_A_per_m2": "the electrolyte is electroneutral: no plating "
    "of excess ions on the bare cathode",
    "cathode_plating_supersaturation": "the electrolyte is electroneutral: no plating of excess "
    "ions on the bare cathode",
}
"""Keys of earlier ECM models and why they went; a case that sets one gets this reason."""


class EcmConfig(_Section):
    """Electrochemical-metallisation model: Allen-Cahn filament metal, electroneutral ionic
    current, electronic current with a lumped quantum contact, heat.

    Material values come from the library (ion, surface energy, atomic volume of
    ``materials.filament``); the keys here are model parameters, and ``activation_energy_eV``,
    ``hopping_distance_nm`` and ``charge_number`` may override the library values (say why in
    the case file).
    """

    ion_reference_concentration_mol_per_m3: float = Field(
        1.0e3, gt=0, description="c: concentration of mobile cations in the electrolyte "
        "(electroneutral; sets the ionic conductivity)")
    activation_energy_eV: float | None = Field(
        None, gt=0, le=3, description="override of the library migration barrier [eV]")
    charge_number: int | None = Field(
        None, ge=1, le=3, description="override of the library ion charge z, e.g. 1 for Cu+ "
        "(the charge of Cu in SiO2 is disputed: see the Cu entry of the materials library)")
    hopping_drift: bool = Field(True, description="Mott-Gurney high-field drift")
    hopping_distance_nm: float | None = Field(
        None, gt=0, le=5, description="override of the library hopping distance a of the "
        "Mott-Gurney drift [nm] (an apparent distance fitted to nonlinear ionic conduction "
        "can be several jump lengths)")
    exchange_current_density_A_per_m2: float = Field(
        10.0, gt=0, description="j0 of deposition/dissolution at the filament surface")
    anode_exchange_current_density_A_per_m2: float = Field(
        10.0, gt=0, description="j0 of the oxidation/reduction of the active electrode")
    transfer_coefficient: float = Field(0.5, gt=0, lt=1)
    interface_width_nm: float = Field(0.15, gt=0, le=5, description="tanh half-width lambda")
    curvature: Literal["laplacian", "level_set"] = Field(
        "level_set", description="curvature in the Gibbs-Thomson shift: 'level_set' (of the "
        "level sets, from the nodal signed distance: accurate at h ~ lambda; see "
        "apcfem.physics.interface_curvature) or 'laplacian' (from -lap(xi) and the tanh "
        "profile: cheaper, but off by up to 0.2 V of shift where h ~ lambda)")
    lumped_phase: bool = Field(
        True, description="integrate the phase field's local terms (time derivative, "
        "double well, reaction) and the deposition at the mesh vertices (mass lumping: xi "
        "stays within [0, 1] on a non-obtuse mesh)")
    thermally_activated_exchange: bool = Field(
        False, description="the exchange current of the metal's deposition and dissolution "
        "(and the capillary mobility it sets) thermally activated with the ion's migration "
        "barrier, j0(T) = j0 exp(-E_a / k_B (1/T - 1/T_ambient)): a hot filament grows and "
        "dissolves faster; off: the same j0 at every temperature, so that heating only lowers "
        "the Tafel exponent z e eta / k_B T and a hot tip grows slower")
    shell_correction: bool = Field(
        False, description="add the electron-shell part of the neck electrons' energy per atom "
        "(apcfem.landauer.shell: a sawtooth in the neck radius, falling where a mode opens and "
        "rising along each conductance plateau) to the electrochemical potential of the metal "
        "around a connected neck, in a Gaussian window of the neck's radius about its plane")
    jump_to_contact_nm: float | None = Field(
        None, ge=0, description="a gap closing under a deposition bias bridges by one atom "
        "once it is this narrow (jump to contact), and a neck on an electrode face whose last "
        "mode closes leaves a gap at least this wide (jump out of contact, with "
        "landauer.transmission = 'saddle'); default the filament metal's atomic diameter "
        "(6 Omega / pi)^(1/3), 0 switches both off")
    nucleus_radius_nm: float = Field(
        0.8, gt=0, description="radius of the initial hemispherical nucleus on the cathode")
    initial_filament: Literal["nucleus", "cone"] = Field(
        "nucleus", description="start state: 'nucleus' (a hemisphere of nucleus_radius_nm on "
        "the cathode) or 'cone' (the filament an earlier set left: cone_base_radius_nm on the "
        "cathode narrowing to cone_tip_radius_nm, its tip cone_gap_nm below the anode)")
    cone_base_radius_nm: float = Field(1.5, gt=0, description="cone radius on the cathode")
    cone_tip_radius_nm: float = Field(
        0.3, gt=0, description="cone tip radius (the neck when the cone touches the anode)")
    cone_gap_nm: float = Field(
        0.0, ge=0, description="gap between the cone's rounded tip and the anode (0: connected)")
    tunnel_barrier_eV: float | None = Field(
        None, gt=0, le=10, description="barrier above E_F across a gap; default: work function "
        "of the filament metal minus the electron affinity of the switching layer")
    matrix: bool = Field(
        False, description="the filament grows against the solid switching layer: beyond the "
        "cavity earlier metal opened (the initial filament and, for a cone short of the anode, "
        "the channel its dissolved part left) deposition needs the extra overpotential "
        "p Omega / (z e), p the layer's indentation hardness from the materials library "
        "(expanding cavity; apcfem.physics.matrix_cavity)")
    matrix_cavity_pressure_GPa: float | None = Field(
        None, gt=0, le=50, description="override of the pressure p [GPa] of ecm.matrix (e.g. "
        "for a porous film softer than the library's dense one; say why in the case file)")
    channel_radius_nm: float | None = Field(
        None, gt=0, description="with ecm.matrix and a cone short of the anode: the radius at "
        "the anode [nm] of the channel the cone's dissolved part left (the channel narrows "
        "linearly from the tip's radius to it; the neck of the filament that was there); "
        "default: the cone's taper continued to the anode")
    heat: bool = Field(True, description="steady heat (Joule + neck) each accepted step")

    @model_validator(mode="before")
    @classmethod
    def _removed_keys(cls, data):
        if isinstance(data, dict):
            for key, reason in REMOVED_ECM_KEYS.items():
                if key in data:
                    raise ValueError(f"ecm.{key} was removed: {reason}; delete it from the "
                                     "case file")
        return data

    @model_validator(mode="after")
    def _channel_needs_a_matrix_and_a_gap(self):
        if self.channel_radius_nm is not None and not (
                self.matrix and self.initial_filament == "cone" and self.cone_gap_nm > 0):
            raise ValueError("ecm.channel_radius_nm is the channel a cone short of the anode "
                             "left in the matrix: it needs ecm.matrix = true, initial_filament "
                             "= 'cone' and cone_gap_nm > 0; delete it otherwise")
        return self


class VcmConfig(_Section):
    """Valence-change model: oxygen vacancies V_O^2+ in the switching oxide (lattice-gas
    Nernst-Planck with Arrhenius D(T), Mott-Gurney drift, optional Soret term), field-driven
    oxygen exchange at the getter interface (top), blocking inert electrode (bottom), electronic
    conductivity rising steeply across the metallic threshold c_th, heat.

    Material values come from the library: the vacancy (``materials.switching_layer`` ion), the
    disc limits and electron mobility of the oxide, the exchange current density of the getter
    (the extra layer just below the top electrode, else the top electrode), the filament's
    conductivity and its temperature coefficient (``materials.filament``). Concentrations are
    per m^3; None takes the library value.
    """

    activation_energy_eV: float | None = Field(
        None, gt=0, le=3, description="override of the library vacancy migration barrier [eV]")
    hopping_drift: bool = Field(True, description="Mott-Gurney high-field drift")
    soret_coefficient_per_K: float = Field(
        0.0, ge=-1.0, le=1.0, description="S_T of the flux -D c S_T grad T [1/K] (> 0: "
        "vacancies move to colder regions; 0: no thermodiffusion)")
    heat_of_transport_eV: float = Field(
        0.0, ge=-3.0, le=3.0, description="Q* of the thermodiffusion flux -D c Q* / (k_B T^2) "
        "grad T [eV], on top of soret_coefficient_per_K (zero flux: c ~ exp(Q* / k_B T); < 0 "
        "draws the vacancies into hot regions; Strukov, Alibart & Williams, Appl. Phys. A 107, "
        "509 (2012): Q* = -E_a, e.g. -1.35 for HfOx; 0: none)")
    threshold_concentration_per_m3: float = Field(
        1.0e27, gt=0, description="metallic threshold c_th: the filament is c_V > c_th")
    threshold_width: float = Field(
        0.3, gt=0, le=3, description="width of the conductivity step in ln(c_V / c_th): "
        "sigma switches from hopping to metallic over c_th exp(+-width)")
    vacancy_flux: Literal["galerkin", "scharfetter_gummel"] = Field(
        "galerkin", description="discretisation of the vacancy flux: 'galerkin' (log-density "
        "Galerkin with streamline diffusion) or 'scharfetter_gummel' "
        "(edge-averaged, monotone at any cell Peclet number, P1 only): the README's VCM "
        "section compares them")
    electron_averaging_length_nm: float = Field(
        0.1, ge=0, le=5, description="length l [nm] over which the electrons average the "
        "vacancy density that sets the conductivity (Helmholtz average; 0: local sigma(c_V)): "
        "conduction through a depleted layer of thickness d then decays as exp(-d / 2 l), as "
        "tunnelling's exp(-2 kappa d) for l = 1 / (4 kappa): 0.1 nm for the 1.25 eV barrier "
        "of HfOx with m* = 0.2 m_e")
    neck_level: float = Field(
        0.5, gt=0, lt=1, description="filament indicator level of the neck contour (0.5: "
        "c_V = c_th; higher levels put the contour at higher c_V)")
    background_concentration_per_m3: float | None = Field(
        None, gt=0, description="c_V of the oxide outside the filament (default: the library's "
        "vacancy_concentration_min_per_m3 of the switching layer)")
    filament_concentration_per_m3: float | None = Field(
        None, gt=0, description="c_V in the initial filament and the exchange equilibrium "
        "(default: the library's vacancy_concentration_max_per_m3)")
    exchange_current_density_A_per_m2: float | None = Field(
        None, gt=0, description="override of the getter's library j0 of oxygen exchange")
    transfer_coefficient: float = Field(0.5, gt=0, lt=1)
    interface_width_nm: float = Field(
        0.2, gt=0, le=5, description="tanh half-width of the initial filament's boundary")
    cone_base_radius_nm: float = Field(
        2.0, gt=0, description="initial filament: radius on the getter interface (top)")
    cone_tip_radius_nm: float = Field(
        1.0, gt=0, description="initial filament: radius on the inert electrode (bottom)")
    disc_length_nm: float = Field(
        1.0, ge=0, description="initial filament: length of the partially depleted disc on "
        "the inert electrode (the gap a reset left; 0: connected)")
    disc_concentration_per_m3: float = Field(
        3.0e26, gt=0, description="initial filament: c_V in the disc (below the threshold: "
        "the disc conducts by hopping, the filament is broken)")
    apex_radius_nm: float | None = Field(
        None, gt=0, description="initial filament: the stub of the broken neck inside the "
        "disc, a frustum of the filament's concentration narrowing from cone_tip_radius_nm at "
        "the disc's top to this radius apex_gap_nm above the inert electrode (None: a flat "
        "disc, the tip's whole face apex_gap_nm = disc_length_nm away)")
    apex_gap_nm: float | None = Field(
        None, gt=0, description="initial filament: the gap between the apex of the stub and "
        "the inert electrode (with apex_radius_nm)")
    jump_to_contact_nm: float | None = Field(
        None, ge=0, description="a gap of the filament closing under a set bias bridges once it "
        "is this narrow (the last vacancy hop: a depleted sheet thinner than one hop is no "
        "continuum layer), and a connected neck whose last mode closes leaves a gap at least "
        "this wide (jump out of contact); default the vacancy's hopping distance in the "
        "library, 0 switches both off")
    heat: bool = Field(True, description="steady heat (Joule + neck) each accepted step")
    filament_heat_conduction: Literal["table", "wiedemann_franz"] = Field(
        "table", description="thermal conductivity of the filament: 'table', the library's "
        "(or the conductivity override's) value at 300 K at any temperature; "
        "'wiedemann_franz', its lattice part plus the electrons' L0 sigma_f(T) T with the "
        "filament's own sigma_f(T) (the library's value is that sum at 300 K), so a hot "
        "filament conducts heat as its electrons do")
    heat_sinks: Literal["oxide_faces", "electrode_films"] = Field(
        "oxide_faces",
        description="where the heat sinks at the ambient temperature are: 'oxide_faces', on the "
        "switching layer's faces (the electrodes perfect sinks); 'electrode_films', at the far "
        "faces of the electrode films of the geometry, reached through them (a Robin condition "
        "of conductance 1 / sum(t_i / k_i) per area, lateral spreading in the films neglected)")

    @model_validator(mode="after")
    def _threshold_inside_limits(self) -> VcmConfig:
        low, high = self.background_concentration_per_m3, self.filament_concentration_per_m3
        c_th = self.threshold_concentration_per_m3
        if not self.disc_concentration_per_m3 < c_th:
            raise ValueError(f"disc_concentration_per_m3 = {self.disc_concentration_per_m3:g} "
                             f"must be below threshold_concentration_per_m3 = {c_th:g} (the "
                             "disc is the depleted gap of a broken filament)")
        if low is not None and not low < c_th:
            raise ValueError(f"background_concentration_per_m3 = {low:g} must be below "
                             f"threshold_concentration_per_m3 = {c_th:g} (the oxide outside "
                             "the filament is not metallic)")
        if high is not None and not high > c_th:
            raise ValueError(f"filament_concentration_per_m3 = {high:g} must be above "
                             f"threshold_concentration_per_m3 = {c_th:g} (the filament is "
                             "metallic)")
        return self

    @model_validator(mode="after")
    def _apex_inside_the_disc(self) -> VcmConfig:
        if (self.apex_radius_nm is None) != (self.apex_gap_nm is None):
            raise ValueError("apex_radius_nm and apex_gap_nm describe the stub of the broken "
                             "neck together: give both or neither")
        if self.apex_radius_nm is None:
            return self
        if not self.apex_radius_nm < self.cone_tip_radius_nm:
            raise ValueError(f"apex_radius_nm = {self.apex_radius_nm:g} must be smaller than "
                             f"cone_tip_radius_nm = {self.cone_tip_radius_nm:g} (the stub "
                             "narrows from the tip's face)")
        if not self.apex_gap_nm < self.disc_length_nm:
            raise ValueError(f"apex_gap_nm = {self.apex_gap_nm:g} must be smaller than "
                             f"disc_length_nm = {self.disc_length_nm:g} (the stub lies inside "
                             "the disc; without one delete both apex keys)")
        return self


class OutputConfig(_Section):
    """What a run writes besides the resolved configuration and timeseries.csv."""

    fields: bool = Field(True, description="write phi, T, sigma, xi as VTX (.bp) for ParaView")
    plots: bool = True
    checkpoint_every_steps: int = Field(
        10, ge=1, le=1000000, description="write a restart checkpoint (checkpoint.h5) every "
        "this many accepted steps, and when a run fails (apcfem run --resume DIR)")
    histogram_skip_cycles: int = Field(
        0, ge=0, description="first cycles left out of the conductance histograms of a cycled "
        "run (while the remnant of the initial state settles into the cycles' own)")


class MeasuredPoint(_Section):
    """A measured final conductance [G0] after a set at compliance current [A], with its
    source."""

    current_limit_A: float = Field(gt=0, description="compliance current I_cc [A]")
    G_G0: float = Field(gt=0, description="conductance after the set [G0]")
    source: str = Field(min_length=1, description="where the point comes from")


MILANO_2024 = "Milano et al. 2024 (Ag filaments, as quoted in the review)"
"""Source of the default measured points of a compliance ladder."""


class _Study(_Section):
    """What every study has: how its independent runs share the MPI ranks."""

    ranks_per_run: int | None = Field(
        None, ge=1,
        description="MPI ranks each of the study's runs runs on: the ranks are split into "
                    "groups of this size that run their share of the runs side by side "
                    "(apcfem.study_runs; the rank count must be a multiple of it); None: "
                    "every run on all ranks, one after the other")


class LadderStudy(_Study):
    """``compliance_ladder``: the set branch of the voltage sweep once per compliance current in
    ``current_limits_A`` (each replaces ``circuit.current_limit_A``); the conductance read on
    the return branch at ``read_voltage_V`` is compared with the set relation R_on ~ V_c / I_cc
    and with the ``measured`` points.
    """

    kind: Literal["compliance_ladder"]
    current_limits_A: list[float] = Field(
        description="compliance currents I_cc [A], strictly increasing")
    measured: list[MeasuredPoint] = Field(
        default_factory=lambda: [
            MeasuredPoint(current_limit_A=1e-4, G_G0=1.0, source=MILANO_2024),
            MeasuredPoint(current_limit_A=4e-4, G_G0=2.5, source=MILANO_2024)],
        description="experimental (I_cc, G) points drawn with the result")
    read_voltage_V: float | None = Field(
        0.1, gt=0.0,
        description="source voltage [V] on the return branch at which G_final is read, as "
                    "R_on is read after a set; None: at the end of the branch (0 V), where "
                    "a thin neck may already be dissolving")

    @field_validator("current_limits_A")
    @classmethod
    def _currents_ladder(cls, currents: list[float]) -> list[float]:
        if not currents:
            raise ValueError("give at least one compliance current [A], e.g. [5e-5, 1e-4]")
        bad = [c for c in currents if not 0 < c <= MAX_CURRENT_LIMIT_A]
        if bad:
            raise ValueError(f"{bad[0]:g} is not a compliance current in amperes (need 0 < I_cc "
                             f"<= {MAX_CURRENT_LIMIT_A:g} A; 50 uA is 5e-05)")
        if any(high <= low for low, high in pairwise(currents)):
            raise ValueError("the currents must be strictly increasing: sort them and drop "
                             "repeats")
        return currents


class CycleChainsStudy(_Study):
    """``cycle_chains``: the case's cycled protocol run as ``chains`` independent chains, chain
    k with ``variability.seed`` + k (so chain k is the case run alone with that seed), and
    their conductance histograms merged, each chain without its first
    ``output.histogram_skip_cycles`` cycles: chains x counted cycles set states, and the
    dwell over all of their time. The chains are what make a histogram of hundreds of cycles
    a parallel job (``ranks_per_run``); one long chain cannot be split.
    """

    kind: Literal["cycle_chains"]
    chains: int = Field(ge=2, le=100000, description="number of independent chains")


StudyConfig = Annotated[LadderStudy | CycleChainsStudy, Field(discriminator="kind")]


TRANSIENT_ONLY = {
    "dynamics": ("dt_initial_s", "dt_min_s", "dt_max_s", "max_drive_step",
                 "target_newton_iterations", "max_resistance_change"),
    "ecm": tuple(k for k in EcmConfig.model_fields if k != "tunnel_barrier_eV"),
    "variability": (),
}
"""Keys (all of a section: ``()``) that only the filament-dynamics model of transient
protocols reads."""
QUASI_STATIC_ONLY = {"filament": ()}
"""Keys only the prescribed filament of quasi-static sweeps reads."""
IGNORED_WHY = {
    False: "a quasi-static sweep steps a prescribed filament, one pseudo-second per point",
    True: "a transient run grows its own filament from ecm.nucleus_radius_nm"}
LIGHT_IGNORES = {key: TRANSIENT_ONLY[key] for key in ("ecm", "variability")}
"""Keys a ``light_pulses`` run (real time, a prescribed filament whose gap the light moves)
does not read."""


def _thinner_than_mesh(layer: str, thickness_nm: float, min_size_nm: float) -> str:
    """The message for a layer thinner than the smallest element, with a unit hint."""
    hint = (f" (lengths are in nm: {thickness_nm:g} looks like metres)"
            if thickness_nm < 1e-6 else "")
    return (f"the {layer} is {thickness_nm:g} nm thick, thinner than mesh.min_size_nm = "
            f"{min_size_nm:g}{hint}: thicken the layer or lower min_size_nm")


LinearMethod = Literal["direct", "iterative"]
"""A linear solve: MUMPS LU, or CG with algebraic multigrid (GAMG)."""


class SolverConfig(_Section):
    """Linear solver of each linear solve of a run, and the ECM Newton tolerance (``apcfem.coupling.linear``).

    ``"direct"`` (MUMPS LU) is robust for any conductivity contrast and the default: in 2-D its
    cost is small. ``"iterative"`` (CG preconditioned by smoothed-aggregation algebraic
    multigrid, GAMG; elasticity with its rigid-body modes as near-null space) scales to 3-D
    stacks of millions of unknowns; it converges to a relative residual of 1e-12. The coupled
    (xi, phi_e) block of an ECM run keeps its Newton solve (to ``ecm_newton_tolerance``) with
    MUMPS: it is nonsymmetric with
    exponential Butler-Volmer terms, and in 2-D the direct factorisation is cheaper than a
    block preconditioner (a field split is selected with PETSc options, see the README).
    PETSc options with a solver's prefix (``PETSC_OPTIONS="-apcfem_heat_ksp_monitor"``)
    override these presets.
    """

    conduction: LinearMethod = Field(
        "direct", description="the unit-voltage body conduction solve (the cut cell with the "
        "lumped contact is always direct)")
    heat: LinearMethod = Field("direct", description="steady and transient heat solves "
                               "(k independent of T; a Wiedemann-Franz k(T) is solved by "
                               "Newton with this linear method)")
    elasticity: LinearMethod = Field("direct", description="thermo-elastic displacement solves")
    ecm_newton_tolerance: float = Field(
        1e-12, gt=0, le=1e-6, description="absolute and relative residual tolerance of the ECM "
        "cell's coupled Newton solve. The closing gap amplifies what the tolerance leaves "
        "~1000x into G: at 1e-12 the demo's series agree to 1e-9 on 1 and 2 ranks, at 1e-9 "
        "(25 % fewer Newton iterations) to 4e-4 of G's range")


class CaseConfig(_Section):
    """A whole case file."""

    title: str = "apcfem case"
    geometry: GeometryConfig = GeometryConfig()
    mesh: MeshConfig = MeshConfig()
    materials: MaterialsConfig = MaterialsConfig()
    filament: FilamentConfig = FilamentConfig()
    physics: PhysicsConfig = PhysicsConfig()
    landauer: LandauerConfig = LandauerConfig()
    circuit: CircuitConfig = CircuitConfig()
    protocol: Protocol = NeckRadiusSweep(kind="neck_radius_sweep")
    output: OutputConfig = OutputConfig()
    dynamics: DynamicsConfig = DynamicsConfig()
    ecm: EcmConfig = EcmConfig()
    vcm: VcmConfig | None = Field(
        None, description="run the transient protocol with the valence-change (oxygen-"
        "vacancy) model instead of the ECM one")
    variability: VariabilityConfig = VariabilityConfig()
    solver: SolverConfig = SolverConfig()
    study: StudyConfig | None = Field(
        None, description="run a study of the protocol instead of a single run")

    @model_validator(mode="after")
    def _mesh_regions_known(self) -> CaseConfig:
        _check_names("mesh.regions", self.mesh.regions, self.geometry.region_names)
        return self

    @model_validator(mode="after")
    def _elliptic_needs_3d(self) -> CaseConfig:
        if self.filament.aspect_ratio != 1.0 and self.geometry.kind == "axisymmetric":
            raise ValueError(f"filament.aspect_ratio = {self.filament.aspect_ratio:g} needs "
                             "geometry.kind = '3d' (an axisymmetric section is a circle)")
        return self

    @model_validator(mode="after")
    def _edge_fluxes_need_p1(self) -> CaseConfig:
        vcm = self.vcm
        if (vcm is not None and vcm.vacancy_flux == "scharfetter_gummel"
                and self.physics.element_degree != 1):
            raise ValueError(f"vcm.vacancy_flux = 'scharfetter_gummel' needs "
                             f"physics.element_degree = 1 (got {self.physics.element_degree}): "
                             "its edge fluxes are those of linear elements")
        return self

    @model_validator(mode="after")
    def _lengths_fit(self) -> CaseConfig:
        g, m = self.geometry, self.mesh
        if m.file is None:
            for name, (low, high) in g.layer_bounds_nm().items():
                if high - low < m.min_size_nm:
                    raise ValueError(_thinner_than_mesh(name, high - low, m.min_size_nm))
        radii = {"filament.base_radius_nm": self.filament.base_radius_nm,
                 "filament.neck_radius_nm": self.filament.neck_radius_nm}
        if isinstance(self.protocol, NeckRadiusSweep):
            radii |= {f"protocol.{k}": getattr(self.protocol, k)
                      for k in ("neck_radius_start_nm", "neck_radius_stop_nm")}
        for key, radius in radii.items():
            if radius >= g.cell_radius_nm:
                raise ValueError(f"{key} = {radius:g} must be smaller than "
                                 f"geometry.cell_radius_nm = {g.cell_radius_nm:g}")
        ecm = self.ecm
        if ecm.initial_filament == "cone" and max(ecm.cone_base_radius_nm,
                                                  ecm.cone_tip_radius_nm) >= g.cell_radius_nm:
            raise ValueError("ecm.cone_base_radius_nm and ecm.cone_tip_radius_nm must be smaller "
                             f"than geometry.cell_radius_nm = {g.cell_radius_nm:g}")
        if (ecm.initial_filament == "cone" and ecm.cone_gap_nm > 0
                and ecm.cone_gap_nm + ecm.cone_tip_radius_nm >= g.switching_layer_thickness_nm):
            raise ValueError(f"ecm.cone_gap_nm + ecm.cone_tip_radius_nm = "
                             f"{ecm.cone_gap_nm + ecm.cone_tip_radius_nm:g} must be smaller than "
                             "geometry.switching_layer_thickness_nm = "
                             f"{g.switching_layer_thickness_nm:g}")
        if self.ecm.nucleus_radius_nm >= g.switching_layer_thickness_nm:
            raise ValueError(f"ecm.nucleus_radius_nm = {self.ecm.nucleus_radius_nm:g} must be "
                             "smaller than geometry.switching_layer_thickness_nm = "
                             f"{g.switching_layer_thickness_nm:g} (the nucleus would touch "
                             "the anode)")
        return self

    @model_validator(mode="after")
    def _mesh_within_budget(self) -> CaseConfig:
        if self.mesh.file is not None:
            return self
        cells = estimate_cells(self.geometry, self.mesh)
        if cells > self.mesh.max_cells:
            raise ValueError(f"the mesh would have about {cells:.3g} cells, more than "
                             f"mesh.max_cells = {self.mesh.max_cells}: raise mesh.min_size_nm "
                             f"(now {self.mesh.min_size_nm:g}) or mesh.max_size_nm (now "
                             f"{self.mesh.max_size_nm:g}), or raise max_cells if you mean it")
        return self

    @model_validator(mode="after")
    def _no_ignored_keys(self) -> CaseConfig:
        transient = self.protocol.kind in REAL_TIME_PROTOCOLS
        ignored = TRANSIENT_ONLY if not transient else QUASI_STATIC_ONLY
        why = IGNORED_WHY[transient]
        if self.protocol.kind == "light_pulses":
            ignored, why = LIGHT_IGNORES, "the light moves the gap of a prescribed filament"
        for section, keys in ignored.items():
            default = type(getattr(self, section))()
            for key in keys or type(default).model_fields:
                if getattr(getattr(self, section), key) != getattr(default, key):
                    raise ValueError(
                        f"{section}.{key} has no effect in a "
                        f"{'transient' if transient else 'quasi-static'} protocol.kind = "
                        f"'{self.protocol.kind}' ({why}): delete it")
        return self

    def region_material_names(self) -> dict[str, str]:
        """Library material name of every region of the stack (the filament seed region is
        switching layer)."""
        m = self.materials
        return {"bottom_electrode": m.bottom_electrode, "switching_layer": m.switching_layer,
                "filament_seed": m.switching_layer, "top_electrode": m.top_electrode,
                **{layer.name: layer.material for layer in self.geometry.layers}}

    def exchange_material(self) -> tuple[str, str]:
        """(case key, library name) of the oxygen-getter material on the switching layer's top
        face: the first extra layer below the top electrode, else the top electrode."""
        for i, layer in enumerate(self.geometry.layers):
            if layer.position == "below_top_electrode":
                return f"geometry.layers.{i}.material", layer.material
        return "materials.top_electrode", self.materials.top_electrode

    @model_validator(mode="after")
    def _vcm_runs_filament_dynamics(self) -> CaseConfig:
        vcm, g = self.vcm, self.geometry
        if vcm is None:
            return self
        if self.protocol.kind not in TRANSIENT_PROTOCOLS:
            raise ValueError(f"[vcm] evolves the vacancies in real time: protocol.kind = "
                             f"'{self.protocol.kind}' does not (use one of "
                             f"{', '.join(TRANSIENT_PROTOCOLS)}, or delete [vcm])")
        default = EcmConfig()
        for key in EcmConfig.model_fields:
            if key != "tunnel_barrier_eV" and getattr(self.ecm, key) != getattr(default, key):
                raise ValueError(f"ecm.{key} has no effect with [vcm] (the valence-change model "
                                 "replaces the ECM one): delete it")
        if max(vcm.cone_base_radius_nm, vcm.cone_tip_radius_nm) >= g.cell_radius_nm:
            raise ValueError("vcm.cone_base_radius_nm and vcm.cone_tip_radius_nm must be smaller "
                             f"than geometry.cell_radius_nm = {g.cell_radius_nm:g}")
        if vcm.disc_length_nm >= g.switching_layer_thickness_nm:
            raise ValueError(f"vcm.disc_length_nm = {vcm.disc_length_nm:g} must be smaller than "
                             "geometry.switching_layer_thickness_nm = "
                             f"{g.switching_layer_thickness_nm:g}")
        return self

    @model_validator(mode="after")
    def _interface_noise_on_the_ecm_phase(self) -> CaseConfig:
        if self.variability.interface_noise == 0.0:
            return self
        if self.vcm is not None:
            raise ValueError("variability.interface_noise is the shot noise of the ECM "
                             "filament's reaction: set it to 0 in a [vcm] case")
        if not self.ecm.lumped_phase:
            raise ValueError("variability.interface_noise adds a nodal increment to the phase "
                             "field: it needs ecm.lumped_phase = true")
        return self

    @model_validator(mode="after")
    def _section_variability_in_3d(self) -> CaseConfig:
        var = self.variability
        if not (var.nucleus_offset_nm > 0 or var.section_aspect_spread > 0):
            return self
        if self.geometry.kind != "3d":
            raise ValueError("variability.nucleus_offset_nm and section_aspect_spread move or "
                             "shape the filament off the axis: they need geometry.kind = '3d' "
                             "(set them to 0 in an axisymmetric cell)")
        cell = self.vcm if self.vcm is not None else self.ecm
        if self.vcm is not None or cell.initial_filament == "cone":
            narrowest = min(cell.cone_base_radius_nm, cell.cone_tip_radius_nm)
        else:
            narrowest = cell.nucleus_radius_nm
        if not var.nucleus_offset_nm < narrowest:
            raise ValueError(f"variability.nucleus_offset_nm = {var.nucleus_offset_nm:g} must "
                             f"be smaller than the initial filament's narrowest radius "
                             f"({narrowest:g} nm), so that the filament keeps the axis")
        return self

    @model_validator(mode="after")
    def _histogram_keeps_a_cycle(self) -> CaseConfig:
        skip = self.output.histogram_skip_cycles
        cycles = getattr(self.protocol, "cycles", getattr(self.protocol, "count", 1))
        if skip and skip >= cycles:
            raise ValueError(f"output.histogram_skip_cycles = {skip} leaves none of the "
                             f"protocol's {cycles} cycles in the histograms: lower it below "
                             f"{cycles} or run more cycles")
        return self

    @model_validator(mode="after")
    def _chains_differ(self) -> CaseConfig:
        if self.study is None or self.study.kind != "cycle_chains":
            return self
        study = "study.kind = 'cycle_chains'"
        if self.protocol.kind not in TRANSIENT_PROTOCOLS:
            raise ValueError(f"{study} merges the conductance histograms of transient runs, not "
                             f"of protocol.kind = '{self.protocol.kind}': use one of "
                             f"{', '.join(TRANSIENT_PROTOCOLS)}")
        if not self.variability.seeded:
            raise ValueError(f"{study}: every chain would run the same cycles (the seed reaches "
                             "no source): set a spread or noise in [variability], e.g. "
                             "rate_spread = 0.3")
        return self

    @model_validator(mode="after")
    def _study_runs_one_set_branch(self) -> CaseConfig:
        if self.study is None or self.study.kind != "compliance_ladder":
            return self
        study, protocol = f"study.kind = '{self.study.kind}'", self.protocol
        if protocol.kind != "voltage_sweep":
            raise ValueError(f"{study} runs the set branch of a transient voltage sweep, not "
                             f"protocol.kind = '{protocol.kind}': set [protocol] kind = "
                             "'voltage_sweep'")
        if protocol.reset_voltage_V is not None or protocol.cycles != 1:
            raise ValueError(f"{study} reads the conductance at the end of one set branch: "
                             "delete protocol.reset_voltage_V and set protocol.cycles = 1 (got "
                             f"reset_voltage_V = {protocol.reset_voltage_V}, cycles = "
                             f"{protocol.cycles})")
        read = self.study.read_voltage_V
        if read is not None and read >= protocol.set_voltage_V:
            raise ValueError(f"study.read_voltage_V = {read:g} V is not passed on the return "
                             f"branch of a sweep to protocol.set_voltage_V = "
                             f"{protocol.set_voltage_V:g} V: read below the top (0.1 V is "
                             "usual)")
        return self
