"""The run directory: resolved case and provenance, created before any expensive work."""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from mpi4py import MPI

from apcfem.config.schema import CaseConfig
from apcfem.output.checkpoint import CHECKPOINT
from apcfem.output.series import replace_text

RESOLVED_CASE = "resolved_case.toml"


def prepare_run_directory(path: str | Path, cfg: CaseConfig, comm: MPI.Comm,
                          resume: bool = False) -> Path:
    """Create ``path`` (rank 0) and write the resolved case; raise early if it is unwritable.

    A new run (``resume=False``) removes the checkpoint of an earlier run in ``path``, which
    would not belong to this case.
    """
    path = Path(path)
    error = None
    if comm.rank == 0:
        try:
            path.mkdir(parents=True, exist_ok=True)
            replace_text(path / RESOLVED_CASE, to_toml(cfg.model_dump(mode="json")))
            if not resume:
                (path / CHECKPOINT).unlink(missing_ok=True)
        except OSError as err:
            error = f"output directory {path}: {err.strerror}"
    error = comm.bcast(error, root=0)
    if error:
        raise OSError(error)
    return path


def write_run_info(path: Path, comm: MPI.Comm, info: dict[str, Any]) -> None:
    """Provenance and run statistics as ``run_info.json`` (rank 0)."""
    if comm.rank != 0:
        return
    versions = {}
    for package in ("apcfem", "fenics-dolfinx", "dolfinx-solver-real", "numpy", "gmsh"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    record = {"python": sys.version.split()[0], "platform": platform.platform(),
              "mpi_ranks": comm.size, "versions": versions, **info}
    replace_text(path / "run_info.json", json.dumps(record, indent=2))


def to_toml(data: dict[str, Any]) -> str:
    """TOML text of a nested dict of scalars (the resolved case is re-runnable)."""
    lines: list[str] = []
    _emit(data, [], lines)
    return "\n".join(lines).lstrip() + "\n"


def _emit(table: dict[str, Any], prefix: list[str], lines: list[str],
          header: str = "[{}]") -> None:
    """Append ``table`` under ``header``: its scalars, then its tables and arrays of tables."""
    scalars = {k: v for k, v in table.items()
               if not isinstance(v, dict) and not _is_table_array(v) and v is not None}
    if prefix:
        lines.append("\n" + header.format(".".join(prefix)))
    lines.extend(f"{key} = {json.dumps(value)}" for key, value in scalars.items())
    for key, value in table.items():
        if isinstance(value, dict):
            _emit(value, [*prefix, key], lines)
        elif _is_table_array(value):
            for entry in value:
                _emit(entry, [*prefix, key], lines, "[[{}]]")


def _is_table_array(value: Any) -> bool:
    """A non-empty list of tables, written as ``[[name]]`` entries."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
