"""One PDE per module: each returns UFL residual forms; solving lives in :mod:`apcfem.coupling`."""

from apcfem.physics.conduction import Conduction
from apcfem.physics.heat import Heat
from apcfem.physics.nernst_planck import ButlerVolmer, NernstPlanck, Species, thermal_voltage
from apcfem.physics.poisson import SpaceChargePoisson
from apcfem.physics.properties import region_constant

__all__ = ["ButlerVolmer", "Conduction", "Heat", "NernstPlanck", "SpaceChargePoisson",
           "Species", "region_constant", "thermal_voltage"]
