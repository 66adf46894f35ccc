"""Conductance of the filament's quantum contact from its extracted radius profile (NumPy only).

The contact is a lumped element in series with the FE body (DESIGN.md sec. 6): when the filament
is whole, its conductance is the Landauer conductance of the neck; when broken, the tunnelling
conductance across the gap. Both come from one transfer-matrix solve through the radius profile
a(z) (:func:`apcfem.landauer.profile_conductance`): a gap (a = 0) is a barrier of height
``gap_barrier_eV`` above E_F (flat, or lowered by the image force of the two surfaces with
``gap_permittivity``), so G rises continuously from the tunnelling range, G ~ e^{-2 kappa d},
through the first plateau as the gap closes. A whole filament may instead be counted from its
neck alone (``transmission = "abrupt"`` or ``"saddle"``: Bessel-zero modes of the neck radius,
the saddle form with hbar omega from the neck curvature). A neck on an electrode face (at an
end of the profile, where it widens abruptly into the electrode) takes its hbar omega from the
hyperboloid its filament side opens into (:func:`apcfem.neck.reduce_profile`); once no mode
is open there (k_F a < j_01) the contact has broken: its closed sections, which carry no
propagating mode, are a gap to tunnel across (so is an inner neck that closes, where a jump
distance is given: a filament pinched inside by dissolution). No gap is narrower than
``break_gap_m``: a gap closing below the jump distance jumps to contact, and a breaking
contact jumps out of it, its last atom snapping back to the banks (Agrait, Levy Yeyati & van
Ruitenbeek, Phys. Rep. 377, 81, 2003, sec. 4.2), so G drops from the last plateau into the
tunnelling range and a sub-atomic sliver of gap never tunnels like a contact (an evolving
cell also breaks a one-channel neck that thins below its stable radius, before its last mode
closes: :func:`apcfem.landauer.shell.last_channel_stable_radius_m`). The electrodes
at both ends of the layer are leads: wide sections (at least the widest section of the
filament, and 1 nm) of length ``LEAD_LENGTH_M`` beyond each face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import jn_zeros

from apcfem import landauer
from apcfem.landauer.transmission import true_runs
from apcfem.materials.laws import fermi_wavevector_per_m

LEAD_LENGTH_M = 0.5e-9
"""Length [m] of the electrode sections added at both ends of the profile."""

LEAD_MIN_RADIUS_M = 1.0e-9
"""Smallest radius [m] of the electrode sections."""

J01 = float(jn_zeros(0, 1)[0])
"""First zero of the Bessel function J_0: the first mode edge of a circular section, k_F a."""

J11 = float(jn_zeros(1, 1)[0])
"""First zero of J_1: the edge of the second (twofold) mode of a circular section, k_F a."""


@dataclass(frozen=True)
class ContactConductance:
    """Conductance [S] and [G0] and open channels of the contact, and the length [m] it
    tunnels across (0 while a mode is open): the sections around the gap that carry no
    propagating mode (narrower than :func:`first_mode_radius_m`), measured between the samples
    (:func:`gap_spans_m`), at least the jump distance (:func:`_tunnelled_length_m`)."""

    G_S: float
    G_G0: float
    channels: float
    tunnel_gap_m: float = 0.0


def contact_conductance(neck, layer_z_m: tuple[float, float], electrons: landauer.Electrons,
                        gap_barrier_eV: float,
                        transmission: str = "transfer_matrix",
                        break_gap_m: float = 0.0,
                        mode_edges_eV: np.ndarray | None = None,
                        gap_permittivity: float | None = None) -> ContactConductance:
    """Conductance of a filament profile between two electrode leads.

    Linear response, or ``I/V`` at the bias of ``electrons``; the temperature of ``electrons``
    is the electron temperature at the neck (Fermi smearing), its field splits the spins.

    Args:
        neck: extracted profile (:class:`apcfem.neck.NeckProfile`: ``z_m``, ``radius_m``
            (0 where broken), ``neck_radius_m``, ``curvature_per_m``).
        layer_z_m: (bottom, top) faces of the layer [m], where the leads start.
        electrons: contact metal (E_F, m*) and the conditions of the count.
        gap_barrier_eV: tunnel barrier above E_F in a gap [eV].
        transmission: ``"transfer_matrix"`` through the profile, or ``"abrupt"``/``"saddle"``
            counting of the neck of a whole filament (a broken one always tunnels).
        break_gap_m: shortest gap [m] (the jump distance): a narrower one, or a face neck
            whose last mode closed (``"saddle"``), tunnels across this much (see the module
            docstring).
        mode_edges_eV: transverse mode edges of the neck's own section [eV] (a 3-D neck,
            :class:`apcfem.section_modes.NeckSectionLadder`), counted instead of the disc's
            Bessel ladder by ``"abrupt"``/``"saddle"``; None: the disc of the neck radius.
        gap_permittivity: relative permittivity of the image force that lowers the barrier
            of a gap (:func:`apcfem.landauer.transmission.image_lowered_barrier_eV`); None: a
            flat barrier.
    """
    z_m, radius = np.asarray(neck.z_m, dtype=float), np.asarray(neck.radius_m, dtype=float)
    open_radius = first_mode_radius_m(electrons)
    if transmission != "transfer_matrix" and np.all(radius > 0.0):
        on_face = neck.neck_z_m <= z_m[0] or neck.neck_z_m >= z_m[-1]
        breaks = on_face or break_gap_m > 0.0  # a contact that jumps breaks anywhere
        if transmission == "abrupt" or not breaks or neck.neck_radius_m >= open_radius:
            return _neck_conductance(neck.neck_radius_m, neck.curvature_per_m, electrons,
                                     transmission, mode_edges_eV)
        radius = np.where(radius < open_radius, 0.0, radius)  # a broken neck
    dz = z_m[1] - z_m[0]
    if not np.any(radius > 0.0):
        return ContactConductance(0.0, 0.0, 0.0, dz * radius.size)
    tunnel_gap = 0.0
    widened = _widen_gaps(radius, _gap_sections(break_gap_m, dz))
    if not np.all(radius > 0.0):
        closed = gap_spans_m(z_m, np.asarray(neck.radius_m, dtype=float), open_radius)
        tunnel_gap = _tunnelled_length_m(closed, break_gap_m, dz)
        if gap_permittivity is not None and np.array_equal(widened, radius):
            zeroed = neck.gap_spans_m if neck.gap_m > 0.0 else closed  # where a = 0
            z_m, widened = _with_gap_ends(z_m, widened, zeroed)
    radius = widened
    lead = max(float(radius.max()), LEAD_MIN_RADIUS_M)
    z0, z1 = layer_z_m
    z = np.concatenate([[z0 - LEAD_LENGTH_M, z0], z_m, [z1, z1 + LEAD_LENGTH_M]])
    a = np.concatenate([[lead, lead], radius, [lead, lead]])
    result = landauer.profile_conductance(z, a, electrons, gap_barrier_eV=gap_barrier_eV,
                                          gap_permittivity=gap_permittivity)
    G_G0 = float(result.G_G0)
    return ContactConductance(G_G0 * landauer.G0_S, G_G0, float(result.channels), tunnel_gap)


def tunnel_spans_m(neck, electrons: landauer.Electrons, break_gap_m: float,
                   closed_below_m: float | None = None) -> list[tuple[float, float]]:
    """Heights (low, high) [m] of each gap a connected neck whose last mode closed tunnels
    across in :func:`contact_conductance` (runs of closed sections, each widened to
    ``break_gap_m``); empty while a mode is open at the neck. What a jump out of contact
    removes. ``closed_below_m``: the sections narrower than this radius [m] break (default:
    the first mode's radius; a neck that breaks before its last mode closes passes the
    radius at which it became unstable)."""
    closed_below = first_mode_radius_m(electrons) if closed_below_m is None else closed_below_m
    if neck.gap_m > 0.0 or neck.neck_radius_m >= closed_below:
        return []
    z_m, radius = np.asarray(neck.z_m, dtype=float), np.asarray(neck.radius_m, dtype=float)
    dz = z_m[1] - z_m[0]
    closed = np.where(radius < closed_below, 0.0, radius)
    if not np.any(closed <= 0.0):  # the neck's refined minimum lies between the samples
        closed[np.argmin(np.abs(z_m - neck.neck_z_m))] = 0.0
    gap = _widen_gaps(closed, _gap_sections(break_gap_m, dz)) <= 0.0
    return [(float(z_m[start] - 0.5 * dz), float(z_m[stop - 1] + 0.5 * dz))
            for start, stop in true_runs(gap)]


def gap_spans_m(z_m: np.ndarray, radius_m: np.ndarray,
                broken_below_m: float) -> tuple[tuple[float, float], ...]:
    """Heights (low, high) [m] of each run of samples narrower than broken_below_m [m] in the
    profile a(z) (equally spaced z_m [m]). Each end lies where the section area pi a^2, linear
    between the run's end sample and its neighbour, falls to pi broken_below_m^2 (exact at the
    apex of a paraboloidal tip, where a^2 is linear in z); a run reaching an end of the profile
    ends on the electrode face, half a sample beyond it. Continuous in the samples: a count of
    whole samples moves a tip's gap in steps of the spacing (~2.6x in the tunnelling
    conductance across 0.05 nm), not with the tip."""
    z, a = np.asarray(z_m, dtype=float), np.asarray(radius_m, dtype=float)
    dz = z[1] - z[0]

    def crossing(inside: int, outside: int) -> float:
        area = a[[inside, outside]] ** 2
        frac = (area[1] - broken_below_m**2) / (area[1] - area[0])
        return float(z[outside] + frac * (z[inside] - z[outside]))

    spans = []
    for start, stop in true_runs(a < broken_below_m):
        low = z[0] - 0.5 * dz if start == 0 else crossing(start, start - 1)
        high = z[-1] + 0.5 * dz if stop == a.size else crossing(stop - 1, stop)
        spans.append((float(low), float(high)))
    return tuple(spans)


def _tunnelled_length_m(spans: tuple[tuple[float, float], ...], break_gap_m: float,
                        dz_m: float) -> float:
    """Length [m] of the gaps (low, high) [m] the count tunnels across: each as measured, or,
    where narrower than the break gap, the whole sections of height dz_m [m] it is widened
    to (:func:`_widen_gaps`)."""
    widened = _gap_sections(break_gap_m, dz_m) * dz_m
    return float(sum(max(high - low, widened) for low, high in spans))


def _with_gap_ends(z_m: np.ndarray, radius_m: np.ndarray,
                   spans_m: tuple[tuple[float, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    """The profile (z [m], a [m], a = 0 in the closed sections) with a sample a = 0 added at
    each end of the closed spans (low, high) [m] that lies between two samples, so that the
    run of a = 0 a transfer matrix sees is the measured gap: the image-lowered barrier, which
    dives to the band bottom at both of its surfaces, then moves with the tip's end instead of
    in whole samples (it changed G by 25 % as the run gained a sample)."""
    ends = np.array([end for span in spans_m for end in span])
    inside = (ends > z_m[0]) & (ends < z_m[-1]) & ~np.isin(ends, z_m)
    z = np.concatenate([z_m, ends[inside]])
    order = np.argsort(z, kind="stable")
    return z[order], np.concatenate([radius_m, np.zeros(inside.sum())])[order]


def _gap_sections(break_gap_m: float, dz_m: float) -> int:
    """Sections of height dz_m [m] a gap of break_gap_m [m] spans at least (0: no minimum)."""
    return int(np.ceil(break_gap_m / dz_m - 1e-9)) if break_gap_m > 0.0 else 0


def widened_span(low: float, high: float, by: float, bottom: float,
                 top: float) -> tuple[float, float]:
    """The span (low, high) longer by ``by`` (units of the span): half on each side, or all of
    it on the side away from the face (``bottom`` or ``top``) that the span ends on."""
    on_bottom, on_top = low <= bottom, high >= top
    grow_low = by if on_top else (0.0 if on_bottom else 0.5 * by)
    grow_high = by if on_bottom else (0.0 if on_top else 0.5 * by)
    return low - grow_low, high + grow_high


def _widen_gaps(radius: np.ndarray, sections: int) -> np.ndarray:
    """The profile with every gap (run of sections with a = 0) at least ``sections`` long,
    widened by :func:`widened_span` in whole sections (an odd remainder inside goes up)."""
    gap = radius <= 0.0
    for start, stop in true_runs(gap):
        missing = sections - (stop - start)
        if missing > 0:
            low, high = widened_span(start, stop, missing, 0, gap.size)
            gap[max(int(np.ceil(low)), 0):int(np.ceil(high))] = True
    return np.where(gap, 0.0, radius)


def first_mode_radius_m(electrons: landauer.Electrons) -> float:
    """Radius [m] below which a hard-wall circular section carries no propagating mode at E_F:
    j_01 / k_F (Ag: 0.20 nm)."""
    return J01 / float(fermi_wavevector_per_m(electrons.fermi_energy_eV,
                                              electrons.effective_mass_me))


def _neck_conductance(radius_m: float, curvature_per_m: float, electrons: landauer.Electrons,
                      transmission: str, mode_edges_eV: np.ndarray | None = None
                      ) -> ContactConductance:
    """Neck count (saddle: hbar omega from the neck curvature a'' [1/m]) of the disc of
    radius_m, or of the section whose mode edges are ``mode_edges_eV``."""
    hbar_omega = 0.0
    if transmission == "saddle" and np.isfinite(curvature_per_m):
        # modes that matter have their edge near E_F: evaluate the saddle energy there
        hbar_omega = float(landauer.saddle_hbar_omega_eV(
            electrons.fermi_energy_eV, radius_m, max(curvature_per_m, 0.0),
            electrons.effective_mass_me))
    if mode_edges_eV is None:
        result = landauer.circular_conductance(radius_m, electrons, hbar_omega_eV=hbar_omega)
    else:
        result = landauer.modes_conductance(mode_edges_eV, np.ones_like(mode_edges_eV),
                                            electrons, hbar_omega_eV=hbar_omega)
    G_G0 = float(result.G_G0)
    return ContactConductance(G_G0 * landauer.G0_S, G_G0, float(result.channels))
