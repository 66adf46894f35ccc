"""Tests for apcfem.landauer: quantized Landauer conductance of a circular neck."""

import json

import numpy as np
import pytest
from landauer_reference import KB_EV, MUB_EV, ladder_conductance
from scipy import constants as const
from scipy.special import jn_zeros

from apcfem.landauer import (
    G0_S,
    Electrons,
    circular_conductance,
    circular_current_A,
    circular_mode_table,
    circular_mode_transmissions,
    miranda_sune_current_A,
    saddle_hbar_omega_eV,
    torres_conductance_G0,
)

AG_FERMI_EV = 5.49
HBAR2_2ME_EV_M2 = const.hbar**2 / (2.0 * const.m_e * const.e)

# First eight zeros j_mn of J_m (Abramowitz & Stegun table 9.5) with their orbital degeneracy.
FIRST_ZEROS = np.array([2.404825558, 3.831705970, 5.135622302, 5.520078110, 6.380161896,
                        7.015586670, 7.588342435, 8.417244140])
FIRST_DEGENERACIES = [1, 2, 2, 1, 2, 2, 2, 2]
FIRST_MN = [(0, 1), (1, 1), (2, 1), (0, 2), (3, 1), (1, 2), (4, 1), (2, 2)]
EXACT_ZEROS = np.array([jn_zeros(m, n)[-1] for m, n in FIRST_MN])  # full double precision


def fermi_wavevector(fermi_eV: float, mass_me: float = 1.0) -> float:
    """k_F [1/m] computed independently of the module."""
    return np.sqrt(2.0 * mass_me * const.m_e * fermi_eV * const.e) / const.hbar


def radius_for(kf_a, fermi_eV: float = AG_FERMI_EV, mass_me: float = 1.0):
    """Radius [m] giving the requested k_F a."""
    return np.asarray(kf_a) / fermi_wavevector(fermi_eV, mass_me)


def edge_energy(j: float, radius_m, mass_me: float = 1.0):
    """Mode edge hbar^2 j^2 / (2 m* a^2) [eV]."""
    return HBAR2_2ME_EV_M2 * j**2 / (mass_me * np.asarray(radius_m) ** 2)


def ag_conductance(kf_a, hbar_omega_eV=0.0, **conditions) -> np.ndarray:
    """G/G0 of an Ag neck with the given k_F a."""
    electrons = Electrons(AG_FERMI_EV, **conditions)
    return circular_conductance(radius_for(kf_a), electrons, hbar_omega_eV=hbar_omega_eV).G_G0


# ------------------------------------------------------------------------------- mode table
def test_mode_table_first_zeros_and_degeneracies():
    j, degeneracy, m, n = circular_mode_table(8.5)
    np.testing.assert_allclose(j, FIRST_ZEROS, rtol=1e-9)
    assert degeneracy.tolist() == FIRST_DEGENERACIES
    assert list(zip(m.tolist(), n.tolist(), strict=True)) == FIRST_MN


def test_mode_table_is_complete_and_sorted():
    k_max = 40.0
    j, degeneracy, m, _ = circular_mode_table(k_max)
    assert np.all(np.diff(j) > 0) and j.max() < k_max
    for mi in range(int(k_max)):  # every zero of every J_m below k_max, none twice
        expected = jn_zeros(mi, 20)
        np.testing.assert_allclose(np.sort(j[m == mi]), expected[expected < k_max])
    assert degeneracy.sum() == pytest.approx(k_max**2 / 4 - k_max / 2, rel=0.02)  # Weyl


# ------------------------------------------------------------------------- T = 0 staircase
def test_abrupt_staircase_jumps_exactly_at_bessel_zeros():
    below = ag_conductance(EXACT_ZEROS * (1 - 1e-7))
    above = ag_conductance(EXACT_ZEROS * (1 + 1e-7))
    assert np.array_equal(above - below, FIRST_DEGENERACIES)
    assert np.array_equal(above, np.cumsum(FIRST_DEGENERACIES))
    assert above[[0, 1, 2, 3]].tolist() == [1.0, 3.0, 5.0, 6.0]
    assert ag_conductance(2.3) == 0.0


