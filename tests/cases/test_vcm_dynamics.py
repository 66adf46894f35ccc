"""VCM filament dynamics: the Pt/HfOx/Ti/TiN cell on the way to its set, at reduced size.

The bundled case with a flat disc (no stub) on a 0.25 nm mesh, swept 0 -> 0.6 V at 5 V/s (the
high-resistance branch below the set): the broken filament's disc conducts by hopping, and its
Joule heat is what will speed the vacancies up (Arrhenius) and set the cell. Checked: vacancies are conserved
(the amount in the oxide changes by the time-integrated oxygen exchange), the disc heats as
the hopping current grows (T_max rises with V), the read-out conductance is that of a broken
filament, and the run is the same on 1 and 2 ranks (MPI only); the first three with either
discretisation of the vacancy flux. Also (slow) the bundled sweep as shipped through its
clamped set and the first part of its reset.
"""

import contextlib

import numpy as np
import pytest
from mpi4py import MPI

import apcfem
from apcfem import Simulation, load_case, update_case
from apcfem.materials.laws import AVOGADRO_PER_MOL, BOLTZMANN_J_PER_K, ELEMENTARY_CHARGE_C

ONE_VACANCY_MOL = 1.0 / AVOGADRO_PER_MOL


FLAT_DISC = {"vcm.apex_radius_nm": None, "vcm.apex_gap_nm": None}
"""No stub of the broken neck: the disc's depth and the cone's tip, as the tests set them."""


def _case(**changes):
    cfg = load_case(apcfem.bundled_case("vcm_pt_hfox_tin_sweep"))
    # the Galerkin flux: on the coarse 0.25 nm test mesh the Scharfetter-Gummel set does not
    # run away below 1.5 V (README, the set's onset against mesh and step); the flat disc: the
    # stub of the broken neck (0.5 nm) would be two of its cells wide
    base = {**FLAT_DISC, "mesh.min_size_nm": 0.25, "output.fields": False, "output.plots": False,
            "protocol.set_voltage_V": 0.6, "protocol.ramp_rate_V_per_s": 5.0,
            "protocol.reset_voltage_V": None, "dynamics.max_drive_step": 0.05,
            "dynamics.dt_max_s": 2e-3, "dynamics.max_steps": 400,
            "vcm.vacancy_flux": "galerkin"}
    return update_case(cfg, {**base, **changes})


def _high_resistance_branch(comm, **changes):
    return Simulation.from_config(_case(**changes), comm).run(progress=False)


@contextlib.contextmanager
def _settled_cell(cfg, t_s: float):
    """(simulation, drive, cell, neck extractor, settled state) of the case's initial state at
    time t_s [s]; the cell is closed on leaving."""
    simulation = Simulation(cfg, MPI.COMM_WORLD)
    drive = simulation._drive()
    cell = simulation._cell(drive)
    try:
        extract = simulation._neck_extractor(cell)
        state = simulation._settle(cell, extract, drive, t_s, cfg.physics.ambient_temperature_K)
        yield simulation, drive, cell, extract, state
    finally:
        cell.close()


@pytest.fixture(scope="module", params=["galerkin", "scharfetter_gummel"])
def branch(request):
    """The high-resistance branch with either discretisation of the vacancy flux."""
    return _high_resistance_branch(MPI.COMM_WORLD, **{"vcm.vacancy_flux": request.param})


@pytest.mark.timeout(300)
def test_vacancies_are_conserved(branch):
    s = branch.series
    assert branch.stats["stop_reason"] == "end of protocol"
    moved = s["filament_mol"] - s["filament_mol"][0]
    assert np.max(np.abs(s["exchanged_mol"])) > 1e-2 * ONE_VACANCY_MOL  # the exchange works
    assert np.max(np.abs(moved - s["exchanged_mol"])) < 1e-6 * ONE_VACANCY_MOL


