"""A connected neck keeps its plane between two near-equal sections (apcfem.neck.reduce_profile).

The profile: a wire of 0.25 nm radius with two pinches, one at z = 3 nm and one at the top
face (z = 7 nm), whose radii differ by ``difference``.
"""

import numpy as np
import pytest

from apcfem.neck import BROKEN_RADIUS_M, NECK_PLANE_HOLD_M, NECK_PLANE_MARGIN_M, reduce_profile

NM = 1e-9
Z_M = (2.0 + 5.0 * (np.arange(100) + 0.5) / 100) * NM
INNER_M, FACE_M = 3.0 * NM, Z_M[-1]


def _two_pinches(difference_m: float) -> np.ndarray:
    """Radii [m]: the inner pinch is narrower than the face by difference_m."""
    base, depth, width = 0.25 * NM, 0.02 * NM, 0.3 * NM
    inner = (depth + difference_m) * np.exp(-(((Z_M - INNER_M) / width) ** 2))
    face = depth * np.exp(-(((Z_M - FACE_M) / width) ** 2))
    return base - inner - face


def test_without_a_plane_the_narrowest_section_is_the_neck():
    assert reduce_profile(Z_M, _two_pinches(1e-12)).neck_z_m == pytest.approx(INNER_M,
                                                                              abs=0.05 * NM)
    assert reduce_profile(Z_M, _two_pinches(-1e-12)).neck_z_m == FACE_M


def test_the_neck_stays_on_the_face_while_the_inner_pinch_is_within_the_margin():
    kept = reduce_profile(Z_M, _two_pinches(0.5 * NECK_PLANE_MARGIN_M), plane_m=FACE_M)
    assert kept.neck_z_m == FACE_M
    assert kept.curvature_per_m > 0.0  # the face's hyperboloid waist


def test_the_neck_moves_once_another_section_is_narrower_by_more_than_the_margin():
    moved = reduce_profile(Z_M, _two_pinches(2.0 * NECK_PLANE_MARGIN_M), plane_m=FACE_M)
    assert moved.neck_z_m == pytest.approx(INNER_M, abs=0.05 * NM)


def test_a_plane_off_the_minimum_follows_the_profile_downhill():
    radius = _two_pinches(-0.5 * NECK_PLANE_MARGIN_M)  # the face is the narrowest
    near_inner = reduce_profile(Z_M, radius, plane_m=INNER_M + 0.4 * NM)
    assert near_inner.neck_z_m == pytest.approx(INNER_M, abs=0.05 * NM)


def test_a_kept_neck_keeps_itself():
    """Re-extracting with the plane at the neck's own height gives the same neck (what a
    resumed run does with the checkpointed plane)."""
    radius = _two_pinches(0.5 * NECK_PLANE_MARGIN_M)
    for plane in (FACE_M, INNER_M + 0.4 * NM):
        first = reduce_profile(Z_M, radius, plane_m=plane)
        again = reduce_profile(Z_M, radius, plane_m=first.neck_z_m)
        assert (again.neck_z_m, again.neck_radius_m) == (first.neck_z_m, first.neck_radius_m)


def test_a_broken_profile_ignores_the_plane():
    radius = _two_pinches(0.0)
    radius[10:12] = 0.0
    broken = reduce_profile(Z_M, radius, plane_m=FACE_M)
    # between the banks' samples 9 and 12, where their section area, linear towards the
    # empty sample next to them, falls to the broken radius's
    dz, floor = Z_M[1] - Z_M[0], BROKEN_RADIUS_M**2
    assert broken.gap_m == pytest.approx(dz * (1 + floor / radius[9]**2 + floor / radius[12]**2))
    assert broken.neck_radius_m == 0.0


def test_a_ripple_on_one_constriction_does_not_hold_the_neck():
    """Two samples a pm apart on the bottom of one constriction (the sampling's ripple, no
    wider section between them by the margin) are one neck: at its bottom, nearer the
    narrowest sample than the ripple."""
    radius = 0.25 * NM + 0.5 * NM * ((Z_M - INNER_M) / (5 * NM)) ** 2
    k = int(np.argmin(np.abs(Z_M - INNER_M)))
    radius[k + 3] = radius[k] + 1e-12  # a ripple: a local minimum 3 samples from the bottom
    radius[k + 2] = radius[k + 4] = radius[k] + 2e-12
    neck = reduce_profile(Z_M, radius, plane_m=Z_M[k + 3])
    assert abs(neck.neck_z_m - Z_M[k]) < 1.5 * (Z_M[1] - Z_M[0])


