"""Electric-field stimulus: read-bias sweep of a fixed one-channel neck (bundled case
``bias_half_plateaus`` at reduced size). References: the Landauer integral of one saddle-point
channel written out here with scipy (Miranda-Sune's channel) and its T = 0 closed form."""

import numpy as np
import pytest
from scipy import constants
from scipy.integrate import quad
from scipy.special import expit, jn_zeros

import apcfem
from apcfem import Simulation, load_case, update_case

G0_S = 2 * constants.e**2 / constants.h
HBAR2_2ME_EV_M2 = constants.hbar**2 / (2 * constants.m_e * constants.e)
KB_EV = constants.k / constants.e
J01 = jn_zeros(0, 1)[0]


@pytest.fixture(scope="module")
def sweep():
    cfg = load_case(apcfem.bundled_case("bias_half_plateaus"))
    cfg = update_case(cfg, {"protocol.points": 9, "mesh.min_size_nm": 0.08,
                            "output.plots": False})
    ag = apcfem.get_material(cfg.materials.filament)
    result = Simulation.from_config(cfg).run(progress=False)
    return cfg, ag, result.series


def _channel(series, ag):
    """Edge above E_F [eV] and saddle energy hbar omega [eV] of the extracted neck (first
    mode, free electrons; hbar omega from the neck curvature, Buttiker PRB 41, 7906)."""
    a, curvature = series["neck_radius_m"][0], series["neck_curvature_per_m"][0]
    mass, fermi = ag.effective_mass_me.value, ag.fermi_energy_eV.value
    edge = HBAR2_2ME_EV_M2 * J01**2 / (mass * a**2)
    hbar_omega = np.sqrt(4 * HBAR2_2ME_EV_M2 * fermi * curvature / (a * mass))
    return edge - fermi, hbar_omega


def _current_A(bias_V, phi_eV, hbar_omega_eV, beta, temperature_K):
    """(2e/h) int T(E) [f_L - f_R] dE, T = logistic(2 pi (E - phi)/hbar omega), E from E_F."""
    s, kt = hbar_omega_eV / (2 * np.pi), KB_EV * temperature_K
    mu_l, mu_r = beta * bias_V, -(1 - beta) * bias_V

    def integrand(e):
        return expit((e - phi_eV) / s) * (expit((mu_l - e) / kt) - expit((mu_r - e) / kt))

    lo, hi = mu_r - 40 * kt - 40 * s, mu_l + 40 * kt
    value, _ = quad(integrand, lo, hi, points=[mu_r, mu_l, phi_eV], limit=400, epsabs=1e-14)
    return G0_S * value  # G0/e * [eV] = A/V * V


def _miranda_sune_A(bias_V, phi_eV, hbar_omega_eV, beta):
    """T = 0 closed form (Miranda & Sune, Microelectron. Reliab. 44, 1 (2004)), one channel."""
    alpha = 2 * np.pi / hbar_omega_eV
    return G0_S * (bias_V + np.log((1 + np.exp(alpha * (phi_eV - beta * bias_V)))
                                   / (1 + np.exp(alpha * (phi_eV + (1 - beta) * bias_V))))
                   / alpha)


def test_current_is_one_saddle_channel_at_the_solved_neck_temperature(sweep):
    """The contact current I = G V at every bias matches the one-channel Landauer integral
    at the row's solved neck temperature (1e-4), and the T = 0 Miranda-Sune closed form while
    the neck is still cold (k_B T_neck < 3 % of the saddle scale)."""
    cfg, ag, series = sweep
    phi, hbar_omega = _channel(series, ag)
    assert 0.1 < phi < 0.4  # the edge is above E_F: one channel, closed at zero bias
    V = series["V_contact_V"]
    current = series["G_landauer_G0"] * G0_S * V
    beta = cfg.landauer.beta
    reference = [_current_A(v, phi, hbar_omega, beta, t)
                 for v, t in zip(V, series["T_neck_K"], strict=True)]
    np.testing.assert_allclose(current, reference, rtol=1e-4, atol=1e-12)
    cold = KB_EV * series["T_neck_K"] < 0.03 * hbar_omega / (2 * np.pi)
    assert np.count_nonzero(cold) >= 3
    np.testing.assert_allclose(current[cold],
                               _miranda_sune_A(V[cold], phi, hbar_omega, beta),
                               rtol=1e-3, atol=1e-12)


def test_differential_conductance_reaches_the_half_plateau(sweep):
    """Nonlinear I-V: dI/dV rises from the closed channel's tail to beta G0 = 0.5 G0 once the
    upper chemical potential passes the edge (the lower one never reaches it), and the
    contact bias counted at is the one the circuit gives it."""
    _, _, series = sweep
    V, current = series["V_contact_V"], series["G_landauer_G0"] * G0_S * series["V_contact_V"]
    didv = np.gradient(current, V) / G0_S
    assert didv[0] < 0.1
    assert didv[-1] == pytest.approx(0.5, abs=0.01)
    assert np.all(np.diff(didv) > -1e-3)
    assert series["G_landauer_G0"][-1] > 4 * series["G_landauer_G0"][0]
    # no series resistor: the FE body takes the rest of the source voltage, ~I R_body (the
    # host's leak across the neck plane, in parallel with the contact, makes up the 1 %)
    np.testing.assert_allclose(series["V_source_V"] - V, series["I_A"] * series["R_fe_ohm"],
                               rtol=0.02, atol=1e-9)
    assert series["T_neck_K"][-1] > series["T_neck_K"][0]  # the contact heats its neck