@pytest.mark.timeout(300)
def test_the_disc_heats_with_its_hopping_current(branch):
    """T_max rises monotonically with the source voltage on the way up, by tens of kelvin at
    0.6 V (the disc dissipates a few uW: V^2 G with G ~ 0.2 G0)."""
    s = branch.series
    up = np.flatnonzero(np.diff(s["V_source_V"]) > 0) + 1
    assert np.all(np.diff(s["T_max_K"][up]) > -1e-6)
    peak = int(np.argmax(s["V_source_V"]))
    assert s["T_max_K"][peak] - s["T_max_K"][0] > 20.0
    power_W = s["V_cell_V"][peak] * s["I_A"][peak]
    assert 1e-7 < power_W < 1e-5


@pytest.mark.timeout(300)
def test_the_filament_is_broken_below_the_set(branch):
    s = branch.series
    assert np.all(s["gap_m"] > 0.5e-9)
    assert np.all((s["G_G0"][1:] > 1e-2) & (s["G_G0"][1:] < 0.5))
    # the tunnelling across the ~1 nm gap is negligible next to the disc's hopping conduction
    assert np.all(s["G_landauer_G0"] < 1e-3 * s["G_G0"].max())


@pytest.mark.mpi
@pytest.mark.timeout(600)
@pytest.mark.parametrize("flux", ["galerkin", "scharfetter_gummel"])
def test_same_series_on_one_rank_and_two(flux):
    """The first 0.6 V of the branch (the disc heats by ~10 K, the exchange works)."""
    assert MPI.COMM_WORLD.size == 2, "run under mpiexec -n 2"
    shorter = {"protocol.set_voltage_V": 0.6, "protocol.ramp_rate_V_per_s": 10.0,
               "vcm.vacancy_flux": flux}
    world = _high_resistance_branch(MPI.COMM_WORLD, **shorter).series
    alone = _high_resistance_branch(MPI.COMM_SELF, **shorter).series
    assert world["T_max_K"].max() > 305.0 and world["exchanged_mol"][-1] > 0
    np.testing.assert_array_equal(world["time_s"], alone["time_s"])
    for key in ("filament_mol", "exchanged_mol", "G_G0", "I_A", "gap_m", "T_max_K"):
        np.testing.assert_allclose(world[key], alone[key], rtol=1e-6, atol=0, err_msg=key)


SWEEP_RATES_V_PER_S = (0.1, 1.0, 10.0)
SET_ONSET_G0 = 1.0
"""The set's thermal runaway has begun when the cell conducts 1 G0, ~4x its high-resistance
0.22 G0 (at 0.5 V)."""


@pytest.fixture(scope="module")
def set_onsets():
    """(V_set [V], T_max [K]) of the set for each sweep rate: the run stops when the cell
    conductance reaches SET_ONSET_G0; T_max is the highest before that."""
    onsets = []
    for rate in SWEEP_RATES_V_PER_S:
        cfg = _case(**{"protocol.set_voltage_V": 1.5, "protocol.ramp_rate_V_per_s": rate,
                       "dynamics.max_drive_step": 0.01, "dynamics.dt_max_s": 0.05 / rate,
                       "dynamics.dt_initial_s": 1e-3 / rate,
                       "dynamics.target_conductance_G0": SET_ONSET_G0,
                       "dynamics.max_steps": 1500})
        result = Simulation.from_config(cfg, MPI.COMM_WORLD).run(progress=False)
        assert result.stats["stop_reason"] == f"target conductance {SET_ONSET_G0:g} G0 reached"
        # the hottest the disc ran: the jump to contact that ends a set clamps the current
        onsets.append((result.series["V_source_V"][-1], result.series["T_max_K"].max()))
    return np.array(onsets)


@pytest.mark.slow  # three sets, ~2 min
@pytest.mark.timeout(600)
def test_set_voltage_rises_logarithmically_with_sweep_rate(set_onsets):
    """Thermally activated migration (Ielmini, IEEE TED 58, 4309 (2011)): a sweep ten times
    faster leaves a tenth of the time, so the set needs a hotter disc, i.e. a higher voltage,
    by about the same step per decade (measured 0.692, 0.758, 0.830 V at 0.1, 1, 10 V/s)."""
    V_set, T_set = set_onsets.T
    per_decade = np.diff(V_set)
    assert np.all(per_decade > 0.03) and np.all(per_decade < 0.3), V_set
    assert abs(per_decade[1] / per_decade[0] - 1) < 0.3, V_set  # logarithmic: equal steps
    assert np.all(np.diff(T_set) > 0), T_set  # a faster set runs hotter
    assert 0.7 < V_set[1] < 1.3  # ~1 V at 1 V/s, as measured on HfOx cells


