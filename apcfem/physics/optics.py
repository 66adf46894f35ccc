"""Optical absorption (DESIGN.md sec. 3): Beer-Lambert layers and a scalar Helmholtz solve.

Two levels of light heating:

(a) Beer-Lambert: in a stack of layers each with absorption coefficient alpha = 4 pi k/lambda,
    intensity decays as I(d) = I_j exp(-alpha_j (d - d_j)) inside layer j and the absorbed
    power density is Q = alpha_j I(d) (:class:`BeerLambert`). Interference and reflection are
    ignored: right for layers thicker than the skin depth, wrong for thin metal films.
(b) Time-harmonic scalar Helmholtz -div(grad E) - k0^2 eps_r(x) E = 0 for one field component
    (:class:`Helmholtz`), with complex relative permittivity eps_r = eps' + i eps''. PETSc is
    real here, so E = E_re + i E_im is solved as a two-field real system. Ports are first-order
    absorbing (Sommerfeld) boundaries dE/dn = i k E that can launch a plane wave at normal
    incidence; they are exact for plane waves at normal incidence, i.e. quasi-1-D stacks.
    Absorbed power density Q = 1/2 omega eps0 eps'' |E|^2.

Time convention exp(-i omega t): a wave travelling along +x is exp(+i k x), n + i k with k > 0
and eps'' > 0 absorb. Optical constants (n, k) of Ag, Au, Cu, Pt and SiO2 are tabulated with their
sources in ``apcfem/materials/optical_constants.toml``
(:func:`apcfem.materials.optical.refractive_index`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import ufl
from dolfinx import fem
from mpi4py import MPI
from scipy import constants

from apcfem.materials import EPSILON_0_F_PER_M
from apcfem.mesh import DeviceMesh

SPEED_OF_LIGHT_M_PER_S: float = constants.c
"""Speed of light in vacuum c [m/s]."""


def permittivity(index: complex) -> complex:
    """Relative permittivity eps_r = (n + i k)^2."""
    return complex(index) ** 2


def drude_permittivity(omega: npt.ArrayLike, eps_inf: float, omega_p: float,
                       gamma: float) -> np.ndarray:
    """Drude free-electron permittivity eps_r = eps_inf - omega_p^2 / (omega^2 + i gamma omega).

    At low frequency eps'' -> sigma_dc/(eps0 omega) with sigma_dc = eps0 omega_p^2/gamma
    (Ashcroft & Mermin, Solid State Physics, 1976, ch. 1).

    Args:
        omega: angular frequency [rad/s].
        eps_inf: background (interband) permittivity.
        omega_p: plasma frequency [rad/s].
        gamma: collision rate 1/tau [1/s].

    Returns:
        Complex relative permittivity (eps'' > 0).
    """
    w = np.asarray(omega, dtype=float)
    return eps_inf - omega_p**2 / (w**2 + 1j * gamma * w)


def absorption_coefficient(index: complex, wavelength_m: float) -> float:
    """Intensity absorption coefficient alpha = 4 pi k / lambda [1/m]."""
    return 4.0 * math.pi * complex(index).imag / wavelength_m


def plane_wave_amplitude(intensity_W_per_m2: float, n: float) -> float:
    """Field amplitude |E| [V/m] of a plane wave of intensity I = 1/2 c eps0 n |E|^2 [W/m^2]."""
    return math.sqrt(2.0 * intensity_W_per_m2 / (SPEED_OF_LIGHT_M_PER_S * EPSILON_0_F_PER_M * n))


# --- (a) Beer-Lambert ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AbsorbingLayer:
    """One layer of a Beer-Lambert stack.

    Attributes:
        thickness_m: layer thickness [m].
        alpha_per_m: intensity absorption coefficient alpha = 4 pi k/lambda [1/m].
    """

    thickness_m: float
    alpha_per_m: float


@dataclass(frozen=True)
class BeerLambert:
    """Beer-Lambert attenuation through a stack, depth d measured from the lit surface.

    Attributes:
        intensity_W_per_m2: intensity I0 entering the first layer [W/m^2].
        layers: layers from the lit surface down.
    """

    intensity_W_per_m2: float
    layers: tuple[AbsorbingLayer, ...]

    def interfaces_m(self) -> np.ndarray:
        """Depths of the layer tops and of the bottom of the stack [m] (length len(layers)+1)."""
        return np.concatenate([[0.0], np.cumsum([layer.thickness_m for layer in self.layers])])

    def entering_intensity(self) -> np.ndarray:
        """Intensity entering each layer and leaving the stack [W/m^2] (length len(layers)+1)."""
        optical_depth = np.cumsum([layer.alpha_per_m * layer.thickness_m
                                   for layer in self.layers])
        return self.intensity_W_per_m2 * np.exp(-np.concatenate([[0.0], optical_depth]))

    def power_density(self, depth_m: npt.ArrayLike) -> np.ndarray:
        """Absorbed power density Q(d) = alpha_j I_j exp(-alpha_j (d - d_j)) [W/m^3].

        Zero above the surface (d < 0) and below the stack.
        """
        d = np.asarray(depth_m, dtype=float)
        tops, entering = self.interfaces_m(), self.entering_intensity()
        q = np.zeros_like(d)
        for j, layer in enumerate(self.layers):
            inside = (d >= tops[j]) & (d < tops[j + 1])
            q[inside] = layer.alpha_per_m * entering[j] * np.exp(
                -layer.alpha_per_m * (d[inside] - tops[j]))
        return q

    def source(self, depth: ufl.core.expr.Expr) -> ufl.core.expr.Expr:
        """Q(d) [W/m^3] as a UFL expression, for use as a heat source.

        Args:
            depth: depth below the lit surface [m] as a UFL expression, e.g. z_top - x[1] in an
                axisymmetric mesh.
        """
        tops, entering = self.interfaces_m(), self.entering_intensity()
        q = ufl.as_ufl(0.0)
        for j, layer in enumerate(self.layers):
            inside = ufl.And(ufl.ge(depth, tops[j]), ufl.lt(depth, tops[j + 1]))
            decay = layer.alpha_per_m * entering[j] * ufl.exp(
                -layer.alpha_per_m * (depth - tops[j]))
            q = q + ufl.conditional(inside, decay, 0.0)
        return q


# --- (b) scalar Helmholtz ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpticalPort:
    """Absorbing port: dE/dn = i k0 n E on a flat named boundary, optionally with incident light.

    The port is a first-order absorbing boundary that can launch a plane wave at normal
    incidence into the domain. With an incident wave of amplitude E0 (its value on the port
    plane) the condition becomes dE/dn = i k0 n (E - 2 E0): the reflected part E - E0 leaves
    without reflection.

    Attributes:
        boundary: boundary name in the device mesh.
        n: real refractive index of the (lossless) medium outside the port.
        incident_amplitude_V_per_m: amplitude E0 of the incoming plane wave [V/m]; 0 for a
            purely absorbing port. The problem is linear, so fields scale with E0.
    """

    boundary: str
    n: float
    incident_amplitude_V_per_m: ufl.core.expr.Expr | float = 0.0


@dataclass(frozen=True, kw_only=True)
class Helmholtz:
    """Scalar Helmholtz equation -div(grad E) - k0^2 eps_r E = 0, E = E_re + i E_im.

    Attributes:
        wavelength_m: vacuum wavelength lambda [m].
        eps_re: real part of the relative permittivity eps' (UFL expression, e.g. DG0).
        eps_im: imaginary part eps'' >= 0 (absorption).
        ports: absorbing/incident boundaries; elsewhere dE/dn = 0 (symmetry plane, or the
            side walls of a quasi-1-D strip at normal incidence).

    In an axisymmetric mesh E is the rotationally symmetric solution of the scalar equation
    (scalar-wave approximation of the vector field, fair at normal incidence on a stack).
    """

    wavelength_m: float
    eps_re: ufl.core.expr.Expr | float
    eps_im: ufl.core.expr.Expr | float
    ports: tuple[OpticalPort, ...] = ()

    @property
    def k0_per_m(self) -> float:
        """Vacuum wavenumber k0 = 2 pi / lambda [1/m]."""
        return 2.0 * math.pi / self.wavelength_m

    @property
    def omega_rad_per_s(self) -> float:
        """Angular frequency omega = c k0 [rad/s]."""
        return SPEED_OF_LIGHT_M_PER_S * self.k0_per_m

    def residual(self, E: Sequence, v: Sequence, m: DeviceMesh) -> ufl.Form:
        """Weak residual of the real two-field system.

        With eps_r = a + i b and a port of wavenumber kp = k0 n:
        Re: int w [grad E_re . grad v_re - k0^2 (a E_re - b E_im) v_re]
            + int_port w kp E_im v_re,
        Im: int w [grad E_im . grad v_im - k0^2 (a E_im + b E_re) v_im]
            - int_port w kp (E_re - 2 E0) v_im.

        Args:
            E: (E_re, E_im) [V/m], e.g. a function on a ("Lagrange", p, (2,)) space or the
                parts of a mixed function.
            v: the matching test functions (v_re, v_im).
            m: device mesh.
        """
        (e_re, e_im), (v_re, v_im) = E, v
        w, k0 = m.weight(), self.k0_per_m
        a, b = self.eps_re, self.eps_im
        stiffness = (ufl.inner(ufl.grad(e_re), ufl.grad(v_re))
                     + ufl.inner(ufl.grad(e_im), ufl.grad(v_im)))
        mass = (a * e_re - b * e_im) * v_re + (a * e_im + b * e_re) * v_im
        form = w * (stiffness - k0**2 * mass) * m.dx()
        for port in self.ports:
            kp = k0 * port.n
            e0 = port.incident_amplitude_V_per_m
            form += w * kp * (e_im * v_re - (e_re - 2.0 * e0) * v_im) * m.ds(port.boundary)
        return form

    def absorbed_power_density(self, E: Sequence) -> ufl.core.expr.Expr:
        """Q_opt = 1/2 omega eps0 eps'' |E|^2 [W/m^3], the heat source of the light."""
        e_re, e_im = E
        return 0.5 * self.omega_rad_per_s * EPSILON_0_F_PER_M * self.eps_im * (e_re**2 + e_im**2)


def mean_boundary_field(E: Sequence, m: DeviceMesh, boundary: str) -> complex:
    """Average of E_re + i E_im over a named boundary (weighted by 2 pi r if axisymmetric).

    At a port of a quasi-1-D stack this is the plane-wave amplitude there: reflection
    r = E/E0 - 1 at the incident port, transmission t = E/E0 at the exit port.
    """
    e_re, e_im = E
    w, ds = m.weight(), m.ds(boundary)
    comm = m.comm
    values = [comm.allreduce(fem.assemble_scalar(fem.form(w * f * ds)), op=MPI.SUM)
              for f in (e_re, e_im, ufl.as_ufl(1.0))]
    return complex(values[0], values[1]) / values[2]
