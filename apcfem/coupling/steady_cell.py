"""Steady cell: current continuity and heat on a device with a given filament field.

Current continuity is linear in phi, so it is solved once per filament shape with the top
contact at 1 V and the bottom contact grounded; the FE ohmic resistance is R = V^2/P with P the
dissipated power (a variational, superconvergent estimate). The external circuit then sets the
actual ohmic voltage I*R, which scales phi and the Joule source of the heat equation. The
ballistic power I^2/G of the quantum contact is released in the filament metal next to the neck
(Gaussian of width ``neck_heating_length_nm``), as electrons relax within an inelastic length.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from apcfem.config.schema import CaseConfig
from apcfem.coupling.newton import NewtonProblem
from apcfem.materials import get_material
from apcfem.mesh import DeviceMesh
from apcfem.physics import Conduction, Heat, fixed_values, region_constant

NM = 1e-9


class SteadyCell:
    """Forms and solvers of the steady cell, built once and re-solved per step."""

    def __init__(self, device: DeviceMesh, cfg: CaseConfig):
        self.device = device
        degree = cfg.physics.element_degree
        space = fem.functionspace(device.mesh, ("Lagrange", degree))
        self.xi = fem.Function(space, name="xi")
        self.phi_unit = fem.Function(space, name="phi_unit")
        self.potential = fem.Function(space, name="phi")
        self.T = fem.Function(space, name="T")
        self.ambient_K = cfg.physics.ambient_temperature_K
        sigma, k = self._properties(cfg)
        self.sigma = sigma
        conduction = Conduction(sigma=sigma)
        self._conduction = NewtonProblem(
            "conduction", conduction.residual(self.phi_unit, ufl.TestFunction(space), device),
            self.phi_unit, bcs=self._contact_bcs(space, top=1.0, bottom=0.0))
        self._unit_power = fem.form(conduction.dissipated_power(self.phi_unit, device))

        mesh = device.mesh
        self.ohmic_voltage = fem.Constant(mesh, 0.0)
        self.neck_power = fem.Constant(mesh, 0.0)
        self.neck_z = fem.Constant(mesh, 0.0)
        self._neck_norm = fem.Constant(mesh, 1.0)
        neck_shape = self._neck_kernel(cfg.physics.neck_heating_length_nm * NM)
        self._neck_shape_integral = fem.form(device.weight() * neck_shape * device.dx())
        sources = (self.ohmic_voltage**2 * conduction.joule_power_density(self.phi_unit),
                   self.neck_power * neck_shape / self._neck_norm)
        heat = Heat(k=k, sources=sources)
        self.T.x.array[:] = self.ambient_K
        self._heat = NewtonProblem(
            "heat", heat.residual(self.T, ufl.TestFunction(space), device), self.T,
            bcs=self._contact_bcs(space, top=self.ambient_K, bottom=self.ambient_K))

    def set_filament(self, phase_field) -> None:
        """Interpolate a filament phase field xi(x) (callable on (3, N) points [m])."""
        self.xi.interpolate(phase_field)
        self.xi.x.scatter_forward()

    def solve_resistance(self) -> tuple[float, int]:
        """FE ohmic resistance of the whole stack [ohm] and the Newton iterations."""
        its = self._conduction.solve()
        power = self.device.comm.allreduce(fem.assemble_scalar(self._unit_power), op=MPI.SUM)
        return 1.0 / power, its

    def solve_heat(self, ohmic_voltage_V: float, neck_power_W: float,
                   neck_z_m: float) -> tuple[float, int]:
        """Steady temperature for the given drive; returns T_max [K] and Newton iterations."""
        self.ohmic_voltage.value = ohmic_voltage_V
        self.potential.x.array[:] = ohmic_voltage_V * self.phi_unit.x.array
        self.neck_z.value = neck_z_m
        comm = self.device.comm
        norm = comm.allreduce(fem.assemble_scalar(self._neck_shape_integral), op=MPI.SUM)
        self._neck_norm.value = norm if norm > 0 else 1.0
        self.neck_power.value = neck_power_W if norm > 0 else 0.0
        its = self._heat.solve()
        t_max = comm.allreduce(float(self.T.x.array.max(initial=-np.inf)), op=MPI.MAX)
        return t_max, its

    def _properties(self, cfg: CaseConfig):
        """sigma [S/m] and k [W/(m K)]: region values, filament metal blended in by xi."""
        host = {"bottom_electrode": cfg.materials.bottom_electrode,
                "switching_layer": cfg.materials.switching_layer,
                "filament_seed": cfg.materials.switching_layer,
                "top_electrode": cfg.materials.top_electrode}
        host = {region: get_material(host[region]) for region in self.device.regions}
        filament = get_material(cfg.materials.filament)
        sigma_host = region_constant(
            self.device, {r: m.electrical_conductivity_S_per_m.value for r, m in host.items()},
            "sigma_host")
        k_host = region_constant(
            self.device, {r: m.thermal_conductivity_W_per_mK.value for r, m in host.items()},
            "k_host")
        sigma_f = filament.electrical_conductivity_S_per_m.value
        k_f = filament.thermal_conductivity_W_per_mK.value
        # xi vanishes outside the switching layer, so electrodes keep their own values.
        return (sigma_host + (sigma_f - sigma_host) * self.xi,
                k_host + (k_f - k_host) * self.xi)

    def _neck_kernel(self, length_m: float):
        """Unnormalised Gaussian around the neck, restricted to filament metal (xi)."""
        x = ufl.SpatialCoordinate(self.device.mesh)
        if self.device.axisymmetric:
            r2, z = x[0] ** 2, x[1]
        else:
            r2, z = x[0] ** 2 + x[1] ** 2, x[2]
        return self.xi * ufl.exp(-(r2 + (z - self.neck_z) ** 2) / length_m**2)

    def _contact_bcs(self, space, top: float, bottom: float) -> list[fem.DirichletBC]:
        return fixed_values(space, self.device, {"top_contact": top, "bottom_contact": bottom})