def test_abrupt_plateaus_are_integers_and_channels_match():
    kf_a = np.linspace(0.5, 8.4, 2000)
    result = circular_conductance(radius_for(kf_a), Electrons(AG_FERMI_EV))
    assert np.array_equal(result.G_G0, np.round(result.G_G0))
    assert np.array_equal(result.channels, result.G_G0)
    assert np.all(np.diff(result.G_G0) >= 0)


def test_large_radius_follows_torres_not_bare_sharvin():
    for kf_a in (30.0, 40.0, 50.0, 60.0):
        window = np.linspace(kf_a - 2.0, kf_a + 2.0, 4001)  # average out the steps
        g_mean = ag_conductance(window).mean()
        torres = torres_conductance_G0(radius_for(window), Electrons(AG_FERMI_EV)).mean()
        sharvin = np.mean((window / 2.0) ** 2)
        assert g_mean == pytest.approx(torres, rel=0.02)
        assert abs(g_mean / sharvin - 1.0) > 0.02  # the perimeter correction matters


def test_torres_formula_value():
    assert torres_conductance_G0(radius_for(10.0), Electrons(AG_FERMI_EV)) == (
        pytest.approx(25.0 * 0.8, rel=1e-12))
    assert torres_conductance_G0(radius_for(1.5), Electrons(AG_FERMI_EV)) == 0.0


# ------------------------------------------------------------------------------- saddle point
def test_saddle_hbar_omega_matches_curvature_of_adiabatic_edge():
    a0, curvature, mass, j = 0.4e-9, 2.0e8, 1.3, EXACT_ZEROS[1]
    e0 = edge_energy(j, a0, mass)
    dz = 1e-12
    e_z = [edge_energy(j, a0 + 0.5 * curvature * z**2, mass) for z in (-dz, 0.0, dz)]
    second = (e_z[0] - 2 * e_z[1] + e_z[2]) / dz**2  # = -m* omega^2 [eV/m^2]
    omega = np.sqrt(-second * const.e / (mass * const.m_e))
    expected = const.hbar * omega / const.e
    assert saddle_hbar_omega_eV(e0, a0, curvature, mass) == pytest.approx(expected, rel=1e-5)


def test_saddle_plateaus_flat_for_smooth_neck_and_half_transmission_at_edge():
    radius = radius_for(3.0)
    hbar_omega = saddle_hbar_omega_eV(AG_FERMI_EV, radius, 1.0e7)  # a'' = 1/(100 nm)
    assert 0.05 < hbar_omega < 0.3
    unique = EXACT_ZEROS
    middles = np.sqrt(0.5 * (unique[:-1] ** 2 + unique[1:] ** 2))  # mid-plateau in energy
    g = ag_conductance(middles, hbar_omega_eV=hbar_omega)
    np.testing.assert_allclose(g, np.cumsum(FIRST_DEGENERACIES)[:-1], atol=1e-3)
    rough = ag_conductance(middles, hbar_omega_eV=4.0)  # an abrupt-like, strongly curved neck
    assert np.max(np.abs(rough - np.cumsum(FIRST_DEGENERACIES)[:-1])) > 1e-3
    for index in (0, 1, 3):  # at an edge, that mode is half open; lower modes open
        modes = circular_mode_transmissions(radius_for(unique[index]), Electrons(AG_FERMI_EV),
                                            hbar_omega_eV=hbar_omega)
        assert modes[index]["transmission"] == pytest.approx(0.5, abs=1e-9)
        assert all(mode["transmission"] > 1 - 1e-6 for mode in modes[:index])
    at_first = circular_conductance(radius_for(unique[0]), Electrons(AG_FERMI_EV),
                                    hbar_omega_eV=hbar_omega)
    assert at_first.G_G0 == pytest.approx(0.5, abs=1e-9)
    assert at_first.channels == 0.0


