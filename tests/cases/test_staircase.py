"""End-to-end slice: prescribed filament -> FE resistance -> neck -> Landauer -> circuit -> heat.

Runs on COMM_WORLD and on COMM_SELF in the same process: under ``mpiexec -n 2`` this is the
1-vs-2-rank comparison of the whole time series.
"""

import numpy as np
import pytest
from bp4 import bp4_steps_and_names
from mpi4py import MPI
from scipy import constants
from scipy.integrate import quad
from scipy.special import jn_zeros

import apcfem
from apcfem import Simulation, load_case, update_case

NM = 1e-9
AG_FERMI_EV, AG_MASS_ME = 5.49, 1.0  # free-electron Ag (Ashcroft & Mermin, table 2.1)
G0_S = 2 * constants.e**2 / constants.h
AG_300K = apcfem.Electrons(AG_FERMI_EV, AG_MASS_ME, temperature_K=300.0)


def _case(**changes):
    cfg = load_case(apcfem.bundled_case("ag_sio2_pt_staircase"))
    base = {"geometry.cell_radius_nm": 10.0, "geometry.bottom_electrode_thickness_nm": 5.0,
            "geometry.top_electrode_thickness_nm": 5.0,
            "geometry.switching_layer_thickness_nm": 6.0,
            "filament.base_radius_nm": 2.0, "protocol.neck_radius_start_nm": 0.19,
            "protocol.neck_radius_stop_nm": 0.64, "protocol.points": 10,
            "output.fields": True}
    return update_case(cfg, {**base, **changes})


@pytest.fixture(scope="module")
def cold_abrupt_run(tmp_path_factory):
    cfg = _case(**{"landauer.transmission": "abrupt", "landauer.temperature_K": 1.0})
    out = tmp_path_factory.mktemp("staircase") if MPI.COMM_WORLD.rank == 0 else None
    out = MPI.COMM_WORLD.bcast(out, root=0)
    return cfg, Simulation.from_config(cfg).run(out / "run", progress=False)


def _bessel_channels(k_fermi_a: float) -> int:
    """Open channels of a circular neck at 0 K: the zeros j_mn < k_F a of J_m, twice for m != 0
    (scipy's zeros, not the package's mode table)."""
    count = 0
    for m in range(int(k_fermi_a) + 1):  # j_m1 > m
        zeros = jn_zeros(m, int(k_fermi_a) + 2)
        count += (1 if m == 0 else 2) * int(np.sum(zeros < k_fermi_a))
    return count


def test_landauer_plateaus_are_integers_of_the_bessel_ladder(cold_abrupt_run):
    """Guards the neck extraction and the abrupt counter end to end: at 1 K each point sits on
    the plateau of the drawn neck radius, G = number of Bessel zeros below k_F a (exact to
    1e-6, the 1 K smearing: the sweep radii lie >= 5.6e-3 nm from every step, the extraction
    is good to ~1e-3 nm)."""
    cfg, result = cold_abrupt_run
    p = cfg.protocol
    radius = np.linspace(p.neck_radius_start_nm, p.neck_radius_stop_nm, p.points) * NM
    k_fermi = np.sqrt(2.0 * AG_MASS_ME * constants.m_e * AG_FERMI_EV * constants.e) / constants.hbar
    expected = [_bessel_channels(k_fermi * a) for a in radius]
    g = result.series["G_landauer_G0"]
    np.testing.assert_allclose(g, expected, atol=1e-6)
    assert len(set(expected)) >= 4  # the sweep climbs several steps


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
    steps, counts = bp4_steps_and_names(out / "fields.bp", ("phi", "T", "xi"))
    assert steps == 10 and min(counts.values()) >= steps, (steps, counts)  # every written step
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


def test_diffusive_contact_reaches_the_kohlrausch_temperature():
    """A contact that dominates the cell (V_contact > 0.8 V_cell, 0.3-0.6 V across it):
    released inside a diffusive (Wiedemann-Franz) contact, its power I^2/G_L heats the contact
    to T^2 = T0^2 + V_contact^2/(4 L0) within 5 % (Kohlrausch; T0 the sinks, L0 from scipy's
    constants, V_contact = I/G_L from the series), which is then T_max and smears the count.
    Released in the banks (ballistic), the contact stays within a fifth of that rise."""
    lorenz = np.pi**2 / 3 * (constants.k / constants.e) ** 2
    runs = {heating: Simulation.from_config(_case(**{
        "physics.contact_heating": heating, "protocol.source_voltage_V": 0.6,
        "protocol.neck_radius_start_nm": 0.25, "protocol.neck_radius_stop_nm": 0.45,
        "protocol.points": 3, "output.fields": False})).run(progress=False).series
        for heating in ("diffusive", "ballistic")}
    series = runs["diffusive"]
    V_contact = series["I_A"] / (series["G_landauer_G0"] * G0_S)
    assert np.all(V_contact > 0.8 * series["V_cell_V"]) and np.all(V_contact > 0.3)
    kohlrausch = np.sqrt(300.0**2 + V_contact**2 / (4 * lorenz))
    np.testing.assert_allclose(series["T_max_K"], kohlrausch, rtol=0.05)
    np.testing.assert_allclose(series["T_neck_K"], series["T_max_K"])
    ballistic_rise = runs["ballistic"]["T_neck_K"] - 300.0
    assert np.all(ballistic_rise < 0.2 * (kohlrausch - 300.0)), ballistic_rise