DEPLETED_GAP = {"mesh.min_size_nm": 0.15, "vcm.disc_length_nm": 0.3,
                "vcm.disc_concentration_per_m3": 1e20, "vcm.vacancy_flux": "scharfetter_gummel",
                "vcm.heat": False, "physics.ambient_temperature_K": 600.0}
"""A filament broken on the Pt face, its tip ~0.5 nm above it, the gap depleted (as a reset
leaves it), at 600 K."""


@pytest.mark.parametrize("V_cell_V", [-1.0, 1.0])
def test_the_depletion_front_moves_with_the_bias(V_cell_V):
    """The depleted gap's front is sub-mesh (on the mesh the field lives in the depleted cell
    layer and the front's own node sees none, so it stayed pinned there): it moves at the
    vacancies' hopping velocity in the gap's field. Under a reset bias it rises and its
    vacancies go into the filament above it: the gap widens and the cell conducts less.
    Under a set bias it descends and the filament fills the gap behind it: the gap narrows and
    the cell conducts more. The vacancies are kept either way."""
    with _settled_cell(_case(**DEPLETED_GAP), 0.0) as (simulation, drive, cell, extract, before):
        (low, top), = before.neck.gap_spans_m
        assert low <= cell.layer_z_m[0] and 0.2e-9 < top - cell.layer_z_m[0] < 0.6e-9
        amount = cell.inventory()["filament_mol"]
        after = before
        # steps within the one hop a step may move (~0.18 nm the first; the front then slows
        # as the gap's field falls: 0.26 nm in all under the reset bias)
        for t in (0.0, 1.5e-6, 3e-6, 4.5e-6):
            cell.advance(t, 1.5e-6, V_cell_V)
            after = simulation._settle(cell, extract, drive, t + 1.5e-6, after.T_neck_K)
            cell.accept()
        moved = cell.inventory()["filament_mol"] - amount
        assert abs(moved) < 1e-3 * ONE_VACANCY_MOL
        ratio = after.resistance.cell_ohm / before.resistance.cell_ohm
        if V_cell_V < 0.0:
            assert cell.depletion_front_m > top + 0.15e-9
            assert after.neck.gap_m > before.neck.gap_m + 0.1e-9
            assert ratio > 1.5
        else:
            assert cell.depletion_front_m < top - 0.15e-9
            assert after.neck.gap_m < before.neck.gap_m - 0.1e-9
            assert ratio < 0.8  # 0.71 measured (a fill across the whole face: < 0.5)
            # the filled gap is a tip on the axis, not a plate across the 2.5 nm face
            c_th = cell.cfg.vcm.threshold_concentration_per_m3
            c_axis, c_flank = _concentrations_at(cell, cell.depletion_front_m + 0.05e-9,
                                                 (0.0, 1.2e-9))
            assert c_axis > c_th > 10.0 * c_flank, (c_axis, c_flank)


def _concentrations_at(cell, z_m: float, radii_m: tuple[float, ...]) -> np.ndarray:
    """c_V [1/m^3] of ``cell`` at height z_m [m] and the given distances [m] from the axis."""
    from apcfem.mesh import PointProbe

    points = np.zeros((len(radii_m), 3))
    points[:, 0] = radii_m
    points[:, cell.device.axial_index] = z_m
    return PointProbe(cell.device.mesh, points)(cell.concentration)


