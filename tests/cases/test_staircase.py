"""End-to-end slice: prescribed filament -> FE resistance -> neck -> Landauer -> circuit -> heat.

Runs on COMM_WORLD and on COMM_SELF in the same process: under ``mpiexec -n 2`` this is the
1-vs-2-rank comparison of the whole time series.
"""

import numpy as np
import pytest
from mpi4py import MPI

import apcfem
from apcfem import Simulation, load_case, update_case

# Ag: k_F = 12.0 /nm, so the zero-temperature plateaus G = 1, 3, 5, 6 G0 span
# a = j/k_F in (0.200, 0.319), (0.319, 0.428), (0.428, 0.460), (0.460, 0.531) nm.
ALLOWED_PLATEAUS = np.array([0, 1, 3, 5, 6, 8, 10, 12])


def _case(**changes):
    cfg = load_case(apcfem.bundled_case("ag_sio2_pt_staircase"))
    base = {"geometry.cell_radius_nm": 10.0, "geometry.bottom_electrode_thickness_nm": 5.0,
            "geometry.top_electrode_thickness_nm": 5.0,
            "geometry.switching_layer_thickness_nm": 6.0,
            "filament.base_radius_nm": 2.0, "protocol.neck_radius_start_nm": 0.15,
            "protocol.neck_radius_stop_nm": 0.6, "protocol.points": 10,
            "output.fields": True}
    return update_case(cfg, {**base, **changes})


@pytest.fixture(scope="module")
def cold_abrupt_run(tmp_path_factory):
    cfg = _case(**{"landauer.transmission": "abrupt", "landauer.temperature_K": 1.0})
    out = tmp_path_factory.mktemp("staircase") if MPI.COMM_WORLD.rank == 0 else None
    out = MPI.COMM_WORLD.bcast(out, root=0)
    return cfg, Simulation.from_config(cfg).run(out / "run", progress=False)


def test_landauer_plateaus_are_integers_of_the_bessel_ladder(cold_abrupt_run):
    _, result = cold_abrupt_run
    g = result.series["G_landauer_G0"]
    nearest = ALLOWED_PLATEAUS[np.abs(g[:, None] - ALLOWED_PLATEAUS).argmin(axis=1)]
    assert np.allclose(g, nearest, atol=1e-6), g
    assert np.all(np.diff(g) >= 0) and g[0] == 0 and g[-1] >= 6
    assert len(set(nearest)) >= 4  # the sweep climbs several steps


def test_cell_is_fe_resistance_in_series_with_contact(cold_abrupt_run):
    cfg, result = cold_abrupt_run
    s = result.series
    conducting = s["G_landauer_G0"] > 0
    R_contact = 1 / (s["G_landauer_G0"][conducting] * apcfem.G0_S)
    R_cell = 1 / (s["G_G0"][conducting] * apcfem.G0_S)
    # the contact is a potential jump in the fields: R_cell - R_body = 1/G to the T1 accuracy
    error = np.abs(R_cell - R_contact - s["R_fe_ohm"][conducting]) / R_contact
    assert np.all(error < 0.01), error
    # thicker necks conduct better ohmically too
    assert np.all(np.diff(s["R_fe_ohm"]) < 0)
    # circuit: V_source = I (R_series + R_cell), and Joule + neck heating warms the cell
    R_s = cfg.circuit.series_resistance_ohm
    assert np.allclose(s["V_source_V"][conducting],
                       s["I_A"][conducting] * (R_s + R_cell), rtol=1e-9)
    assert np.all(s["T_max_K"][conducting] > cfg.physics.ambient_temperature_K)
    assert np.all(s["T_max_K"][~conducting] == pytest.approx(cfg.physics.ambient_temperature_K))


def test_run_directory_contents(cold_abrupt_run):
    _, result = cold_abrupt_run
    out = result.output_dir
    header = (out / "timeseries.csv").read_text().splitlines()[0].split(",")
    for column in ("time_s", "V_source_V", "V_cell_V", "I_A", "G_G0", "channels",
                   "neck_radius_m", "neck_z_m", "T_max_K", "ballistic"):
        assert column in header
    # Ag, l = 53 nm: every neck of the 6 nm layer is ballistic
    assert np.all(result.series["ballistic"] == 1.0)
    assert len((out / "timeseries.csv").read_text().splitlines()) == 11
    assert (out / "conductance_staircase.png").stat().st_size > 10_000
    assert (out / "fields.bp").is_dir()
    cfg, _ = cold_abrupt_run
    assert load_case(out / "resolved_case.toml") == cfg


def test_a_vacancy_filament_neck_is_flagged_not_ballistic(caplog):
    """The same hourglass as a vacancy filament (l = 0.50 nm) in HfOx: its neck, 1.1-2.5 nm long
    (section <= 2 x the neck's), is not ballistic; one warning per run, on rank 0, with the
    numbers, and the column says 0 on every row."""
    cfg = _case(**{"materials.filament": "VO_filament", "materials.switching_layer": "HfOx",
                   "ecm.tunnel_barrier_eV": 0.5, "protocol.points": 2, "output.fields": False})
    with caplog.at_level("WARNING", logger="apcfem.ballistic"):
        series = Simulation.from_config(cfg).run(progress=False).series
    assert np.all(series["ballistic"] == 0.0), series["ballistic"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "apcfem.ballistic"]
    assert len(warnings) == (1 if MPI.COMM_WORLD.rank == 0 else 0), warnings
    if warnings:
        assert "mean free path 0.5 nm of VO_filament" in warnings[0]


def test_same_series_on_one_rank_and_all_ranks():
    cfg = _case(**{"protocol.points": 4, "output.fields": False})
    world = Simulation.from_config(cfg, MPI.COMM_WORLD).run(progress=False).series
    alone = Simulation.from_config(cfg, MPI.COMM_SELF).run(progress=False).series
    for key in ("G_G0", "R_fe_ohm", "neck_radius_m", "I_A", "T_max_K"):
        assert np.allclose(world[key], alone[key], rtol=1e-6, atol=0), key


def test_3d_cell_matches_axisymmetric_cell():
    """The same axisymmetric filament in a 3-D mesh gives the same R_fe, neck and G."""
    changes = {"protocol.neck_radius_start_nm": 0.375, "protocol.neck_radius_stop_nm": 0.9,
               "protocol.points": 2, "output.fields": False,
               "filament.interface_width_nm": 0.1}
    axi = Simulation.from_config(_case(**changes)).run(progress=False).series
    solid = Simulation.from_config(_case(**{
        **changes, "geometry.kind": "3d", "mesh.min_size_nm": 0.15, "mesh.max_size_nm": 2.5,
        "mesh.refinement_radius_nm": 2.2, "mesh.growth_per_nm": 0.5})).run(progress=False).series
    assert np.allclose(solid["neck_radius_m"], axi["neck_radius_m"], atol=0.15e-9)
    # the coarser 3-D mesh under-estimates R_fe (energy bound); 2-4 % here, shrinking with h
    assert np.all(solid["R_fe_ohm"] < axi["R_fe_ohm"])
    assert np.allclose(solid["R_fe_ohm"], axi["R_fe_ohm"], rtol=0.05)
    assert np.allclose(solid["G_G0"], axi["G_G0"], rtol=0.05)