@pytest.mark.mpi
def test_same_series_on_one_rank_and_all_ranks():
    """Guards the distributed solve of the whole slice: the time series on all ranks equal
    the one-rank run to 1e-6 (MPI only: on one rank both runs are the same)."""
    assert MPI.COMM_WORLD.size > 1, "a 1-vs-N-rank comparison needs N > 1"
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


# -- the flagship case at its own settings, against references outside the code path ------------
# Ag/SiO2/Pt staircase as bundled (saddle transmission, 300 K ambient, 0.05 nm at the neck), at
# three neck radii spanning 1 to 23 G0.
FLAGSHIP_RADII_NM = (0.3, 0.6, 0.9)


def _flagship(min_size_nm: float):
    cfg = update_case(load_case(apcfem.bundled_case("ag_sio2_pt_staircase")), {
        "protocol.neck_radius_start_nm": FLAGSHIP_RADII_NM[0],
        "protocol.neck_radius_stop_nm": FLAGSHIP_RADII_NM[-1],
        "protocol.points": len(FLAGSHIP_RADII_NM), "mesh.min_size_nm": min_size_nm,
        "output.fields": False, "output.plots": False})
    return cfg, Simulation.from_config(cfg).run(progress=False).series


@pytest.fixture(scope="module")
def flagship_run():
    return _flagship(0.05)


def _hourglass(cfg, neck_radius_nm: float):
    """a(z) [nm] of the case's hourglass, a_n + (a_b - a_n) (|z - z_n| / L)^2, z from the neck
    over the half-layer L (the bundled case: neck at mid-layer), and a''(z_n) [1/nm]."""
    half = 0.5 * cfg.geometry.switching_layer_thickness_nm
    a_b = cfg.filament.base_radius_nm
    return (lambda z: neck_radius_nm + (a_b - neck_radius_nm) * (z / half) ** 2,
            2.0 * (a_b - neck_radius_nm) / half**2)


def _semi_analytic_resistance_ohm(cfg, neck_radius_nm: float) -> float:
    """R_fe of the prescribed hourglass [ohm]: the 1-D integral of dz / G'(z) over the layer,
    G'(z) = int sigma(r) 2 pi r dr of the section (filament metal blended into the oxide by
    the tanh interface of half-width w, as the case draws it), plus the Maxwell spreading
    resistance 1/(4 sigma a_b) of the base disc into each electrode (Maxwell, Treatise, 1873,
    sec. 308; Holm, Electric Contacts, 1967, sec. 4)."""
    sigma_f, sigma_ox, sigma_bottom, sigma_top = (
        apcfem.get_material(getattr(cfg.materials, region)).electrical_conductivity_S_per_m.value
        for region in ("filament", "switching_layer", "bottom_electrode", "top_electrode"))
    radius, _ = _hourglass(cfg, neck_radius_nm)
    w, cell = cfg.filament.interface_width_nm * NM, cfg.geometry.cell_radius_nm * NM

    def section_S_m(z_nm: float) -> float:
        a = radius(z_nm) * NM

        def ring(r: float) -> float:  # sigma(r) 2 pi r [S/m^2 m]
            xi = 0.5 * (1.0 - np.tanh((r - a) / w))
            return (sigma_ox + (sigma_f - sigma_ox) * xi) * 2.0 * np.pi * r

        return quad(ring, 0.0, cell, points=[a], limit=200)[0]

    half = 0.5 * cfg.geometry.switching_layer_thickness_nm
    body = 2.0 * quad(lambda z: NM / section_S_m(z), 0.0, half, limit=200)[0]
    a_b = cfg.filament.base_radius_nm * NM
    return body + 1.0 / (4.0 * sigma_bottom * a_b) + 1.0 / (4.0 * sigma_top * a_b)


