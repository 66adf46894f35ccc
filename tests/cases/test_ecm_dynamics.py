"""ECM filament dynamics: one set branch through first contact into compliance.

The bundled Ag/SiO2/Pt cell (5 nm layer) under its 2 V/s sweep with 100 uA compliance, from the
remnant cone an earlier cycle left on the Pt cathode (tip 0.8 nm below the anode): the tip first
recedes slightly (Gibbs-Thomson), then grows towards the anode once the Butler-Volmer
overpotential passes its Tafel threshold; the tunnelling conductance of the closing gap rises
steadily until the apex atom jumps into contact (below 2 G0, review sec. 3); the compliance then
clamps the current and the neck stops growing as the cell voltage falls towards the threshold.
The metal deposited equals the charge the anode oxidised (ions are electroneutral; the atom of
the jump is the anode's), to solver tolerance, through contact and clamp.

The same set swept at 0.2 and 20 V/s (to first contact) gives the set voltage against the sweep
rate (T5): the tip grows by Tafel kinetics, a decade of rate per ~120 mV of overpotential at the
tip, so each decade of sweep rate needs more voltage before the gap closes and V_set rises
logarithmically with the rate (measured: 1.217, 1.480 and 1.698 V at 0.2, 2 and 20 V/s, +0.26
and +0.22 V per decade). Switching times of ECM cells fall exponentially with voltage (the
nonlinearity of the electrochemical kinetics), which is what makes V_set logarithmic in the
sweep rate.
"""

from pathlib import Path

import numpy as np
import pytest
from bp4 import bp4_steps_and_names
from ecm_support import I_CC_A, set_branch_test, slow_set_branch_test
from ecm_support import ecm_case as _case
from mpi4py import MPI
from scipy import constants

import apcfem
from apcfem import G0_S, Simulation


@pytest.fixture(scope="module")
def set_branch():
    return Simulation.from_config(_case(), MPI.COMM_WORLD).run(None, progress=False)


@pytest.fixture(scope="module")
def set_voltages_at_other_rates_V():
    """V_set at 0.2 and 20 V/s (the bundled rate, 2 V/s, is ``set_branch``'s)."""
    return {rate: _set_voltage_V(rate) for rate in (0.2, 20.0)}


def _set_voltage_V(rate_V_per_s: float) -> float:
    """Source voltage of the first connected step of a set at this sweep rate [V] (the
    maximum step scaled with the rate: the same steps per volt as the bundled 2 V/s; the sweep's
    top raised to 2.5 V so that the fastest set connects on the way up)."""
    cfg = _case(**{"protocol.ramp_rate_V_per_s": rate_V_per_s, "protocol.set_voltage_V": 2.5,
                   "dynamics.dt_max_s": 1e-2 / rate_V_per_s,
                   "dynamics.target_conductance_G0": 0.5})
    s = Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False).series
    return float(s["V_source_V"][_contact_index(s)])


def _contact_index(s) -> int:
    connected = np.flatnonzero(s["gap_m"] == 0)
    assert connected.size, "the filament never touched the anode"
    return int(connected[0])


@set_branch_test
def test_metal_is_conserved(set_branch):
    s = set_branch.series
    assert set_branch.stats["stop_reason"] == "end of protocol"
    deposited = s["filament_mol"] - s["filament_mol"][0]
    scale = np.max(np.abs(deposited))
    assert scale > 3e-23  # ~20 Ag atoms moved (measured ~36: the matrix keeps the flanks thin)
    assert np.max(np.abs(deposited - s["exchanged_mol"])) < 1e-6 * scale


@set_branch_test
def test_growth_has_a_threshold(set_branch):
    s = set_branch.series
    V, metal = s["V_source_V"], s["filament_mol"]
    before = np.arange(V.size) < _contact_index(s)
    low = before & (V <= 0.2)
    # below the threshold the remnant's tip dissolves (Gibbs-Thomson), above it grows
    assert metal[low][-1] < metal[0]
    V_set = V[_contact_index(s)]
    # the deposition rate rises steeply with the voltage: over the last 0.1 V before contact
    # it is more than 10x its rate 0.8 V lower (measured ~50x)
    high = _rate(s, before & (V >= V_set - 0.1))
    mid = _rate(s, before & (V >= V_set - 0.9) & (V <= V_set - 0.8))
    assert high > 10 * abs(mid), f"{high:.3g} against {mid:.3g} mol/s"
    assert 0.2 < V_set < 1.5, f"first contact at {V_set:.3f} V"


