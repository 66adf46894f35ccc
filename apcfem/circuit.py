"""External circuit: source -> series resistor -> compliance transistor -> cell (DESIGN.md sec. 6).

No FE here. The cell is a resistance R_cell [ohm] (FE ohmic part in series with the quantum
contact 1/G_Landauer) that the caller updates at every accepted step. The select transistor of a
1T1R cell is modelled as an ideal current limiter: in its linear region it is a short, in
saturation it passes at most I_cc and takes up the rest of the source voltage (e.g. Ielmini,
Semicond. Sci. Technol. 31, 063002 (2016), sec. 3: set with a compliance current).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OperatingPoint:
    """Source voltage [V], cell voltage [V], current [A] and cell resistance [ohm].

    ``limited`` is True when the compliance (or the voltage limit of a current source) is active.
    """

    V_source_V: float
    V_cell_V: float
    I_A: float
    R_cell_ohm: float
    limited: bool = False


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


def compliance_operating_point(V_source_V: float, R_series_ohm: float, R_cell_ohm: float,
                               current_limit_A: float | None,
                               reset_current_limit_A: float | None = None) -> OperatingPoint:
    """Series circuit with a transistor that clamps I <= I_cc (and -I <= I_reset if given).

    Args:
        V_source_V: source voltage [V].
        R_series_ohm: series resistance [ohm] (line + transistor on-resistance).
        R_cell_ohm: cell resistance [ohm] (inf for an open cell).
        current_limit_A: compliance current I_cc [A] of positive currents, None for none.
        reset_current_limit_A: limit of |I| [A] for negative currents, None for none.

    Returns:
        The operating point; when clamped, V_cell = I_cc R_cell and the transistor drops the
        remainder V_source - I_cc (R_series + R_cell).
    """
    free = series_operating_point(V_source_V, R_series_ohm, R_cell_ohm)
    limit = current_limit_A if free.I_A >= 0 else reset_current_limit_A
    if limit is None or abs(free.I_A) <= limit:
        return free
    current = float(np.copysign(limit, free.I_A))
    return OperatingPoint(V_source_V, current * R_cell_ohm, current, R_cell_ohm, limited=True)


def current_source_operating_point(I_source_A: float, R_cell_ohm: float,
                                   voltage_limit_V: float) -> OperatingPoint:
    """A current source driving the cell, with the source voltage capped at +-voltage_limit_V.

    ``V_source_V`` of the result is the voltage the source has to supply (= V_cell).
    """
    if np.isinf(R_cell_ohm) or abs(I_source_A) * R_cell_ohm > voltage_limit_V:
        voltage = float(np.copysign(voltage_limit_V, I_source_A)) if I_source_A else 0.0
        current = 0.0 if np.isinf(R_cell_ohm) else voltage / R_cell_ohm
        return OperatingPoint(voltage, voltage, current, R_cell_ohm, limited=True)
    voltage = I_source_A * R_cell_ohm
    return OperatingPoint(voltage, voltage, I_source_A, R_cell_ohm)
