"""Time convergence of the ECM step (T9): backward Euler with the operator splitting.

Each step solves (xi, phi_e) by Newton with the metal potential phi_m = V_cell phi_unit and the
temperature of the previous iterate, then updates phi_unit, the contact and the circuit and
repeats until V_cell is consistent (EcmCell / Simulation._step). phi_unit is lagged by one
iteration, so the scheme is first order in dt like backward Euler itself. Measured on a growth
pulse at fixed step sizes dt, dt/2, dt/4: the differences of the deposited metal between
successive step sizes halve (observed order 1.02-1.04 here), which an O(1) splitting error
would not do.
"""

import numpy as np
import pytest
from mpi4py import MPI

import apcfem
from apcfem import Simulation, load_case, update_case

STEPS_S = (1e-4, 5e-5, 2.5e-5)


FLAT_TOP_END_S = 2e-3


def _deposited_mol(dt_s: float) -> float:
    """Metal deposited up to the end of the flat top of a 1.2 V pulse (1 ms rise, 1 ms flat)
    at the fixed step dt [mol] (the coarser test mesh of the ECM case tests). Not the end of
    the pulse: the charge of the whole pulse is insensitive to dt (the lag of the rise and of
    the fall cancel), so it shows no order."""
    cfg = update_case(load_case(apcfem.bundled_case("ecm_ag_sio2_pt_sweep")), {
        "mesh.min_size_nm": 0.15, "ecm.heat": False,
        "protocol": {"kind": "pulse_train", "amplitude_V": 1.2, "rise_s": 1e-3,
                     "width_s": 1e-3, "interval_s": 3e-3, "count": 1},
        "dynamics.dt_initial_s": dt_s, "dynamics.dt_min_s": dt_s, "dynamics.dt_max_s": dt_s,
        "dynamics.max_drive_step": 1.0, "dynamics.max_resistance_change": 10.0,
        "dynamics.circuit_tolerance": 1e-6,
        "output.fields": False, "output.plots": False})
    s = Simulation.from_config(cfg, MPI.COMM_SELF).run(progress=False).series
    at = np.flatnonzero(np.isclose(s["time_s"], FLAT_TOP_END_S, rtol=1e-9))
    assert at.size == 1  # a corner of the drive: every step size lands on it
    return float(s["filament_mol"][at[0]] - s["filament_mol"][0])


@pytest.mark.serial
@pytest.mark.timeout(900)
def test_splitting_converges_at_first_order():
    deposited = np.array([_deposited_mol(dt) for dt in STEPS_S])
    assert np.all(deposited > 0)  # the pulse grows the filament
    coarse, fine = np.abs(np.diff(deposited))
    order = np.log2(coarse / fine)
    assert 0.8 < order < 1.3, f"observed order {order:.2f} from {deposited} mol"
    assert fine < 0.05 * deposited[-1]  # the finest step is resolved