def _rate(s, window) -> float:
    """Mean rate of change of the filament's metal over the samples in window [mol/s]."""
    metal, t = s["filament_mol"][window], s["time_s"][window]
    return (metal[-1] - metal[0]) / (t[-1] - t[0])


@slow_set_branch_test
def test_set_voltage_rises_logarithmically_with_the_sweep_rate(set_branch,
                                                                set_voltages_at_other_rates_V):
    assert _case().protocol.ramp_rate_V_per_s == 2.0  # the bundled rate, set_branch's
    V_set = np.array([set_voltages_at_other_rates_V[0.2],
                      set_branch.series["V_source_V"][_contact_index(set_branch.series)],
                      set_voltages_at_other_rates_V[20.0]])
    per_decade = np.diff(V_set)  # the rates are a decade apart
    assert np.all(per_decade > 0.1), f"V_set {V_set} V at 0.2, 2, 20 V/s"
    # logarithmic: the two decades' rises within a factor 2 of each other
    assert per_decade.max() < 2.0 * per_decade.min(), f"V_set {V_set} V at 0.2, 2, 20 V/s"


def _set_branch_final_G0(result) -> float:
    """G_G0 at the end of a set branch's run (the sweep back at 0 V)."""
    return float(result.series["G_G0"][-1])


def _final_conductance_G0(**changes) -> float:
    """G_final of the test case's set branch with ``changes``."""
    return _set_branch_final_G0(
        Simulation.from_config(_case(**changes), MPI.COMM_WORLD).run(None, progress=False))


@slow_set_branch_test
def test_final_conductance_is_converged_in_the_time_step(set_branch):
    """T6, steps: halving every step control together (the largest step and drive step, the
    largest |Delta R_cell / R_cell| per step, the circuit and Newton tolerances) moves G_final
    by < 5 % (measured: 0.99386 G0 both, 447 and 812 steps; on the bundled 0.1 nm case 1e-6
    relative, README). ~6 min."""
    base = _case()
    d, solver = base.dynamics, base.solver
    halved = _final_conductance_G0(**{
        "dynamics.dt_max_s": d.dt_max_s / 2, "dynamics.max_drive_step": d.max_drive_step / 2,
        "dynamics.max_resistance_change": d.max_resistance_change / 2,
        "dynamics.circuit_tolerance": d.circuit_tolerance / 2,
        "solver.ecm_newton_tolerance": solver.ecm_newton_tolerance / 2})
    G_final = _set_branch_final_G0(set_branch)
    assert abs(halved / G_final - 1.0) < 0.05, f"G_final {G_final:.5f} -> {halved:.5f} G0"


@pytest.mark.slow
@pytest.mark.serial
@pytest.mark.timeout(3000)
def test_final_conductance_is_converged_in_the_mesh(set_branch):
    """T6, mesh: halving the mesh size at the filament (0.15 -> 0.075 nm) moves G_final by
    < 10 % (measured: 0.99386 -> 0.99409 G0, 447 and 533 steps; on the bundled case, 0.1 ->
    0.05 nm: +0.003 %, README). ~19 min."""
    fine = _final_conductance_G0(**{"mesh.min_size_nm": _case().mesh.min_size_nm / 2})
    G_final = _set_branch_final_G0(set_branch)
    assert abs(fine / G_final - 1.0) < 0.10, f"G_final {G_final:.5f} -> {fine:.5f} G0"


@set_branch_test
def test_tunnelling_rises_into_a_first_contact_below_two_G0(set_branch):
    s = set_branch.series
    first = _contact_index(s)
    growing = s["V_source_V"][:first] > 0.5
    G = s["G_landauer_G0"][:first][growing]
    assert np.log10(G[-1] / G[0]) >= 3.0
    assert np.all(np.diff(np.log(G)) > -0.05)  # monotone up to the sampled gap's round-off
    assert s["G_landauer_G0"][first] <= 2.0  # T2: the first connected step
    # a gap carrying < 1 nA heats nothing (the tunnel power is V^2 G_t, not I_leak^2 / G_t)
    tiny = s["I_A"][:first] < 1e-9
    assert np.max(s["T_max_K"][:first][tiny]) < s["T_max_K"][0] + 1.0
    assert s["G_G0"][first] <= 2.0


