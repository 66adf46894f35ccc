"""Tests for the profile, strain, Zeeman and generic-ladder parts of apcfem.landauer and the
``apcfem conductance`` command built on them."""

import json

import numpy as np
import pytest
from landauer_reference import ladder_conductance
from scipy import constants as const
from scipy.special import jn_zeros

from apcfem import cli, get_material
from apcfem.landauer import (
    Electrons,
    circular_conductance,
    circular_mode_table,
    modes_conductance,
    profile_conductance,
    profile_transmissions,
    saddle_hbar_omega_eV,
    strained_neck,
    zeeman_critical_field_T,
)

KB_EV = const.k / const.e
MUB_EV = const.physical_constants["Bohr magneton in eV/T"][0]
NM = 1e-9
AG_FERMI_EV = 5.49
VO = get_material("VO_filament")
VO_FERMI_EV, VO_MASS_ME = VO.fermi_energy_eV.value, VO.effective_mass_me.value
J01, J11, J21, J02, J31 = (jn_zeros(m, n)[-1] for m, n in ((0, 1), (1, 1), (2, 1), (0, 2),
                                                           (3, 1)))


def wavevector(energy_eV, mass_me=1.0):
    """sqrt(2 m E)/hbar [1/m], computed independently of the module (complex below 0)."""
    return np.sqrt(2.0 * mass_me * const.m_e * const.e * np.asarray(energy_eV, dtype=complex)
                   ) / const.hbar


def edge_energy(j, radius_m, mass_me=1.0):
    """Mode edge hbar^2 j^2/(2 m* a^2) [eV]."""
    return (const.hbar * j / radius_m) ** 2 / (2.0 * mass_me * const.m_e * const.e)


def parabolic_neck(a0, curvature_radius, widening=3.0, samples=401):
    """a(z) = a0 (1 + z^2/(2 a0 R)) out to a = (1 + widening) a0."""
    half = np.sqrt(2.0 * widening * a0 * curvature_radius)
    z = np.linspace(-half, half, samples)
    return z, a0 * (1.0 + z**2 / (2.0 * a0 * curvature_radius))


def broken_tips(gap, tip_radius, spacing=0.01 * NM, length=3.0 * NM, cone_slope=0.2):
    """Two conical tips (radius tip_radius at the gap faces) separated by a gap (a = 0)."""
    n = round(length / spacing)
    z = spacing * np.arange(-n, n + 1)
    inside = np.abs(z) < 0.5 * gap - 0.25 * spacing
    return z, np.where(inside, 0.0, tip_radius + cone_slope * (np.abs(z) - 0.5 * gap))


# ------------------------------------------------------------------ transfer matrix: exact cases
def test_uniform_wire_transmits_each_open_mode_fully():
    radius = 0.5 * NM
    edges = edge_energy(np.array([J01, J11, J21]), radius)
    energies = np.concatenate((edges * (1 - 1e-6), edges * (1 + 1e-6), [AG_FERMI_EV]))
    modes = profile_transmissions([-2 * NM, 2 * NM], [radius, radius], energies,
                                  Electrons(AG_FERMI_EV), n_modes=3)
    expected = (energies[None, :] > edges[:, None]).astype(float)
    np.testing.assert_allclose(modes.transmission, expected, atol=1e-12)
    assert modes.degeneracy.tolist() == [1, 2, 2]
    np.testing.assert_allclose(modes.barrier_eV, edges, rtol=1e-12)


def test_rectangular_gap_matches_exact_barrier_formula():
    """A wire cut by a gap of width d: each mode sees a rectangular barrier E_F + φ_b."""
    radius, gap, barrier = 0.6 * NM, 0.3 * NM, 0.8
    tiny = 1e-20  # the cut is a jump between two samples this close
    z = np.array([-3 * NM, -gap / 2, -gap / 2 + tiny, gap / 2 - tiny, gap / 2, 3 * NM])
    a = np.array([radius, radius, 0.0, 0.0, radius, radius])
    energies = np.array([3.0, AG_FERMI_EV, AG_FERMI_EV + barrier + 0.7])  # last: over the top
    modes = profile_transmissions(z, a, energies, Electrons(AG_FERMI_EV), gap_barrier_eV=barrier,
                                  n_modes=4)
    edges = edge_energy(circular_mode_table(6.0)[0][:4], radius)[:, None]
    k = wavevector(energies - edges)  # in the wire
    q = wavevector(energies - (AG_FERMI_EV + barrier)) + 0 * edges  # in the gap (iκ below)
    exact = 1.0 / (1.0 + np.abs((k**2 - q**2) / (2 * k * q) * np.sin(q * gap)) ** 2)
    exact = np.where(energies > edges, exact, 0.0)
    np.testing.assert_allclose(modes.transmission, exact.real, rtol=1e-8, atol=1e-14)
    assert 1e-3 < modes.transmission[0, 1] < 0.5  # genuinely tunnelling at E_F


