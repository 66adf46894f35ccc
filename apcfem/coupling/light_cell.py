"""Light closing a nanogap (review Fig. 9a; Zhang et al., Light Sci. Appl. 2019): optics ->
transient heat -> thermo-elasticity -> gap -> tunnelling, then contact.

Documented two-scale coupling. The electrodes' thermal and elastic response lives on a
micrometre scale, the gap on a nanometre scale, so two models run side by side in every step
of the one simulation loop:

* micrometre model (:class:`ElectrodeHeating`): one electrode as a metal film disc (radius R,
  thickness h_f) on a substrate (thickness h_s) whose bottom is a heat sink at the ambient
  temperature, on a structured layered mesh. The light enters the film through its top
  surface, with the tabulated n, k of the film metal (:mod:`apcfem.materials.optical`):
  ``absorption = "helmholtz"`` solves the two-field Helmholtz equation at normal incidence
  through the film on a fine strip (incident port in air on top, exit port into the substrate
  below, :func:`film_absorption_profile`) and heats with Q = 1/2 omega eps0 eps'' |E|^2, film
  interference included; ``"beer_lambert"`` uses the normal-incidence reflectance
  R = |(n - 1)/(n + 1)|^2 and Q = (1 - R) I alpha exp(-alpha d), alpha = 4 pi k / lambda.
  Light transmitted into the substrate is not absorbed. Transient heat (backward Euler, the
  loop's adaptive steps) and, at every step, linear thermo-elasticity with the bottom clamped:
  the rim of the film moves outward by u_r(R). Two facing electrodes close the gap by 2 u_r(R).
* nanometre model (:class:`~apcfem.coupling.steady_cell.SteadyCell`): the broken neck of the
  case, two tips of radius ``filament.neck_radius_nm`` a gap g = g_dark - 2 u_r(R) apart
  (``filament.gap_nm`` is the dark gap). While g > 0 the count tunnels across it
  (G ~ exp(-2 kappa g)). Below :data:`JUMP_TO_CONTACT_NM` the tips jump into contact (the
  last tenth of a nanometre closes by adhesion; Untiedt et al., PRL 98, 206801 (2007)
  [not re-read]), and the contact is the neck of the tips' radius; further thermal push is
  taken up by the banks (the contact does not widen). The jump also keeps the drawn gap
  wider than the phase field's two interfaces.

Lumped estimate of the thermal time constant (:meth:`ElectrodeHeating.lumped_time_constant_s`):
R_th = h_s / (k_s A) through the substrate, C_th = A (rho c_p h)_film + A (rho c_p h)_s / 3 (the
film and the substrate's linear temperature profile).
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from apcfem.config.schema import CaseConfig, LightPulses
from apcfem.coupling.linear import LinearSolver, rigid_body_modes
from apcfem.coupling.steady_cell import SteadyCell
from apcfem.materials import EPSILON_0_F_PER_M, get_material
from apcfem.materials.optical import refractive_index
from apcfem.mesh import NM, DeviceMesh, PointProbe
from apcfem.mesh.layered import Layer, layered_axisymmetric_device
from apcfem.physics import (
    AbsorbingLayer,
    BeerLambert,
    Helmholtz,
    OpticalPort,
    ThermoElasticity,
    TransientHeat,
    absorption_coefficient,
    displacement_bc,
    fixed_values,
    region_constant,
)
from apcfem.physics.optics import permittivity, plane_wave_amplitude
from apcfem.protocols import Waveform

FILM_ROWS = 10
"""Cell rows across the metal film (the skin depth of Au at 530 nm is ~20 nm)."""

SUBSTRATE_ROWS = 30
"""Cell rows across the substrate."""

OPTICAL_ROWS = 100
"""Cell rows (P2) across the film and across one wavelength of substrate in the Helmholtz strip."""

PROFILE_POINTS = 201
"""Depths at which the Helmholtz absorption profile is sampled across the film."""

MICRON = 1e-6

JUMP_TO_CONTACT_NM = 0.1
"""Gap [nm] below which the tips jump into contact (and above which they part again)."""


class ElectrodeHeating:
    """Micrometre model of one illuminated electrode (see the module docstring).

    Owns PETSc objects: call :meth:`close` on every rank when done.

    Args:
        cfg: the case; ``cfg.protocol`` is a :class:`~apcfem.config.schema.LightPulses`,
            ``cfg.materials.top_electrode`` the film metal.
        light: incident intensity [W/m^2] against time [s].
        comm: communicator of the model.
    """

    def __init__(self, cfg: CaseConfig, light: Waveform, comm: MPI.Comm):
        p: LightPulses = cfg.protocol
        self.light_waveform = light
        self.ambient_K = cfg.physics.ambient_temperature_K
        self.film = get_material(cfg.materials.top_electrode)
        self.substrate = get_material(p.substrate)
        self.radius_m = p.electrode_radius_um * MICRON
        self.film_m = p.electrode_thickness_nm * NM
        self.substrate_m = p.substrate_thickness_um * MICRON
        self.device = layered_axisymmetric_device(
            comm, self.radius_m, [Layer("substrate", self.substrate_m, SUBSTRATE_ROWS),
                                  Layer("film", self.film_m, FILM_ROWS)], p.columns)
        mesh = self.device.mesh
        space = fem.functionspace(mesh, ("Lagrange", 1))
        self.T, self.T_old = fem.Function(space, name="T"), fem.Function(space)
        self.T.x.array[:] = self.ambient_K
        self.T_old.x.array[:] = self.ambient_K
        self.intensity = fem.Constant(mesh, 0.0)  # incident [W/m^2]
        self._dt = fem.Constant(mesh, 1.0)
        wavelength = p.wavelength_nm * NM
        index = refractive_index(cfg.materials.top_electrode, wavelength)
        self.reflectance = abs((index - 1.0) / (index + 1.0)) ** 2
        heat = TransientHeat(k=self._region_value("thermal_conductivity_W_per_mK"),
                             rho_cp=self._region_value("density_kg_per_m3")
                             * self._region_value("heat_capacity_J_per_kgK"),
                             sources=(self.intensity * self._absorbed(p, index, wavelength),))
        residual = heat.time_residual(self.T, ufl.TestFunction(space), self.device,
                                      T_old=self.T_old, dt=self._dt)
        # linear: the matrix is reassembled only when dt changes
        self._heat = LinearSolver("electrode_heat", residual, self.T,
                                  fixed_values(space, self.device, {"bottom": self.ambient_K}),
                                  cfg.solver.heat)
        self._elastic, self.u = self._elasticity(cfg.solver.elasticity)
        rim = np.zeros((1, 3))
        rim[0, :2] = self.radius_m, self.substrate_m + 0.5 * self.film_m
        self._rim = PointProbe(mesh, rim)
        self.closing_m = 0.0
        self._accepted_closing_m = 0.0

    def _absorbed(self, p: LightPulses, index: complex,
                  wavelength_m: float) -> ufl.core.expr.Expr:
        """Absorbed power density per unit incident intensity [1/m] (module docstring)."""
        depth = self.substrate_m + self.film_m - ufl.SpatialCoordinate(self.device.mesh)[1]
        if p.absorption == "helmholtz":
            depths, q = film_absorption_profile(self.device.comm, index,
                                                p.substrate_refractive_index, wavelength_m,
                                                self.film_m)
            top = self.substrate_m + self.film_m
            profile = fem.Function(self.T.function_space, name="absorption")
            profile.interpolate(lambda x: np.interp(top - x[1], depths, q))  # ends held
            profile.x.scatter_forward()
            # in the film only: the interface nodes carry the film's value, the substrate none
            return profile * region_constant(self.device, {"film": 1.0, "substrate": 0.0},
                                             "film")
        stack = BeerLambert(1.0 - self.reflectance,
                            (AbsorbingLayer(self.film_m,
                                            absorption_coefficient(index, wavelength_m)),))
        return stack.source(depth)

    def lumped_time_constant_s(self) -> float:
        """R_th C_th of the module docstring [s]."""
        def rho_cp(m):
            return m.density_kg_per_m3.value * m.heat_capacity_J_per_kgK.value

        resistance = self.substrate_m / self.substrate.thermal_conductivity_W_per_mK.value
        capacity = rho_cp(self.film) * self.film_m + rho_cp(self.substrate) * self.substrate_m / 3
        return resistance * capacity  # the area cancels

    def advance(self, t_s: float, dt_s: float) -> int:
        """Heat and expansion at t + dt from the accepted state at t; returns the number of
        linear solves (2: each counts as one Newton iteration of the step control)."""
        self.intensity.value = self.light_waveform(t_s + dt_s)
        self._dt.value = dt_s
        self._heat.solve()
        self._elastic.solve()
        self.closing_m = 2.0 * float(self._rim(self.u)[0, 0])
        return 2

    def accept(self) -> None:
        """Make the present temperature the accepted one."""
        self.T_old.x.array[:] = self.T.x.array
        self._accepted_closing_m = self.closing_m

    def reject(self) -> None:
        """Return to the accepted temperature and closing."""
        self.T.x.array[:] = self.T_old.x.array
        self.closing_m = self._accepted_closing_m

    def rim_temperature_K(self) -> float:
        """Temperature of the film at its rim (the tip) [K] (collective)."""
        return float(self._rim(self.T)[0])

    def close(self) -> None:
        """Destroy the solvers (collective, same order on every rank)."""
        self._heat.close()
        self._elastic.close()

    def _region_value(self, name: str) -> fem.Function:
        """A material property of film and substrate as a DG0 field."""
        return region_constant(self.device, {"film": getattr(self.film, name).value,
                                             "substrate": getattr(self.substrate, name).value},
                               name)

    def _elasticity(self, method: str) -> tuple[LinearSolver, fem.Function]:
        """Thermo-elasticity driven by T - ambient, bottom clamped, axis on the axis; its
        matrix is assembled once (T enters the right-hand side only)."""
        device = self.device
        space = fem.functionspace(device.mesh, ("Lagrange", 1, (2,)))
        u = fem.Function(space, name="u")
        physics = ThermoElasticity(youngs_modulus=self._region_value("youngs_modulus_Pa"),
                                   poisson_ratio=self._region_value("poisson_ratio"),
                                   thermal_expansion=self._region_value("thermal_expansion_per_K"),
                                   delta_T=self.T - self.ambient_K)
        bcs = [displacement_bc(space, device, "bottom", c, 0.0) for c in range(2)]
        bcs.append(displacement_bc(space, device, "axis", 0, 0.0))
        residual = physics.residual(u, ufl.TestFunction(space), device)
        modes = rigid_body_modes(space, axisymmetric=True) if method == "iterative" else None
        return LinearSolver("electrode_elasticity", residual, u, bcs, method,
                            near_nullspace=modes), u


def film_absorption_profile(comm: MPI.Comm, index: complex, substrate_index: float,
                            wavelength_m: float, film_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Absorbed power density across a film lit at normal incidence, per unit intensity.

    Two-field Helmholtz solve (:class:`~apcfem.physics.optics.Helmholtz`, P2) on a narrow
    axisymmetric strip: the film on one wavelength of lossless substrate, light incident from
    air through the top port, the bottom an absorbing port into the substrate. The field
    depends on depth only (natural conditions on the axis and the side).

    Args:
        comm: communicator.
        index: n + i k of the film.
        substrate_index: real refractive index of the substrate.
        wavelength_m: vacuum wavelength [m].
        film_m: film thickness [m].

    Returns:
        Depths below the lit surface [m] and Q / I there [1/m].
    """
    substrate_m = wavelength_m / substrate_index
    strip = layered_axisymmetric_device(
        comm, 0.1 * film_m, [Layer("substrate", substrate_m, OPTICAL_ROWS),
                             Layer("film", film_m, OPTICAL_ROWS)], 1)
    eps = {"film": permittivity(index), "substrate": complex(substrate_index**2)}
    space = fem.functionspace(strip.mesh, ("Lagrange", 2, (2,)))
    E = fem.Function(space)
    optics = Helmholtz(
        wavelength_m=wavelength_m,
        eps_re=region_constant(strip, {r: e.real for r, e in eps.items()}, "eps_re"),
        eps_im=region_constant(strip, {r: e.imag for r, e in eps.items()}, "eps_im"),
        ports=(OpticalPort("top", 1.0, plane_wave_amplitude(1.0, 1.0)),
               OpticalPort("bottom", substrate_index)))
    v = ufl.TestFunction(space)
    with LinearSolver("helmholtz", optics.residual((E[0], E[1]), (v[0], v[1]), strip),
                      E) as problem:  # indefinite: direct
        problem.solve()
    depths = np.linspace(0.0, film_m, PROFILE_POINTS)
    points = np.zeros((depths.size, 3))
    points[:, 1] = substrate_m + film_m - depths
    field = PointProbe(strip.mesh, points)(E)
    q = 0.5 * optics.omega_rad_per_s * EPSILON_0_F_PER_M * eps["film"].imag * np.sum(
        field**2, axis=1)
    return depths, q