@set_branch_test
def test_compliance_clamps_and_the_neck_stops_growing(set_branch):
    s = set_branch.series
    assert np.max(s["I_A"]) <= I_CC_A * (1 + 1e-6)
    clamped = np.flatnonzero(s["limited"] > 0)
    assert clamped.size > 10
    # while clamped the cell holds a voltage above ~0.1 V (R_on ~ V_c / I_cc)
    assert np.min(s["V_cell_V"][clamped]) >= 0.1
    # the neck settles: its rate of change d a / dt right after the clamp (the bridged rod
    # relaxing towards its plateau's section) against its last third (G itself stands still on
    # a plateau while the neck moves)
    t, a = s["time_s"][clamped], s["neck_radius_m"][clamped]
    early = (a[5] - a[0]) / (t[5] - t[0])
    tail = t >= t[0] + 2 * (t[-1] - t[0]) / 3
    late = (a[tail][-1] - a[tail][0]) / (t[tail][-1] - t[tail][0])
    assert abs(late) < 1e-2 * abs(early)
    # a few G0 after the set, on the universal set relation R_on = V_c / I_cc with V_c in
    # 0.2-2 V (Ielmini, IEEE TED 58, 4309, 2011; measured Ag: ~1 G0 at 100 uA)
    G_final = s["G_G0"][-1]
    assert 0.99 <= G_final <= 5.0  # 0.99: the 1 G0 plateau, smeared by the neck temperature
    assert 0.2 <= I_CC_A / (G_final * G0_S) <= 2.0


@set_branch_test
def test_the_remnant_grows_from_the_cathode_so_the_neck_sits_on_the_anode(set_branch):
    # the growth regime of this model (Yang et al., Nat. Commun. 5, 4232, 2014): the remnant
    # on the inert Pt grows until its tip meets the Ag anode, and the neck stays at that face
    assert set_branch.stats["neck_height_fraction"] == pytest.approx(1.0, abs=0.05)


def _pulse_series(comm, amplitude_V=1.2, dt_s=1e-4):
    """A fixed-step 1.2 V pulse of 2 ms: growth, no contact (fast enough for 2 ranks)."""
    cfg = _case(**{"protocol": {"kind": "pulse_train", "amplitude_V": amplitude_V,
                                "rise_s": 1e-3, "width_s": 1e-3, "interval_s": 3e-3,
                                "count": 1},
                   "dynamics.dt_initial_s": dt_s, "dynamics.dt_min_s": dt_s,
                   "dynamics.dt_max_s": dt_s, "dynamics.max_drive_step": 1.0,
                   "dynamics.max_resistance_change": 10.0})
    return Simulation.from_config(cfg, comm).run(progress=False).series


@pytest.mark.mpi
@pytest.mark.timeout(900)
def test_same_series_on_one_rank_and_all_ranks():
    """Guards the distributed ECM step (growth pulse, no contact): the series on all ranks
    equal the one-rank run to 1e-6 (MPI only). The contact path is not compared: a run that
    forms the filament takes far longer than this pulse."""
    assert MPI.COMM_WORLD.size > 1, "a 1-vs-N-rank comparison needs N > 1"
    world = _pulse_series(MPI.COMM_WORLD)
    alone = _pulse_series(MPI.COMM_SELF)
    assert world["filament_mol"][-1] > world["filament_mol"][0]  # it grew
    for key in ("filament_mol", "exchanged_mol", "G_G0", "I_A", "gap_m", "T_max_K"):
        assert np.allclose(world[key], alone[key], rtol=1e-6, atol=0), key


