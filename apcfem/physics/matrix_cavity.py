"""Growth of a filament against its host matrix: the cavity that earlier metal opened.

An ECM filament grows inside a solid (SiO2), not a liquid: metal deposited where no metal was
before must push the matrix back. Expanding a cavity in an elastic-plastic solid takes a
pressure p of the order of the solid's indentation hardness (the expanding-cavity model of
indentation: K. L. Johnson, J. Mech. Phys. Solids 18, 115 (1970); fused silica, the dense limit
of SiO2, has H ~ 9 GPa by nanoindentation, W. C. Oliver & G. M. Pharr, J. Mater. Res. 7, 1564
(1992)). Each atom deposited there does the work p Omega against the matrix, so the reduction
needs the extra overpotential p Omega / (z e) (0.32 V for Ag at 3 GPa). Where the matrix has
yielded once it stays open: a filament that dissolved (a reset) leaves its channel, and
regrowth into it costs nothing (the filament regrows along its old path).

The surface reaction's rate j / j0 (> 0: dissolution, :func:`~apcfem.physics.phase_field.
butler_volmer_ratio` of the reduced overpotential y = z e eta / k_B T) is therefore, where the
interface stands on the cavity's wall,

    j / j0 = max(BV(y), 0) + min(BV(y + p Omega / k_B T), 0)   (rounded near 0):

dissolution as usual, deposition only beyond the extra overpotential, and neither in between
(the metal presses on the wall without moving it). Inside the cavity (xi below the cavity's
indicator by more than CAVITY_MARGIN) the plain law holds; beyond the wall (xi above it by
more than the margin) the metal is under the pressure both ways, BV(y + p Omega / k_B T). The
cavity is the largest xi each point has held where the reaction pushed it out (updated when a
step is accepted, :func:`pushes_the_wall`): the matrix deforms plastically and does not push
back. Elsewhere metal beyond the wall was moved there by the phase field's profile terms (the
cancelled curvature motion does not cancel exactly on the mesh); without the pressure on it,
that creep was locked in step by step and grew mesh-scale lobes. The reaction's shot noise
(``variability.interface_noise``) is drawn from the plain branches.

This is a threshold for lateral growth that the ions' transport and the Tafel kinetics do not
give: a clamped filament whose cell voltage no longer supplies p Omega / (z e) on its flanks
stops thickening, whatever the hold time.
"""

from __future__ import annotations

import ufl

from apcfem.physics.phase_field import butler_volmer_ratio, smooth_floor

CAVITY_MARGIN = 0.05
"""Width [-] in xi of the smooth steps between inside the cavity (xi <= cavity - margin:
plain kinetics), on its wall (xi = cavity) and beyond it (xi >= cavity + margin: the metal
is under the pressure); cubic steps, so that Newton sees a continuous Jacobian."""

OPEN_MATRIX = 2.0
"""Cavity indicator [-] above any xi + CAVITY_MARGIN: the matrix is open everywhere (set while
an initial profile relaxes)."""


DEAD_ZONE_ROUNDING = 1e-3
"""|j / j0| [-] below which the wall law's max(BV(y), 0) and min(BV(y + p Omega / k_B T), 0)
are rounded (:func:`~apcfem.physics.phase_field.smooth_floor`): Newton then sees a continuous
Jacobian where a branch switches on; the rate left in the dead zone, ~1e-3 of the exchange
rate's, is far below any growth that matters."""


def smooth_step(u) -> ufl.core.expr.Expr:
    """0 for u <= 0, 1 for u >= 1, 3 u^2 - 2 u^3 in between [-]."""
    u = ufl.max_value(ufl.min_value(u, 1.0), 0.0)
    return u * u * (3.0 - 2.0 * u)


def cavity_limited_ratio(reduced_overpotential, transfer_coefficient: float, reduced_pressure,
                         xi, cavity) -> ufl.core.expr.Expr:
    """j / j0 [-] of the surface reaction against the matrix (module docstring): Butler-Volmer
    inside the cavity; on its wall, dissolution as usual and deposition only beyond the
    pressure's overpotential; beyond the wall, metal under the pressure (Butler-Volmer of the
    overpotential plus the pressure's, both ways: metal that got there without that drive is
    pushed back).

    Args:
        reduced_overpotential: y = z e eta / (k_B T) [-] (> 0: the metal dissolves).
        transfer_coefficient: alpha [-].
        reduced_pressure: p Omega / (k_B T) [-] (number or UFL expression of T).
        xi: phase field [-].
        cavity: the matrix's cavity indicator [-] (see :func:`pushes_the_wall`).
    """
    free = butler_volmer_ratio(reduced_overpotential, transfer_coefficient)
    pressed = butler_volmer_ratio(reduced_overpotential + reduced_pressure, transfer_coefficient)
    on_wall = smooth_floor(free, DEAD_ZONE_ROUNDING) - smooth_floor(-pressed, DEAD_ZONE_ROUNDING)
    excess = (xi - cavity) / CAVITY_MARGIN
    return (free + smooth_step(excess + 1.0) * (on_wall - free)
            + smooth_step(excess) * (pressed - on_wall))


def pushes_the_wall(reduced_overpotential, transfer_coefficient: float,
                    reduced_pressure) -> ufl.core.expr.Expr:
    """1 where the drive exceeds the pressure's overpotential (the metal deposits against the
    matrix), else 0 [-]: where it is 1 when a step is accepted, the wall moves out to the new
    xi (the cavity is max(cavity, xi) there); elsewhere metal beyond the wall was not pushed
    there by the reaction (the phase field's profile terms move the diffuse interface by mesh-
    scale amounts) and is pushed back."""
    pressed = butler_volmer_ratio(reduced_overpotential + reduced_pressure, transfer_coefficient)
    return ufl.conditional(ufl.lt(pressed, 0.0), 1.0, 0.0)
