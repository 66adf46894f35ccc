"""Field snapshots for ParaView as one VTX (ADIOS2 .bp) series."""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
from dolfinx import fem
from dolfinx.io import VTXWriter
from mpi4py import MPI

from apcfem.output.series import NonFiniteOutputError


class FieldWriter:
    """Writes the given functions at each step; collective on all ranks.

    A VTX file holds functions of one element only: the functions are grouped by element, the
    first group goes to ``path`` and each further one to ``<stem>_<element>.bp`` beside it
    (e.g. ``fields.bp`` with xi, phi_e, T on P1 and ``fields_DG1.bp`` with the discontinuous
    metal potential). :attr:`paths` lists them.

    Close it on every rank at the same point (``close()`` is collective and idempotent), or use
    it as a context manager: ``with FieldWriter(path, [phi, T]) as fields: fields.write(t)``.
    """

    def __init__(self, path: Path, functions: list[fem.Function]):
        self.path = Path(path)
        self._comm = functions[0].function_space.mesh.comm
        self._functions = list(functions)
        groups: dict[str, list[fem.Function]] = {}
        for function in functions:
            groups.setdefault(_element_label(function), []).append(function)
        self.paths = [self.path if i == 0 else self.path.with_name(
            f"{self.path.stem}_{label}{self.path.suffix}") for i, label in enumerate(groups)]
        self._writers: list[VTXWriter] | None = [
            VTXWriter(self._comm, str(p), group, engine="BP4")
            for p, group in zip(self.paths, groups.values(), strict=True)]

    @property
    def closed(self) -> bool:
        return self._writers is None

    def write(self, time: float) -> None:
        """Append a snapshot at ``time`` (any increasing step label, e.g. [s]); collective.

        Raises:
            ValueError: after :meth:`close`.
            NonFiniteOutputError: a function holds NaN or Inf on some rank (nothing written).
        """
        if self._writers is None:
            raise ValueError(f"{self.path}: field writer is closed")
        bad = [u.name for u in self._functions
               if not self._comm.allreduce(bool(np.isfinite(u.x.array).all()), op=MPI.LAND)]
        if bad:
            raise NonFiniteOutputError(f"{', '.join(bad)} hold NaN or Inf: snapshot at "
                                       f"{time:g} not written to {self.path}")
        for writer in self._writers:
            writer.write(time)

    def close(self) -> None:
        """Finish the .bp series (collective). Further calls do nothing."""
        writers, self._writers = self._writers, None
        for writer in writers or ():
            writer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """Close, unless an exception leaves the block of a parallel run: it may be this rank's
        alone, and the collective close would then wait for ranks that never come."""
        if kind is None or self._comm.size == 1:
            self.close()


def _element_label(function: fem.Function) -> str:
    """Short name of a function's element, e.g. ``P1`` or ``DG1``."""
    element = function.function_space.ufl_element()
    family = "DG" if element.discontinuous else "P"
    return f"{family}{element.embedded_superdegree}"
