"""The lumped contact's conductance of an evolving filament's neck (apcfem.quantum_contact).

A neck on an electrode face (a cone whose tip touches the face, as an ECM filament makes) is
counted by its open modes (``transmission = "saddle"``; with no curvature given, sharp steps)
and, once none is open, tunnels across its closed sections as across a gap: continuously
without a break gap, by a jump out of contact with one.
"""

import numpy as np
import pytest
from scipy import constants
from scipy.optimize import brentq
from scipy.special import jn_zeros

from apcfem import landauer
from apcfem.neck import NeckProfile, reduce_profile
from apcfem.quantum_contact import contact_conductance, first_mode_radius_m, tunnel_spans_m

NM = 1e-9
AG = landauer.Electrons(5.49, 1.0, 300.0)
LAYER_M = (2.0 * NM, 7.0 * NM)
BARRIER_EV = 3.36
Z_M = LAYER_M[0] + (np.arange(100) + 0.5) * 0.05 * NM  # 0.05 nm sections


def _face_neck(tip_radius_nm: float) -> NeckProfile:
    """A cone from the lower electrode whose tip of radius ``tip_radius_nm`` touches the upper
    face (radius grows by 0.4 nm per nm away from it); the neck is the last section."""
    radius = np.maximum(tip_radius_nm + (Z_M[-1] - Z_M) / NM * 0.4, 0.0) * NM
    return NeckProfile(Z_M, radius, float(radius[-1]), float(Z_M[-1]), np.nan)


def _G0(neck: NeckProfile, transmission: str = "saddle") -> float:
    return contact_conductance(neck, LAYER_M, AG, BARRIER_EV, transmission).G_G0


def test_first_mode_radius_is_the_first_bessel_zero_over_k_fermi():
    k_fermi = np.sqrt(2 * constants.m_e * 5.49 * constants.e) / constants.hbar
    assert first_mode_radius_m(AG) == pytest.approx(jn_zeros(0, 1)[0] / k_fermi, rel=1e-12)
    assert 0.19 * NM < first_mode_radius_m(AG) < 0.21 * NM


@pytest.mark.parametrize("tip_nm, channels", [(0.25, 1), (0.30, 1), (0.38, 3)])
def test_open_face_neck_sits_on_the_plateau_of_its_radius(tip_nm, channels):
    """Without a curvature the steps are sharp: G is the channel count (to the 300 K tails);
    an open contact tunnels across no gap."""
    contact = contact_conductance(_face_neck(tip_nm), LAYER_M, AG, BARRIER_EV, "saddle")
    assert contact.G_G0 == pytest.approx(channels, abs=0.01)
    assert contact.tunnel_gap_m == 0.0


def test_closed_face_neck_tunnels_across_its_closed_sections():
    """Below the first mode edge the sections with no propagating mode are the gap: G equals
    the transfer-matrix tunnelling of the profile without them, falls monotonically as the tip
    thins (one plateau -> tunnelling range), and starts next to the plateau (no jump to ~0)."""
    a1 = first_mode_radius_m(AG) / NM
    tips = [a1 - 0.005, 0.17, 0.15, 0.10, 0.05, 0.0]
    G = [_G0(_face_neck(tip)) for tip in tips]
    closed = _face_neck(0.10)
    as_gap = np.where(closed.radius_m < a1 * NM, 0.0, closed.radius_m)
    lead = [as_gap.max()] * 2  # the electrodes: sections as wide as the widest, 0.5 nm long
    reference = landauer.profile_conductance(
        np.concatenate([[LAYER_M[0] - 0.5 * NM, LAYER_M[0]], Z_M,
                        [LAYER_M[1], LAYER_M[1] + 0.5 * NM]]),
        np.concatenate([lead, as_gap, lead]), AG, gap_barrier_eV=BARRIER_EV).G_G0
    assert G[3] == pytest.approx(float(reference), rel=1e-9)
    assert np.all(np.diff(G) < 0)
    assert G[0] > 0.5  # just below the edge: still most of the last plateau
    assert G[-1] < 1e-3


