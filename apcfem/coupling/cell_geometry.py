"""Shared pieces of the evolving cells (ECM, VCM): initial filament shapes, the shapes of a jump
into and out of contact, and the check of the contact's unit-voltage potential.

Initial shapes are signed distances [m] (> 0 outside the filament) of points x (rows:
coordinates, as ``fem.Function.interpolate`` passes them), to be turned into a diffuse field
by the cell (tanh profile of the phase field, or a concentration step).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from mpi4py import MPI

from apcfem.coupling.contact import ContactConduction
from apcfem.coupling.newton import SolverDivergedError
from apcfem.filament import ON_AXIS, Section
from apcfem.materials.laws import fermi_wavevector_per_m
from apcfem.mesh import DeviceMesh
from apcfem.neck import NeckProfile
from apcfem.quantum_contact import J01, J11

log = logging.getLogger(__name__)

Distance = Callable[[np.ndarray], np.ndarray]

POTENTIAL_OVERSHOOT_LIMIT = 0.5
"""Largest excursion of the unit-voltage potential outside [0, 1] accepted [-]. P1 conduction
with the contact's consistent interface mass is not an M-matrix: next to the edge of the contact
disc, where the jump changes from ~1 to ~0 within one facet, a node overshoots by a few per cent
(5 % seen at the anode face), and by 25 % next to a 0.35 nm neck on 0.15 nm cells in a VCM
reset (which stalled there, every step rejected, while the limit was 0.25). Larger excursions
are solver failures (round-off in an ill-conditioned solve) and reject the step; the potential
that drives the ions is clipped to the physical range [0, V_cell]."""


def radial_distance(device: DeviceMesh, section: Section = ON_AXIS) -> Distance:
    """Distance from the filament's axis [m] of points x: |r| in (r, z); in 3-D the elliptic
    radius of ``section`` (hypot(x, y) on the axis)."""
    if device.axisymmetric:
        if section != ON_AXIS:
            raise ValueError("an axisymmetric cell has its filament on the axis, circular")
        return lambda x: np.abs(x[0])
    return section.radial


def hemisphere_distance(device: DeviceMesh, z_face_m: float, radius_m: float,
                        section: Section = ON_AXIS) -> Distance:
    """Signed distance [m] to a hemisphere of radius_m on the face at z_face_m, on the axis
    (in 3-D: of ``section``, a half-spheroid for a non-circular one)."""
    radial, axial = radial_distance(device, section), device.axial_index
    return lambda x: np.hypot(radial(x), x[axial] - z_face_m) - radius_m


def frustum_distance(device: DeviceMesh, z_base_m: float, z_tip_m: float, z_end_m: float,
                     base_m: float, tip_m: float, section: Section = ON_AXIS) -> Distance:
    """Signed distance [m] (exact enough for a slender frustum) to a frustum on the axis of
    ``section``: radius base_m at z_base_m narrowing linearly to tip_m at z_tip_m, prolonged
    as a cylinder of radius tip_m to z_end_m (beyond z_tip_m), cut flat at z_base_m and
    z_end_m."""
    cone = cone_distance(device, z_base_m, z_tip_m, base_m, tip_m, 0.0, section)
    axial = device.axial_index
    middle, half = 0.5 * (z_base_m + z_end_m), 0.5 * abs(z_end_m - z_base_m)
    return lambda x: np.maximum(cone(x), np.abs(x[axial] - middle) - half)


def cone_distance(device: DeviceMesh, z_base_m: float, z_far_m: float, base_m: float,
                  tip_m: float, gap_m: float, section: Section = ON_AXIS) -> Distance:
    """Signed distance [m] (exact enough for a slender cone) to a cone on the axis with its
    base (radius base_m) on the face at z_base_m, narrowing towards the face at z_far_m to the
    tip radius tip_m. The tip, rounded by a hemisphere of the tip radius, stops gap_m short of
    the far face; at gap_m = 0 the cone is connected (no rounding). The far face may lie above
    or below the base. In 3-D the cone's axis and section are those of ``section`` (radii
    measured as its elliptic radius: a distance only for a circular one, enough for the
    initial profile that the cell then relaxes)."""
    radial, axial = radial_distance(device, section), device.axial_index
    direction = np.sign(z_far_m - z_base_m)
    length = abs(z_far_m - z_base_m)
    top = length - gap_m - tip_m if gap_m > 0 else length  # along the cone, from its base

    def distance(x):
        r, s_z = radial(x), direction * (x[axial] - z_base_m)
        s = np.clip(s_z / top, 0.0, 1.0)
        cone = r - (base_m + (tip_m - base_m) * s)
        if gap_m == 0:
            return cone
        return np.where(s_z <= top, cone, np.hypot(r, s_z - top) - tip_m)

    return distance


ONE_CHANNEL_RADIUS_KF = 0.5 * (J01 + J11)
"""k_F a in the middle of the circular neck's first plateau (between the edges j_01 = 2.405 and
j_11 = 3.832 of a hard-wall disc) [-]: the radius of the one-atom bridge of a jump to contact,
which the counter gives 1 G0 (Ag: a = 0.26 nm)."""


def bridge_radius_m(metal) -> float:
    """Radius [m] of the one-atom bridge of a jump to contact in the filament ``metal`` (a
    library material with a Fermi energy and an effective mass): ONE_CHANNEL_RADIUS_KF / k_F."""
    return ONE_CHANNEL_RADIUS_KF / fermi_wavevector_per_m(metal.fermi_energy_eV.value,
                                                          metal.effective_mass_me.value)


def bridge_distance(device: DeviceMesh, neck: NeckProfile, overlap_m: float,
                    bridge_radius_m: float, section: Section = ON_AXIS) -> Distance:
    """Signed distance [m] to the bridge of a jump to contact across the gap of ``neck``: the
    apex of a tip snaps to the counter-electrode once the gap is below an atomic diameter
    (Agrait, Levy Yeyati & van Ruitenbeek, Phys. Rep. 377, 81, 2003, sec. 4.2). The bridge
    prolongs the narrower side (the tip) across the gap: a frustum from the tip's own section
    overlap_m inside it down to the one-atom radius where it meets the wider side (an
    electrode face, or a blunter tip), reaching overlap_m into that side. The contact's
    narrowest section is then where the apex meets the face, on any mesh (a uniform rod has
    no preferred narrowest section: the mesh picks one of its slices)."""
    z, radius = np.asarray(neck.z_m), np.asarray(neck.radius_m)
    broken = np.flatnonzero(radius <= 0.0)
    low, high = int(broken[0]), int(broken[-1])
    # a gap that reaches the end of the sampled layer ends on an electrode: infinitely wide
    below = radius[low - 1] if low > 0 else np.inf
    above = radius[high + 1] if high + 1 < radius.size else np.inf
    if below <= above:  # the tip grows upwards and meets the wider side at the gap's top
        z_base, z_tip, z_end = z[low] - overlap_m, z[high], z[high] + overlap_m
    else:
        z_base, z_tip, z_end = z[high] + overlap_m, z[low], z[low] - overlap_m
    base = max(float(np.interp(z_base, z, radius)), bridge_radius_m)
    return frustum_distance(device, z_base, z_tip, z_end, base, bridge_radius_m, section)


def slab_distance(device: DeviceMesh, low_m: float, high_m: float) -> Distance:
    """Signed distance [m] to the outside of the slab low_m < z < high_m (> 0 inside it): the
    field of a cell turned into its profile there is the gap a jump out of contact leaves."""
    axial = device.axial_index
    middle, half = 0.5 * (low_m + high_m), 0.5 * (high_m - low_m)
    return lambda x: half - np.abs(x[axial] - middle)


def check_unit_potential(contact: ContactConduction, name: str) -> None:
    """The contact's unit-voltage potential lies in [0, 1] up to POTENTIAL_OVERSHOOT_LIMIT
    (collective); raises SolverDivergedError (the step is rejected) if round-off in an
    ill-conditioned solve broke it."""
    values = contact.potential.x.array
    comm = contact.device.comm
    low = comm.allreduce(float(values.min(initial=0.0)), op=MPI.MIN)
    high = comm.allreduce(float(values.max(initial=1.0)), op=MPI.MAX)
    if low < -POTENTIAL_OVERSHOOT_LIMIT or high > 1.0 + POTENTIAL_OVERSHOOT_LIMIT:
        log.warning("contact potential in [%.3g, %.3g] at 1 V: rejected", low, high)
        raise SolverDivergedError(name, 0, 0)


def clipped_potential(contact: ContactConduction, V_cell_V: float) -> np.ndarray:
    """V_cell times the unit-voltage potential clipped to [0, 1] [V] (the contact conduction is
    linear in the voltage; see POTENTIAL_OVERSHOOT_LIMIT)."""
    return V_cell_V * np.clip(contact.potential.x.array, 0.0, 1.0)