def test_a_cycle_with_a_lower_barrier_moves_the_front_faster():
    """A cycle's activation-energy shift (seeded variability) reaches the vacancies' hopping:
    0.05 eV less moves the reset's front e^(0.05 eV / k_B T) ~ 2.6x as far at 600 K."""
    from apcfem.protocols import CycleVariation

    rises = []
    for shift_eV in (0.0, -0.05):
        with _settled_cell(_case(**DEPLETED_GAP), 0.0) as (_, _, cell, _, before):
            cell.cycle_parameters.vary(CycleVariation(activation_energy_shift_eV=shift_eV))
            assert float(cell.species.activation_energy_eV) == pytest.approx(1.35 + shift_eV)
            cell.advance(0.0, 1e-7, -1.0)
            rises.append(cell.depletion_front_m - before.neck.gap_spans_m[0][1])
    V_T = BOLTZMANN_J_PER_K * 600.0 / ELEMENTARY_CHARGE_C
    assert rises[1] / rises[0] == pytest.approx(np.exp(0.05 / V_T),
                                                rel=0.1)


def test_only_a_depleted_gap_has_a_front_and_it_stays_at_zero_bias():
    """The partly doped disc of a formed cell (3e26 m^-3 below a cone 1 nm above the Pt) has no
    lumped front under a set bias: its vacancies move on the mesh. A front a reset left stays
    where it is at zero bias."""
    with _settled_cell(_case(**{**DEPLETED_GAP, "vcm.disc_concentration_per_m3": 3e26,
                                "vcm.disc_length_nm": 1.0}), 0.0) as (_, _, cell, _, before):
        assert before.neck.gap_m > 0.5e-9
        cell.advance(0.0, 1e-7, 1.0)
        assert np.isnan(cell.depletion_front_m)
    with _settled_cell(_case(**DEPLETED_GAP), 0.0) as (simulation, drive, cell, extract, before):
        cell.advance(0.0, 1e-6, -1.0)
        simulation._settle(cell, extract, drive, 1e-6, before.T_neck_K)
        cell.accept()
        front = cell.depletion_front_m
        cell.advance(1e-6, 1e-3, 0.0)
        assert cell.depletion_front_m == front


def test_the_broken_necks_stub_narrows_the_gap_on_its_axis_only():
    """The initial filament with the stub of its broken neck (``vcm.apex_radius_nm``,
    ``vcm.apex_gap_nm``): the extracted gap is the stub's, 0.4 nm (not the 1 nm disc), and
    beside the stub the disc keeps its sub-threshold concentration; without the keys the gap
    is the disc's."""
    from apcfem.coupling.vcm_cell import VcmCell

    stub = {"mesh.min_size_nm": 0.1, "vcm.apex_radius_nm": 0.5, "vcm.apex_gap_nm": 0.4}
    for changes, gap_nm in ((stub, 0.4), ({"mesh.min_size_nm": 0.1}, 1.0)):
        cfg = _case(**changes)
        cell = VcmCell(cfg, MPI.COMM_WORLD)
        try:
            neck = Simulation(cfg, MPI.COMM_WORLD)._neck_extractor(cell)(cell.filament)
            assert neck.gap_m == pytest.approx(gap_nm * 1e-9, abs=0.06e-9)
            # inside the tip's 2.5 nm face, outside the stub
            c_beside, = _concentrations_at(cell, cell.layer_z_m[0] + 0.6e-9, (1.8e-9,))
            assert c_beside < 0.5 * cfg.vcm.threshold_concentration_per_m3
        finally:
            cell.close()