def test_a_neck_inside_the_layer_keeps_the_saddle_tunnelling():
    """A neck inside the layer is a saddle: closed modes tunnel through it (the saddle formula,
    not the gap rule), and the abrupt count stays the bare channel count."""
    neck = _face_neck(0.15)
    inside = NeckProfile(neck.z_m, neck.radius_m, 0.15 * NM, Z_M[50], 5e9)
    hbar_omega = landauer.saddle_hbar_omega_eV(5.49, 0.15 * NM, 5e9, 1.0)
    saddle = landauer.circular_conductance(0.15 * NM, AG, hbar_omega_eV=hbar_omega).G_G0
    assert _G0(inside) == pytest.approx(float(saddle), rel=1e-12)
    assert _G0(neck, "abrupt") == pytest.approx(0.0, abs=1e-6)


def test_a_breaking_face_neck_jumps_out_of_contact():
    """With a break gap (the jump distance), the closing of the last mode drops G from the
    plateau to the tunnelling across that gap (the mirror of the jump to contact), far below
    the plateau, and thinning further only lowers it."""
    break_gap = 0.32 * NM
    a1 = first_mode_radius_m(AG) / NM
    G = [contact_conductance(_face_neck(tip), LAYER_M, AG, BARRIER_EV, "saddle",
                             break_gap).G_G0 for tip in (a1 + 0.005, a1 - 0.005, 0.1, 0.0)]
    assert G[0] == pytest.approx(1.0, abs=0.02)
    assert G[1] < 0.1
    assert G[1] >= G[2] >= G[3]
    # the gap: the whole 0.05 nm sections from the face that cover the break gap (7 of them)
    assert G[1] == pytest.approx(_G0(_face_neck_without_last(a1 - 0.005, 7)), rel=1e-9)


def _face_neck_without_last(tip_nm: float, sections: int) -> NeckProfile:
    radius = _face_neck(tip_nm).radius_m.copy()
    radius[-sections:] = 0.0
    return reduce_profile(Z_M, radius)


def test_no_gap_is_narrower_than_the_break_gap():
    """A geometric gap of one 0.05 nm section (the filament just dissolved through) tunnels
    like the 0.35 nm gap the break gap widens it to, from the face inward; wider gaps are
    left alone."""
    radius = _face_neck(0.3).radius_m.copy()
    radius[-1] = 0.0
    sliver = reduce_profile(Z_M, radius)
    contact = contact_conductance(sliver, LAYER_M, AG, BARRIER_EV, "saddle", 0.32 * NM)
    widened = contact.G_G0
    assert widened == pytest.approx(_G0(_face_neck_without_last(0.3, 7)), rel=1e-9)
    assert widened < 0.1 < _G0(sliver)
    assert contact.tunnel_gap_m == pytest.approx(0.35 * NM, rel=1e-9)  # reported as tunnelled
    wide = _face_neck_without_last(0.3, 10)
    assert contact_conductance(wide, LAYER_M, AG, BARRIER_EV, "saddle",
                               0.32 * NM).G_G0 == pytest.approx(_G0(wide), rel=1e-12)


def test_a_gap_inside_the_layer_widens_both_ways():
    radius = np.full(Z_M.size, 0.5 * NM)
    radius[50] = 0.0
    broken = reduce_profile(Z_M, radius)
    expected = radius.copy()
    expected[47:54] = 0.0  # 7 sections of 0.05 nm cover 0.32 nm
    reference = reduce_profile(Z_M, expected)
    assert contact_conductance(broken, LAYER_M, AG, BARRIER_EV, "saddle",
                               0.32 * NM).G_G0 == pytest.approx(_G0(reference), rel=1e-12)


def test_a_face_neck_with_a_curvature_has_soft_steps():
    """The curvature of the filament's side sets hbar omega on a face: at the step edge G lies
    between the plateaus instead of jumping within the 300 K smearing."""
    edge = first_mode_radius_m(AG) * jn_zeros(1, 1)[0] / jn_zeros(0, 1)[0]  # j_11 / k_F [m]
    sharp = _face_neck(edge / NM - 0.01)
    soft = NeckProfile(sharp.z_m, sharp.radius_m, sharp.neck_radius_m, sharp.neck_z_m, 2e9)
    hbar_omega = landauer.saddle_hbar_omega_eV(5.49, sharp.neck_radius_m, 2e9, 1.0)
    expected = landauer.circular_conductance(sharp.neck_radius_m, AG, hbar_omega_eV=hbar_omega)
    assert _G0(sharp) == pytest.approx(1.0, abs=0.01)
    assert _G0(soft) == pytest.approx(float(expected.G_G0), rel=1e-12)
    assert 1.2 < _G0(soft) < 2.8


