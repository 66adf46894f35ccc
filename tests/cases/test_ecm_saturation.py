"""ECM saturation under compliance with the level-set curvature (a held source, T3)."""

import numpy as np
import pytest
from ecm_support import ecm_case, set_branch_test
from mpi4py import MPI

import apcfem
from apcfem import Simulation


@set_branch_test
def test_a_held_source_saturates_at_the_gibbs_thomson_neck():
    """T3 with the level-set curvature: from a connected cone (base 1.5 nm, neck 0.3 nm) the
    source is held at 1.0 V with I_cc = 100 uA for 1 s. The neck is where the electrochemical
    drive of the clamped cell voltage meets its own Gibbs-Thomson shift gamma Omega / (e a)
    (0.43 V at a = 0.31 nm for Ag): G stops, d ln G / d ln t < 0.05 over the last decade, with
    V_cell well above 0.1 V (R_on ~ V_c / I_cc). The body of the cone keeps thickening from
    the ionic current (the neck at the anode face does not see it)."""
    hold = {"kind": "pulse_train", "amplitude_V": 1.0, "width_s": 1.0, "rise_s": 1e-3,
            "interval_s": 1.01, "count": 1}
    cfg = ecm_case(**{"protocol": hold, "ecm.curvature": "level_set",
                   "ecm.initial_filament": "cone", "ecm.cone_base_radius_nm": 1.5,
                   "ecm.cone_tip_radius_nm": 0.3, "ecm.cone_gap_nm": 0.0,
                   "dynamics.dt_initial_s": 1e-6, "dynamics.dt_max_s": 1.0,
                   "dynamics.max_drive_step": 0.05})
    s = Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False).series
    held = (s["time_s"] >= 2e-3) & (s["time_s"] <= 1.0)
    t, G, V_cell = s["time_s"][held], s["G_G0"][held], s["V_cell_V"][held]
    assert np.all(s["limited"][held] > 0) and np.all(s["gap_m"][held] == 0)
    assert np.all(V_cell >= 0.3)
    last_decade = t >= t[-1] / 10
    slope = np.log(G[last_decade][-1] / G[last_decade][0]) / np.log(10.0)
    assert abs(slope) < 0.05, f"d ln G / d ln t = {slope:.3f} over the last decade"
    assert 1.0 <= G[-1] <= 5.0
    # the neck against its Gibbs-Thomson balance: gamma Omega / (e a) within 30 % of V_cell
    # (the neck's axial curvature and the Tafel drive make up the rest)
    metal = apcfem.get_material("Ag")
    shift = (metal.surface_energy_J_per_m2.value * metal.atomic_volume_m3.value
             / (1.602176634e-19 * s["neck_radius_m"][held][-1]))
    assert shift == pytest.approx(V_cell[-1], rel=0.3)