def test_a_gap_of_one_hop_jumps_into_contact_and_back_out():
    """The last hop of a closing gap (a depleted sheet thinner than one vacancy hop, 0.25 nm,
    is no continuum layer): bridging a 0.2 nm disc below a 1 nm tip connects the filament at
    the Pt face
    through a column about one channel wide, adds about one vacancy (the column's volume times
    the filament's concentration) and no more; breaking the contact again over one hop leaves
    a gap at least that wide."""
    from apcfem.coupling.vcm_cell import VcmCell

    cfg = _case(**{"mesh.min_size_nm": 0.15, "vcm.disc_length_nm": 0.2,
                   "vcm.cone_base_radius_nm": 2.0, "vcm.cone_tip_radius_nm": 1.0})
    cell = VcmCell(cfg, MPI.COMM_WORLD)
    try:
        extract = Simulation(cfg, MPI.COMM_WORLD)._neck_extractor(cell)
        before = extract(cell.filament)
        assert 0.0 < before.gap_m <= cell.jump_to_contact_m
        added_mol = cell.bridge_gap(before)
        after = extract(cell.filament)
        assert after.gap_m == 0.0
        assert abs(after.neck_z_m - cell.layer_z_m[0]) < cell.jump_to_contact_m
        assert after.neck_radius_m == pytest.approx(cell.bridge_radius_m, rel=0.3)
        assert 0.1 * ONE_VACANCY_MOL < added_mol < 5.0 * ONE_VACANCY_MOL
        bottom = cell.layer_z_m[0]
        removed_mol = cell.break_contact([(bottom, bottom + cell.jump_to_contact_m)])
        broken = extract(cell.filament)
        # measured where the sections' metal vanishes, inside the slab by the part of each
        # interface that the extraction counts as metal (0.19 nm for the 0.25 nm slab)
        assert broken.gap_m >= 0.7 * cell.jump_to_contact_m
        assert removed_mol < 0.0
    finally:
        cell.close()


@pytest.mark.parametrize("tip_radius_nm, breaks", [(0.8, True), (1.3, False)])
@pytest.mark.parametrize("radius_change_nm", [-0.05, 0.05])
def test_a_neck_breaks_where_its_last_mode_closes(tip_radius_nm, breaks, radius_change_nm):
    """A connected cone on the Pt breaks once its c_th neck is narrower than the vacancy
    filament's first mode (j_01 / k_F = 0.49 nm: no mode open at E_F), whether it thinned or
    widened in the step, and only then: the last vacancy hop removes a few vacancies, the gap
    it leaves is at least about one hop wide and the cell falls to the gap's conduction. (A
    neck left connected while it thinned to a sub-atomic thread kept a contact disc the mesh
    could not carry, with the hopping halo blocked around it, and the reset stalled between
    that state and the broken one; a 3-D neck of 0.2 nm that had stopped thinning stayed
    connected, its transfer-matrix count tunnelling through it at 0.23 G0.)"""
    from dataclasses import replace

    cfg = _case(**{"mesh.min_size_nm": 0.15, "vcm.disc_length_nm": 0.0,
                   "vcm.cone_base_radius_nm": 2.0, "vcm.cone_tip_radius_nm": tip_radius_nm})
    with _settled_cell(cfg, 0.1) as (simulation, drive, cell, extract, state):
        assert state.neck.gap_m == 0.0
        closes = state.neck.neck_radius_m < cell.unstable_neck_radius_m(state.electrons)
        assert closes == breaks
        before = replace(state.neck,
                         neck_radius_m=state.neck.neck_radius_m - radius_change_nm * 1e-9)
        after = simulation._jump_out_of_contact(cell, extract, drive, 0.1, before, state)
        assert after.broke == breaks
        if breaks:
            assert after.neck.gap_m >= 0.7 * cell.jump_to_contact_m
            assert after.resistance.cell_ohm > 2.0 * state.resistance.cell_ohm
            assert -10.0 * ONE_VACANCY_MOL < after.bridged_mol < 0.0


@pytest.mark.parametrize("G_G0", [0.5, 1.0, 3.0])
def test_a_connected_neck_is_a_series_contact(G_G0):
    """T1 for the vacancy filament: a connected cone (4 -> 2.5 nm, its c_th neck 2.1 nm wide on
    the Pt) with the contact at G gives R_cell = R_body + 1/G within 2 % of 1/G: the
    vacancy-rich oxide around the neck does not carry the cell's current across the neck plane
    beside the contact (its hopping conduction crossed the cut while connected, and R_cell
    was 30-70 % of the series value)."""
    from apcfem.coupling.vcm_cell import VcmCell
    from apcfem.landauer import G0_S

    cfg = _case(**{"mesh.min_size_nm": 0.15, "vcm.disc_length_nm": 0.0,
                   "vcm.cone_base_radius_nm": 4.0, "vcm.cone_tip_radius_nm": 2.5})
    cell = VcmCell(cfg, MPI.COMM_WORLD)
    try:
        neck = Simulation(cfg, MPI.COMM_WORLD)._neck_extractor(cell)(cell.filament)
        assert neck.gap_m == 0.0
        G_S = G_G0 * G0_S
        cell.set_contact(neck, G_S)
        resistance = cell.resistance()
        assert abs(resistance.cell_ohm - resistance.body_ohm - 1.0 / G_S) * G_S < 0.02
    finally:
        cell.close()