def test_saddle_step_has_logistic_shape():
    radius = radius_for(3.0)
    e1 = edge_energy(EXACT_ZEROS[0], radius)
    hbar_omega = 0.2
    delta = hbar_omega / (2 * np.pi) * np.log(9.0)  # T = 0.9 here for Büttiker's form
    g = circular_conductance(radius, Electrons(e1 + np.array([-delta, delta])),
                             hbar_omega_eV=hbar_omega).G_G0
    np.testing.assert_allclose(g, [0.1, 0.9], atol=1e-12)


# ------------------------------------------------------------------------------ temperature
def low_fermi_mid_plateau(temperature_K):
    """G of the mid first plateau (in energy) for E_F = 50 meV, m* = 1."""
    fermi = 0.05
    kf_a = np.sqrt(0.5 * (EXACT_ZEROS[0] ** 2 + EXACT_ZEROS[1] ** 2))
    electrons = Electrons(fermi, temperature_K=temperature_K)
    return circular_conductance(radius_for(kf_a, fermi), electrons).G_G0


def test_plateaus_sharp_at_18K_and_smeared_at_290K():
    assert abs(low_fermi_mid_plateau(18.0) - 1.0) < 1e-3
    assert abs(low_fermi_mid_plateau(290.0) - 1.0) > 1e-2
    assert low_fermi_mid_plateau(0.0) == 1.0


def test_thermal_step_width():
    """Single abrupt step: 10-90 % width 2 ln 9 k_BT = 4.39 k_BT, FWHM of -df/dE 3.53 k_BT."""
    temperature = 290.0
    kt = KB_EV * temperature
    radius = 0.3e-9
    e1 = edge_energy(EXACT_ZEROS[0], radius)
    energy = e1 + np.linspace(-15 * kt, 15 * kt, 30001)
    g = circular_conductance(radius, Electrons(energy, temperature_K=temperature)).G_G0
    width_10_90 = np.interp(0.9, g, energy) - np.interp(0.1, g, energy)
    assert width_10_90 / kt == pytest.approx(2 * np.log(9.0), rel=0.02)
    slope = np.gradient(g, energy)  # = -df/dE for an abrupt step
    peak = np.argmax(slope)
    left = np.interp(0.5 * slope[peak], slope[:peak], energy[:peak])
    right = np.interp(0.5 * slope[peak], slope[peak:][::-1], energy[peak:][::-1])
    assert (right - left) / kt == pytest.approx(4 * np.log(1 + np.sqrt(2)), rel=0.02)  # 3.53
    assert (right - left) / kt == pytest.approx(3.53, rel=0.02)


# ------------------------------------------------------------------------------------- bias
def test_bias_window_straddling_one_edge_gives_half_integer():
    kf_a = EXACT_ZEROS  # an edge exactly at E_F, window [E_F - V/2, E_F + V/2]
    g = ag_conductance(kf_a, bias_V=0.1, beta=0.5)
    below = np.cumsum(FIRST_DEGENERACIES) - FIRST_DEGENERACIES
    np.testing.assert_allclose(g, below + 0.5 * np.array(FIRST_DEGENERACIES), atol=1e-12)
    assert g[0] == pytest.approx(0.5, abs=1e-12) and g[3] == pytest.approx(5.5, abs=1e-12)


def test_bias_division_beta_sets_open_fraction():
    g = ag_conductance(EXACT_ZEROS[[0, 3]], bias_V=0.1, beta=0.3)
    np.testing.assert_allclose(g, [0.3, 5.3], atol=1e-12)  # mu_L = E_F + beta eV above edge


