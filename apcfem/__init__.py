"""apcfem: finite-element simulation of conductive filaments and quantized conductance.

The DOLFINx wheel (``dolfinx-solver-real``) must set up its PETSc before ``dolfinx`` or
``petsc4py`` are imported; a conda/Docker DOLFINx has no such module and needs nothing.
"""

try:
    import dolfinx_solver  # noqa: F401  (side effect: configures the wheel's PETSc)
except ImportError:
    pass

from apcfem.python_compat import disable_singledispatch_method_caches

disable_singledispatch_method_caches()

from apcfem.cases import bundled_case, bundled_cases
from apcfem.compliance_ladder import LadderResult, run_compliance_ladder
from apcfem.config import CaseConfig, CaseError, load_case, update_case
from apcfem.cycle_chains import ChainsResult, run_cycle_chains
from apcfem.landauer import (
    G0_S,
    ConductanceResult,
    Electrons,
    ModeTransmissions,
    ProfileConductance,
    circular_conductance,
    circular_current_A,
    circular_mode_transmissions,
    modes_conductance,
    profile_conductance,
    profile_transmissions,
    strained_neck,
    zeeman_critical_field_T,
)
from apcfem.materials import UnknownMaterialError, get_material, material_names
from apcfem.output.mesh_file import write_device_mesh
from apcfem.section_modes import (
    SectionModes,
    ellipse_section_mesh,
    polygon_section_mesh,
    section_modes,
)
from apcfem.simulation import RunResult, Simulation

__all__ = [
    "G0_S",
    "CaseConfig",
    "CaseError",
    "ChainsResult",
    "ConductanceResult",
    "Electrons",
    "LadderResult",
    "ModeTransmissions",
    "ProfileConductance",
    "RunResult",
    "SectionModes",
    "Simulation",
    "UnknownMaterialError",
    "bundled_case",
    "bundled_cases",
    "circular_conductance",
    "circular_current_A",
    "circular_mode_transmissions",
    "ellipse_section_mesh",
    "get_material",
    "load_case",
    "material_names",
    "modes_conductance",
    "polygon_section_mesh",
    "profile_conductance",
    "profile_transmissions",
    "run_compliance_ladder",
    "run_cycle_chains",
    "section_modes",
    "strained_neck",
    "update_case",
    "write_device_mesh",
    "zeeman_critical_field_T",
]