def _connected_cone_T_max_K(law: str, V_cell_values: tuple[float, ...]) -> list[float]:
    """T_max [K] of the steady heat of a connected 4 -> 2.5 nm cone with a 5 G0 contact at each
    cell voltage, with the filament's thermal conductivity by ``law``."""
    from apcfem.coupling.vcm_cell import VcmCell
    from apcfem.landauer import G0_S

    cfg = _case(**{"vcm.disc_length_nm": 0.0, "vcm.filament_heat_conduction": law})
    cell = VcmCell(cfg, MPI.COMM_WORLD)
    try:
        neck = Simulation(cfg, MPI.COMM_WORLD)._neck_extractor(cell)(cell.filament)
        cell.set_contact(neck, 5.0 * G0_S)
        cell.resistance()
        return [cell.solve_heat(V, neck.neck_z_m, 5.0 * G0_S) for V in V_cell_values]
    finally:
        cell.close()


def test_a_hot_filament_conducts_heat_by_its_electrons():
    """The filament's tabulated k is its lattice part plus the electrons' L0 sigma T at 300 K;
    with 'wiedemann_franz' the electrons' part follows the local temperature, so a barely
    heated cell is about as warm as with the tabulated k and a hot one cooler: sigma_f(T) T
    rises as T / (1 + alpha (T - 300 K)), 1.05x at 323 K, 2.2x at 1400 K (measured on the
    test mesh: rises of 22.6 / 23.1 K at 0.1 V, 569 / 829 K at 0.6 V)."""
    V_cell = (0.1, 0.6)
    ambient = 300.0
    table = np.array(_connected_cone_T_max_K("table", V_cell)) - ambient
    electrons = np.array(_connected_cone_T_max_K("wiedemann_franz", V_cell)) - ambient
    assert table[0] > 5.0 and table[1] > 600.0, table  # warm, and hot
    reduction = 1.0 - electrons / table
    assert 0.0 < reduction[0] < 0.05, (table, electrons)
    assert 0.2 < reduction[1] < 0.6, (table, electrons)


STOP_VOLTAGES_V = (-0.9, -1.2, -1.5)
"""The VCM stop-voltage ladder: reverse sweeps to each, back to 0 V where the state is read."""


@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.timeout(1200)
def test_the_reset_gap_grows_with_the_stop_voltage():
    """The bundled set (Scharfetter-Gummel flux, 100 uA), then reverse sweeps stopped at
    increasing |V_stop|: the contact breaks in the first, and each deeper stop widens the gap
    the depletion front leaves on the Pt face, so the high-resistance state read at 0 V falls
    with |V_stop| (the gradual, stop-voltage controlled reset of HfOx cells; Ielmini, IEEE TED
    58, 4309 (2011): the gap grows with the reset voltage). A sweep changes nothing until it
    passes the last stop: the gap is the memory of the deepest reverse voltage. Measured
    (stops -0.9, -1.2, -1.5 V; the stub's set breaks at -0.64 V): 0.069, 0.028, 0.0048 G0 with
    gaps 0.34, 0.42, 0.56 nm; the second sweep first moves the front at -1.00 V. ~5 min."""
    cfg = update_case(load_case(apcfem.bundled_case("vcm_pt_hfox_tin_sweep")),
                      {"protocol.reset_voltage_V": list(STOP_VOLTAGES_V),
                       "vcm.vacancy_flux": "scharfetter_gummel", "output.fields": False,
                       "output.plots": False})
    result = Simulation.from_config(cfg, MPI.COMM_WORLD).run(progress=False)
    assert result.stats["stop_reason"] == "end of protocol"
    s = result.series
    negative = s["V_source_V"] < 0
    starts = np.flatnonzero(negative[1:] & ~negative[:-1]) + 1
    ends = [*(starts[1:] - 1), len(negative) - 1]  # each sweep's last sample, at 0 V
    assert len(starts) == len(STOP_VOLTAGES_V)
    assert s["gap_m"][starts[0] - 1] == 0.0 and s["G_G0"][starts[0] - 1] > 2.0  # set
    read = s["G_G0"][ends]
    gaps = s["gap_m"][ends]
    assert np.all(gaps > 0.0) and np.all(np.diff(gaps) > 0.03e-9), gaps
    assert np.all(np.diff(read) < 0) and read[-1] < 0.05, read
    # the second sweep leaves the first's state until it passes the first stop
    second = slice(starts[1], ends[1] + 1)
    moved = np.abs(np.diff(s["G_G0"][second])) > 0.02 * read[0]
    first_move_V = s["V_source_V"][second][1:][moved][0]
    assert first_move_V < STOP_VOLTAGES_V[0], first_move_V


