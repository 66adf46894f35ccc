"""Conductance of the filament's quantum contact from its extracted radius profile (NumPy only).

The contact is a lumped element in series with the FE body (DESIGN.md sec. 6): when the filament
is whole, its conductance is the Landauer conductance of the neck; when broken, the tunnelling
conductance across the gap. Both come from one transfer-matrix solve through the radius profile
a(z) (:func:`apcfem.landauer.profile_conductance`): a gap (a = 0) is a barrier of height
``gap_barrier_eV`` above E_F, so G rises continuously from the tunnelling range, G ~ e^{-2 kappa d},
through the first plateau as the gap closes. A whole filament may instead be counted from its
neck alone (``transmission = "abrupt"`` or ``"saddle"``: Bessel-zero modes of the neck radius,
the saddle form with hbar omega from the neck curvature). The electrodes at both ends of the layer are
leads: wide sections (at least the widest section of the filament, and 1 nm) of length
``LEAD_LENGTH_M`` beyond each face.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apcfem import landauer

LEAD_LENGTH_M = 0.5e-9
"""Length [m] of the electrode sections added at both ends of the profile."""

LEAD_MIN_RADIUS_M = 1.0e-9
"""Smallest radius [m] of the electrode sections."""


@dataclass(frozen=True)
class ContactConductance:
    """Conductance [S] and [G0] and open channels of the contact."""

    G_S: float
    G_G0: float
    channels: float


def contact_conductance(neck, layer_z_m: tuple[float, float], electrons: landauer.Electrons,
                        gap_barrier_eV: float,
                        transmission: str = "transfer_matrix") -> ContactConductance:
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
    """
    z_m, radius = np.asarray(neck.z_m, dtype=float), np.asarray(neck.radius_m, dtype=float)
    if not np.any(radius > 0.0):
        return ContactConductance(0.0, 0.0, 0.0)
    if transmission != "transfer_matrix" and np.all(radius > 0.0):
        return _neck_conductance(neck.neck_radius_m, neck.curvature_per_m, electrons,
                                 transmission)
    lead = max(float(radius.max()), LEAD_MIN_RADIUS_M)
    z0, z1 = layer_z_m
    z = np.concatenate([[z0 - LEAD_LENGTH_M, z0], z_m, [z1, z1 + LEAD_LENGTH_M]])
    a = np.concatenate([[lead, lead], radius, [lead, lead]])
    result = landauer.profile_conductance(z, a, electrons, gap_barrier_eV=gap_barrier_eV)
    G_G0 = float(result.G_G0)
    return ContactConductance(G_G0 * landauer.G0_S, G_G0, float(result.channels))


def _neck_conductance(radius_m: float, curvature_per_m: float, electrons: landauer.Electrons,
                      transmission: str) -> ContactConductance:
    """Circular-neck count (saddle: hbar omega from the neck curvature a'' [1/m])."""
    hbar_omega = 0.0
    if transmission == "saddle" and np.isfinite(curvature_per_m):
        # modes that matter have their edge near E_F: evaluate the saddle energy there
        hbar_omega = float(landauer.saddle_hbar_omega_eV(
            electrons.fermi_energy_eV, radius_m, max(curvature_per_m, 0.0),
            electrons.effective_mass_me))
    result = landauer.circular_conductance(radius_m, electrons, hbar_omega_eV=hbar_omega)
    G_G0 = float(result.G_G0)
    return ContactConductance(G_G0 * landauer.G0_S, G_G0, float(result.channels))
