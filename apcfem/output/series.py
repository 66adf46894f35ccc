"""Time series written row by row as CSV (rank 0), flushed so an interrupted run keeps it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from mpi4py import MPI


class SeriesWriter:
    """Collects rows in memory on all ranks and appends them to a CSV file on rank 0.

    With ``path=None`` rows are only kept in memory (a run from a script without output).
    """

    def __init__(self, path: Path | None, columns: list[str], comm: MPI.Comm):
        self.path = Path(path) if path else None
        self.columns = columns
        self._rows: list[dict[str, float]] = []
        self._rank0 = comm.rank == 0 and self.path is not None
        if self._rank0:
            with self.path.open("w", newline="") as stream:
                csv.writer(stream).writerow(columns)

    def append(self, row: dict[str, float]) -> None:
        missing = set(self.columns) - set(row)
        if missing:
            raise KeyError(f"time series row lacks {sorted(missing)}")
        self._rows.append(row)
        if self._rank0:
            with self.path.open("a", newline="") as stream:
                csv.writer(stream).writerow([f"{row[c]:.10g}" for c in self.columns])

    def arrays(self) -> dict[str, np.ndarray]:
        """Column name -> values."""
        return {c: np.array([row[c] for row in self._rows]) for c in self.columns}


def read_series(path: str | Path) -> dict[str, np.ndarray]:
    """Column name -> values of a time series written by :class:`SeriesWriter`.

    Raises:
        OSError: the file cannot be read.
        ValueError: no header, or a row that is not all numbers of the header's length.
    """
    with Path(path).open(newline="") as stream:
        header, *rows = list(csv.reader(stream)) or [[]]
    if not header or any(len(row) != len(header) for row in rows):
        raise ValueError(f"{path}: not a time series (empty, or rows of unequal length)")
    values = np.array(rows, dtype=float).reshape(len(rows), len(header))
    return {name: values[:, k] for k, name in enumerate(header)}