@pytest.mark.serial  # the seeded noise's rank agreement: tests/parallel (SEEDED_PULSES)
def test_interface_noise_conserves_metal_and_follows_its_seed(tmp_path):
    """variability.interface_noise = 1 (the reaction's shot noise) on the fixed-step growth
    pulse: the metal deposited still equals the charge the anode oxidised, to solver tolerance
    (the noise is booked as deposition in the ions' balance), and two seeds grow different
    filaments; the field snapshots hold the noise's interface shift and phase increment."""
    grown, shared = [], Path(MPI.COMM_WORLD.bcast(str(tmp_path), root=0))  # one dir on all ranks
    for seed in (0, 1):
        cfg = _case(**{"protocol": {"kind": "pulse_train", "amplitude_V": 1.2, "rise_s": 1e-3,
                                    "width_s": 1e-3, "interval_s": 3e-3, "count": 1},
                       "dynamics.dt_initial_s": 1e-4, "dynamics.dt_min_s": 1e-4,
                       "dynamics.dt_max_s": 1e-4, "dynamics.max_drive_step": 1.0,
                       "dynamics.max_resistance_change": 10.0,
                       "variability.interface_noise": 1.0, "variability.seed": seed,
                       "output.fields": True})
        out = shared / "seed0" if seed == 0 else None
        result = Simulation.from_config(cfg, MPI.COMM_WORLD).run(out, progress=False)
        s = result.series
        assert result.stats["stop_reason"] == "end of protocol"
        deposited = s["filament_mol"] - s["filament_mol"][0]
        assert np.max(np.abs(deposited - s["exchanged_mol"])) < 1e-6 * np.max(np.abs(deposited))
        grown.append(deposited)
    assert abs(grown[0][-1] / grown[1][-1] - 1.0) > 1e-3
    steps, counts = bp4_steps_and_names(shared / "seed0" / "fields.bp",
                                        ("xi", "interface_shift", "deposition_noise"))
    assert steps >= 2 and all(count > 0 for count in counts.values()), counts


@pytest.mark.serial  # a failed solve under mpiexec: test_a_run_that_cannot_continue_...
@pytest.mark.timeout(900)
def test_abrupt_voltage_step_is_survived_by_cutting_back(caplog):
    """A 3 V step in 1 ns against an initial dt of 1 ms: Newton fails, dt is cut back."""
    import logging
    cfg = _case(**{"protocol": {"kind": "pulse_train", "amplitude_V": 3.0, "rise_s": 1e-9,
                                "width_s": 1e-3, "interval_s": 2e-3, "count": 1},
                   "dynamics.dt_initial_s": 1e-3, "dynamics.dt_max_s": 1e-3,
                   "dynamics.max_drive_step": 1.0})
    with caplog.at_level(logging.WARNING, logger="apcfem"):
        result = Simulation.from_config(cfg).run(progress=False)
    assert result.stats["stop_reason"] == "end of protocol"
    assert result.stats["rejected_steps"] >= 1
    assert result.series["time_s"][-1] == pytest.approx(2e-3)
    assert np.all(np.isfinite(result.series["filament_mol"]))


@pytest.mark.timeout(600)
def test_a_run_that_cannot_continue_stops_with_its_steps_kept(tmp_path_factory):
    """dt_min = dt_initial: the first failed Newton solve cannot be cut back; the run ends with
    a 'failed' stop reason, keeping the state it had (no exception, no NaN)."""
    out = tmp_path_factory.mktemp("stuck") if MPI.COMM_WORLD.rank == 0 else None
    out = MPI.COMM_WORLD.bcast(out, root=0)
    cfg = _case(**{"protocol": {"kind": "pulse_train", "amplitude_V": 3.0, "rise_s": 1e-9,
                                "width_s": 1e-3, "interval_s": 2e-3, "count": 1},
                   "dynamics.dt_initial_s": 1e-3, "dynamics.dt_min_s": 1e-3,
                   "dynamics.dt_max_s": 1e-3, "dynamics.max_drive_step": 1.0})
    result = Simulation.from_config(cfg).run(out / "run", progress=False)
    assert result.stats["stop_reason"].startswith("failed")
    assert len(result.series["time_s"]) >= 1 and np.all(np.isfinite(result.series["G_G0"]))
    assert (out / "run" / "timeseries.csv").is_file()


