"""One PDE per module: each returns UFL residual forms; solving lives in :mod:`apcfem.coupling`."""

from apcfem.physics.conduction import Conduction
from apcfem.physics.heat import Heat
from apcfem.physics.properties import region_constant

__all__ = ["Conduction", "Heat", "region_constant"]
