"""Checks on what a run writes and on the states it accepts: no NaN or Inf in the time series
or field snapshots, and physical guards reported with time and location.

Collective checks: run serially and under ``mpiexec -n 2 pytest -m "not serial"``.
"""

import logging
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.guards import PhysicalGuardError, PhysicalGuards
from apcfem.materials import get_material
from apcfem.output.fields import FieldWriter
from apcfem.output.series import NonFiniteOutputError, SeriesWriter, read_series

NM = 1e-9


def _shared_tmp(tmp_path) -> Path:
    return Path(MPI.COMM_WORLD.bcast(str(tmp_path), root=0))


def test_series_refuses_nan_and_inf_outside_the_sentinel_columns(tmp_path):
    comm = MPI.COMM_WORLD
    path = _shared_tmp(tmp_path) / "series.csv"
    series = SeriesWriter(path, ["t", "G", "R"], comm, sentinels=("R",))
    series.append({"t": 0.0, "G": 1.0, "R": np.inf})  # R = inf: a broken filament
    for bad in (np.nan, np.inf, -np.inf):
        with pytest.raises(NonFiniteOutputError, match=f"G = {bad}"):
            series.append({"t": 1.0, "G": bad, "R": 1.0})
    comm.barrier()
    written = read_series(path)
    assert len(series) == 1 and written["R"].tolist() == [np.inf]


def test_resumed_series_drops_the_rows_after_the_checkpoint(tmp_path):
    comm = MPI.COMM_WORLD
    path = _shared_tmp(tmp_path) / "series.csv"
    first = SeriesWriter(path, ["step"], comm)
    for step in range(5):
        first.append({"step": float(step)})
    comm.barrier()
    if comm.rank == 0:  # a kill in the middle of a row
        with path.open("a") as stream:
            stream.write("5")
    comm.barrier()
    resumed = SeriesWriter(path, ["step"], comm, resume_rows=3)
    resumed.append({"step": 3.0})
    comm.barrier()
    assert read_series(path)["step"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert resumed.arrays()["step"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_field_snapshot_with_nan_on_one_rank_is_refused_on_all(tmp_path):
    comm = MPI.COMM_WORLD
    msh = mesh.create_unit_square(comm, 4, 4)
    u = fem.Function(fem.functionspace(msh, ("Lagrange", 1)), name="u")
    with FieldWriter(_shared_tmp(tmp_path) / "fields.bp", [u]) as fields:
        fields.write(0.0)
        if comm.rank == comm.size - 1:
            u.x.array[0] = np.nan
        with pytest.raises(NonFiniteOutputError, match="u hold NaN or Inf"):
            fields.write(1.0)
        u.x.array[:] = 0.0


def _cell(T_of_x, xi_of_x=lambda x: 0.0 * x[0]):
    """A stand-in with the fields the guards read: T [K] and the filament metal fraction."""
    msh = mesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [10 * NM, 20 * NM]], [4, 8])
    space = fem.functionspace(msh, ("Lagrange", 1))
    T, xi = fem.Function(space), fem.Function(space)
    T.interpolate(T_of_x)
    xi.interpolate(xi_of_x)
    return SimpleNamespace(T=T, filament=xi)


def test_guards_stop_at_zero_kelvin_and_negative_conductance_with_the_place():
    guards = PhysicalGuards(get_material("Ag"), MPI.COMM_WORLD)
    cold = _cell(lambda x: 300.0 - 400.0 * (x[1] > 19.9 * NM))
    with pytest.raises(PhysicalGuardError, match=r"t = 1\.0+e-03 s, step 7: temperature "
                                                 r"-100 K <= 0 at x = \(.*, 20\) nm"):
        guards.check(1e-3, 7, cold, 1e-5)
    with pytest.raises(PhysicalGuardError, match="contact conductance -1.000e-05 S < 0"):
        guards.check(1e-3, 7, _cell(lambda x: 300.0 + 0.0 * x[0]), -1e-5)


def test_guards_warn_once_when_the_melting_point_is_passed(caplog):
    comm = MPI.COMM_WORLD
    guards = PhysicalGuards(get_material("Ag"), comm)
    melting = get_material("Ag").melting_point_K.value
    hot = _cell(lambda x: 300.0 + (melting + 100.0 - 300.0) * (x[0] < 0.1 * NM)
                * (np.abs(x[1] - 10 * NM) < 1.3 * NM))
    with caplog.at_level(logging.WARNING, logger="apcfem.guards"):
        guards.check(2e-3, 3, hot, 1e-5)
        guards.check(3e-3, 4, hot, 1e-5)  # the same violation: not again
        guards.check(4e-3, 5, _cell(lambda x: 300.0 + 0.0 * x[0]), 1e-5)
        guards.check(5e-3, 6, hot, 1e-5)  # a new one
    warnings = [r.getMessage() for r in caplog.records]
    if comm.rank == 0:
        assert len(warnings) == 2, warnings
        assert warnings[0].startswith("t = 2.000000e-03 s, step 3: T = ")
        assert f"exceeds the melting point {melting} K of Ag" in warnings[0]
        assert "at x = (0, 10) nm" in warnings[0]
    else:
        assert warnings == []


def test_guards_warn_about_a_metal_fraction_outside_zero_one(caplog):
    guards = PhysicalGuards(get_material("Ag"), MPI.COMM_WORLD)
    cell = _cell(lambda x: 300.0 + 0.0 * x[0], lambda x: -0.3 * (x[1] < 0.1 * NM))
    with caplog.at_level(logging.WARNING, logger="apcfem.guards"):
        guards.check(1e-3, 1, cell, 1e-5)
    if MPI.COMM_WORLD.rank == 0:
        assert any("filament metal fraction -0.3 < 0 at x = (" in r.getMessage()
                   for r in caplog.records)