def test_cu_ion_charge_is_switchable():
    """The charge of Cu in SiO2 is disputed (Cu+ or Cu2+): ecm.charge_number = 1 replaces the
    library's z = 2 in the whole model; the deposition velocity v0 = j0 / (z F c_m) doubles."""
    from apcfem.coupling.ecm_cell import EcmCell

    base = {"mesh.min_size_nm": 0.3, "materials.filament": "Cu", "materials.top_electrode": "Cu"}
    cells = [EcmCell(_case(**{**base, "ecm.charge_number": z}), MPI.COMM_WORLD) for z in (None, 1)]
    try:
        (library, switched) = cells
        assert (library.z, switched.z) == (2.0, 1.0)
        assert switched.species.charge_number == 1.0
        assert switched.deposition_velocity_m_per_s == pytest.approx(
            2 * library.deposition_velocity_m_per_s, rel=1e-12)
    finally:
        for cell in cells:
            cell.close()


def test_hopping_distance_is_switchable():
    """ecm.hopping_distance_nm replaces the library's Mott-Gurney distance (0.25 nm for Ag+)
    in the ionic current; without it the library value is used."""
    from apcfem.coupling.ecm_cell import EcmCell

    cells = [EcmCell(_case(**{"mesh.min_size_nm": 0.3, "ecm.hopping_distance_nm": a}),
                     MPI.COMM_WORLD) for a in (None, 0.5)]
    try:
        library = apcfem.get_material("Ag").ion.hopping_distance_m.value
        assert cells[0].species.hop_distance_m == library == pytest.approx(0.25e-9)
        assert cells[1].species.hop_distance_m == pytest.approx(0.5e-9, rel=1e-12)
    finally:
        for cell in cells:
            cell.close()


def test_thermally_activated_exchange_follows_arrhenius_in_the_local_temperature():
    """ecm.thermally_activated_exchange scales j0 (and the capillary mobility with it) by
    exp(-E_a / k_B (1/T - 1/T_ambient)) with the ion's barrier, evaluated in the cell's
    temperature field: 1 at the ambient temperature, e^14 for 0.78 eV at 560 K (the clamped
    100 uA neck); without it the factor is 1 at any temperature."""
    from dolfinx import fem

    from apcfem.coupling.ecm_cell import EcmCell

    cells = [EcmCell(_case(**{"mesh.min_size_nm": 0.3, "ecm.thermally_activated_exchange": on}),
                     MPI.COMM_WORLD) for on in (True, False)]
    try:
        barrier = cells[0].cycle_parameters.activation_energy_eV.value
        kB = constants.k / constants.e
        for T in (300.0, 560.0):
            factors = []
            for cell in cells:
                cell.T.x.array[:] = T
                factor = fem.Function(cell.T.function_space)
                factor.interpolate(fem.Expression(
                    cell.exchange_factor, cell.T.function_space.element.interpolation_points))
                factors.append(factor.x.array)
            expected = np.exp(-barrier / kB * (1.0 / T - 1.0 / 300.0))
            np.testing.assert_allclose(factors[0], expected, rtol=1e-10)
            np.testing.assert_allclose(factors[1], 1.0, rtol=1e-12)
        assert expected > 1e5
    finally:
        for cell in cells:
            cell.close()


def test_the_electrode_beyond_the_mesh_takes_half_the_power_of_a_neck_on_its_face():
    """physics.neck_power_split = "banks" releases half the neck power on each side of the
    neck plane: a gap plane on the anode face (the Ag anode is not meshed) heats the mesh with
    P / 2 (below it, the cone; the anode's half leaves to its sink), a plane through the
    middle of the cone with all of P (the electrodes 2.5 nm away take erfc(2.5) ~ 4e-4 of the
    Gaussian's half-space: < 2 % of a side); "metal" releases all of P in the mesh at either
    plane."""
    from apcfem.coupling.ecm_cell import EcmCell

    power_W, G_S = 1e-6, 1e-6  # V^2 G across a gap at 1 V
    for split, at_face, in_middle in (("metal", 1.0, 1.0), ("banks", 0.5, 1.0)):
        cell = EcmCell(_case(**{"mesh.min_size_nm": 0.3, "physics.neck_power_split": split}),
                       MPI.COMM_WORLD)
        try:
            bottom, top = cell._heat._split.ends_m
            cell._heat.solve(1.0, top, G_S, broken=True)
            assert cell._heat.released_power_W() == pytest.approx(at_face * power_W, rel=1e-9)
            cell._heat.solve(1.0, bottom + 0.5 * (top - bottom), G_S, broken=True)
            assert cell._heat.released_power_W() == pytest.approx(in_middle * power_W,
                                                                 rel=0.02)
        finally:
            cell.close()


