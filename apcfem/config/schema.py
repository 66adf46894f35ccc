"""Typed, validated case schema.

A case file is TOML; every section maps to one frozen pydantic model below. Units are SI and
stated in the field names (``_nm`` for geometry, which gmsh draws in nanometres and the mesh
module scales to metres). Unknown keys are rejected (``extra="forbid"``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GeometryConfig(_Section):
    """Cylindrical device stack: bottom electrode / switching layer / top electrode [nm]."""

    kind: Literal["axisymmetric", "3d"] = Field(
        "axisymmetric", description="2-D axisymmetric (r, z) or full 3-D cylinder")
    cell_radius_nm: float = Field(20.0, gt=0, le=1e4)
    bottom_electrode_thickness_nm: float = Field(10.0, gt=0, le=1e4)
    switching_layer_thickness_nm: float = Field(10.0, gt=0, le=1e4)
    top_electrode_thickness_nm: float = Field(10.0, gt=0, le=1e4)
    seed_radius_nm: float = Field(
        0.0, ge=0, description="radius of a pre-formed filament seed subdomain; 0 = none")

    @model_validator(mode="after")
    def _seed_fits(self) -> GeometryConfig:
        if self.seed_radius_nm >= self.cell_radius_nm:
            raise ValueError(
                f"seed_radius_nm = {self.seed_radius_nm:g} must be smaller than "
                f"cell_radius_nm = {self.cell_radius_nm:g}")
        return self

    @property
    def total_thickness_nm(self) -> float:
        return (self.bottom_electrode_thickness_nm + self.switching_layer_thickness_nm
                + self.top_electrode_thickness_nm)


class MeshConfig(_Section):
    """Mesh sizes [nm]: fine near the filament axis in the switching layer, coarse outside."""

    min_size_nm: float = Field(0.05, gt=0, le=100)
    max_size_nm: float = Field(4.0, gt=0, le=1000)
    refinement_radius_nm: float = Field(
        2.0, ge=0, description="distance from the axis within which min_size_nm is used")
    growth_per_nm: float = Field(
        0.4, gt=0, description="increase of the element size per nm of distance beyond it")

    @model_validator(mode="after")
    def _sizes_ordered(self) -> MeshConfig:
        if self.min_size_nm > self.max_size_nm:
            raise ValueError(f"min_size_nm = {self.min_size_nm:g} exceeds "
                             f"max_size_nm = {self.max_size_nm:g}")
        return self


class MaterialsConfig(_Section):
    """Material of each region, by name in the materials library (``apcfem materials``)."""

    bottom_electrode: str = "Pt"
    switching_layer: str = "SiO2"
    top_electrode: str = "Ag"
    filament: str = "Ag"


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
    interface_width_nm: float = Field(
        0.05, gt=0, le=10, description="tanh half-width of the filament boundary")


class PhysicsConfig(_Section):
    """Discretisation and thermal boundary data."""

    element_degree: int = Field(1, ge=1, le=3, description="Lagrange degree of phi and T")
    ambient_temperature_K: float = Field(300.0, gt=0, le=2000)
    neck_heating_length_nm: float = Field(
        1.0, gt=0, description="length over which the ballistic neck power I^2/G is released "
        "into the metal on both sides of the neck (inelastic relaxation length)")


class LandauerConfig(_Section):
    """Channel counter for the circular neck."""

    transmission: Literal["abrupt", "saddle"] = Field(
        "saddle", description="mode transmission: step function or adiabatic saddle point")
    temperature_K: float | None = Field(
        None, gt=0, le=2000, description="electron temperature; default: ambient")


class CircuitConfig(_Section):
    """Source -> series resistor -> cell (top contact), bottom contact grounded."""

    series_resistance_ohm: float = Field(1.0e3, ge=0)


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


Protocol = Annotated[NeckRadiusSweep | SourceVoltageSweep, Field(discriminator="kind")]


class OutputConfig(_Section):
    """What a run writes besides the resolved configuration and timeseries.csv."""

    fields: bool = Field(True, description="write phi, T, sigma, xi as VTX (.bp) for ParaView")
    plots: bool = True


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