def test_current_is_odd_under_bias_reversal_with_swapped_beta():
    radius = radius_for(4.0)
    common = Electrons(AG_FERMI_EV, temperature_K=300.0)

    def current(bias, beta):
        return circular_current_A(radius, common.with_(bias_V=bias, beta=beta), hbar_omega_eV=0.3)

    forward = current(0.7, 0.2)
    assert current(-0.7, 0.8) == pytest.approx(-forward, rel=1e-12)
    assert forward != pytest.approx(current(0.7, 0.8), rel=1e-3)


def test_small_bias_current_equals_linear_conductance():
    radius = radius_for(EXACT_ZEROS[1] * 1.002)  # a partially open mode near E_F
    common = Electrons(AG_FERMI_EV, temperature_K=77.0)
    bias = np.array([-1e-6, 1e-6])
    current = circular_current_A(radius, common.with_(bias_V=bias), hbar_omega_eV=0.1)
    g = circular_conductance(radius, common, hbar_omega_eV=0.1).G_G0
    assert 1.5 < g < 2.9
    np.testing.assert_allclose(current, G0_S * g * bias, rtol=1e-7)
    assert circular_current_A(radius, common, hbar_omega_eV=0.1) == 0.0


# ----------------------------------------------------------------------------------- Zeeman
def zeeman_plateau_width_eV(field_T, temperature_K):
    """Energy range of the first edge over which |G - 0.5| < 0.01 (E_F = 5 meV, m* = 5)."""
    fermi, mass = 0.005, 5.0
    offsets = np.linspace(-3e-3, 3e-3, 6001)  # E_1 - E_F [eV]
    radius = np.sqrt(HBAR2_2ME_EV_M2 * EXACT_ZEROS[0] ** 2 / (mass * (fermi + offsets)))
    result = circular_conductance(radius, Electrons(fermi, mass, temperature_K, field_T=field_T))
    plateau = np.abs(result.G_G0 - 0.5) < 0.01
    return np.count_nonzero(plateau) * (offsets[1] - offsets[0]), result


def test_zeeman_splits_first_step_into_half_quanta():
    splitting = 2.0 * MUB_EV * 10.0  # g mu_B B at 10 T = 1.16 meV
    width_10T, result = zeeman_plateau_width_eV(10.0, 0.3)
    width_0T, _ = zeeman_plateau_width_eV(0.0, 0.3)
    width_hot, _ = zeeman_plateau_width_eV(10.0, 20.0)  # k_BT = 1.7 meV > splitting
    assert width_10T > 0.6 * splitting
    assert width_0T < 0.05 * splitting
    assert width_hot < 0.2 * splitting
    middle = result.G_G0.size // 2  # E_1 = E_F: one spin channel open
    assert result.G_G0[middle] == pytest.approx(0.5, abs=1e-9)
    assert result.channels[middle] == 0.5


# ------------------------------------------------------------------------- Miranda & Suñé
def test_miranda_sune_open_and_closed_limits():
    bias = np.array([1e-4, 1e-3])
    open_ = miranda_sune_current_A(bias, n_channels=1, beta=0.5, barrier_eV=-1.0,
                                   alpha_per_eV=50.0)
    np.testing.assert_allclose(open_ / bias, G0_S, rtol=1e-12)
    closed = miranda_sune_current_A(bias, n_channels=3, beta=0.5, barrier_eV=1.0,
                                    alpha_per_eV=50.0)
    assert np.all(np.abs(closed / bias) < 1e-15 * G0_S)


def test_miranda_sune_matches_published_formula():
    bias = np.linspace(-0.5, 0.5, 11)
    n, beta, phi, alpha = 2.0, 0.3, 0.1, 5.0
    eV = bias  # energies in eV
    expected = (2 * const.e / const.h) * n * const.e * (
        eV + np.log((1 + np.exp(alpha * (phi - beta * eV)))
                    / (1 + np.exp(alpha * (phi + (1 - beta) * eV)))) / alpha)
    current = miranda_sune_current_A(bias, n_channels=n, beta=beta, barrier_eV=phi,
                                     alpha_per_eV=alpha)
    np.testing.assert_allclose(current, expected, rtol=1e-10, atol=1e-22)