def test_a_rejected_step_restores_the_neck_shell_term():
    """With ecm.shell_correction the neck's shell potential, its plane and width are part of
    the accepted state: reject() returns them to the values of the last accept()."""
    from apcfem.coupling.ecm_cell import EcmCell

    cell = EcmCell(_case(**{"mesh.min_size_nm": 0.3, "ecm.shell_correction": True}),
                   MPI.COMM_WORLD)
    try:
        accepted = (0.3, 6.9e-9, 0.3e-9)
        for constant, value in zip(cell._shell, accepted, strict=True):
            constant.value = value
        cell.accept()
        for constant in cell._shell:
            constant.value = -1.0
        cell.reject()
        assert tuple(float(c.value) for c in cell._shell) == accepted
    finally:
        cell.close()


@pytest.fixture
def shell_cell():
    """A coarse ECM cell with the neck's shell potential (placed, not solved)."""
    from apcfem.coupling.ecm_cell import EcmCell

    cell = EcmCell(_case(**{"mesh.min_size_nm": 0.3, "ecm.shell_correction": True}),
                   MPI.COMM_WORLD)
    yield cell
    cell.close()


def _ag_electrons(temperature_K: float):
    metal = apcfem.get_material("Ag")
    return apcfem.landauer.Electrons(metal.fermi_energy_eV.value,
                                     metal.effective_mass_me.value, temperature_K)


def test_the_shell_window_stays_on_its_constriction(shell_cell):
    """On a near-uniform rod the narrowest slice hops between heights: the shell window stays
    where it is while the minimum moves within its width, and takes the section radius at its
    own plane; it follows a minimum that moves farther (a new constriction)."""
    from apcfem.landauer.shell import circular_shell_chemical_potential_eV
    from apcfem.neck import NeckProfile

    cell, electrons = shell_cell, _ag_electrons(300.0)
    z = np.linspace(2e-9, 7e-9, 101)

    def rod(z_min, a_min):
        radius = np.where(np.abs(z - 6.0e-9) < 0.5e-9, 0.262e-9, 1.0e-9)
        radius[np.argmin(np.abs(z - z_min))] = a_min
        return NeckProfile(z, radius, a_min, z[np.argmin(np.abs(z - z_min))], 0.0)

    cell.set_neck_shell(cell.place_neck_shell(rod(5.8e-9, 0.260e-9), electrons))
    plane = float(cell._shell_z.value)
    shell = cell.place_neck_shell(rod(6.0e-9, 0.259e-9), electrons)  # inside the window
    assert float(cell._shell_z.value) == plane
    expected = circular_shell_chemical_potential_eV(
        0.262e-9, electrons, apcfem.get_material("Ag").atomic_volume_m3.value)
    assert shell == pytest.approx(expected, rel=1e-12)
    cell.place_neck_shell(rod(6.4e-9, 0.258e-9), electrons)  # 0.6 nm away: a new plane
    assert float(cell._shell_z.value) == pytest.approx(z[np.argmin(np.abs(z - 6.4e-9))])


def test_the_shell_potential_is_continuous_where_the_last_channel_closes(shell_cell):
    """A thinning neck's shell potential rises steeply as its last mode closes (the atoms
    lose the channel's binding) and keeps that value below the first mode's radius: no jump
    for the step's circuit/shell iteration to straddle (a cut to 0 there had no fixed point,
    and the reset crawled towards the first mode's radius with ever shorter steps)."""
    from apcfem.neck import NeckProfile
    from apcfem.quantum_contact import first_mode_radius_m

    cell, electrons = shell_cell, _ag_electrons(400.0)
    z = np.linspace(2e-9, 7e-9, 101)
    a_1 = first_mode_radius_m(electrons)

    def shell(a):
        radius = np.where(np.abs(z - 6.0e-9) < 0.5e-9, a, 1.0e-9)
        cell.set_neck_shell(0.0)
        return cell.place_neck_shell(NeckProfile(z, radius, a, 6.0e-9, 0.0), electrons)

    closing = [shell(a_1 + d) for d in (20e-12, 5e-12, 1e-12, 0.1e-12)]
    assert closing[0] < -0.3 and np.all(np.diff(closing) > 0)   # bound, then unbinding
    assert closing[-1] > 0.4
    assert shell(a_1 - 1e-12) == pytest.approx(shell(a_1), abs=1e-12)
    assert shell(0.5 * a_1) == pytest.approx(shell(a_1), abs=1e-12)
    assert abs(shell(a_1 + 0.01e-12) - shell(a_1)) < 0.005   # ~0.2 eV/pm there


