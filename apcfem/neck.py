"""Neck extraction: filament field -> radius profile a(z), neck radius, position, gap.

The filament is where the field exceeds ``level`` (xi = 1/2). Along rays leaving the axis at
each height z, the boundary radius is the first level crossing, located by linear interpolation
between samples (sub-cell accurate). In 3-D, rays at n_theta angles give the section area
A(z) = 1/2 sum r(theta)^2 dtheta and the equivalent radius a = sqrt(A/pi); in (r, z) a single
ray gives a directly. Samples are evaluated with a :class:`PointProbe`, so the result is the
same on any number of ranks. (Sections must be star-shaped about the axis; several parallel
filaments are not separated yet.)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from dolfinx import fem
from scipy.interpolate import CubicSpline

from apcfem.mesh import DeviceMesh, PointProbe
from apcfem.quantum_contact import gap_spans_m


@dataclass(frozen=True)
class NeckProfile:
    """Filament cross-section along the transport axis.

    Attributes:
        z_m: sample heights [m].
        radius_m: equivalent radius a(z) = sqrt(A(z)/pi) [m] (0 where the filament is broken).
        neck_radius_m: minimal equivalent radius [m] (0 if broken).
        neck_z_m: height of the neck [m]; of a broken filament the middle of the gap that holds
            its narrowest sample.
        curvature_per_m: a''(z) at the neck [1/m]: from a local parabola, or for a neck on an
            electrode face the waist curvature of the hyperboloid its filament side opens into
            (:func:`_face_curvature`).
        gap_spans_m: (low, high) heights [m] of each broken part, its ends located between
            the samples (:func:`apcfem.quantum_contact.gap_spans_m`); empty while connected.
        section_polygon_m: 3-D only: (n_theta, 2) boundary of the section at the neck
            (interpolated between the sampled heights), (x, y) [m], e.g. for
            :mod:`apcfem.section_modes`; None in (r, z).
    """

    z_m: np.ndarray
    radius_m: np.ndarray
    neck_radius_m: float
    neck_z_m: float
    curvature_per_m: float
    gap_spans_m: tuple[tuple[float, float], ...] = ()
    section_polygon_m: np.ndarray | None = None

    @property
    def gap_m(self) -> float:
        """Total length [m] of the broken parts of the filament (0: connected)."""
        return float(sum(high - low for low, high in self.gap_spans_m))

    @property
    def section_centre_m(self) -> tuple[float, float]:
        """Centroid (x, y) [m] of :attr:`section_polygon_m` (where a 3-D neck off the cell's
        axis sits); the axis (0, 0) without a polygon (axisymmetric) or for a degenerate one."""
        polygon = self.section_polygon_m
        if polygon is None or len(polygon) < 3:
            return (0.0, 0.0)
        x, y = polygon[:, 0], polygon[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        area = 0.5 * cross.sum()
        if area == 0.0:
            return (0.0, 0.0)
        return (float(np.sum((x + np.roll(x, -1)) * cross) / (6.0 * area)),
                float(np.sum((y + np.roll(y, -1)) * cross) / (6.0 * area)))


BROKEN_RADIUS_M = 0.05e-9
"""Equivalent radius [m] below which a section holds no metal (a tenth of an Ag atom's radius)."""

NECK_PLANE_MARGIN_M = 5e-12
"""A connected neck stays in the plane it was in (:attr:`NeckExtractor.plane_m`) while the
section there is another constriction within this of the narrowest one [m] (a thirtieth of an
Ag atom's radius; :func:`reduce_profile`). Two near-equal constrictions (a thinning wire's face
and a pinch just below it) otherwise trade the neck back and forth between steps, and the
contact, its shell and the circuit with it."""

NECK_PLANE_HOLD_M = np.inf
"""Within one step's circuit iterations (:attr:`NeckExtractor.hold_plane`) a connected neck
stays in its plane while the section there is another constriction, however much wider [m]:
where the contact sits changes the state the iterations solve. A re-set VCM filament with two
0.855 nm constrictions, on the Pt face and 1.5 nm above it, ran at 740 K with the contact on
the face and at 1250 K with it in the oxide, which widened the hot one by 20-50 pm within the
step, so each iteration moved the neck back and the circuit (V_cell 0.50 / 0.62 V) had no
fixed point at any step size. Held, the step converges, and the next step's first iteration
may move the neck."""


class NeckExtractor:
    """Samples a filament field on fixed rays and reduces it to a :class:`NeckProfile`.

    Args:
        device: device mesh.
        z_range_m: (bottom, top) of the sampled layer [m].
        r_max_m: ray length [m]; keep it inside the cell.
        n_z: number of sampled heights.
        n_r: samples per ray (spacing should be below the local mesh size).
        n_theta: rays per height in 3-D (ignored for axisymmetric meshes).
        level: field value on the filament boundary.

    Attributes:
        plane_m: height of the last extracted connected neck [m] (nan: none). The next
            connected profile keeps its neck in the local minimum of a(z) reached downhill
            from there while that is another constriction within :data:`NECK_PLANE_MARGIN_M`
            of the narrowest (:func:`reduce_profile`), so a neck between two near-equal ones
            moves at most once while a step's circuit iterates; a caller that rejects a step
            resets it to the accepted state's neck.
        hold_plane: while True (a step's later circuit iterations) the margin is
            :data:`NECK_PLANE_HOLD_M`.
    """

    def __init__(self, device: DeviceMesh, z_range_m: tuple[float, float], r_max_m: float,
                 n_z: int = 200, n_r: int = 400, n_theta: int = 16, level: float = 0.5):
        self.level = level
        self.plane_m = np.nan
        self.hold_plane = False
        self.n_theta = 1 if device.axisymmetric else n_theta
        self.z_range_m = z_range_m
        z0, z1 = z_range_m
        dz = (z1 - z0) / n_z
        self.z_m = z0 + dz * (np.arange(n_z) + 0.5)
        self.r_m = np.linspace(0.0, r_max_m, n_r)
        theta = 2 * np.pi * np.arange(self.n_theta) / self.n_theta
        self._theta = theta
        Z, T, R = np.meshgrid(self.z_m, theta, self.r_m, indexing="ij")
        points = np.zeros((Z.size, 3))
        if device.axisymmetric:
            points[:, 0], points[:, 1] = R.ravel(), Z.ravel()
        else:
            points[:, 0] = (R * np.cos(T)).ravel()
            points[:, 1] = (R * np.sin(T)).ravel()
            points[:, 2] = Z.ravel()
        self._probe = PointProbe(device.mesh, points)
        if self._probe.missing.any():
            raise ValueError("neck sampling rays leave the mesh: reduce r_max_m")

    def __call__(self, field: fem.Function) -> NeckProfile:
        """Extract the profile of ``field`` (collective: call on every rank)."""
        values = self._probe(field).reshape(len(self.z_m), self.n_theta, len(self.r_m))
        boundary = self._crossing_radius(values)
        if self.n_theta == 1:
            return self._reduce(boundary[:, 0])
        area = 0.5 * np.sum(boundary**2, axis=1) * (2 * np.pi / self.n_theta)
        profile = self._reduce(np.sqrt(area / np.pi))
        at_neck = self._at_height(boundary, profile.neck_z_m)
        return dataclasses.replace(profile, section_polygon_m=star_polygon(at_neck, self._theta))

    def _reduce(self, radius_m: np.ndarray) -> NeckProfile:
        """The profile's neck (:func:`reduce_profile` from :attr:`plane_m`), kept as the plane."""
        profile = reduce_profile(self.z_m, radius_m, self.plane_m,
                                 NECK_PLANE_HOLD_M if self.hold_plane else NECK_PLANE_MARGIN_M)
        self.plane_m = profile.neck_z_m if profile.gap_m == 0.0 else np.nan
        return profile

    def _at_height(self, per_ray: np.ndarray, z_m: float) -> np.ndarray:
        """A (n_z, n_theta) array of per-ray values interpolated linearly to height z_m [m]
        (the neck's section moves with the neck between the sampled heights; held at the
        end samples beyond them)."""
        z = self.z_m
        j = int(np.clip(np.searchsorted(z, z_m) - 1, 0, len(z) - 2))
        w = float(np.clip((z_m - z[j]) / (z[j + 1] - z[j]), 0.0, 1.0))
        return (1.0 - w) * per_ray[j] + w * per_ray[j + 1]

    def _crossing_radius(self, values: np.ndarray) -> np.ndarray:
        """First radius along each ray where the field drops below the level."""
        level, r = self.level, self.r_m
        inside = values >= level
        below = ~inside
        first_below = np.where(below.any(axis=-1), below.argmax(axis=-1), len(r) - 1)
        j = np.clip(first_below - 1, 0, len(r) - 2)
        v0 = np.take_along_axis(values, j[..., None], -1)[..., 0]
        v1 = np.take_along_axis(values, (j + 1)[..., None], -1)[..., 0]
        frac = np.clip((v0 - level) / np.where(v0 != v1, v0 - v1, 1.0), 0.0, 1.0)
        crossing = r[j] + frac * (r[j + 1] - r[j])
        crossing = np.where(below.any(axis=-1), crossing, r[-1])
        return np.where(inside[..., 0], crossing, 0.0)


def reduce_profile(z_m: np.ndarray, radius_m: np.ndarray, plane_m: float = np.nan,
                   margin_m: float = NECK_PLANE_MARGIN_M) -> NeckProfile:
    """The neck of a sampled profile a(z) (equally spaced heights z_m [m], radii [m]; sections
    narrower than :data:`BROKEN_RADIUS_M` are broken, stored as 0, and the gaps they form are
    measured between the samples by :func:`apcfem.quantum_contact.gap_spans_m`): the minimum
    of the profile's cubic spline (:func:`_spline_minimum`; on an electrode face if that is
    within :data:`FACE_ZONE` of an end sample, blended towards it over the next sample), the
    curvature there and the length of the gaps.
    Given the previous neck's height plane_m [m], a connected profile keeps its neck in the
    constriction reached downhill from there while that is another constriction than the
    narrowest section (:func:`_other_constriction`) and within ``margin_m`` [m] of it (a neck
    found this way keeps itself: the result is the same with plane_m at its own height).

    The neck radius and height are continuous functions of the samples within a constriction:
    a step's circuit iterates on them, and a radius that jumps as two near-equal samples trade
    the minimum has no fixed point on a conductance step (seen with a three-sample parabola
    at the anode face: 0.3185 vs 0.3204 nm, 1.59 vs 2.15 G0, at any step size)."""
    z, sampled = np.asarray(z_m, dtype=float), np.asarray(radius_m, dtype=float)
    radius = np.where(sampled < BROKEN_RADIUS_M, 0.0, sampled)
    i = int(np.argmin(radius))
    if radius[i] <= 0.0:
        spans = gap_spans_m(z, sampled, BROKEN_RADIUS_M)
        return NeckProfile(z, radius, 0.0, _gap_middle_m(spans, float(z[i])), np.nan, spans)
    span = slice(0, len(z))
    if np.isfinite(plane_m):
        kept = _downhill(radius, int(np.argmin(np.abs(z - plane_m))))
        if _other_constriction(radius, kept, i) and radius[kept] - radius[i] < margin_m:
            span = _constriction_span(radius, kept, i)
    neck_z, neck_a = _spline_minimum(z[span], radius[span])
    inner = NeckProfile(z, radius, neck_a, neck_z, _local_curvature(z, radius, neck_z))
    face = int(np.argmin(np.abs(z[[0, -1]] - neck_z))) * (len(z) - 1)
    weight = _face_weight(abs(neck_z - z[face]) / (z[1] - z[0]))
    if weight == 0.0:
        return inner
    on_face = (radius[face], z[face], _face_curvature(z, radius, face))
    if weight == 1.0:
        return NeckProfile(z, radius, *(float(v) for v in on_face))
    blend = [weight * f + (1.0 - weight) * i for f, i in
             zip(on_face, (neck_a, neck_z, inner.curvature_per_m), strict=True)]
    return NeckProfile(z, radius, *(float(v) for v in blend))


def _gap_middle_m(spans: tuple[tuple[float, float], ...], z_m: float) -> float:
    """Middle [m] of the gap span (low, high) [m] that holds the height z_m [m] (a broken
    sample): the plane of a broken profile, continuous in the samples as the span's ends are.
    The broken sample itself moved in whole samples as a tip advanced, and with it the point
    whose temperature smears the tunnelling count (G of an image-lowered gap 0.84 -> 0.66 G0
    at one step, the probe 0.05 nm nearer the cool anode face)."""
    low, high = next(span for span in spans if span[0] <= z_m <= span[1])
    return 0.5 * (low + high)


def _face_weight(samples_from_face: float) -> float:
    """Weight [-] of the face's constriction against the spline's inner minimum for a minimum
    this many samples from an end sample: 1 within :data:`FACE_ZONE`, falling linearly to 0
    one sample farther. A switch at one distance made the neck radius jump as the minimum
    crossed it (an ecm_histogram cycle stalled at steps of 1e-10 s: 0.314 nm, 1.67 G0, the
    minimum 1.007 samples from the face, with no circuit fixed point at any step)."""
    return float(np.clip(FACE_ZONE + 1.0 - samples_from_face, 0.0, 1.0))


def _downhill(a: np.ndarray, i: int) -> int:
    """The local minimum of the samples a reached from sample i by steps to the smaller
    neighbour."""
    while True:
        left = a[i - 1] if i > 0 else np.inf
        right = a[i + 1] if i < len(a) - 1 else np.inf
        if min(left, right) >= a[i]:
            return i
        i = i - 1 if left < right else i + 1


def _other_constriction(a: np.ndarray, i: int, j: int) -> bool:
    """Samples i and j of a are the bottoms of two constrictions: the profile between them
    rises by at least :data:`NECK_PLANE_MARGIN_M` above both (not the sampling's ripple on the
    bottom of one constriction, where the neck is its narrowest sample)."""
    between = a[min(i, j):max(i, j) + 1]
    return bool(between.max() - max(a[i], a[j]) >= NECK_PLANE_MARGIN_M)


def _constriction_span(a: np.ndarray, kept: int, other: int) -> slice:
    """The samples on the kept constriction's side of the widest sample between it and the
    other one."""
    if kept < other:
        return slice(0, kept + int(np.argmax(a[kept:other + 1])) + 1)
    return slice(other + int(np.argmax(a[other:kept + 1])), len(a))


FACE_ZONE = 1.0
"""A neck within this fraction of the sample spacing of an end sample is on the electrode face
[-], with the end sample's radius (blended with the inner minimum over the next sample,
:func:`_face_weight`): the face lies half a sample beyond it, so a minimum in the
last interval is the constriction the face makes. The spline's dip between the last samples,
where a funnel meets a short wire on the face, is no narrower section (taken as an inner neck
it read 2 pm below the face sample; the sets it decided ended 22 pm thinner and their resets
broke through the 1 G0 plateau without dwelling on it)."""


SPLINE_UNDERSHOOT = 0.5
"""Smallest spline minimum, as a fraction of the smallest sample [-]: a guard against a
cubic's overshoot at a kink (a sub-sample neck is never that much narrower)."""


def _spline_minimum(z: np.ndarray, a: np.ndarray) -> tuple[float, float]:
    """(z, a) of the minimum of the not-a-knot cubic spline through the samples (exact for a
    parabolic or cubic neck; an end sample if the spline is smallest there)."""
    if len(z) < 3:
        k = int(np.argmin(a))
        return float(z[k]), float(a[k])
    spline = CubicSpline(z, a)
    roots = spline.derivative().roots(extrapolate=False)  # nan on a flat piece
    candidates = np.concatenate([[z[0], z[-1]], roots[np.isfinite(roots)]])
    values = spline(candidates)
    k = int(np.argmin(values))
    return float(candidates[k]), float(max(values[k], SPLINE_UNDERSHOOT * a.min()))


def _fit_half_width(n: int) -> int:
    """Samples either side of a neck in its curvature's fit: 1/8 of the profile's n samples,
    at least 3: a wide window averages out the sub-cell noise of the sampled radius (second
    differences amplify it)."""
    return max(3, n // 8)


def _fit_window(z: np.ndarray, i: int) -> slice:
    """Samples within :func:`_fit_half_width` either side of sample i, as far as the profile
    goes."""
    half = _fit_half_width(len(z))
    return slice(max(i - half, 0), min(i + half + 1, len(z)))


def _local_curvature(z: np.ndarray, a: np.ndarray, neck_z: float) -> float:
    """a'' at an inner neck at height neck_z from a least-squares parabola with tent weights
    reaching :func:`_fit_half_width` + 1 samples either side (exact for a parabolic neck;
    continuous in neck_z, which moves between the samples)."""
    half_width = (_fit_half_width(len(z)) + 1) * (z[1] - z[0])
    weight = np.clip(1.0 - np.abs(z - neck_z) / half_width, 0.0, None)
    used = weight > 0.0
    coeffs = np.polyfit(z[used] - neck_z, a[used], 2, w=np.sqrt(weight[used]))
    return float(2 * coeffs[0])


def _face_curvature(z: np.ndarray, a: np.ndarray, i: int) -> float:
    """a'' of a neck on an electrode face (sample i at an end of the profile): the waist
    curvature s^2 / a0 of the hyperboloid a(z) = sqrt(a0^2 + s^2 z^2) whose asymptote has the
    mean slope s of the filament's side (least-squares line over :func:`_fit_window`).

    The constriction ends at the face, where it opens into the electrode: its mode edges fall
    away on both sides of the face, not along a parabola of the filament side alone (whose
    one-sided fit bends either way with the flank's shape and gave a'' < 0, no saddle). The
    hyperboloidal constriction of that opening angle is the smooth neck with that saddle
    (Torres, Pascual & Saenz, Phys. Rev. B 49, 16581 (1994)); a uniform wire meeting the face
    (s = 0) keeps sharp steps. The profile is connected (a > 0 everywhere).
    """
    window = _fit_window(z, i)
    slope = np.polyfit(z[window] - z[i], a[window], 1)[0]
    return float(slope**2 / a[i])


class SectionAreaNeck(NeckExtractor):
    """Neck extraction from the metal area of each section, A(z) = int H(xi) dA.

    An evolved filament is not always star-shaped about the axis (a deposit can close around
    an electrolyte pocket or grow a side branch), so the first crossing along a ray
    (:class:`~apcfem.neck.NeckExtractor`) can miss metal that conducts. Here every sample counts
    with the metal fraction H(xi) = clip((xi - level) / (1/2) + 1/2, 0, 1) (for level = 1/2:
    clip((xi - 1/4) / (1/2), 0, 1)), the section's equivalent radius is a = sqrt(A / pi), and
    the profile is reduced to the neck as in the base class. In 3-D the neck's section is
    also returned as a polygon (for its own transverse modes, :mod:`apcfem.section_modes`).
    """

    def __call__(self, field: fem.Function) -> NeckProfile:
        values = self._probe(field).reshape(len(self.z_m), self.n_theta, len(self.r_m))
        fraction = np.clip((values - self.level) / 0.5 + 0.5, 0.0, 1.0)
        # int r f dr per ray (trapezoid), times dtheta summed over the rays
        per_ray = np.trapezoid(fraction * self.r_m, self.r_m, axis=-1)
        area = per_ray.sum(axis=1) * (2.0 * np.pi / self.n_theta)
        radius = np.sqrt(area / np.pi)
        profile = self._reduce(radius)
        if self.n_theta == 1:
            return profile
        # the neck's section as the star polygon whose sector on each ray holds that ray's
        # metal (1/2 r^2 dtheta = dtheta int r f dr): its area is the section's
        at_neck = np.sqrt(2.0 * self._at_height(per_ray, profile.neck_z_m))
        return dataclasses.replace(profile, section_polygon_m=star_polygon(at_neck, self._theta))


STAR_RADIUS_FLOOR = 1e-3
"""Smallest radius of a section's star polygon, as a fraction of its largest [-] (see
:func:`star_polygon`)."""


def star_polygon(radii_m: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """The (n, 2) star polygon [m] with the radius ``radii_m`` on each ray at angle ``theta``,
    every radius at least STAR_RADIUS_FLOOR of the largest. A ray that misses the metal (an
    off-axis neck) would put the corner on the axis: two such rays apart put the axis twice
    into the polygon, which then pinches there and cannot be meshed (seen on a 0.3 nm VCM neck
    in 3-D); with every radius > 0 the polygon is simple (its corners go once around the
    axis), and its area changes by less than 1e-6."""
    radii = np.maximum(radii_m, STAR_RADIUS_FLOOR * float(np.max(radii_m, initial=0.0)))
    return np.column_stack([radii * np.cos(theta), radii * np.sin(theta)])


def neck_site(series: dict[str, np.ndarray], layer_m: tuple[float, float]) -> dict[str, float]:
    """Where the neck of a grown filament sits: at the connected step (``gap_m`` = 0) of
    largest conductance, its height above the bottom face of the switching layer as a fraction
    of the layer (0: on the bottom electrode, 1: on the top one) and in m. Which end a filament
    grows from puts its neck at the other (Yang et al., Nat. Commun. 5, 4232 (2014)). Empty if
    the filament never connected.

    Args:
        series: time series with ``G_G0``, ``gap_m`` and ``neck_z_m``.
        layer_m: (bottom, top) faces of the switching layer [m].
    """
    connected = np.flatnonzero(series["gap_m"] == 0.0)
    if not connected.size:
        return {}
    row = connected[int(np.argmax(series["G_G0"][connected]))]
    bottom, top = layer_m
    height = float(series["neck_z_m"][row]) - bottom
    return {"neck_height_m": height, "neck_height_fraction": height / (top - bottom)}