@pytest.mark.parametrize(("fermi", "mass", "barrier", "tip"), [
    (AG_FERMI_EV, 1.0, 1.0, 0.5 * NM),
    (VO_FERMI_EV, VO_MASS_ME, 0.5, 1.0 * NM),
])
def test_broken_filament_tunnels_with_slope_minus_two_kappa(fermi, mass, barrier, tip):
    gaps = np.arange(0.6, 1.61, 0.2) * NM
    conductance = [float(profile_conductance(*broken_tips(d, tip), Electrons(fermi, mass),
                                             gap_barrier_eV=barrier).G_G0) for d in gaps]
    slope = np.polyfit(gaps, np.log(conductance), 1)[0]
    kappa = wavevector(barrier, mass).real
    assert slope / (-2 * kappa) == pytest.approx(1.0, abs=0.02)
    assert conductance[0] / conductance[-1] > 1e4  # thick-gap regime over the whole range
    closed = profile_conductance(*broken_tips(gaps[0], tip),
                                 Electrons(fermi, mass))  # no barrier given: impenetrable
    assert float(closed.G_G0) == 0.0 and float(closed.channels) == 0.0


def simmons_mean_barrier_eV(gap_m, barrier_eV, permittivity):
    """Simmons' image-lowered barrier averaged over where it stands above E_F (J. Appl. Phys.
    34, 1793 (1963), eqs. 34-35 at zero bias): lambda = e^2 ln2 / (8 pi eps eps0 s), edges
    s1 = 1.2 lambda s / phi, s2 = s - s1, mean phi - 1.15 lambda s / (s2 - s1)
    ln[s2 (s - s1) / (s1 (s - s2))]; returns (mean barrier [eV], its width s2 - s1 [m])."""
    lam = const.e * np.log(2) / (8 * np.pi * const.epsilon_0 * permittivity * gap_m)
    s1 = 1.2 * lam * gap_m / barrier_eV
    s2 = gap_m - s1
    mean = barrier_eV - 1.15 * lam * gap_m / (s2 - s1) * np.log(s2 * (gap_m - s1)
                                                             / (s1 * (gap_m - s2)))
    return mean, s2 - s1


def test_image_force_lowers_the_gap_barrier_as_simmons_mean_barrier():
    """Across 0.8-1.6 nm gaps in SiO2 (optical permittivity) the transfer matrix through the
    image-lowered barrier falls with the WKB exponent of Simmons' mean barrier: the image force
    raises G by orders of magnitude while its slope, the apparent barrier, stays close to the
    flat barrier's (the lowering is ~1/s: mostly a prefactor); without it the flat slope holds."""
    barrier, permittivity, tip = 3.36, 2.13, 0.5 * NM
    gaps = np.arange(0.8, 1.61, 0.2) * NM
    lowered = np.array([float(profile_conductance(
        *broken_tips(d, tip), Electrons(AG_FERMI_EV), gap_barrier_eV=barrier,
        gap_permittivity=permittivity).G_G0) for d in gaps])
    flat = np.array([float(profile_conductance(
        *broken_tips(d, tip), Electrons(AG_FERMI_EV), gap_barrier_eV=barrier).G_G0)
        for d in gaps])
    mean, width = simmons_mean_barrier_eV(gaps, barrier, permittivity)
    wkb = -2 * wavevector(mean).real * width  # ln T of Simmons' low-bias law
    slope = np.polyfit(gaps, np.log(lowered), 1)[0]
    assert slope == pytest.approx(np.polyfit(gaps, wkb, 1)[0], rel=0.1)
    assert slope == pytest.approx(-2 * wavevector(barrier).real, rel=0.1)
    assert np.all(lowered > 10 * flat)
    assert np.polyfit(gaps, np.log(flat), 1)[0] == pytest.approx(-2 * wavevector(barrier).real,
                                                                 rel=0.02)


