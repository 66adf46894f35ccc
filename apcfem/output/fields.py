"""Field snapshots for ParaView as one VTX (ADIOS2 .bp) series."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from dolfinx import fem
from dolfinx.io import VTXWriter


class FieldWriter:
    """Writes the given functions (same space) at each step; collective on all ranks.

    Close it on every rank at the same point (``close()`` is collective and idempotent), or use
    it as a context manager: ``with FieldWriter(path, [phi, T]) as fields: fields.write(t)``.
    """

    def __init__(self, path: Path, functions: list[fem.Function]):
        self.path = Path(path)
        self._comm = functions[0].function_space.mesh.comm
        self._writer: VTXWriter | None = VTXWriter(self._comm, str(path), functions,
                                                   engine="BP4")

    @property
    def closed(self) -> bool:
        return self._writer is None

    def write(self, time: float) -> None:
        """Append a snapshot at ``time`` (any increasing step label, e.g. [s]); collective.

        Raises:
            ValueError: after :meth:`close`.
        """
        if self._writer is None:
            raise ValueError(f"{self.path}: field writer is closed")
        self._writer.write(time)

    def close(self) -> None:
        """Finish the .bp series (collective). Further calls do nothing."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """Close, unless an exception leaves the block of a parallel run: it may be this rank's
        alone, and the collective close would then wait for ranks that never come."""
        if kind is None or self._comm.size == 1:
            self.close()