@pytest.mark.parametrize("tip_nm", [0.3, 1.0])
def test_a_tip_retracted_from_the_face_tunnels_with_the_barrier_decay(tip_nm):
    """A paraboloidal tip (apex radius tip_nm, section area pi 2 R d at a depth d below the
    apex, sides opening at 0.4 nm per nm) whose area the extraction smears over w = 0.04 nm
    (softplus; H(xi) spreads an interface over ~0.16 nm), pulled back from the face by
    0.5-1.0 nm in steps of a fifth of a section: the contact tunnels from the face to where
    the tip's sections open their first mode (a = j_01 / k_F), and that length moves with
    the tip between the samples (no steps of a section), to 0.01 nm (a fifth of a section);
    G ~ exp(-2 kappa d) over it with kappa = sqrt(2 m_e phi) / hbar of the gap barrier phi,
    to 2 % (the decay of the broken contact on reset, T8)."""
    R, w = tip_nm * NM, 0.04 * NM

    def radius_m(depth_m):
        return np.sqrt(2 * R * w * np.logaddexp(0.0, depth_m / w) + (0.4 * depth_m.clip(0)) ** 2)

    first_mode_depth = brentq(lambda d: radius_m(np.array(d)) - first_mode_radius_m(AG),
                              -1.0 * NM, 1.0 * NM)
    apex_gaps_m = np.arange(10.0, 20.01, 0.2) * 0.05 * NM
    contacts = []
    for apex_gap in apex_gaps_m:
        neck = reduce_profile(Z_M, radius_m(LAYER_M[1] - apex_gap - Z_M))
        contacts.append(contact_conductance(neck, LAYER_M, AG, BARRIER_EV, "saddle", 0.32 * NM))
    gaps_m = np.array([c.tunnel_gap_m for c in contacts])
    assert np.all(np.diff(gaps_m) > 0) and np.max(np.diff(gaps_m)) < 0.015 * NM
    assert gaps_m == pytest.approx(apex_gaps_m + first_mode_depth, abs=0.01 * NM)
    kappa = np.sqrt(2 * constants.m_e * BARRIER_EV * constants.e) / constants.hbar
    slope = np.polyfit(gaps_m, np.log([c.G_G0 for c in contacts]), 1)[0]
    assert -slope / (2 * kappa) == pytest.approx(1.0, abs=0.02)


def test_the_spans_a_jump_out_of_contact_removes_are_the_gaps_the_count_tunnels():
    """A face neck whose last mode closed: one span from the face down over the closed
    sections (widened to the break gap), as long as the gap the count tunnels across; an inner
    pinch with a break gap breaks too (a filament dissolved through inside the layer), its span
    around the pinch; an open neck has none."""
    break_gap = 0.32 * NM
    a1 = first_mode_radius_m(AG) / NM
    closed = _face_neck(a1 - 0.005)
    contact = contact_conductance(closed, LAYER_M, AG, BARRIER_EV, "saddle", break_gap)
    [(low, high)] = tunnel_spans_m(closed, AG, break_gap)
    assert high == pytest.approx(LAYER_M[1], abs=1e-15)
    assert high - low == pytest.approx(contact.tunnel_gap_m, rel=1e-9)
    assert tunnel_spans_m(_face_neck(a1 + 0.005), AG, break_gap) == []
    radius = np.full(Z_M.size, 0.5 * NM)
    radius[50] = 0.1 * NM
    pinched = NeckProfile(Z_M, radius, 0.1 * NM, Z_M[50], 5e9)
    inner = contact_conductance(pinched, LAYER_M, AG, BARRIER_EV, "saddle", break_gap)
    [(low, high)] = tunnel_spans_m(pinched, AG, break_gap)
    assert 0.5 * (low + high) == pytest.approx(Z_M[50], abs=0.03 * NM)
    assert high - low == pytest.approx(inner.tunnel_gap_m, rel=1e-9) == 0.35 * NM
    assert inner.G_G0 < 0.05  # an atomic gap between 1 nm wide banks


def _face_cone(tip_nm: float, slope: float) -> NeckProfile:
    """A cone of the given radial slope whose tip of radius tip_nm touches the upper face,
    reduced to its neck as the extraction does."""
    return reduce_profile(Z_M, (tip_nm + (Z_M[-1] - Z_M) / NM * slope) * NM)