def test_image_lowered_gap_conductance_is_converged_in_the_slice_width():
    """The image-lowered barrier is singular at both surfaces: the default slices (4x finer
    there) give G within 1.5 % of 0.8 pm slices across 0.35-0.8 nm between flat-faced tips
    (measured -0.1, -0.1, -1.0 %; the flat barrier's slices gave +2.1, +1.5, -7.2 %)."""
    for gap in (0.35 * NM, 0.5 * NM, 0.8 * NM):
        z, a = broken_tips(gap, 0.5 * NM)
        G = [float(profile_conductance(z, a, Electrons(AG_FERMI_EV), gap_barrier_eV=3.36,
                                       gap_permittivity=2.13, slice_m=s).G_G0)
             for s in (None, 0.8e-12)]
        assert G[0] == pytest.approx(G[1], rel=1.5e-2)


def test_image_force_leaves_a_connected_profile_alone():
    z, a = parabolic_neck(0.3 * NM, 1.0 * NM)
    slices = {"gap_barrier_eV": 3.36, "slice_m": 5e-12}
    plain = profile_conductance(z, a, Electrons(AG_FERMI_EV), **slices)
    imaged = profile_conductance(z, a, Electrons(AG_FERMI_EV), gap_permittivity=2.13, **slices)
    assert float(imaged.G_G0) == pytest.approx(float(plain.G_G0), rel=1e-12)


# ------------------------------------------------------------- transfer matrix vs saddle point
def test_transfer_matrix_agrees_with_saddle_point_on_a_parabolic_neck():
    curvature_radius = 100 * NM
    k_fermi = wavevector(AG_FERMI_EV).real
    zeros = np.array([J01, J11, J21, J02, J31])
    kf_a = np.sort(np.concatenate((np.linspace(2.0, 6.8, 41), zeros)))
    tm = np.array([float(profile_conductance(*parabolic_neck(x / k_fermi, curvature_radius),
                                             Electrons(AG_FERMI_EV)).G_G0) for x in kf_a])
    hbar_omega = saddle_hbar_omega_eV(AG_FERMI_EV, kf_a / k_fermi, 1 / curvature_radius)
    saddle = circular_conductance(kf_a / k_fermi, Electrons(AG_FERMI_EV),
                                  hbar_omega_eV=hbar_omega).G_G0
    assert np.max(np.abs(tm - saddle)) < 2e-2
    assert np.max(np.abs(tm - saddle)) > 1e-4  # different models, not the same formula
    middles = np.sqrt(0.5 * (zeros[:-1] ** 2 + zeros[1:] ** 2))  # mid-plateau in energy
    plateaus = [float(profile_conductance(*parabolic_neck(x / k_fermi, curvature_radius),
                                          Electrons(AG_FERMI_EV)).G_G0) for x in middles]
    np.testing.assert_allclose(plateaus, [1, 3, 5, 6], atol=1e-3)


def test_profile_window_integration_is_exact_for_a_uniform_wire():
    """A uniform wire has step transmissions: the abrupt circular counter is exact."""
    radius = 0.5 * NM
    z, a = np.array([-1 * NM, 1 * NM]), np.array([radius, radius])
    fermi = edge_energy(J11, radius) + 0.01  # an edge inside every window
    for physics in ({"temperature_K": 300.0}, {"bias_V": 0.3, "beta": 0.2},
                    {"temperature_K": 100.0, "bias_V": -0.2, "beta": 0.7, "field_T": 30.0},
                    {"temperature_K": 50.0, "bias_V": 1e-7}):
        tm = profile_conductance(z, a, Electrons(fermi, **physics))
        exact = circular_conductance(radius, Electrons(fermi, **physics))
        assert float(tm.G_G0) == pytest.approx(float(exact.G_G0), abs=2e-5)
        assert float(tm.channels) == float(exact.channels)


