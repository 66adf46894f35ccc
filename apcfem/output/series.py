"""Time series written row by row as CSV (rank 0), flushed so an interrupted run keeps it."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
from mpi4py import MPI


class NonFiniteOutputError(ValueError):
    """A row holds NaN or Inf in a column that must be finite; nothing of the row is written."""


class SeriesWriter:
    """Collects rows in memory on all ranks and appends them to a CSV file on rank 0.

    Each row is appended as one line and flushed, so a killed run leaves whole rows. Before a
    row is kept it is checked: NaN or Inf raise :class:`NonFiniteOutputError`, except in the
    ``sentinels`` columns, where they carry a documented meaning (e.g. R_fe = inf while the
    filament is broken). With ``path=None`` rows are only kept in memory (a run from a script
    without output).

    Args:
        path: CSV file, or None.
        columns: column names, in order.
        comm: the run's communicator.
        sentinels: columns that may hold NaN or Inf.
        resume_rows: continue an existing file after its first ``resume_rows`` rows (later rows,
            written after the checkpoint being resumed, are dropped); None starts a new file.
    """

    def __init__(self, path: Path | None, columns: list[str], comm: MPI.Comm,
                 sentinels: tuple[str, ...] = (), resume_rows: int | None = None):
        self.path = Path(path) if path else None
        self.columns = columns
        self.sentinels = frozenset(sentinels)
        self._rows: list[dict[str, float]] = []
        self._rank0 = comm.rank == 0 and self.path is not None
        if resume_rows is not None and self.path is not None:
            self._rows = comm.bcast(self._truncate(resume_rows) if self._rank0 else None, root=0)
        elif self._rank0:
            replace_text(self.path, _csv_line(columns))

    def append(self, row: dict[str, float]) -> None:
        """Check and keep ``row`` (column -> value), appending it to the file (rank 0).

        Raises:
            KeyError: a column is missing.
            NonFiniteOutputError: NaN or Inf outside the sentinel columns.
        """
        missing = set(self.columns) - set(row)
        if missing:
            raise KeyError(f"time series row lacks {sorted(missing)}")
        bad = [c for c in self.columns if c not in self.sentinels and not np.isfinite(row[c])]
        if bad:
            raise NonFiniteOutputError(f"{', '.join(f'{c} = {row[c]}' for c in bad)} in the "
                                       "row of the accepted state: not written")
        self._rows.append(row)
        if self._rank0:
            with self.path.open("a", newline="") as stream:
                stream.write(_csv_line([f"{row[c]:.10g}" for c in self.columns]))
                stream.flush()

    def arrays(self) -> dict[str, np.ndarray]:
        """Column name -> values."""
        return {c: np.array([row[c] for row in self._rows]) for c in self.columns}

    def __len__(self) -> int:
        return len(self._rows)

    def _truncate(self, rows: int) -> list[dict[str, float]]:
        """Keep the header and the first ``rows`` rows of the file (rewritten atomically);
        return them."""
        with self.path.open(newline="") as stream:
            lines = stream.read().splitlines(keepends=True)
        kept = lines[:rows + 1]
        if len(kept) != rows + 1 or not all(line.endswith("\n") for line in kept):
            raise ValueError(f"{self.path}: has {len(lines) - 1} whole rows, the checkpoint "
                             f"needs {rows}")
        table = list(csv.reader(io.StringIO("".join(kept))))
        if table[0] != self.columns:
            raise ValueError(f"{self.path}: its columns are not this version's")
        replace_text(self.path, "".join(kept))
        return [dict(zip(self.columns, map(float, line), strict=True)) for line in table[1:]]


def _csv_line(values: list[str]) -> str:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerow(values)
    return stream.getvalue()


def replace_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed onto it: a reader (or a run
    killed meanwhile) sees the old file or the new one, never half of it."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


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
