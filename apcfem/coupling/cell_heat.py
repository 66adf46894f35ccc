"""Steady heat of a cell at its operating point (shared by the steady, ECM and VCM cells).

Sources: Joule heating of the contact conduction's two bank fields at the cell voltage, and the
ballistic power of the quantum contact (G times the square of its own voltage jump), released
in the filament metal next to the neck (Gaussian of width ``neck_heating_length_nm`` around the
neck on the axis, weighted by the metal fraction), as electrons relax within an inelastic
length. How the power divides (``physics.neck_power_split``): ``"metal"`` puts all of it
into the meshed metal around the neck, ``"banks"`` half on each side of the neck plane, as the
Landauer dissipation of a transmission independent of energy divides between the two
reservoirs (the electrons' excess energy in the collector, the holes' in the emitter; Lee et
al., Nature 498, 209 (2013)); on each side the half is shared between the meshed metal and the
electrode beyond the mesh's end on that side (metal, unmeshed), which takes its part to its
sink. A neck on an electrode face, or a gap next to it, then heats the filament with half its
power, not all of it. The contacts are heat sinks at the ambient temperature: Dirichlet on the
contact face itself, or (``film_sinks``) a Robin condition through the electrode films between
that face and the far face where the sink is (DESIGN.md, Heat: sinks at the far electrode
faces), for a cell that meshes only its switching layer.
"""

from __future__ import annotations

import math

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from apcfem.coupling.contact import ContactConduction
from apcfem.coupling.linear import LinearSolver
from apcfem.coupling.newton import NewtonProblem
from apcfem.mesh import DeviceMesh, PointProbe
from apcfem.physics import Heat, fixed_values
from apcfem.physics.heat import HeatSink

PROBE_DECIMALS_M = 12
"""The 3-D neck temperature's probe centre is rounded to 1e-12 m."""

LINEAR = {"snes_type": "ksponly"}
"""A linear Newton problem: one linear solve."""

NEWTON_ITERATIVE = {"ksp_type": "gmres", "ksp_rtol": 1e-10, "pc_type": "gamg"}
"""Inner solve of a k(T) heat Newton with ``method = "iterative"`` (its Jacobian is
nonsymmetric: GMRES, not CG)."""