def test_profile_temperature_bias_and_field_follow_the_saddle_point_form():
    curvature_radius = 100 * NM
    a0 = J01 * 1.005 / wavevector(AG_FERMI_EV).real  # first mode just open
    hbar_omega = saddle_hbar_omega_eV(AG_FERMI_EV, a0, 1 / curvature_radius)
    physics = {"temperature_K": 77.0, "bias_V": 0.15, "beta": 0.3, "field_T": 5.0}
    tm = profile_conductance(*parabolic_neck(a0, curvature_radius), Electrons(AG_FERMI_EV,
                                                                              **physics))
    saddle = circular_conductance(a0, Electrons(AG_FERMI_EV, **physics), hbar_omega_eV=hbar_omega)
    assert float(tm.G_G0) == pytest.approx(float(saddle.G_G0), abs=2e-2)
    assert 0.2 < float(tm.G_G0) < 0.95
    assert sum(m["degeneracy"] * m["transmission"] for m in tm.modes) == pytest.approx(
        float(tm.G_G0), rel=1e-12)
    assert json.loads(json.dumps(tm.modes)) == tm.modes


def test_profile_transmissions_shape_and_requested_modes():
    z, a = parabolic_neck(0.5 * NM, 50 * NM, samples=101)
    energies = np.linspace(1.0, 6.0, 6).reshape(2, 3)
    modes = profile_transmissions(z, a, energies, Electrons(AG_FERMI_EV), n_modes=5)
    assert modes.transmission.shape == (5, 2, 3)
    assert list(zip(modes.m.tolist(), modes.n.tolist(), strict=True)) == [
        (0, 1), (1, 1), (2, 1), (0, 2), (3, 1)]
    assert np.all((modes.transmission >= 0) & (modes.transmission <= 1 + 1e-12))
    assert np.all(np.diff(modes.transmission[0].ravel()) >= -1e-7)  # rises with energy


@pytest.mark.parametrize(("z", "a"), [
    ([0.0, 1e-9, 1e-9], [1e-9, 1e-9, 1e-9]),  # z not strictly increasing
    ([0.0, 1e-9], [1e-9, -1e-10]),  # negative radius
    ([0.0, 1e-9, 2e-9], [1e-9, 1e-9]),  # length mismatch
    ([0.0], [1e-9]),  # a single sample
])
def test_invalid_profiles_raise(z, a):
    with pytest.raises(ValueError):
        profile_conductance(z, a, Electrons(AG_FERMI_EV))


# ---------------------------------------------------------------------------------- strain
def test_elastic_strain_sensitivity_matches_the_derivation():
    nu, fermi, eps = 0.44, 5.53, 1e-6
    radius, length, e_f = strained_neck(1e-9, 2e-9, np.array([-eps, eps]),
                                        poisson_ratio=nu, fermi_energy_eV=fermi)
    kf_a = wavevector(e_f).real * radius
    assert np.diff(np.log(kf_a))[0] / (2 * eps) == pytest.approx(-(1 + nu) / 3, rel=1e-6)
    assert np.diff(np.log(e_f))[0] / (2 * eps) == pytest.approx(-2 / 3 * (1 - 2 * nu),
                                                                 rel=1e-6)
    np.testing.assert_allclose(length, 2e-9 * (1 + np.array([-eps, eps])), rtol=1e-15)
    np.testing.assert_allclose(radius, 1e-9 * (1 - nu * np.array([-eps, eps])), rtol=1e-15)


def test_plastic_strain_conserves_volume_and_fermi_energy():
    strain = np.array([0.0, 0.5, 3.0])
    radius, length, fermi = strained_neck(1e-9, 2e-9, strain, poisson_ratio=0.44,
                                          fermi_energy_eV=5.53, mode="plastic")
    np.testing.assert_allclose(radius**2 * length, (1e-9) ** 2 * 2e-9, rtol=1e-14)
    np.testing.assert_allclose(fermi, 5.53, rtol=1e-14)
    np.testing.assert_allclose(radius, 1e-9 / np.sqrt(1 + strain), rtol=1e-14)


def test_plastic_stretching_thins_a_gold_contact_stepwise_to_one_quantum():
    gold = get_material("Au")
    fermi = gold.fermi_energy_eV.value
    radius0 = 8.0 / wavevector(fermi).real  # k_F a = 8: twelve channels
    strain = np.linspace(0.0, 15.0, 30001)
    radius, _, e_f = strained_neck(radius0, 1e-9, strain, mode="plastic", fermi_energy_eV=fermi,
                                   poisson_ratio=gold.poisson_ratio.value)
    g = circular_conductance(radius, Electrons(e_f)).G_G0
    assert np.array_equal(g, np.round(g)) and np.all(np.diff(g) <= 0)
    plateaus = g[np.r_[True, np.diff(g) != 0]].tolist()
    assert plateaus == [12, 10, 8, 6, 5, 3, 1, 0]  # the Bessel ladder in reverse
    last_plateau = np.count_nonzero(g == 1) * (strain[1] - strain[0])
    assert last_plateau == pytest.approx((8 / J01) ** 2 - (8 / J11) ** 2, abs=1e-3)


