"""One PDE per module: each returns UFL residual forms; solving lives in :mod:`apcfem.coupling`."""

from apcfem.physics.conduction import Conduction
from apcfem.physics.elasticity import ThermoElasticity, displacement_bc, mean_displacement
from apcfem.physics.heat import (
    Heat,
    HeatSink,
    TransientHeat,
    backward_difference,
    diffusive_contact_peak_K,
    wiedemann_franz_k,
)
from apcfem.physics.nernst_planck import ButlerVolmer, NernstPlanck, Species, thermal_voltage
from apcfem.physics.optics import (
    AbsorbingLayer,
    BeerLambert,
    Helmholtz,
    OpticalPort,
    absorption_coefficient,
    drude_permittivity,
)
from apcfem.physics.poisson import SpaceChargePoisson
from apcfem.physics.properties import fixed_values, region_constant

__all__ = [
    "AbsorbingLayer",
    "BeerLambert",
    "ButlerVolmer",
    "Conduction",
    "Heat",
    "HeatSink",
    "Helmholtz",
    "NernstPlanck",
    "OpticalPort",
    "SpaceChargePoisson",
    "Species",
    "ThermoElasticity",
    "TransientHeat",
    "absorption_coefficient",
    "backward_difference",
    "diffusive_contact_peak_K",
    "displacement_bc",
    "drude_permittivity",
    "fixed_values",
    "mean_displacement",
    "region_constant",
    "thermal_voltage",
    "wiedemann_franz_k",
]