@pytest.mark.parametrize("temperature", [0.0, 150.0])
def test_miranda_sune_is_one_saddle_mode_of_the_neck(temperature):
    radius = radius_for(3.0)
    phi, alpha, beta = 0.08, 20.0, 0.35
    fermi = edge_energy(EXACT_ZEROS[0], radius) - phi  # first edge phi above E_F
    bias = np.array([-0.2, 0.05, 0.3])
    neck = circular_current_A(radius, Electrons(fermi, temperature_K=temperature, bias_V=bias,
                                                beta=beta), hbar_omega_eV=2 * np.pi / alpha)
    model = miranda_sune_current_A(bias, n_channels=1, beta=beta, barrier_eV=phi,
                                   alpha_per_eV=alpha, temperature_K=temperature)
    np.testing.assert_allclose(neck, model, rtol=1e-9)


# ------------------------------------------------------------ brute-force Landauer reference
def reference_conductance(radius, fermi, mass, temperature, bias, beta, field, g, hbar_omega):
    """G/G0 of a circular neck from the brute-force integral over its Bessel-zero ladder."""
    unit = HBAR2_2ME_EV_M2 / (mass * radius**2)
    top = max(fermi + beta * bias, fermi - (1 - beta) * bias) + 45 * KB_EV * temperature
    j, degeneracy, _, _ = circular_mode_table(
        np.sqrt((top + 0.5 * g * MUB_EV * abs(field) + 45 * hbar_omega / (2 * np.pi)) / unit) + 1)
    return ladder_conductance(unit * j**2, degeneracy, fermi, temperature, bias, beta, field, g,
                              hbar_omega)