@pytest.mark.parametrize("mesh_nm", [0.1, pytest.param(0.05, marks=pytest.mark.serial)])
def test_the_bridged_neck_sits_where_the_apex_meets_the_face(mesh_nm):
    """A relaxed cone whose tip stopped 0.3 nm below the Ag anode, bridged: the narrowest
    section of the bridged filament is at the anode's face (within half a cell), on both
    meshes, and the bridge's neck is about one atom wide. (A uniform rod across the gap put
    it on the face or 0.19 nm below it, in a slice the mesh picked.)"""
    from apcfem.coupling.ecm_cell import EcmCell

    cfg = _case(**{"mesh.min_size_nm": mesh_nm, "ecm.cone_gap_nm": 0.3})
    cell = EcmCell(cfg, MPI.COMM_WORLD)
    try:
        extract = Simulation(cfg, MPI.COMM_WORLD)._neck_extractor(cell)
        before = extract(cell.xi)
        assert 0.15e-9 < before.gap_m < 0.35e-9
        cell.bridge_gap(before)
        after = extract(cell.xi)
        top = cell.layer_z_m[1]
        assert after.gap_m == 0.0
        assert abs(after.neck_z_m - top) <= 0.5 * mesh_nm * 1e-9
        assert after.neck_radius_m == pytest.approx(cell.bridge_radius_m, rel=0.25)
    finally:
        cell.close()


def test_the_first_solve_after_a_jump_of_the_neck_may_take_more_newton_iterations():
    """Bridging a gap, or switching on a neck's shell potential, makes a state whose ionic
    potential must equilibrate around the changed neck (a residual that does not shrink with
    dt): the next block solve runs with the relaxation's Newton limit, the ones after it (and
    after a small change of the shell) with the time steps' own; a checkpoint keeps the flag."""
    from apcfem.coupling.ecm_cell import BLOCK_OPTIONS, RELAXATION_NEWTON_ITERATIONS, EcmCell
    from apcfem.neck import NeckProfile

    cell = EcmCell(_case(**{"mesh.min_size_nm": 0.3}), MPI.COMM_WORLD)
    try:
        snes = cell._block.problem.solver
        limits = []
        snes.setMonitor(lambda snes, its, norm: limits.append(snes.getTolerances()[3]))
        bottom, top = cell.layer_z_m
        z = np.linspace(bottom, top, 51)
        radius = np.where(z < top - 0.2e-9, 1.0e-9, 0.0)
        added_mol = cell.bridge_gap(NeckProfile(z, radius, 0.0, top - 0.1e-9, 0.0,
                                                 ((top - 0.2e-9, top),)))
        assert added_mol > 0.0
        assert cell.state_scalars()["far_start"] == 1.0
        cell.advance(0.0, 1e-9, 0.1)
        assert set(limits) == {RELAXATION_NEWTON_ITERATIONS}
        assert cell.state_scalars()["far_start"] == 0.0
        cell.accept()
        limits.clear()
        cell.advance(1e-9, 1e-9, 0.1)
        assert set(limits) == {BLOCK_OPTIONS["snes_max_it"]}
        cell.accept()
        limits.clear()
        cell.set_neck_shell(-0.6)  # the shells of a 1 G0 neck switching on
        cell.advance(2e-9, 1e-9, 0.1)
        assert set(limits) == {RELAXATION_NEWTON_ITERATIONS}
        cell.accept()
        limits.clear()
        cell.set_neck_shell(-0.62)
        cell.advance(3e-9, 1e-9, 0.1)
        assert set(limits) == {BLOCK_OPTIONS["snes_max_it"]}
        cell.restore_scalars({**cell.state_scalars(), "far_start": 1.0})
        assert cell.state_scalars()["far_start"] == 1.0
    finally:
        cell.close()