def test_a_face_neck_has_the_saddle_of_the_hyperboloid_its_side_opens_into():
    """The neck on the face is the waist of a hyperboloid a = sqrt(a0^2 + s^2 z^2) with the
    filament side's slope s: a'' = s^2 / a0 > 0 even where that side bends outwards (whose
    own parabola has a'' < 0); a wire meeting the face (s = 0) keeps the sharp step."""
    a0, slope = 0.3, 0.8
    cone = _face_cone(a0, slope)
    assert cone.neck_z_m == Z_M[-1]
    assert cone.curvature_per_m == pytest.approx(slope**2 / (a0 * NM), rel=1e-9)
    flaring = (a0 + 0.3 * ((Z_M[-1] - Z_M) / NM) ** 0.5) * NM  # a'' < 0 along the side
    assert np.polyfit(Z_M[-13:] - Z_M[-1], flaring[-13:], 2)[0] < 0
    assert reduce_profile(Z_M, flaring).curvature_per_m > 0.0
    assert _face_cone(a0, 0.0).curvature_per_m == pytest.approx(0.0, abs=1e-3)


def test_a_wide_funnel_on_the_face_softens_the_step_so_pm_do_not_decide_the_plateau():
    """At the 1 -> 3 G0 edge (k_F a = j_11, 0.319 nm for Ag) the count of a face neck with a
    45 degree funnel changes by < 0.1 G0 per pm, where a sharp step (a uniform wire) changes
    by more than 0.4 G0 per pm at 300 K; both hold the 1 G0 plateau's middle (0.26 nm)."""
    def slope_G0_per_pm(slope):
        G = [_G0(_face_cone(a, slope)) for a in (0.318, 0.320)]
        return (G[1] - G[0]) / 2.0
    assert slope_G0_per_pm(1.0) < 0.1
    assert slope_G0_per_pm(0.0) > 0.4
    for slope in (0.0, 1.0):
        assert _G0(_face_cone(0.26, slope)) == pytest.approx(1.0, abs=0.02)


def test_a_neck_unstable_between_its_samples_breaks_where_it_is_narrowest():
    """The extraction refines the neck's minimum between the sampled sections: a neck whose
    refined radius is below the radius it breaks at while every sample is above it (seen on a
    reset: 0.2190 nm between samples of >= 0.2205 nm, the stable radius 0.2204 nm) breaks at
    its own height, at least the jump distance wide (before, nothing was removed and the jump
    out repeated every step, at steps of 1e-9 s)."""
    break_gap = 0.35 * NM
    radius = np.full(Z_M.size, 0.5 * NM)
    radius[40:60] = 0.2205 * NM
    neck = NeckProfile(Z_M, radius, 0.2190 * NM, Z_M[47], 5e9)
    [(low, high)] = tunnel_spans_m(neck, AG, break_gap, closed_below_m=0.2204 * NM)
    assert low <= Z_M[47] <= high
    assert high - low >= break_gap - 1e-15


def test_an_image_lowered_gap_closes_without_steps_at_the_samples():
    """A paraboloidal tip (apex radius 0.5 nm) closing on the face from 0.44 to 0.40 nm in
    steps of 2 pm (the Ag/SiO2 image force, eps = 2.13): the tunnelling conductance rises at
    each step by about the barrier's decay over 2 pm (+2.5 % with the image-lowered kappa;
    measured -0.3 to +2.7 %, the least where the apex crosses a sample), not by the
    jump of the run of a = 0 gaining or losing a whole 0.05 nm sample (-13 % at 0.422 nm
    before the gap's measured ends entered the count's profile; 25 % in an ECM run)."""
    top = Z_M[-1] + 0.025 * NM  # the face
    G = []
    for gap_nm in np.arange(0.44, 0.3999, -0.002):
        depth = np.clip(top - gap_nm * NM - Z_M, 0.0, None)
        neck = reduce_profile(Z_M, np.sqrt(2.0 * 0.5 * NM * depth))
        G.append(contact_conductance(neck, LAYER_M, AG, BARRIER_EV, "saddle", 0.32 * NM,
                                     gap_permittivity=2.13).G_G0)
    rise = np.diff(np.log(G))
    assert G[0] > 0.5 and G[-1] > 1.4 * G[0]  # the image force's range: 1.13 -> 1.69 G0
    assert np.all(np.abs(rise - np.median(rise)) < 0.03)
