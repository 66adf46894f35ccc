"""Drive protocols as sequences of quasi-static steps (DESIGN.md sec. 6). No FE here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apcfem.config.schema import NeckRadiusSweep, SourceVoltageSweep


@dataclass(frozen=True)
class SweepPoint:
    """One quasi-static step: the source voltage [V] and, if swept, the neck radius [nm]."""

    source_voltage_V: float
    neck_radius_nm: float | None = None


def sweep_points(protocol: NeckRadiusSweep | SourceVoltageSweep) -> list[SweepPoint]:
    """The ordered steps of a sweep protocol."""
    if isinstance(protocol, NeckRadiusSweep):
        radii = np.linspace(protocol.neck_radius_start_nm, protocol.neck_radius_stop_nm,
                            protocol.points)
        return [SweepPoint(protocol.source_voltage_V, float(a)) for a in radii]
    voltages = np.linspace(protocol.start_V, protocol.stop_V, protocol.points)
    return [SweepPoint(float(v)) for v in voltages]