@pytest.mark.parametrize("bad", [{"strain": -1.0}, {"strain": 3.0, "poisson_ratio": 0.4},
                                 {"mode": "viscous"}])
def test_invalid_strain_raises(bad):
    kwargs = {"strain": 0.1, "poisson_ratio": 0.3, "fermi_energy_eV": 1.0} | bad
    with pytest.raises(ValueError):
        strained_neck(1e-9, 1e-9, **kwargs)


# --------------------------------------------------------------------- Zeeman critical field
def test_critical_field_limits():
    inflection = 2 * np.log(2 + np.sqrt(3))  # g mu_B B_c / s for one logistic scale s
    assert zeeman_critical_field_T(4.0) == pytest.approx(inflection * KB_EV * 4 / (2 * MUB_EV),
                                                         rel=1e-9)
    hbar_omega = 1e-3
    assert zeeman_critical_field_T(0.0, hbar_omega_eV=hbar_omega, g_factor=5.0) == (
        pytest.approx(inflection * hbar_omega / (2 * np.pi) / (5 * MUB_EV), rel=1e-9))
    assert zeeman_critical_field_T(0.0) == 0.0
    both = zeeman_critical_field_T(4.0, hbar_omega_eV=2 * np.pi * KB_EV * 2.0)
    single = zeeman_critical_field_T([4.0, 2.0])
    assert single[0] < both < single.sum()


@pytest.mark.parametrize(("factor", "split"), [(0.9, False), (1.1, True)])
def test_half_plateau_appears_above_the_critical_field(factor, split):
    """Vacancy filament (E_F = 0.5 eV, m* = 3) at 1 K with hbar*omega/2π = k_BT."""
    temperature, hbar_omega = 1.0, 2 * np.pi * KB_EV * 1.0
    field = factor * float(zeeman_critical_field_T(temperature, hbar_omega_eV=hbar_omega))
    radius = J01 / wavevector(VO_FERMI_EV, VO_MASS_ME).real  # first edge at E_F
    width = KB_EV * temperature
    offsets = np.array([-0.05, 0.0, 0.05])[:, None] * width + np.array([-1, 1]) * 1e-3 * width
    electrons = Electrons(VO_FERMI_EV + offsets, VO_MASS_ME, temperature, field_T=field)
    g = circular_conductance(radius, electrons, hbar_omega_eV=hbar_omega).G_G0
    slope = g[:, 1] - g[:, 0]
    assert g.mean() == pytest.approx(0.5, abs=1e-6)
    assert bool(slope[1] < min(slope[0], slope[2])) == split  # dG/dE_F dips at the midpoint


# ---------------------------------------------------------------------- generic mode ladders
def test_modes_conductance_matches_brute_force_on_a_rectangular_ladder():
    """An arbitrary ladder through the counter vs the direct Landauer integral.

    Guards the counting shared by modes_conductance and circular_conductance (window kernels,
    Zeeman split, saddle smearing, energy_scale) against an independent reference
    (tests/unit/landauer_reference.py), on the non-circular, non-degenerate ladder of a
    rectangular section, E_mn = e0 (m^2 + (n / 1.37)^2), plus one doubly degenerate edge.
    Tolerance 1e-7 G0, as for the circular counter against the same reference.
    """
    m, n = np.meshgrid(np.arange(1, 9), np.arange(1, 9))
    energies = np.append(0.4 * (m**2 + (n / 1.37) ** 2).ravel(), 1.3)
    degeneracy = np.append(np.ones(m.size), 2.0)
    rng = np.random.default_rng(11)
    cases = 16
    physics = {"fermi_energy_eV": rng.uniform(0.5, 6.0, cases),
               "temperature_K": rng.choice([0.0, 30.0, 300.0], cases),
               "bias_V": rng.choice([0.0, 0.2, -0.1], cases), "beta": rng.uniform(0, 1, cases),
               "field_T": rng.choice([0.0, 20.0], cases),
               "hbar_omega_eV": rng.choice([0.0, 0.1], cases)}
    scale = rng.uniform(0.5, 1.5, cases)
    electrons = Electrons(**{k: v for k, v in physics.items() if k != "hbar_omega_eV"})
    counted = modes_conductance(energies, degeneracy, electrons, energy_scale=scale,
                                hbar_omega_eV=physics["hbar_omega_eV"]).G_G0
    expected = [ladder_conductance(s * energies, degeneracy, *point, 2.0, hw) for s, *point, hw
                in zip(scale, *(physics[k] for k in ("fermi_energy_eV", "temperature_K",
                                                     "bias_V", "beta", "field_T")),
                       physics["hbar_omega_eV"], strict=True)]
    np.testing.assert_allclose(counted, expected, atol=1e-7, rtol=0)
    assert np.ptp(counted) > 5  # the cases span several steps of the ladder


