"""Temperature stimulus (bundled case ``ag_neck_temperature`` at reduced size): the solved neck
temperature sets the Fermi smearing. References: the abrupt count of a circular neck written
out here (Bessel zeros from scipy, a Fermi function per mode) and the Kohlrausch relation of a
Wiedemann-Franz conductor between two sinks."""

import numpy as np
import pytest
from scipy import constants
from scipy.special import expit, jn_zeros

import apcfem
from apcfem import Simulation, load_case, update_case

HBAR2_2ME_EV_M2 = constants.hbar**2 / (2 * constants.m_e * constants.e)
KB_EV = constants.k / constants.e
G0_S = 2 * constants.e**2 / constants.h
AG = apcfem.get_material("Ag")
# the lowest edges j_mn with their orbital degeneracy: (0,1), (1,1), (2,1), (0,2)
ZEROS = np.array([jn_zeros(0, 1)[0], jn_zeros(1, 1)[0], jn_zeros(2, 1)[0], jn_zeros(0, 2)[1]])
DEGENERACY = np.array([1, 2, 2, 1])


def _reference_G0(radius_m, temperature_K):
    """Abrupt Landauer count at temperature T: sum_n g_n f(E_n - E_F) [G0]."""
    mass, fermi = AG.effective_mass_me.value, AG.fermi_energy_eV.value
    edges = HBAR2_2ME_EV_M2 * ZEROS[:, None] ** 2 / (mass * np.asarray(radius_m) ** 2)
    return DEGENERACY @ expit((fermi - edges) / (KB_EV * np.asarray(temperature_K)))


def _run(**changes):
    cfg = update_case(load_case(apcfem.bundled_case("ag_neck_temperature")),
                      {"output.plots": False, "mesh.min_size_nm": 0.08, **changes})
    return Simulation.from_config(cfg).run(progress=False).series


@pytest.fixture(scope="module")
def staircases():
    """The same neck window across the (1,1) edge at 18 K and 290 K sinks, read at 0.1 V
    (the contact heats its neck by several kelvin)."""
    sweep = {"kind": "neck_radius_sweep", "source_voltage_V": 0.1,
             "neck_radius_start_nm": 0.3180, "neck_radius_stop_nm": 0.3240, "points": 9}
    return {kelvin: _run(**{"physics.ambient_temperature_K": kelvin, "protocol": sweep})
            for kelvin in (18.0, 290.0)}


def test_solved_neck_temperature_sets_the_smearing(staircases):
    """At both sink temperatures G is the count at the solved neck temperature (1e-5: the
    heat and the count agree to 1e-3 K), which
    lies above the sinks by the contact's dissipation; counting at the sink temperature
    instead would be wrong by more than 1e-3 next to the edge."""
    for kelvin, series in staircases.items():
        T_neck = series["T_neck_K"]
        assert np.all(T_neck > kelvin + 1.0)
        np.testing.assert_allclose(series["G_landauer_G0"],
                                   _reference_G0(series["neck_radius_m"], T_neck), atol=1e-5)
    cold = staircases[290.0]
    at_sinks = _reference_G0(cold["neck_radius_m"], 290.0)
    assert np.max(np.abs(at_sinks - cold["G_landauer_G0"])) > 1e-3


def test_plateaus_sharp_at_18K_and_smeared_at_290K(staircases):
    """Across the step G = 1 -> 3 (points ~18 meV apart in edge energy): at 18 K all but the
    two points nearest the edge sit on a plateau (within 1e-3 of an integer); at 290 K at
    least five points are off the plateaus by more than 0.05."""
    def off_plateau(series):
        g = series["G_landauer_G0"]
        return np.abs(g - np.round(g))

    assert np.count_nonzero(off_plateau(staircases[18.0]) > 1e-3) <= 2
    assert np.count_nonzero(off_plateau(staircases[290.0]) > 0.05) >= 5
    sharp = staircases[18.0]["G_landauer_G0"]
    assert sharp[0] == pytest.approx(1.0, abs=1e-3) and sharp[-1] == pytest.approx(3.0, abs=1e-3)


def test_temperature_ramp_gives_R_of_T_of_a_near_quantum_state():
    """Ramping the sinks 18 -> 290 K at 1 mV: the neck follows the sinks (within 0.1 K), G is
    the count at the solved neck temperature, and R = 1/G falls monotonically from ~h/2e^2
    as the next (doubly degenerate) mode is thermally populated."""
    series = _run(**{"protocol.points": 6})
    assert np.allclose(series["T_neck_K"], series["T_ambient_K"], atol=0.1)
    np.testing.assert_allclose(series["G_landauer_G0"],
                               _reference_G0(series["neck_radius_m"], series["T_neck_K"]),
                               atol=1e-5)
    resistance = 1.0 / (series["G_G0"] * G0_S)
    assert resistance[0] == pytest.approx(1 / G0_S, rel=0.05)
    assert np.all(np.diff(resistance[1:]) < 0)
    assert resistance[-1] < 0.95 * resistance[0]


def test_self_heating_of_a_wiedemann_franz_contact_between_sinks():
    """With k = L0 sigma T everywhere, a diffusive contact between two sinks at T0 reaches
    T_neck^2 = T0^2 + V^2/(4 L0) at any read bias (Kohlrausch; Holm, Electric Contacts, 1967):
    within 2 % in T^2 - T0^2, L0 = (pi^2/3)(k_B/e)^2. The neck is a 20 nm vacancy filament,
    diffusive (l = 0.5 nm), whose quantum contact takes only ~5 % of the voltage; a ballistic
    contact releases I^2/G next to the neck and does not obey the relation."""
    T0 = 290.0
    series = _run(**{
        "physics.wiedemann_franz": True, "physics.ambient_temperature_K": T0,
        "materials.filament": "VO_filament", "ecm.tunnel_barrier_eV": 1.0,
        "geometry.switching_layer_thickness_nm": 20.0, "filament.neck_radius_nm": 1.5,
        "filament.base_radius_nm": 2.0,
        "protocol": {"kind": "source_voltage_sweep", "start_V": 0.05, "stop_V": 0.2,
                     "points": 4}})
    lorenz = np.pi**2 / 3 * (constants.k / constants.e) ** 2
    assert np.all(series["V_contact_V"] < 0.1 * series["V_cell_V"])
    np.testing.assert_allclose(series["T_neck_K"] ** 2 - T0**2,
                               series["V_cell_V"] ** 2 / (4 * lorenz), rtol=0.02)
    assert series["T_neck_K"][-1] > 2 * T0