def test_newton_tolerance_reaches_the_coupled_solve():
    """solver.ecm_newton_tolerance is the coupled block's absolute and relative tolerance."""
    from apcfem.coupling.ecm_cell import EcmCell

    cell = EcmCell(_case(**{"mesh.min_size_nm": 0.3, "solver.ecm_newton_tolerance": 3e-11}),
                   MPI.COMM_WORLD)
    try:
        rtol, atol, _, _ = cell._block.problem.solver.getTolerances()
        assert (rtol, atol) == (3e-11, 3e-11)
    finally:
        cell.close()


@pytest.mark.serial  # files are written by rank 0 into its own tmp_path; ranks: see tests/parallel
@pytest.mark.timeout(600)
def test_current_sweep_drives_a_connected_filament_end_to_end(tmp_path):
    """A current source ramps 0 -> 100 uA -> 0 through a filament connected from the start
    (ecm.initial_filament = "cone", gap 0): the cell current is the source's at every step
    (the circuit solves V for I), the source voltage stays under its compliance, the neck
    carries a Landauer contact of a few G0 (a 0.4 nm neck: ~4 G0) and the run writes its
    files."""
    from apcfem.protocols import build_waveform

    cfg = _case(**{"mesh.min_size_nm": 0.3, "ecm.initial_filament": "cone",
                   "ecm.cone_base_radius_nm": 1.5, "ecm.cone_tip_radius_nm": 0.4,
                   "ecm.cone_gap_nm": 0.0, "ecm.channel_radius_nm": None,
                   "dynamics.dt_max_s": 2e-4,
                   "protocol": {"kind": "current_sweep", "ramp_rate_A_per_s": 0.05,
                                "set_current_A": 1e-4, "voltage_limit_V": 2.0}})
    result = Simulation.from_config(cfg, MPI.COMM_WORLD).run(tmp_path / "run", progress=False)
    s, drive = result.series, build_waveform(cfg.protocol)
    assert result.stats["stop_reason"] == "end of protocol"
    expected = np.array([drive(t) for t in s["time_s"]])
    np.testing.assert_allclose(s["I_A"], expected, rtol=1e-6, atol=1e-12)
    assert s["V_source_V"].max() < cfg.protocol.voltage_limit_V
    assert np.all(s["gap_m"] == 0)
    assert 2.0 < s["G_G0"].min() and s["G_G0"].max() < 8.0
    assert (tmp_path / "run" / "timeseries.csv").is_file()


def _cavity_edge_at_the_anode_nm(**changes) -> float:
    """Radius [nm] where the matrix's starting cavity crosses 1/2 just below the anode face,
    for the test case with the matrix on and ``changes``."""
    from apcfem.coupling.ecm_cell import EcmCell
    from apcfem.mesh.probe import PointProbe

    cell = EcmCell(_case(**{"ecm.matrix": True, **changes}), MPI.COMM_WORLD)
    try:
        nm = 1e-9
        radii = np.linspace(0.0, 1.0, 201) * nm
        z = cell.layer_z_m[1] - 0.05 * nm
        points = np.column_stack([radii, np.full_like(radii, z), np.zeros_like(radii)])
        cavity = PointProbe(cell.device.mesh, points)(cell.cavity)
    finally:
        cell.close()
    inside = np.flatnonzero(cavity >= 0.5)
    assert inside.size and inside[-1] < radii.size - 1
    i = inside[-1]  # linear crossing between the last radius inside and the next
    return float(np.interp(0.5, [cavity[i + 1], cavity[i]], [radii[i + 1], radii[i]]) / nm)


@set_branch_test
def test_the_matrix_channel_narrows_to_its_radius_at_the_anode():
    """The cavity a remnant cone starts with reaches the anode as the channel its dissolved
    part left: ``ecm.channel_radius_nm`` (0.45 nm in the bundled case), by default the cone's
    taper continued (base 1.0, tip 0.5 nm, gap 0.8 nm in a 5 nm layer:
    0.5 - 0.5 (0.8 + 0.5) / 3.7 = 0.324 nm)."""
    assert _cavity_edge_at_the_anode_nm() == pytest.approx(0.45, abs=0.03)
    taper = 0.5 - 0.5 * (0.8 + 0.5) / (5.0 - 0.8 - 0.5)
    assert _cavity_edge_at_the_anode_nm(**{"ecm.channel_radius_nm": None}) == pytest.approx(
        taper, abs=0.03)
