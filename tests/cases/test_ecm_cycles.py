"""Cycled ECM set/reset with each reset stopped at the break (the bundled ``ecm_histogram``,
five cycles on the 0.15 nm test mesh).

A reverse sweep to a fixed -1 V dissolves the broken tip 2.9-3.2 nm back from the anode, and the
1.8 V sets of later cycles no longer regrow it to contact (README). Turned back where the
contact breaks (``protocol.reset_stop_conductance_G0``), every reset leaves the same kind of gap
and the cycle is stationary: every set reconnects, the filament's metal at each cycle's start
returns to within a few percent, and the set voltage follows the gap the last break left (a
wider gap takes longer to close) and the cycle's drawn exchange-rate factor f (a faster
reaction closes it at a lower voltage: f acts as a sweep 1/f times slower, and the set
voltage rises by ~0.1 V per e-fold of the sweep rate, T5). Over the 49 cycles of the full case
(README) V_set = 1.10 V + 0.54 V/nm * gap - 0.11 V * ln f (R^2 = 0.84). Asserted: for every
pair of cycles whose set voltages that relation separates by more than 20 mV, the order of
the set voltages (with the present code the five cycles' breaks leave gaps within 0.03 nm of
each other, so the drawn rates decide; earlier versions left gaps 0.2 nm apart).
Some sets may be volatile: the one-channel neck thins below its stable radius as the sweep
returns and breaks at positive bias (7 of the full case's 49); their reverse sweep starts
broken and turns back at once.
"""

import numpy as np
from ecm_support import slow_set_branch_test
from mpi4py import MPI

import apcfem
from apcfem import Simulation, load_case, update_case
from apcfem.protocols import draw_variation

CYCLES = 5
STOP_G0 = 0.05
GAP_SLOPE_V_PER_M = 0.54e9  # set voltage per gap width, the 49-cycle fit (README)
RATE_SLOPE_V = 0.11  # set voltage per e-fold of the drawn rate factor, the same fit
ORDER_MARGIN_V = 0.02  # pairs the fit separates by more than this are ordered by it


@slow_set_branch_test
def test_resets_stopped_at_the_break_cycle_stationarily():
    cfg = update_case(load_case(apcfem.bundled_case("ecm_histogram")),
                      {"mesh.min_size_nm": 0.15, "protocol.cycles": CYCLES,
                       "output.plots": False})
    s = Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False).series
    cycle, V, G = s["cycle"].astype(int), s["V_source_V"], s["G_G0"]
    set_voltages, start_metal, start_gap = [], [], []
    for k in range(CYCLES):
        rows = np.flatnonzero(cycle == k)
        connected = rows[s["gap_m"][rows] == 0.0]
        assert connected.size, f"cycle {k} never reconnected"
        set_voltages.append(V[connected[0]])
        start_metal.append(s["filament_mol"][rows[0]])
        start_gap.append(s["gap_m"][rows[0]])
        reverse = rows[V[rows] < 0]
        assert G[reverse].min() <= STOP_G0
        if G[reverse[0]] > STOP_G0:  # the reset broke the contact and turned back there
            assert -0.5 < V[reverse].min() < -0.15
        else:  # a volatile set broke by itself: the reverse sweep turns back at once
            assert V[reverse].min() > -0.05
        turned = np.argmax(G[reverse] <= STOP_G0)
        assert np.all(np.diff(V[reverse][turned:]) >= 0)  # back towards 0 V at once
    assert np.ptp(start_metal[1:]) < 0.1 * np.mean(start_metal[1:])  # 50 cycles: 8.8 %
    rates = [draw_variation(cfg.variability, k).rate_factor for k in range(CYCLES)]
    fitted = [GAP_SLOPE_V_PER_M * start_gap[k] - RATE_SLOPE_V * np.log(rates[k])
              for k in range(CYCLES)]
    pairs = [(i, j) for i in range(1, CYCLES) for j in range(i + 1, CYCLES)
             if abs(fitted[i] - fitted[j]) > ORDER_MARGIN_V]
    assert len(pairs) >= 3, (start_gap, rates)  # the cycles differ enough to be ordered
    for i, j in pairs:
        assert (set_voltages[i] > set_voltages[j]) == (fitted[i] > fitted[j]), (
            i, j, set_voltages, start_gap, rates)
