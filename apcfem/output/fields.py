"""Field snapshots for ParaView as one VTX (ADIOS2 .bp) series."""

from __future__ import annotations

from pathlib import Path

from dolfinx import fem
from dolfinx.io import VTXWriter


class FieldWriter:
    """Writes the given functions (same space) at each step; collective on all ranks."""

    def __init__(self, path: Path, functions: list[fem.Function]):
        self._writer = VTXWriter(functions[0].function_space.mesh.comm, str(path), functions,
                                 engine="BP4")

    def write(self, time: float) -> None:
        self._writer.write(time)

    def close(self) -> None:
        self._writer.close()
