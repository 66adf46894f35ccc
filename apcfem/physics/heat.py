"""Heat equation rho c_p dT/dt = div(k grad T) + Q (DESIGN.md sec. 3), steady and transient.

Boundaries are insulated unless a Dirichlet condition (set by the caller) or a heat sink
(:class:`HeatSink`, Robin condition) is applied. The time derivative of the transient form is a
backward difference: backward Euler (first order) or the variable-step BDF2 formula (second order,
L-stable at constant step, so a sudden change of a boundary temperature does not ring the way
Crank-Nicolson does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import ufl

from apcfem.materials import LORENZ_W_OHM_PER_K2
from apcfem.mesh import DeviceMesh

TimeScheme = Literal["backward_euler", "bdf2"]


@dataclass(frozen=True)
class HeatSink:
    """Robin (heat-transfer) condition -k dT/dn = h (T - T_sink) on a named boundary.

    Attributes:
        boundary: boundary name in the device mesh.
        h: heat-transfer coefficient [W/(m^2 K)] (thermal boundary conductance of the contact
            to the sink; h -> infinity recovers a Dirichlet sink at T_sink).
        T_sink: sink temperature [K].
    """

    boundary: str
    h: ufl.core.expr.Expr | float
    T_sink: ufl.core.expr.Expr | float


@dataclass(frozen=True, kw_only=True)
class Heat:
    """Steady heat conduction with volumetric sources and heat sinks.

    Attributes:
        k: thermal conductivity [W/(m K)] (UFL expression; may depend on T, e.g.
            :func:`wiedemann_franz_k`).
        sources: volumetric heat sources [W/m^3] (Joule heating, neck dissipation, light).
        sinks: Robin heat sinks on named boundaries.
    """

    k: ufl.core.expr.Expr
    sources: tuple[ufl.core.expr.Expr, ...] = ()
    sinks: tuple[HeatSink, ...] = ()

    def residual(self, T, v, m: DeviceMesh) -> ufl.Form:
        """Weak residual: int w (k grad T . grad v - sum(Q) v) + sum int_sink w h (T - T_sink) v."""
        w = m.weight()
        form = w * ufl.inner(self.k * ufl.grad(T), ufl.grad(v)) * m.dx()
        for q in self.sources:
            form -= w * q * v * m.dx()
        for sink in self.sinks:
            form += w * sink.h * (T - sink.T_sink) * v * m.ds(sink.boundary)
        return form


@dataclass(frozen=True, kw_only=True)
class TransientHeat(Heat):
    """Transient heat conduction rho c_p dT/dt - div(k grad T) = sum(Q).

    Attributes:
        rho_cp: volumetric heat capacity rho c_p [J/(m^3 K)].
    """

    rho_cp: ufl.core.expr.Expr | float

    def time_residual(self, T, v, m: DeviceMesh, *, T_old, dt,
                      scheme: TimeScheme = "backward_euler", T_older=None,
                      step_ratio=1.0) -> ufl.Form:
        """Residual of one implicit step from T_old (and T_older) to the new level T.

        Sources, sinks and k are taken at the new time level (fully implicit).

        Args:
            T: temperature at the new time level [K] (the unknown).
            v: test function.
            m: device mesh.
            T_old: temperature one step back [K].
            dt: step size t_new - t_old [s] (a ``fem.Constant`` to change it without
                recompiling).
            scheme: ``"backward_euler"`` or ``"bdf2"``.
            T_older: temperature two steps back [K]; required for ``"bdf2"``.
            step_ratio: dt / dt_previous for ``"bdf2"`` (variable steps). 0 turns BDF2 into
                backward Euler, for the first step of a run.

        Returns:
            The residual form.
        """
        rate = backward_difference(T, T_old, dt, scheme=scheme, u_older=T_older,
                                   step_ratio=step_ratio)
        return m.weight() * self.rho_cp * rate * v * m.dx() + self.residual(T, v, m)


def backward_difference(u, u_old, dt, *, scheme: TimeScheme = "backward_euler", u_older=None,
                        step_ratio=1.0) -> ufl.core.expr.Expr:
    """Backward-difference approximation of du/dt at the new time level.

    Backward Euler: (u - u_old)/dt. BDF2 with variable steps, omega = dt_n/dt_(n-1):
    [(1 + 2 omega)/(1 + omega) u - (1 + omega) u_old + omega^2/(1 + omega) u_older] / dt,
    zero-stable for omega < 1 + sqrt(2) (Hairer, Norsett & Wanner, Solving Ordinary
    Differential Equations I, 2nd ed., Springer 1993, sec. III.5). omega = 0 gives backward
    Euler.

    Args:
        u: value at the new time level.
        u_old: value one step back.
        dt: step size [s].
        scheme: ``"backward_euler"`` or ``"bdf2"``.
        u_older: value two steps back (``"bdf2"`` only).
        step_ratio: omega = dt_n / dt_(n-1) (``"bdf2"`` only).

    Returns:
        UFL expression for du/dt [unit of u / s].

    Raises:
        ValueError: unknown scheme, or ``"bdf2"`` without ``u_older``.
    """
    if scheme == "backward_euler":
        return (u - u_old) / dt
    if scheme != "bdf2":
        raise ValueError(f"time scheme {scheme!r}: must be 'backward_euler' or 'bdf2'")
    if u_older is None:
        raise ValueError("time scheme 'bdf2' needs the solution two steps back (u_older)")
    omega = step_ratio
    return ((1 + 2 * omega) / (1 + omega) * u - (1 + omega) * u_old
            + omega**2 / (1 + omega) * u_older) / dt


def wiedemann_franz_k(sigma, T, lorenz: float = LORENZ_W_OHM_PER_K2) -> ufl.core.expr.Expr:
    """Electronic thermal conductivity of a metal, k = L sigma T (Wiedemann-Franz law).

    With this k everywhere, any contact between two isothermal, equipotential sinks at T0
    reaches T_max^2 = T0^2 + V^2/(4 L), independent of its shape and sigma (the Kohlrausch
    phi-theta relation; R. Holm, Electric Contacts, 4th ed., Springer 1967).

    Args:
        sigma: electrical conductivity [S/m] (UFL expression).
        T: temperature [K] (UFL expression, e.g. the unknown).
        lorenz: Lorenz number L [W Ohm/K^2]; default the Sommerfeld value L0.

    Returns:
        k [W/(m K)] as a UFL expression.
    """
    return lorenz * sigma * T


def diffusive_contact_peak_K(T_ends_K, V_contact_V, lorenz: float = LORENZ_W_OHM_PER_K2):
    """Peak temperature inside a diffusive (Wiedemann-Franz) contact whose two ends sit at
    T_ends [K] with V_contact [V] across it: T_peak^2 = T_ends^2 + V^2/(4 L).

    The same Kohlrausch relation as :func:`wiedemann_franz_k`, applied to a lumped contact:
    its heat I V leaves through its ends, half to each side, and its thermal conductance is
    L T G. It holds for a contact longer than the electrons' inelastic length; in a ballistic
    contact the electrons dissipate their energy in the banks instead, and the contact stays
    near the banks' temperature (Agrait, Levy Yeyati & van Ruitenbeek, Phys. Rep. 377, 81,
    2003, sec. 12).

    Args:
        T_ends_K: temperature of both ends [K].
        V_contact_V: voltage across the contact [V].
        lorenz: Lorenz number L [W Ohm/K^2]; default the Sommerfeld value L0.

    Returns:
        T_peak [K] (same shape as the inputs).
    """
    return np.sqrt(np.square(T_ends_K) + np.square(V_contact_V) / (4.0 * lorenz))
