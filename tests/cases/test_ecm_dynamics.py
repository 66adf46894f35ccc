"""ECM filament dynamics (issue 10): what the redesigned model shows before contact.

The bundled Ag/SiO2/Pt cell (5 nm layer, coarser mesh) under a 5 V/s sweep: the 0.8 nm nucleus on the Pt
cathode first ripens into the flat Ag anode (its Gibbs-Thomson potential drives dissolution at
low bias), then grows towards the anode once the Butler-Volmer overpotential passes its Tafel
threshold; the tunnelling conductance of the closing gap rises steadily; the metal deposited
equals the charge the anode oxidised (ions are electroneutral), to solver tolerance.
"""

import numpy as np
import pytest
from mpi4py import MPI

import apcfem
from apcfem import Simulation, load_case, update_case


def _case(**changes):
    cfg = load_case(apcfem.bundled_case("ecm_ag_sio2_pt_sweep"))
    base = {"mesh.min_size_nm": 0.15,
            "protocol.ramp_rate_V_per_s": 5.0, "protocol.reset_voltage_V": None,
            "dynamics.dt_max_s": 1e-3, "dynamics.target_conductance_G0": 1e-6,
            "dynamics.max_steps": 400, "output.fields": False, "output.plots": False}
    return update_case(cfg, {**base, **changes})


@pytest.fixture(scope="module")
def growth():
    return Simulation.from_config(_case(), MPI.COMM_WORLD).run(None, progress=False)


@pytest.mark.timeout(900)
def test_metal_is_conserved(growth):
    s = growth.series
    deposited = s["filament_mol"] - s["filament_mol"][0]
    scale = np.max(np.abs(deposited))
    assert scale > 1e-22  # ~60 Ag atoms moved
    assert np.max(np.abs(deposited - s["exchanged_mol"])) < 1e-6 * scale


@pytest.mark.timeout(900)
def test_growth_has_a_threshold(growth):
    s = growth.series
    V, metal = s["V_source_V"], s["filament_mol"]
    rising = np.arange(V.size) <= np.argmax(V)
    assert rising[-1], "the set must end on the rising branch (target conductance reached)"
    low = rising & (V <= 0.2)
    # below the threshold the nucleus ripens into the anode (Gibbs-Thomson), above it grows
    assert metal[low][-1] < metal[0]
    high = rising & (V >= V[-1] - 0.1)
    rate_low = (metal[low][-1] - metal[0]) / (s["time_s"][low][-1] + 1e-30)
    rate_high = (metal[high][-1] - metal[high][0]) / (s["time_s"][high][-1] - s["time_s"][high][0])
    assert rate_high > 10 * abs(rate_low)
    assert 0.2 < V[-1] < 1.5, f"set (G = 1e-6 G0) at {V[-1]:.3f} V"


@pytest.mark.timeout(900)
def test_tunnelling_rises_as_the_gap_closes(growth):
    s = growth.series
    growing = s["V_source_V"] > 0.5
    G, gap = s["G_landauer_G0"][growing], s["gap_m"][growing]
    assert np.all(gap > 0)  # not yet in contact
    assert np.log10(G[-1] / G[0]) >= 3.0
    # monotone up to round-off of the sampled gap
    assert np.all(np.diff(np.log(G)) > -0.05)


def _pulse_series(comm, amplitude_V=1.2, dt_s=1e-4):
    """A fixed-step 1.2 V pulse of 2 ms: growth, no contact (fast enough for 2 ranks)."""
    cfg = _case(**{"protocol": {"kind": "pulse_train", "amplitude_V": amplitude_V,
                                "rise_s": 1e-3, "width_s": 1e-3, "interval_s": 3e-3,
                                "count": 1},
                   "dynamics.dt_initial_s": dt_s, "dynamics.dt_min_s": dt_s,
                   "dynamics.dt_max_s": dt_s, "dynamics.max_drive_step": 1.0,
                   "dynamics.max_resistance_change": 10.0})
    return Simulation.from_config(cfg, comm).run(progress=False).series


@pytest.mark.timeout(900)
def test_same_series_on_one_rank_and_all_ranks():
    world = _pulse_series(MPI.COMM_WORLD)
    alone = _pulse_series(MPI.COMM_SELF)
    assert world["filament_mol"][-1] > world["filament_mol"][0]  # it grew
    for key in ("filament_mol", "exchanged_mol", "G_G0", "I_A", "gap_m", "T_max_K"):
        assert np.allclose(world[key], alone[key], rtol=1e-6, atol=0), key


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
