"""ECM saturation of a held source (T3), and with the level-set curvature alone."""

import numpy as np
import pytest
from ecm_support import ecm_case, set_branch_test, slow_set_branch_test
from mpi4py import MPI

import apcfem
from apcfem import Simulation
from apcfem.materials.laws import fermi_wavevector_per_m
from apcfem.quantum_contact import J01, J11

# The earlier calibration: faster ions (0.6 eV, the library's 0.25 nm hop), no shell energy,
# no host matrix and the slower reduction that needed (j0 = 1e-3 A/m^2).
EARLY_CALIBRATION = {"ecm.activation_energy_eV": 0.6, "ecm.hopping_distance_nm": None,
                     "ecm.shell_correction": False, "ecm.matrix": False,
                     "ecm.exchange_current_density_A_per_m2": 1e-3}

# A cone connected to the anode (no channel left in the matrix: it fills its cavity).
HELD_CONE = {"ecm.initial_filament": "cone", "ecm.cone_base_radius_nm": 1.5,
             "ecm.cone_tip_radius_nm": 0.3, "ecm.cone_gap_nm": 0.0,
             "ecm.channel_radius_nm": None,
             "dynamics.dt_initial_s": 1e-6, "dynamics.dt_max_s": 1.0,
             "dynamics.max_drive_step": 0.05}


def _hold(width_s: float) -> dict:
    """The source held at 1.0 V for ``width_s`` (1 ms rise)."""
    return {"kind": "pulse_train", "amplitude_V": 1.0, "width_s": width_s, "rise_s": 1e-3,
            "interval_s": width_s + 0.01, "count": 1}


@set_branch_test
def test_a_held_source_saturates_at_the_gibbs_thomson_neck():
    """The smooth surface energy alone (the earlier calibration: no shell energy, no matrix,
    faster ions): from a connected cone (base 1.5 nm, neck 0.3 nm, on the
    1 G0 plateau) the source is held at 1.0 V with I_cc = 100 uA for 1 s. The neck grows up the
    1 -> 3 G0 step until the compliance clamps, then stops where the clamped cell voltage
    meets its own Gibbs-Thomson shift gamma Omega / (e a) (0.42 V at a = 0.32 nm): over the
    last decade of time its radius changes by under 1 % (d ln a / d ln t < 0.01), with V_cell
    well above 0.1 V (R_on ~ V_c / I_cc). G itself, on the flank of the soft step where
    dG/da ~ 25 G0/nm, still moves with d ln G / d ln t = 0.09 there (the target is < 0.05);
    over longer holds the neck keeps creeping (0.59 nm, 9 G0 after 100 s at V_cell = 0.14 V)."""
    cfg = ecm_case(**{"protocol": _hold(1.0), **HELD_CONE, **EARLY_CALIBRATION})
    s = Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False).series
    clamp = s["time_s"][np.flatnonzero(s["limited"] > 0)[0]]
    assert clamp < 0.02
    held = (s["time_s"] >= clamp) & (s["time_s"] <= 1.0)
    t, G, V_cell = s["time_s"][held], s["G_G0"][held], s["V_cell_V"][held]
    a = s["neck_radius_m"][held]
    assert np.all(s["limited"][held] > 0) and np.all(s["gap_m"][held] == 0)
    assert np.all(V_cell >= 0.3)
    last_decade = t >= t[-1] / 10
    slope = np.log(a[last_decade][-1] / a[last_decade][0]) / np.log(10.0)
    assert abs(slope) < 0.01, f"d ln a / d ln t = {slope:.4f} over the last decade"
    assert 1.0 <= G[-1] <= 5.0
    # the neck against its Gibbs-Thomson balance: gamma Omega / (e a) within 30 % of V_cell
    # (the neck's axial curvature and the Tafel drive make up the rest)
    metal = apcfem.get_material("Ag")
    shift = (metal.surface_energy_J_per_m2.value * metal.atomic_volume_m3.value
             / (1.602176634e-19 * s["neck_radius_m"][held][-1]))
    assert shift == pytest.approx(V_cell[-1], rel=0.3)


@pytest.fixture(scope="module")
def held_100s():
    """The bundled model (electron shells, the slower ions, the matrix): the connected cone of
    the test above held at 1.0 V for 100 s with I_cc = 100 uA."""
    cfg = ecm_case(**{"protocol": _hold(100.0), **HELD_CONE})
    return Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False).series


@slow_set_branch_test
def test_a_held_one_channel_neck_holds_unclamped_at_first(held_100s):
    """Over 0.01-0.1 s the 1 G0 neck holds, unclamped (I < I_cc) with V_cell > 0.9 V: along
    the plateau the electrons' shell energy per atom rises with the radius (0.4-0.6 eV below
    the second mode's edge) and, added to gamma Omega / a, balances a drive the smooth surface
    energy alone cannot (without the shells the hold clamps within 20 ms, the test above)."""
    s = held_100s
    t, G, V_cell = s["time_s"], s["G_G0"], s["V_cell_V"]
    assert np.all(s["gap_m"][t <= 100.0] == 0)
    one = (t >= 0.01) & (t <= 0.1)
    assert np.all(s["limited"][one] == 0) and np.all(V_cell[one] > 0.9)
    assert np.all(np.abs(G[one] - 1.0) < 0.1)
    metal = apcfem.get_material("Ag")
    k_F = fermi_wavevector_per_m(metal.fermi_energy_eV.value, metal.effective_mass_me.value)
    assert np.all((k_F * s["neck_radius_m"][one] > J01) & (k_F * s["neck_radius_m"][one] < J11))


@slow_set_branch_test
def test_a_held_source_saturates(held_100s):
    """T3: over the last decade of the hold (10-100 s) d ln G / d ln t < 0.05, with V_cell >=
    0.1 V wherever the compliance clamps, and the filament's metal changes by less than 1 %:
    the neck widens to ~1.15 G0 within ~2 s and then neither it nor the flanks grow. Beyond the
    cavity the cone's metal opened, deposition works against SiO2's hardness (p Omega / e =
    0.96 V for Ag), more than the cell voltage supplies. (Without the matrix the clamped neck
    sintered: the flanks fattened 3.8x in 25 s and the neck filled in to 37 G0 at 100 s, V_cell
    0.035 V; README.) The hold stays just below the compliance (~86 uA), so the clamped branch
    of the check is not exercised here."""
    s = held_100s
    t, G, V_cell = s["time_s"], s["G_G0"], s["V_cell_V"]
    assert np.all(s["gap_m"] == 0)
    last = (t >= 10.0) & (t <= 100.0)
    clamped = last & (s["limited"] > 0)
    assert np.all(V_cell[clamped] >= 0.1)
    slope = np.log(G[last][-1] / G[last][0]) / np.log(t[last][-1] / t[last][0])
    assert abs(slope) < 0.05, f"d ln G / d ln t = {slope:.4f} over 10-100 s"
    metal = s["filament_mol"][last]
    assert abs(metal[-1] / metal[0] - 1.0) < 0.01
    assert 1.0 <= G[last][-1] <= 5.0  # at the end of the hold (off bias the neck thins back)