RESET_STOPS_V = (-1.0, -1.2)


@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.timeout(1500)
def test_a_reset_cell_sets_again_at_a_voltage_that_grows_with_the_reset_stop():
    """Two cycles of the bundled sweep (Scharfetter-Gummel flux, 100 uA), the resets stopped at
    -1.0 or -1.2 V: the second set closes the depleted gap the reset left (the lumped front
    descends at the hopping velocity and the last hop jumps into contact) and is clamped at
    the compliance again, at a set voltage that grows with |V_stop| (a wider gap needs a
    higher field: Ielmini, IEEE TED 58, 4309 (2011), V_set rising with V_stop). ~7 min."""
    set_voltages = []
    for stop_V in RESET_STOPS_V:
        cfg = update_case(load_case(apcfem.bundled_case("vcm_pt_hfox_tin_sweep")),
                          {"protocol.reset_voltage_V": stop_V, "protocol.cycles": 2,
                           "dynamics.max_steps": 5000, "output.fields": False,
                           "output.plots": False})
        result = Simulation.from_config(cfg, MPI.COMM_WORLD).run(progress=False)
        assert result.stats["stop_reason"] == "end of protocol"
        s = result.series
        second = s["cycle"] == 1
        assert s["gap_m"][second][0] > 0.0  # the reset left a gap
        connected = second & (s["gap_m"] == 0.0) & (s["V_source_V"] > 0.0)
        assert np.any(connected), f"no set after a reset to {stop_V} V"
        set_voltages.append(s["V_source_V"][connected][0])
        assert np.max(s["I_A"][second]) == pytest.approx(1e-4, rel=0.02)  # clamped again
    assert set_voltages[0] < set_voltages[1], set_voltages
    assert all(0.6 < V / abs(stop) < 1.5 for V, stop in zip(set_voltages, RESET_STOPS_V)), \
        set_voltages


@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.timeout(1200)
def test_the_clamped_set_resets_with_a_current_near_the_compliance():
    """The bundled set/reset sweep as shipped (0.15 nm, 100 uA), its reverse sweep stopped at
    -0.6 V: the clamp holds 100 uA with V_c = I_cc / (G_final G0) inside 0.2-2 V (Ielmini,
    IEEE TED 58, 4309 (2011); measured 0.32 V), and the reverse sweep thins the neck at a
    current within 2x of I_cc (the universal reset relation I_reset ~ I_cc of the same paper;
    measured 1.12 I_cc), through lower counted levels until its last mode closes and it breaks
    (measured 4.59 -> 1.55 G0 counted, broken at -0.642 V). ~2 min."""
    cfg = update_case(load_case(apcfem.bundled_case("vcm_pt_hfox_tin_sweep")),
                      {"protocol.reset_voltage_V": -0.6, "output.fields": False,
                       "output.plots": False})
    result = Simulation.from_config(cfg, MPI.COMM_WORLD).run(progress=False)
    assert result.stats["stop_reason"] == "end of protocol"
    s, I_cc = result.series, cfg.circuit.current_limit_A
    clamped = s["limited"] > 0
    assert clamped.any() and np.all(s["gap_m"][clamped] == 0)
    set_branch = s["V_source_V"] > 0
    G_final = s["G_G0"][set_branch][-1]  # as the sweep returns through 0 V
    assert 0.2 < I_cc / (G_final * apcfem.G0_S) < 2.0
    reset = s["V_source_V"] < 0
    I_reset = np.abs(s["I_A"][reset]).max()
    assert 0.5 * I_cc < I_reset < 2.0 * I_cc, I_reset
    counted = s["G_landauer_G0"][reset]
    assert counted.min() < 0.6 * s["G_landauer_G0"][set_branch][-1]  # the neck thinned


