"""ECM stop-voltage ladder after a 200 uA set: reverse sweeps stopped at increasing |V_stop|
leave decreasing, quantized conductances (T8; review sec. 4, the stop-voltage control of
Kharlanov et al. 2022).

The bundled Ag/SiO2/Pt sweep (0.15 nm test mesh) with I_cc = 200 uA, then reverse sweeps to
-0.05, -0.30 and -0.395 V, each back to 0 V where the state is read. The neck on the Ag anode's
face thins by a Butler-Volmer dissolution that rises a decade per ~120 mV of reverse bias: the
first stop leaves it on the 3 -> 5 G0 step, the second on the 3 G0 plateau (most of the reset
of a full sweep is spent there), the third on the 1 G0 plateau (measured: 4.75 G0 after the
set, then 4.03, 2.99 and 0.99 G0).
"""

import numpy as np
import pytest
from ecm_support import ecm_case, set_branch_test
from mpi4py import MPI

from apcfem import Simulation

STOPS_V = (-0.05, -0.30, -0.395)


@pytest.fixture(scope="module")
def ladder():
    cfg = ecm_case(**{"circuit.current_limit_A": 2e-4, "protocol.reset_voltage_V": list(STOPS_V)})
    return Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False)


def _reads_G0(s):
    """G at 0 V before each reverse sweep (the first: after the set) and at the end."""
    negative = s["V_source_V"] < 0
    starts = np.flatnonzero(negative[1:] & ~negative[:-1]) + 1
    return np.array([s["G_G0"][i - 1] for i in starts] + [s["G_G0"][-1]])


@set_branch_test
def test_increasing_stop_voltages_leave_decreasing_quantized_conductances(ladder):
    assert ladder.stats["stop_reason"] == "end of protocol"
    reads = _reads_G0(ladder.series)
    assert reads.size == len(STOPS_V) + 1
    after_set, *after_stops = reads
    assert after_set > 4.0  # the set left the neck on the 3 -> 5 G0 step
    assert np.all(np.diff(reads) < -0.3), f"reads {reads} G0"  # distinguishable levels
    assert after_stops[1] == pytest.approx(3.0, abs=0.15)  # on the 3 G0 plateau
    assert after_stops[2] == pytest.approx(1.0, abs=0.15)  # on the 1 G0 plateau
    reverse = np.flatnonzero(ladder.series["V_source_V"] < 0)[0]
    assert np.all(ladder.series["tunnel_gap_m"][reverse:] == 0.0)  # no stop broke the contact