class CellHeat:
    """Forms and solver of a cell's steady temperature, built once and re-solved.

    Args:
        name: solver name (PETSc prefix ``apcfem_<name>_``).
        device: the mesh.
        contact: the cell's contact conduction (its unit fields give the Joule source).
        sigma: electrical conductivity of the contact conduction [S/m].
        k: thermal conductivity [W/(m K)].
        metal_fraction: where the neck power may be released [-] (0..1).
        T: the temperature function [K] (initial guess in, solution out).
        sinks: boundary name -> temperature [K] (heat sinks; Dirichlet on that boundary unless
            it is in ``film_sinks``).
        film_sinks: boundary name -> thermal conductance per area [W/(m^2 K)] of the electrode
            films between that boundary and its sink (:func:`film_conductance`): a Robin
            condition -k dT/dn = h (T - T_sink) there instead of the Dirichlet one.
        heating_length_m: width of the neck power's Gaussian [m].
        linear: k and sigma independent of T (one linear solve, the matrix reassembled only
            when k changed); False for a k(T) or a sigma(T) (Newton).
        joule_when_broken: keep the Joule source while the filament is broken: True where the
            field around the gap conducts physically (the hopping conduction of a vacancy-doped
            oxide), False where it is only the diffuse tail of a tunnelling tip (ECM).
        method: linear solver, ``"direct"`` or ``"iterative"``
            (:data:`~apcfem.coupling.linear.LINEAR_METHODS`).
        power_split: ``"metal"`` or ``"banks"`` (module docstring).
    """

    def __init__(self, name: str, device: DeviceMesh, contact: ContactConduction, sigma, k,
                 metal_fraction, T: fem.Function, sinks: dict[str, float],
                 heating_length_m: float, linear: bool = True, joule_when_broken: bool = False,
                 method: str = "direct", film_sinks: dict[str, float] | None = None,
                 power_split: str = "metal"):
        mesh = device.mesh
        self._joule_when_broken = joule_when_broken
        self.device, self.T, self._contact = device, T, contact
        self._probe_key: tuple[float, float, float] | None = None
        self._probe: PointProbe | None = None
        self.cell_voltage = fem.Constant(mesh, 0.0)
        self._joule_on = fem.Constant(mesh, 1.0)
        self._neck_power = fem.Constant(mesh, 0.0)
        self._neck_z = fem.Constant(mesh, 0.0)
        x = ufl.SpatialCoordinate(mesh)
        centre = contact.centre  # in 3-D the neck's section centre, off the axis if it is
        r2 = (x[0] ** 2 if device.axisymmetric
              else (x[0] - centre[0]) ** 2 + (x[1] - centre[1]) ** 2)
        z = x[device.axial_index]
        gaussian = metal_fraction * ufl.exp(-(r2 + (z - self._neck_z) ** 2) / heating_length_m**2)
        self._split = _PowerSplit(device, heating_length_m, power_split)
        below = ufl.conditional(ufl.lt(z, self._neck_z), 1.0, 0.0)
        sides = (below * gaussian, (1.0 - below) * gaussian)
        self._side_integrals = [fem.form(device.weight() * side * device.dx()) for side in sides]
        self._side_norms = [fem.Constant(mesh, 1.0), fem.Constant(mesh, 1.0)]
        neck_shape = sum(side / norm for side, norm in zip(sides, self._side_norms, strict=True))
        self._released = fem.form(device.weight() * self._neck_power * neck_shape * device.dx())
        lo, hi, chi = contact.phi_lo, contact.phi_hi, contact.indicator
        joule_unit = sigma * ((1.0 - chi) * ufl.inner(ufl.grad(lo), ufl.grad(lo))
                              + chi * ufl.inner(ufl.grad(hi), ufl.grad(hi)))
        films = film_sinks or {}
        self._sink_temperatures = {name: fem.Constant(mesh, T_K) for name, T_K in sinks.items()
                                   if name in films}
        heat = Heat(k=k, sources=(self._joule_on * self.cell_voltage**2 * joule_unit,
                                  self._neck_power * neck_shape),
                    sinks=tuple(HeatSink(name, films[name], T_sink)
                                for name, T_sink in self._sink_temperatures.items()))
        space = T.function_space
        self._sinks = fixed_values(space, device, {name: T_K for name, T_K in sinks.items()
                                                   if name not in films})
        residual = heat.residual(T, ufl.TestFunction(space), device)
        if linear:
            self._problem = LinearSolver(name, residual, T, self._sinks, method)
        else:
            self._problem = NewtonProblem(name, residual, T, bcs=self._sinks,
                                          petsc_options=NEWTON_ITERATIVE
                                          if method == "iterative" else None)

    def set_sink_temperature(self, T_K: float) -> None:
        """Hold every heat sink at T [K] from the next solve on."""
        for bc in self._sinks:
            bc.g.value[...] = T_K  # a view of the constant
        for constant in self._sink_temperatures.values():
            constant.value = T_K

    def solve(self, V_cell_V: float, neck_z_m: float, contact_conductance_S: float,
              broken: bool = False) -> float:
        """Temperature at cell voltage V_cell [V], contact G [S] at the neck (or gap) height [m],
        after the contact conduction's :meth:`~ContactConduction.solve_cell_resistance`. Returns
        T_max [K].

        The contact power is released next to the neck: the FE contact's own power G [phi]^2 of
        a connected filament (I^2/G when all the current crosses the neck plane through the
        contact disc; the leak outside the disc carries the rest, so a connected neck whose
        modes have closed dissipates ~0, not I^2/G of the leakage current), V^2 G across a gap
        (tunnelling electrons relax in the electrodes; the leakage current in parallel does not
        pass the gap). A broken filament has no Joule source of its own (unless
        ``joule_when_broken``): the FE body field would conduct classically through the diffuse
        tail of a tip that is still tunnelling, and the oxide's leakage heat is negligible.
        """
        comm = self.device.comm
        self._joule_on.value = 0.0 if broken and not self._joule_when_broken else 1.0
        self.cell_voltage.value = V_cell_V
        self._neck_z.value = neck_z_m
        meshed = [comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
                  for form in self._side_integrals]
        norms = self._split.norms(meshed, neck_z_m)
        for constant, norm in zip(self._side_norms, norms, strict=True):
            constant.value = norm if norm > 0 else 1.0
        if broken:  # the tunnel current V G is in parallel with the leakage: power V^2 G
            power = V_cell_V**2 * contact_conductance_S
        else:  # the contact's power at 1 V, scaled to V_cell
            power = V_cell_V**2 * self._contact.powers.contact_W
        self._neck_power.value = power if max(norms) > 0 else 0.0
        self._problem.solve()
        return comm.allreduce(float(self.T.x.array.max(initial=-np.inf)), op=MPI.MAX)

    def released_power_W(self) -> float:
        """The neck power [W] the last :meth:`solve` released in the mesh (collective): all
        of it with the ``"metal"`` split, with ``"banks"`` less the part an electrode beyond
        the mesh took."""
        return self.device.comm.allreduce(fem.assemble_scalar(self._released), op=MPI.SUM)

    def neck_temperature(self, neck_z_m: float) -> float:
        """T [K] at the neck height on the axis, in 3-D at the contact's centre (the neck's
        section centre, taken to the nearest pm) (collective). The last point's probe is
        kept: a neck on an electrode face keeps its point, an inner one moves between the
        sampled sections."""
        centre = (0.0, 0.0) if self.device.axisymmetric else tuple(
            np.round(self._contact.centre.value, PROBE_DECIMALS_M))
        key = (neck_z_m, *centre)
        if key != self._probe_key:
            point = np.zeros((1, 3))
            point[0, :2] = centre
            point[0, self.device.axial_index] = neck_z_m
            self._probe, self._probe_key = PointProbe(self.device.mesh, point), key
        return float(self._probe(self.T)[0])

    def close(self) -> None:
        """Destroy the solver (collective)."""
        self._problem.close()