class LightCell(SteadyCell):
    """The nanometre neck whose gap the illuminated electrodes close (module docstring).

    Owns PETSc objects (its own and the electrode model's): call :meth:`close` on every rank.

    Args:
        device: the nanometre stack mesh.
        cfg: the case (``filament.gap_nm`` is the dark gap).
        light: incident intensity [W/m^2] against time [s].
    """

    def __init__(self, device: DeviceMesh, cfg: CaseConfig, light: Waveform):
        self.dark_gap_nm = cfg.filament.gap_nm
        self._gap_nm = self._accepted_gap_nm = self.dark_gap_nm
        self.electrodes = ElectrodeHeating(cfg, light, device.comm)
        super().__init__(device, cfg, gap_nm=lambda t_s: self._gap_nm)

    def advance(self, t_s: float, dt_s: float, V_cell_V: float) -> int:
        """Electrode heating to t + dt, then the neck with the gap it leaves; returns the
        electrode model's solver iterations."""
        its = self.electrodes.advance(t_s, dt_s)
        gap = self.dark_gap_nm - self.electrodes.closing_m / NM
        self._gap_nm = gap if gap >= JUMP_TO_CONTACT_NM else 0.0
        super().advance(t_s, dt_s, V_cell_V)
        return its

    def accept(self) -> None:
        """Make the present electrodes and neck the accepted ones."""
        self.electrodes.accept()
        self._accepted_gap_nm = self._gap_nm
        super().accept()

    def reject(self) -> None:
        """Return to the accepted electrodes and neck."""
        self.electrodes.reject()
        self._gap_nm = self._accepted_gap_nm
        super().reject()

    def observables(self) -> dict[str, float]:
        """Incident light [W/m^2], electrode temperature at the rim [K], gap closing [m]
        (the computed gap is the dark gap minus the closing)."""
        return {"light_W_per_m2": float(self.electrodes.intensity.value),
                "T_electrode_K": self.electrodes.rim_temperature_K(),
                "displacement_m": self.electrodes.closing_m}

    def close(self) -> None:
        """Destroy the neck's and the electrodes' solvers (collective)."""
        super().close()
        self.electrodes.close()
