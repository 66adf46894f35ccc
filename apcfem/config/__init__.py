"""Case configuration: schema and TOML loader."""

from apcfem.config.loader import CaseError, case_from_dict, load_case, update_case
from apcfem.config.schema import CaseConfig

__all__ = ["CaseConfig", "CaseError", "case_from_dict", "load_case", "update_case"]
