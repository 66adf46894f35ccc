"""Cycled ECM set/reset with each reset stopped at the break (the bundled ``ecm_histogram``,
three cycles on the 0.15 nm test mesh).

A reverse sweep to a fixed -1 V dissolves the broken tip 2.9-3.2 nm back from the anode, and the
1.8 V sets of later cycles no longer regrow it to contact (README). Turned back where the
contact breaks (``protocol.reset_stop_conductance_G0``), every reset leaves the same kind of gap
and the cycle is stationary: every set reconnects, the filament's metal at each cycle's start
returns to within a few percent, and the set voltage follows each cycle's drawn deposition
rate (a faster reduction closes the gap earlier in the sweep).
"""

import numpy as np
from ecm_support import slow_set_branch_test
from mpi4py import MPI

import apcfem
from apcfem import Simulation, load_case, update_case
from apcfem.output.histogram import set_states_G0
from apcfem.protocols import draw_variation

CYCLES = 3
STOP_G0 = 0.05


@slow_set_branch_test
def test_resets_stopped_at_the_break_cycle_stationarily():
    cfg = update_case(load_case(apcfem.bundled_case("ecm_histogram")),
                      {"mesh.min_size_nm": 0.15, "protocol.cycles": CYCLES,
                       "output.plots": False})
    s = Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False).series
    cycle, V, G = s["cycle"].astype(int), s["V_source_V"], s["G_G0"]
    set_voltages, start_metal = [], []
    for k in range(CYCLES):
        rows = np.flatnonzero(cycle == k)
        connected = rows[s["gap_m"][rows] == 0.0]
        assert connected.size, f"cycle {k} never reconnected"
        set_voltages.append(V[connected[0]])
        start_metal.append(s["filament_mol"][rows[0]])
        reverse = rows[V[rows] < 0]
        # the reset broke the contact and turned back there, far short of -1 V
        assert G[reverse].min() <= STOP_G0 and -0.5 < V[reverse].min() < -0.15
        turned = np.argmax(G[reverse] <= STOP_G0)
        assert np.all(np.diff(V[reverse][turned:]) >= 0)  # back towards 0 V at once
    assert np.ptp(start_metal[1:]) < 0.05 * np.mean(start_metal[1:])
    rates = [draw_variation(cfg.variability, k).rate_factor for k in (1, 2)]
    assert (set_voltages[1] < set_voltages[2]) == (rates[0] > rates[1])
    assert np.all(set_states_G0(s) > 0.9)  # every set left a connected neck at 0 V
