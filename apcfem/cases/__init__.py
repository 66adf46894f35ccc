"""Case files shipped with the package (``apcfem cases`` lists them)."""

from importlib import resources
from pathlib import Path


def bundled_cases() -> list[str]:
    """Names of the shipped case files (without ``.toml``)."""
    return sorted(p.name[:-5] for p in resources.files(__name__).iterdir()
                  if p.name.endswith(".toml"))


def bundled_case(name: str) -> Path:
    """Path of a shipped case file, e.g. ``bundled_case("ag_sio2_pt_staircase")``."""
    path = Path(str(resources.files(__name__) / f"{name}.toml"))
    if not path.is_file():
        raise FileNotFoundError(f"no bundled case '{name}' (have: {', '.join(bundled_cases())})")
    return path