def random_cases(n_cases=24, seed=7):
    """Mixed parameter sets covering every kernel: T, hbar omega, bias, beta and Zeeman."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n_cases):
        heavy = rng.random() < 0.3  # low-E_F heavy-mass channel where Zeeman matters
        fermi, mass = (0.005, 5.0) if heavy else (AG_FERMI_EV, 1.0)
        kf_a = rng.uniform(1.5, 9.0)
        scale = 1e-3 if heavy else 1.0
        cases.append((
            radius_for(kf_a, fermi, mass), fermi, mass,
            rng.choice([0.0, 0.5, 30.0, 300.0, 2000.0]) * (0.01 if heavy else 1.0),
            rng.choice([0.0, 0.0, 0.02, -0.3, 0.9]) * scale,
            rng.choice([0.5, 0.0, 0.2, 1.0]),
            rng.choice([0.0, 10.0, 40.0]),
            2.0,
            rng.choice([0.0, 0.03, 0.4, 2.0]) * scale,
        ))
    return cases


def test_vectorised_result_matches_brute_force_integral():
    cases = random_cases()
    columns = [np.array(c) for c in zip(*cases, strict=True)]
    result = circular_conductance(columns[0], Electrons(*columns[1:-1]),
                                  hbar_omega_eV=columns[-1])
    expected = [reference_conductance(*case) for case in cases]
    np.testing.assert_allclose(result.G_G0, expected, atol=1e-7, rtol=0)


@pytest.mark.parametrize("bias", [0.0, 0.05])
def test_two_smearing_quadrature_accuracy_across_a_step(bias):
    """T > 0 and hbar*omega > 0 of equal width (hardest case) against the direct integral."""
    radius, temperature = 0.3e-9, 290.0
    scale = KB_EV * temperature  # hbar*omega/2π = k_BT
    offsets = scale * np.array([-12.0, -4.0, -1.0, 0.0, 0.5, 2.0, 6.0, 12.0])
    fermi = edge_energy(EXACT_ZEROS[0], radius) + offsets
    g = circular_conductance(radius, Electrons(fermi, temperature_K=temperature, bias_V=bias),
                             hbar_omega_eV=2 * np.pi * scale).G_G0
    expected = [reference_conductance(radius, e_f, 1.0, temperature, bias, 0.5, 0.0, 2.0,
                                      2 * np.pi * scale) for e_f in fermi]
    np.testing.assert_allclose(g, expected, atol=1e-6, rtol=0)


def test_result_independent_of_point_order_and_blocking():
    rng = np.random.default_rng(3)
    n = (1 << 16) + 123  # spans two internal blocks
    radius = rng.uniform(0.1e-9, 1.2e-9, n)
    temperature = rng.choice([0.0, 20.0, 400.0], n)
    hbar_omega = rng.choice([0.0, 0.1], n)
    bias = rng.choice([0.0, 0.2], n)
    def conductance(index):
        electrons = Electrons(AG_FERMI_EV, temperature_K=temperature[index], bias_V=bias[index],
                              field_T=5.0)
        return circular_conductance(radius[index], electrons,
                                    hbar_omega_eV=hbar_omega[index]).G_G0

    full = conductance(slice(None))
    perm = rng.permutation(n)
    np.testing.assert_array_equal(conductance(perm), full[perm])
    few = slice(0, 40)
    np.testing.assert_allclose(conductance(few), full[few], rtol=1e-14, atol=1e-14)


# -------------------------------------------------------------------------- API behaviour
def test_broadcasting_shapes_and_values():
    radius = radius_for(np.array([2.0, 3.0, 6.0]))[:, None]
    temperature = np.array([0.0, 4.0, 300.0, 3000.0])[None, :]
    result = circular_conductance(radius, Electrons(AG_FERMI_EV, temperature_K=temperature),
                                  hbar_omega_eV=0.2)
    assert result.G_G0.shape == (3, 4) and result.channels.shape == (3, 4)
    for i in range(3):
        for k in range(4):
            single = circular_conductance(radius[i, 0],
                                          Electrons(AG_FERMI_EV, temperature_K=temperature[0, k]),
                                          hbar_omega_eV=0.2)
            assert result.G_G0[i, k] == pytest.approx(float(single.G_G0), rel=1e-14)
    current = circular_current_A(radius, Electrons(AG_FERMI_EV, temperature_K=temperature,
                                                   bias_V=np.array([0.1, 0.2])[:, None, None]))
    assert current.shape == (2, 3, 4)


def test_mode_transmissions_sum_to_conductance_and_serialise():
    electrons = Electrons(AG_FERMI_EV, temperature_K=800.0, bias_V=0.4, beta=0.3, field_T=20.0,
                          g_factor=2.0)
    radius = radius_for(5.3)
    modes = circular_mode_transmissions(radius, electrons, hbar_omega_eV=0.5)
    total = sum(mode["degeneracy"] * mode["transmission"] for mode in modes)
    expected = circular_conductance(radius, electrons, hbar_omega_eV=0.5).G_G0
    assert total == pytest.approx(float(expected), abs=1e-12)
    assert [(mode["m"], mode["n"]) for mode in modes[:4]] == FIRST_MN[:4]
    assert modes[0]["E_n_eV"] == pytest.approx(edge_energy(EXACT_ZEROS[0], radius), rel=1e-9)
    assert json.loads(json.dumps(modes)) == modes
    closed = circular_mode_transmissions(radius_for(1.0), Electrons(AG_FERMI_EV))
    assert [(c["m"], c["n"], c["transmission"]) for c in closed] == [(0, 1, 0.0)]


@pytest.mark.parametrize("bad", [{"radius_m": -1e-9}, {"beta": 1.5}, {"temperature_K": -1.0},
                                 {"fermi_energy_eV": 0.0}, {"radius_m": 1e-6}])
def test_invalid_arguments_raise(bad):
    kwargs = {"radius_m": 0.5e-9, "fermi_energy_eV": AG_FERMI_EV} | bad
    radius = kwargs.pop("radius_m")
    with pytest.raises(ValueError):
        circular_conductance(radius, Electrons(**kwargs))
