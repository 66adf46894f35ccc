"""Magnetic-field stimulus (bundled case ``zeeman_heavy_channel`` at reduced size, and the
metal neck of ``bias_half_plateaus`` under the same ramp). References written out here with
scipy: the spin-split Landauer integral of one saddle channel and the inflection point of the
smearing density that defines the critical field."""

import numpy as np
import pytest
from scipy import constants
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import expit, jn_zeros

import apcfem
from apcfem import Simulation, load_case, update_case

HBAR2_2ME_EV_M2 = constants.hbar**2 / (2 * constants.m_e * constants.e)
KB_EV = constants.k / constants.e
MUB_EV = constants.physical_constants["Bohr magneton in eV/T"][0]
J01 = jn_zeros(0, 1)[0]


def _run(case: str, **changes):
    cfg = update_case(load_case(apcfem.bundled_case(case)), {"output.plots": False, **changes})
    return cfg, Simulation.from_config(cfg).run(progress=False).series


@pytest.fixture(scope="module")
def ramp():
    return _run("zeeman_heavy_channel", **{"protocol.points": 6})


def _scales(cfg, series):
    """(edge - E_F, thermal scale k_B T, saddle scale hbar omega / 2 pi) [eV] of the extracted
    neck (free electrons; hbar omega from the neck curvature, Buttiker PRB 41, 7906)."""
    metal = apcfem.get_material(cfg.materials.filament)
    mass, fermi = metal.effective_mass_me.value, metal.fermi_energy_eV.value
    a, curvature = series["neck_radius_m"][0], series["neck_curvature_per_m"][0]
    edge = HBAR2_2ME_EV_M2 * J01**2 / (mass * a**2)
    hbar_omega = np.sqrt(4 * HBAR2_2ME_EV_M2 * fermi * curvature / (a * mass))
    return edge - fermi, KB_EV * series["T_neck_K"][0], hbar_omega / (2 * np.pi)


def _density(x, kt, s):
    """Smearing density of one spin channel at E_F - edge = x: -df/dE convolved with the
    derivative of the saddle transmission (two logistic densities) [1/eV]."""
    def rho(u, scale):
        return expit(u / scale) * expit(-u / scale) / scale

    return quad(lambda u: rho(x - u, kt) * rho(u, s), -40 * s, 40 * s, points=[0.0, x])[0]


def _spin_channel(edge, kt, s):
    """int T(E) (-df/dE) dE of one spin channel whose edge lies ``edge`` above E_F [eV]:
    saddle transmission logistic((E - edge)/s), thermal window of scale k_B T."""
    def integrand(x):
        return expit((x - edge) / s) * expit(x / kt) * expit(-x / kt) / kt

    return quad(integrand, -40 * kt, 40 * kt, points=[edge])[0]


def test_field_splits_the_first_step_into_a_half_plateau(ramp):
    """G(B) of the heavy channel is the spin-split one-channel Landauer integral at the solved
    neck temperature (1e-4), climbs from the closed channel's tail to 0.5 G0 and stays there."""
    cfg, series = ramp
    phi, kt, s = _scales(cfg, series)
    zeeman = 0.5 * cfg.landauer.g_factor * MUB_EV * series["field_T"]
    expected = [0.5 * sum(_spin_channel(phi - sign * z, kt, s) for sign in (1.0, -1.0))
                for z in zeeman]
    np.testing.assert_allclose(series["G_landauer_G0"], expected, rtol=1e-4)
    assert series["G_landauer_G0"][0] < 0.2
    assert series["G_landauer_G0"][-1] == pytest.approx(0.5, abs=2e-3)
    assert series["G_landauer_G0"][-2] == pytest.approx(0.5, abs=2e-3)  # a plateau


def test_reported_critical_field_is_the_inflection_of_the_smearing(ramp):
    """B_c = 2 x*/(g mu_B) with x* the inflection point of the smearing density (found here by
    quadrature and root finding), within 1 %; B_c lies inside the ramp, below the fields of the
    half plateau, and above k_B T ln(2 + sqrt 3) alone (the saddle adds smearing)."""
    cfg, series = ramp
    _, kt, s = _scales(cfg, series)
    h = 1e-3 * kt

    def curvature(x):
        return _density(x + h, kt, s) - 2 * _density(x, kt, s) + _density(x - h, kt, s)

    inflection = brentq(curvature, 0.5 * kt, 5 * kt, xtol=1e-6 * kt)
    b_c = 2 * inflection / (cfg.landauer.g_factor * MUB_EV)
    np.testing.assert_allclose(series["B_c_T"], b_c, rtol=0.01)
    assert 2 * np.log(2 + np.sqrt(3)) * kt / (2 * MUB_EV) < b_c < 0.5 * series["field_T"][-1]


@pytest.mark.parametrize("metal", ["Ag", "Cu", "Au"])
def test_metal_necks_show_no_splitting_up_to_ten_tesla(metal):
    """An atomic metal neck (E_F of eV, hbar omega ~0.5 eV): 10 T changes G by < 1e-3 G0 and
    the critical field is thousands of tesla."""
    _, series = _run("bias_half_plateaus", **{
        "materials.filament": metal, "mesh.min_size_nm": 0.08, "landauer.finite_bias": False,
        "protocol": {"kind": "field_ramp", "source_voltage_V": 1e-3, "start_T": 0.0,
                     "stop_T": 10.0, "points": 2}})
    g = series["G_landauer_G0"]
    assert 0.01 < g[0]
    assert abs(g[1] - g[0]) < 1e-3
    assert series["B_c_T"][0] > 1000.0