def test_modes_conductance_refuses_a_short_ladder():
    with pytest.raises(ValueError, match="more modes"):
        modes_conductance([0.1, 0.3], [1, 2], Electrons(0.35))
    assert float(modes_conductance([0.1, 0.3, 0.5], [1, 2, 2], Electrons(0.35)).G_G0) == 3.0


# ---------------------------------------------------------------------------------------- CLI
def run_cli(capsys, *args):
    """Exit status, stdout and stderr of ``apcfem conductance ...`` run in-process."""
    status = cli.main(["conductance", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_profile_json_matches_the_library(tmp_path, capsys):
    z, a = parabolic_neck(J11 * 1.05 / wavevector(AG_FERMI_EV).real, 100 * NM, samples=201)
    csv = tmp_path / "neck.csv"
    csv.write_text("# z [m], a [m]\n" + "\n".join(f"{x:.17g},{y:.17g}" for x, y in zip(
        z, a, strict=True)))
    txt = tmp_path / "neck.txt"
    np.savetxt(txt, np.c_[z, a], header="z a")
    status, out, _ = run_cli(capsys, "--profile", csv, "--material", "Ag", "--json")
    record = json.loads(out)
    expected = profile_conductance(z, a, Electrons(AG_FERMI_EV))
    assert status == 0 and record["G_G0"] == pytest.approx(float(expected.G_G0), rel=1e-12)
    assert record["G_G0"] == pytest.approx(3.0, abs=1e-3) and record["channels"] == 3.0
    assert [m["transmission"] for m in record["modes"]] == [m["transmission"]
                                                           for m in expected.modes]
    _, out_txt, _ = run_cli(capsys, "--profile", txt, "--json")
    assert json.loads(out_txt)["G_G0"] == record["G_G0"]
    # plastic thinning by 30 % strain closes the m = ±1 pair; elastic 1 % does not
    _, out, _ = run_cli(capsys, "--profile", csv, "--strain", 0.3, "--plastic", "--json")
    assert json.loads(out)["G_G0"] == pytest.approx(1.0, abs=1e-3)
    _, out, _ = run_cli(capsys, "--profile", csv, "--strain", 0.01, "--json")
    stretched = json.loads(out)
    assert stretched["fermi_energy_eV"] < AG_FERMI_EV and stretched["strain_mode"] == "elastic"


def test_cli_broken_profile_needs_a_gap_barrier(tmp_path, capsys):
    path = tmp_path / "broken.txt"
    np.savetxt(path, np.c_[broken_tips(0.8 * NM, 0.5 * NM)])
    _, out, _ = run_cli(capsys, "--profile", path, "--json")
    assert json.loads(out)["G_G0"] == 0.0
    _, out, _ = run_cli(capsys, "--profile", path, "--gap-barrier", 1.0, "--json")
    assert 1e-6 < json.loads(out)["G_G0"] < 1e-2


@pytest.mark.parametrize(("content", "extra", "message"), [
    (None, (), "cannot read"),
    ("0 1e-9 3\n1e-9 1e-9 3\n", (), "two columns"),
    ("0,1e-9\n1e-9,-2e-10\n", (), ">= 0"),
    ("-2 1.0\n2 1.0\n", (), "metres"),
    ("0 1e-9\nfoo bar\n", (), "numeric"),
    ("# header only\n", (), "numeric"),
    ("0 1e-9\n1e-9 1e-9\n", ("--beta", 2.0), "beta"),
])
def test_cli_profile_errors_are_one_line(tmp_path, capsys, content, extra, message):
    path = tmp_path / "profile.txt"
    if content is not None:
        path.write_text(content)
    status, out, err = run_cli(capsys, "--profile", path, *extra)
    assert status == 2 and out == ""
    assert err.startswith("apcfem: error:") and err.count("\n") == 1 and message in err


def test_cli_gap_barrier_needs_a_profile(capsys):
    status, _, err = run_cli(capsys, "--radius", 5e-10, "--gap-barrier", 1.0)
    assert status == 2 and "--profile" in err


def test_cli_radius_with_bias_beta_and_field_matches_brute_force(capsys):
    """Guards the ``conductance --radius --temperature --bias --beta --field`` options reaching
    the counter (names, units, E_F and m* of the material): G/G0 against the direct Landauer
    integral over scipy's Bessel-zero ladder (tests/unit/landauer_reference.py), 1e-7 G0.
    A heavy vacancy channel at 2 K, 0.3 mV bias with beta = 0.8 and 3 T: thermal, bias and
    Zeeman widths are all comparable to the distance of E_F from the edge."""
    radius = J11 * 0.9995 / wavevector(VO_FERMI_EV, VO_MASS_ME).real  # E_F just below j_11
    options = {"temperature": 2.0, "bias": 3e-4, "beta": 0.8, "field": 3.0}
    status, out, _ = run_cli(capsys, "--radius", radius, "--material", "VO_filament", "--json",
                             *(f"--{k}={v}" for k, v in options.items()))
    record = json.loads(out)
    zeros = [(jn_zeros(m, 4), 1 if m == 0 else 2) for m in range(6)]
    edges = [edge_energy(j, radius, VO_MASS_ME) for row, _ in zeros for j in row]
    degeneracy = [d for row, d in zeros for _ in row]
    expected = ladder_conductance(edges, degeneracy, VO_FERMI_EV, options["temperature"],
                                  options["bias"], options["beta"], options["field"], 2.0, 0.0)
    assert status == 0 and record["G_G0"] == pytest.approx(expected, abs=1e-7)
    assert 1.0 + 1e-3 < record["G_G0"] < 3.0 - 1e-3  # on the step, not on a plateau
    assert (record["bias_V"], record["beta"], record["field_T"]) == (3e-4, 0.8, 3.0)


def test_strained_electrons_follow_the_density():
    """Electrons.strained: E_F scales with n^(2/3), n with the inverse volume (1 + eps)
    (1 - nu eps)^2 (elastic); unchanged by volume-conserving (plastic) thinning; the other
    fields are kept."""
    electrons = Electrons(AG_FERMI_EV, 1.0, temperature_K=4.0, field_T=2.0)
    eps, nu = 0.02, 0.37
    strained = electrons.strained(eps, poisson_ratio=nu)
    volume = (1 + eps) * (1 - nu * eps) ** 2
    assert strained.fermi_energy_eV == pytest.approx(AG_FERMI_EV * volume ** (-2 / 3), rel=1e-12)
    assert (strained.temperature_K, strained.field_T) == (4.0, 2.0)
    plastic = electrons.strained(eps, poisson_ratio=nu, mode="plastic")
    assert plastic.fermi_energy_eV == pytest.approx(AG_FERMI_EV, rel=1e-12)
    assert electrons.with_(bias_V=0.1).bias_V == 0.1 and electrons.bias_V == 0.0


def test_window_integral_follows_an_exponential_transmission():
    """Tunnelling T(E) = e^{E/0.3 eV} across a 1 V, 300 K window, 17 nodes: the log-linear
    integral is over 10x closer to a 20001-node integral than piecewise-linear T."""
    from apcfem.landauer.transmission import _integrate_log_linear
    from apcfem.landauer.windows import _WINDOW_TAIL, _Window

    window = _Window(0.02585, -0.5, 0.5, 0.0)
    span = (-0.5 - _WINDOW_TAIL * window.kt, 0.5 + _WINDOW_TAIL * window.kt)
    exact_nodes = np.linspace(*span, 20001)
    exact = np.exp(exact_nodes / 0.3) @ window.weights(exact_nodes)
    nodes = np.linspace(*span, 17)
    values = np.exp(nodes / 0.3)[None, :]
    log_linear = abs(float(_integrate_log_linear(window, nodes, values)[0]) / exact - 1)
    linear = abs(float(values[0] @ window.weights(nodes)) / exact - 1)
    assert log_linear < 1e-3
    assert log_linear < 0.1 * linear