def test_flagship_body_resistance_matches_semi_analytic_value(flagship_run):
    """Guards the FE body resistance of the flagship (materials, filament blending, contacts,
    R = V^2/P) against the 1-D integral plus two Maxwell spreading terms: -2.5, -1.6, +0.4 %
    at 0.3, 0.6, 0.9 nm, asserted within 3 %. One refinement (0.05 -> 0.025 nm) moves R_fe by
    < 0.2 % (asserted < 0.5 %), so the tolerance is the reference's own error, and that is
    larger than the agreement suggests: with the neck opened to a 3 nm cylinder the FE gives
    13.4 Ohm against 15.7 Ohm (the half-space spreading terms are 2.3 Ohm too high for 20 nm x
    10 nm electrodes), and the 1-D integral misses 4-9 % of the hourglass body (a' reaches 1
    at the base). The two errors partly cancel: a gross error (a wrong metal, a neck radius
    off by 5 %) still fails, an error of a few per cent may not."""
    cfg, series = flagship_run
    expected = np.array([_semi_analytic_resistance_ohm(cfg, a) for a in FLAGSHIP_RADII_NM])
    error = series["R_fe_ohm"] / expected - 1.0
    assert np.all(np.abs(error) < 0.03), f"R_fe {series['R_fe_ohm']} vs {expected} ohm"
    _, refined = _flagship(0.025)
    change = np.abs(refined["R_fe_ohm"] / series["R_fe_ohm"] - 1.0)
    assert np.all(change < 0.005), f"refinement changes R_fe by {change}"


def test_flagship_conductance_is_the_counter_of_the_prescribed_neck(flagship_run):
    """Guards the chain phase field -> neck extraction (radius, curvature) -> saddle counter ->
    G_landauer: G equals circular_conductance of the drawn neck (radius a_n, curvature
    2 (a_b - a_n) / L^2 of the hourglass) with free-electron Ag at 300 K, to 1e-3 (extraction
    errors of ~1e-3 nm and 0.3 % in curvature move G by ~2e-4; the neck warms by < 5 K,
    which moves G by < 1e-4)."""
    _, series = flagship_run
    radius = np.array(FLAGSHIP_RADII_NM) * NM
    curvature = np.array([_hourglass(flagship_run[0], a)[1] for a in FLAGSHIP_RADII_NM]) / NM
    hbar_omega = apcfem.landauer.saddle_hbar_omega_eV(AG_FERMI_EV, radius, curvature,
                                                      AG_MASS_ME)
    expected = apcfem.circular_conductance(radius, AG_300K, hbar_omega_eV=hbar_omega).G_G0
    np.testing.assert_allclose(series["G_landauer_G0"], expected, rtol=1e-3)
    assert np.all(series["T_neck_K"] < 305.0)
    assert expected[-1] > 20 * expected[0]  # the radii span the staircase


def test_source_voltage_sweep_follows_the_series_circuit_of_the_references():
    """Guards the source_voltage_sweep protocol end to end (waveform, circuit, cell): with the
    flagship's 0.6 nm neck fixed, I(V_source) = V_source / (R_s + R_fe + 1/G) with R_fe the
    semi-analytic value (3 %, a 0.1 % share of the total here) and G the saddle counter of the
    drawn neck at 300 K: within 0.5 %. The source voltages are the sweep's."""
    neck_nm = 0.6
    cfg = update_case(load_case(apcfem.bundled_case("ag_sio2_pt_staircase")), {
        "filament.neck_radius_nm": neck_nm, "output.fields": False, "output.plots": False,
        "protocol": {"kind": "source_voltage_sweep", "start_V": 0.0, "stop_V": 0.8,
                     "points": 5}})
    series = Simulation.from_config(cfg).run(progress=False).series
    _, curvature = _hourglass(cfg, neck_nm)
    radius = neck_nm * NM
    g = float(apcfem.circular_conductance(
        radius, AG_300K, hbar_omega_eV=apcfem.landauer.saddle_hbar_omega_eV(
            AG_FERMI_EV, radius, curvature / NM, AG_MASS_ME)).G_G0)
    resistance = (cfg.circuit.series_resistance_ohm + _semi_analytic_resistance_ohm(cfg, neck_nm)
                  + 1.0 / (g * apcfem.G0_S))
    source = np.linspace(0.0, 0.8, 5)
    np.testing.assert_allclose(series["V_source_V"], source, rtol=0, atol=1e-12)
    np.testing.assert_allclose(series["I_A"], source / resistance, rtol=5e-3, atol=1e-12)
