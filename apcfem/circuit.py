"""External circuit: source -> series resistor -> cell (DESIGN.md sec. 6). No FE here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OperatingPoint:
    """Source voltage [V], cell voltage [V], current [A] and cell resistance [ohm]."""

    V_source_V: float
    V_cell_V: float
    I_A: float
    R_cell_ohm: float


def series_operating_point(V_source_V: float, R_series_ohm: float,
                           R_cell_ohm: float) -> OperatingPoint:
    """Voltage divider of a source, a series resistor and the cell.

    An open cell (R_cell = inf, e.g. a broken filament with no tunnelling) carries no current
    and takes the whole source voltage.
    """
    if np.isinf(R_cell_ohm):
        return OperatingPoint(V_source_V, V_source_V, 0.0, R_cell_ohm)
    current = V_source_V / (R_series_ohm + R_cell_ohm)
    return OperatingPoint(V_source_V, current * R_cell_ohm, current, R_cell_ohm)