class _PowerSplit:
    """Normalisation of the neck power's two sides (below and above the neck plane).

    ``"metal"``: both sides share one norm, the meshed metal's Gaussian integral: all the power
    is released in the mesh. ``"banks"``: each side releases half of the power, shared between
    its meshed metal and the electrode beyond the mesh's axial end on that side, a metal
    half-space (:func:`gaussian_half_space_m3`).
    """

    def __init__(self, device: DeviceMesh, heating_length_m: float, kind: str):
        if kind not in ("metal", "banks"):
            raise ValueError(f"neck power split {kind!r}: expected 'metal' or 'banks'")
        z = device.mesh.geometry.x[:, device.axial_index]
        comm = device.comm
        self.kind, self.length_m = kind, heating_length_m
        self.ends_m = (comm.allreduce(float(z.min(initial=np.inf)), op=MPI.MIN),
                       comm.allreduce(float(z.max(initial=-np.inf)), op=MPI.MAX))

    def norms(self, meshed: list[float], neck_z_m: float) -> tuple[float, float]:
        """The (below, above) norms [m^3] that the sides' Gaussians are divided by, from the
        meshed metal's integrals on each side [m^3]; the power released in the mesh is
        P (meshed_below / norm_below + meshed_above / norm_above)."""
        if self.kind == "metal":
            return (sum(meshed),) * 2
        bottom, top = self.ends_m
        L = self.length_m
        return (2.0 * (meshed[0] + gaussian_half_space_m3(neck_z_m - bottom, L)),
                2.0 * (meshed[1] + gaussian_half_space_m3(top - neck_z_m, L)))


def gaussian_half_space_m3(distance_m: float, length_m: float) -> float:
    """Integral [m^3] of exp(-|x - x0|^2 / L^2) over the half-space beyond a plane at
    ``distance_m`` from x0 (L = ``length_m``; 3-D measure, which the axisymmetric weight
    2 pi r is): pi^(3/2) L^3 / 2 erfc(d / L)."""
    return 0.5 * np.pi**1.5 * length_m**3 * math.erfc(max(distance_m, 0.0) / length_m)


def film_conductance(films: list[tuple[float, float]]) -> float:
    """Thermal conductance per area [W/(m^2 K)] of a stack of films conducting across their
    thickness in series, 1 / sum(t_i / k_i), from (thickness [m], k [W/(m K)]) pairs. Lateral
    spreading within the films is neglected: under a hot spot narrower than the films are thick
    this overestimates the face temperature."""
    return 1.0 / sum(t / k for t, k in films)
