"""ECM set voltage against sweep rate (issue 10, T5).

Both processes that grow the filament are thermally activated: the Ag+ hop over their migration
barrier (Mott-Gurney drift, sinh of the field) and are reduced with Butler-Volmer kinetics
(Tafel: a decade of rate per ~120 mV). A faster sweep leaves less time at each voltage, so the
filament reaches the anode at a higher voltage, and the set voltage rises roughly
logarithmically with the rate (the voltage-time dilemma of ECM cells; Menzel et al., Adv.
Funct. Mater. 21, 4487 (2011); Schindler et al., Appl. Phys. Lett. 94, 072109 (2009)).

The bundled Ag/SiO2/Pt case on the coarser test mesh is swept at 0.2, 2 and 20 V/s until the
cell conductance reaches 0.5 G0 (the first atomic contact forms at that voltage).
"""

import numpy as np
import pytest
from mpi4py import MPI

import apcfem
from apcfem import Simulation, load_case, update_case

RATES_V_PER_S = (0.2, 2.0, 20.0)
CONTACT_G0 = 0.5


def _set_voltage(rate_V_per_s: float) -> float:
    """Source voltage [V] at which the cell first conducts CONTACT_G0."""
    cfg = update_case(load_case(apcfem.bundled_case("ecm_ag_sio2_pt_sweep")), {
        "mesh.min_size_nm": 0.15, "protocol.ramp_rate_V_per_s": rate_V_per_s,
        "protocol.reset_voltage_V": None, "dynamics.target_conductance_G0": CONTACT_G0,
        "dynamics.dt_max_s": 0.01 / rate_V_per_s,  # at most 10 mV of drive per step
        "dynamics.dt_initial_s": 1e-3 / rate_V_per_s,
        "dynamics.max_resistance_change": 0.3, "dynamics.max_steps": 3000,
        "output.fields": False, "output.plots": False})
    result = Simulation.from_config(cfg, MPI.COMM_WORLD).run(None, progress=False)
    assert result.stats["stop_reason"].startswith("target conductance"), result.stats
    return float(result.series["V_source_V"][-1])


@pytest.fixture(scope="module")
def set_voltages():
    return np.array([_set_voltage(rate) for rate in RATES_V_PER_S])


@pytest.mark.serial
@pytest.mark.timeout(1200)
def test_set_voltage_rises_logarithmically_with_rate(set_voltages):
    V_mid = set_voltages[1]
    assert 0.2 < V_mid < 1.5, f"V_set = {V_mid:.3f} V at 2 V/s"
    per_decade = np.diff(set_voltages)
    assert np.all(per_decade > 0.02), f"V_set {set_voltages} V at {RATES_V_PER_S} V/s"
    # logarithmic: about the same rise for each decade of rate (within 2x)
    assert 0.5 < per_decade[1] / per_decade[0] < 2.0, f"V_set {set_voltages} V"