def test_a_front_stopped_at_the_jump_distance_is_bridged():
    """A set bias long enough to bring the depleted gap's front down to its stop, one hop
    above the Pt face, makes the gap one the step bridges (``closing_gap_m`` at most the jump
    distance, whatever the extraction of the filled nodes shows)."""
    stop_m = None
    with _settled_cell(_case(**DEPLETED_GAP), 0.0) as (simulation, drive, cell, extract, before):
        stop_m = cell.layer_z_m[0] + cell.jump_to_contact_m
        t, state = 0.0, before
        for _ in range(20):  # steps of ~0.12 nm: a step may move the front one hop at most
            cell.advance(t, 1e-6, 1.0)
            t += 1e-6
            state = simulation._settle(cell, extract, drive, t, state.T_neck_K)
            cell.accept()
            if cell.depletion_front_m == stop_m:
                break
        assert cell.depletion_front_m == stop_m
        assert 0.0 < cell.closing_gap_m(state.neck) <= cell.jump_to_contact_m


def test_a_step_that_would_move_the_front_further_than_one_hop_is_rejected():
    """The front's velocity is that at the step's start and falls as the gap it opens widens
    and cools (a neck that broke at ~1000 K under 1.07 V of reset bias opened its gap from
    0.26 to 1.69 nm in one step of 0.25 ns): a step that would move it by more than one hop
    raises StepRejected (the loop cuts it), and the rejected state keeps the accepted front."""
    from apcfem.coupling.step_control import StepRejected

    with _settled_cell(_case(**DEPLETED_GAP), 0.0) as (_, _, cell, _, before):
        with pytest.raises(StepRejected, match="depletion front would move 1.2"):
            cell.advance(0.0, 1e-5, -1.0)  # ~1.2 nm at 600 K and 1 V across the gap
        cell.reject()
        assert np.isnan(cell.depletion_front_m)
        cell.advance(0.0, 1e-6, -1.0)  # ~0.12 nm
        assert cell.depletion_front_m > before.neck.gap_spans_m[0][1]


@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.timeout(1500)
def test_the_compliance_ladder_follows_the_universal_set_relation(tmp_path):
    """The bundled VCM ladder's set branch at 50, 100 and 200 uA (0.15 nm, as shipped, with the
    stub of the broken neck): G_final rises with I_cc and V_c = I_cc / (G_final G0) lies in
    0.2-2 V, within 2x of each other (R_on = V_c / I_cc, Ielmini, IEEE TED 58, 4309 (2011)).
    The first contact is the stub's (~1 G0), so the 50 uA set can stop below the ~4.6 G0 a
    flat disc's first contact already carried (V_c 0.16 V). Measured: 1.63 / 3.97 / 8.20 G0,
    V_c 0.40 / 0.32 / 0.31 V. ~5 min."""
    from apcfem.compliance_ladder import V_c_spread, run_compliance_ladder

    cfg = update_case(load_case(apcfem.bundled_case("vcm_compliance_ladder")),
                      {"study.current_limits_A": [5e-5, 1e-4, 2e-4], "output.plots": False})
    points = run_compliance_ladder(cfg, tmp_path / "ladder", MPI.COMM_WORLD,
                                   progress=False).points
    assert not any(p.failed for p in points)
    G_final = [p.G_final_G0 for p in points]
    assert np.all(np.diff(G_final) > 0), G_final
    V_c = np.array([p.V_c_V for p in points])
    assert np.all((V_c > 0.2) & (V_c < 2.0)), V_c
    assert V_c_spread(points) < 2.0, V_c