def test_the_neck_of_a_wire_ending_on_a_face_is_continuous_in_the_samples():
    """A cone narrowing into a short wire on the top face: its last two samples are equal up
    to roundoff, and which of them is the narrower does not move the neck (a step's circuit
    iterates on the neck radius; a three-sample parabola about the narrowest sample gave
    0.3185 or 0.3204 nm, 1.6 or 2.1 G0, as the tie broke either way)."""
    radius = np.maximum(0.32 + 0.4 * (Z_M[-2] - Z_M) / NM, 0.32) * NM
    necks = []
    for tie_break in (-1e-18, 1e-18):
        tied = radius.copy()
        tied[-1] += tie_break
        necks.append(reduce_profile(Z_M, tied))
    assert necks[0].neck_radius_m == pytest.approx(necks[1].neck_radius_m, abs=1e-16)
    assert necks[0].neck_z_m == pytest.approx(necks[1].neck_z_m, abs=1e-15)
    assert necks[0].curvature_per_m == pytest.approx(necks[1].curvature_per_m, rel=1e-6)


def test_a_neck_moving_onto_the_face_moves_continuously():
    """A parabolic neck (a'' = 8 /nm) whose bottom moves from 2.5 samples below the top end
    sample to 0.3 samples below it, in hundredths of a sample: its radius, height and
    curvature change by little per move, also where it becomes the face's constriction (a
    switch at one sample from the face jumped by 0.01 nm there and stalled a cycled run)."""
    dz = Z_M[1] - Z_M[0]
    necks = []
    for samples in np.arange(2.5, 0.29, -0.01):
        bottom = Z_M[-1] - samples * dz
        necks.append(reduce_profile(Z_M, (0.3 + 4.0 * ((Z_M - bottom) / NM) ** 2) * NM))
    radius = np.array([n.neck_radius_m for n in necks])
    height = np.array([n.neck_z_m for n in necks])
    curvature = np.array([n.curvature_per_m for n in necks])
    assert necks[0].neck_radius_m == pytest.approx(0.3 * NM, rel=1e-6)  # inner: the bottom
    assert necks[-1].neck_z_m == Z_M[-1]  # on the face
    assert np.max(np.abs(np.diff(radius))) < 0.001 * NM
    assert np.max(np.abs(np.diff(height))) < 0.05 * dz
    assert np.max(np.abs(np.diff(curvature))) < 0.05 * np.max(np.abs(curvature))


def test_within_a_step_the_held_neck_stays_however_narrower_the_other_pinch():
    """A step's later circuit iterations hold the plane (NeckExtractor.hold_plane): where the
    contact sits changes the state they solve (its heat), and a neck moved back and forth
    left the circuit without a fixed point."""
    narrower = _two_pinches(20.0 * NECK_PLANE_MARGIN_M)
    held = reduce_profile(Z_M, narrower, plane_m=FACE_M, margin_m=NECK_PLANE_HOLD_M)
    assert held.neck_z_m == FACE_M
    assert reduce_profile(Z_M, narrower, plane_m=FACE_M).neck_z_m == pytest.approx(
        INNER_M, abs=0.05 * NM)


def test_a_broken_profile_puts_its_plane_in_the_middle_of_its_gap_continuously():
    """A paraboloidal tip (apex radius 0.5 nm) below the top face, advancing by 0.004 nm a
    step: the plane of the broken profile is the middle of the gap between the apex and the
    face's end of the profile, and moves with it by about half the advance, in steps far
    below a sample (0.05 nm; the tip's end is interpolated between the samples, exact for a
    paraboloid only while both samples lie on it)."""
    top = Z_M[-1] + 0.5 * (Z_M[1] - Z_M[0])  # a gap reaching the profile's end ends here
    planes = []
    for apex_nm in 6.5 + 0.004 * np.arange(25):
        depth = np.clip(apex_nm * NM - Z_M, 0.0, None)
        radius = np.sqrt(2.0 * 0.5 * NM * depth)
        neck = reduce_profile(Z_M, radius)
        assert neck.gap_m > 0.0
        planes.append(neck.neck_z_m)
        assert neck.neck_z_m == pytest.approx(0.5 * (neck.gap_spans_m[0][0] + top), rel=1e-12)
    steps = np.diff(planes)
    assert np.all(steps > 0.0)
    assert steps.max() < 0.5 * (Z_M[1] - Z_M[0])  # the broken sample moved by whole ones
    assert planes[-1] - planes[0] == pytest.approx(0.5 * 0.004 * NM * len(steps), rel=0.25)
