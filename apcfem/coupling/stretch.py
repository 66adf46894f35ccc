"""A prescribed neck stretched by an imposed displacement (mechanically controllable break
junction, review Fig. 9d): elastic strain, then volume-conserving plastic thinning, then rupture.

Model, for a displacement d of the top contact along the axis (bottom contact held):

1. Elastic part, from the thermo-elasticity solve of the whole stack (:mod:`apcfem.physics.
   elasticity`; Young's modulus and Poisson ratio blended between host and filament metal by
   the phase field xi, both contacts clamped, the axis free to slide). It is linear, so one
   solve at a unit displacement gives the strain at the neck per metre of displacement: the
   axial strain eps_zz from u_z on the axis across the neck zone, the hoop strain
   eps_tt = u_r/r inside the neck (the relative change of its radius) and eps_rr. The
   elastic radius is a0 (1 + eps_tt d) and the neck's axial stress follows from Hooke's law.
2. Plastic part: once that stress reaches the yield stress sigma_y (at d_y), the neck flows.
   All further displacement thins a zone of length L_p (``plastic_zone_nm``) at constant
   volume, a = a_y / sqrt(1 + (d - d_y)/L_p) (a cylinder elongated by a factor keeps
   a^2 L). The yield stress of atomic-size gold contacts is GPa-large (Rubio, Agrait &
   Vieira, PRL 76, 2302 (1996) [not re-read]), hence the 1.5 GPa default.
3. Rupture: when a falls below ``break_radius_nm`` (at d_b) the neck breaks; the tips keep
   that radius and the gap is d - d_b (no elastic snap-back of the banks).

The filament is redrawn from the radius and gap of each step, so the change reaches the
Landauer count through the neck extraction, never as a knob on the counter. The count keeps
the unstrained Fermi energy: the elastic volumetric strain changes E_F by -(2/3)(1 - 2 nu) eps
(< 0.1 % here). The small-strain response of the unstretched junction is used throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem

from apcfem.config.schema import CaseConfig, StrainRamp
from apcfem.coupling.linear import LinearSolver, rigid_body_modes
from apcfem.coupling.steady_cell import host_materials
from apcfem.filament import PrescribedFilament
from apcfem.materials import case_filament
from apcfem.mesh import NM, DeviceMesh, PointProbe
from apcfem.physics import ThermoElasticity, displacement_bc, region_constant

UNIT_DISPLACEMENT_M = 1e-12
"""Displacement of the top contact in the (linear) elastic solve [m]."""


@dataclass(frozen=True)
class NeckStrain:
    """Elastic strain components at the neck per metre of imposed displacement [1/m].

    Attributes:
        rr: radial strain du_r/dr.
        tt: hoop strain u_r/r (the relative change of the neck radius).
        zz: axial strain du_z/dz.
    """

    rr: float
    tt: float
    zz: float

    def log_kfa_per_strain(self) -> float:
        """d ln(k_F a)/d eps_zz: the radius follows eps_tt, k_F ~ n^(1/3) the volume change
        (free electrons), so the slope is (eps_tt - tr(eps)/3)/eps_zz [dimensionless];
        -(1 + nu)/3 under uniaxial stress."""
        return (self.tt - (self.rr + self.tt + self.zz) / 3.0) / self.zz

    def axial_stress_Pa(self, youngs_modulus_Pa: float, poisson_ratio: float) -> float:
        """Hooke's law sigma_zz for these strains [Pa per metre of displacement]."""
        E, nu = youngs_modulus_Pa, poisson_ratio
        return E * ((1 - nu) * self.zz + nu * (self.rr + self.tt)) / ((1 + nu) * (1 - 2 * nu))


class NeckStretch:
    """Neck radius and gap against pseudo-time for a displacement ramp (see module docstring).

    Solves the elastic response once, in the constructor (collective), and keeps no PETSc
    object.

    Args:
        device: the stack mesh (boundaries ``bottom_contact``, ``top_contact``, ``axis``).
        cfg: the case; ``cfg.protocol`` is a :class:`~apcfem.config.schema.StrainRamp`.
        displacement_nm: the displacement ramp [nm] against pseudo-time [s].
    """

    def __init__(self, device: DeviceMesh, cfg: CaseConfig, displacement_nm):
        protocol: StrainRamp = cfg.protocol
        self.cfg, self.displacement_nm = cfg, displacement_nm
        self.shape = PrescribedFilament.from_config(cfg.filament, cfg.geometry)
        metal = case_filament(cfg.materials)
        self.strain = _elastic_neck_strain(device, cfg, self.shape, protocol.plastic_zone_nm * NM)
        stress = self.strain.axial_stress_Pa(metal.youngs_modulus_Pa.value,
                                             metal.poisson_ratio.value)
        self.yield_displacement_nm = protocol.yield_stress_Pa / stress / NM
        self.yield_radius_nm = cfg.filament.neck_radius_nm * (
            1.0 + self.strain.tt * self.yield_displacement_nm * NM)
        self.break_displacement_nm = self.yield_displacement_nm + protocol.plastic_zone_nm * (
            (self.yield_radius_nm / protocol.break_radius_nm) ** 2 - 1.0)

    def summary(self) -> dict[str, float]:
        """The mechanics of the run, for its provenance: yield and rupture displacements [nm]
        and the elastic d ln(k_F a)/d eps_zz at the neck [dimensionless]."""
        return {"yield_displacement_nm": self.yield_displacement_nm,
                "break_displacement_nm": self.break_displacement_nm,
                "elastic_dln_kFa_dstrain": self.strain.log_kfa_per_strain()}

    def neck_radius_nm(self, t_s: float) -> float:
        """Neck radius (of the tips once broken) at pseudo-time t [nm]."""
        d = min(self.displacement_nm(t_s), self.break_displacement_nm)
        if d <= self.yield_displacement_nm:
            return self.cfg.filament.neck_radius_nm * (1.0 + self.strain.tt * d * NM)
        plastic = (d - self.yield_displacement_nm) / self.cfg.protocol.plastic_zone_nm
        return self.yield_radius_nm / np.sqrt(1.0 + plastic)

    def gap_nm(self, t_s: float) -> float:
        """Gap between the broken tips at pseudo-time t [nm] (0 before the rupture)."""
        return max(self.displacement_nm(t_s) - self.break_displacement_nm, 0.0)


def _elastic_neck_strain(device: DeviceMesh, cfg: CaseConfig, shape: PrescribedFilament,
                         zone_m: float) -> NeckStrain:
    """Strain at the neck of the unstretched junction per metre of displacement [1/m]."""
    scalar = fem.functionspace(device.mesh, ("Lagrange", 1))
    xi = fem.Function(scalar)
    xi.interpolate(lambda x: shape.phase_field(x, device.axisymmetric))
    xi.x.scatter_forward()
    E, nu = _blended_elastic_moduli(device, cfg, xi)
    space = fem.functionspace(device.mesh, ("Lagrange", 1, (device.mesh.geometry.dim,)))
    u = fem.Function(space, name="u")
    axial = device.axial_index
    bcs = [displacement_bc(space, device, "bottom_contact", c, 0.0) for c in range(2)]
    bcs += [displacement_bc(space, device, "top_contact", axial, UNIT_DISPLACEMENT_M),
            displacement_bc(space, device, "top_contact", 0, 0.0),
            displacement_bc(space, device, "axis", 0, 0.0)]
    residual = ThermoElasticity(youngs_modulus=E, poisson_ratio=nu).residual(
        u, ufl.TestFunction(space), device)
    method = cfg.solver.elasticity
    modes = (rigid_body_modes(space, axisymmetric=device.axisymmetric)
             if method == "iterative" else None)
    with LinearSolver("elasticity", residual, u, bcs, method, near_nullspace=modes) as problem:
        problem.solve()
    z_n, a_n = shape.neck_z_m, shape.neck_radius_m
    points = np.zeros((4, 3))
    points[:, axial] = [z_n - 0.5 * zone_m, z_n + 0.5 * zone_m, z_n, z_n]
    points[2:, 0] = [0.4 * a_n, 0.6 * a_n]
    values = PointProbe(device.mesh, points)(u) / UNIT_DISPLACEMENT_M
    u_r = values[2:, 0]
    return NeckStrain(rr=float((u_r[1] - u_r[0]) / (0.2 * a_n)),
                      tt=float(0.5 * (u_r[0] / (0.4 * a_n) + u_r[1] / (0.6 * a_n))),
                      zz=float((values[1, axial] - values[0, axial]) / zone_m))


def _blended_elastic_moduli(device: DeviceMesh, cfg: CaseConfig, xi: fem.Function):
    """Young's modulus [Pa] and Poisson ratio of the regions, the filament metal blended in
    by xi (xi vanishes outside the switching layer)."""
    host = host_materials(device, cfg)
    metal = case_filament(cfg.materials)
    E = region_constant(device, {r: m.youngs_modulus_Pa.value for r, m in host.items()}, "E")
    nu = region_constant(device, {r: m.poisson_ratio.value for r, m in host.items()}, "nu")
    return (E + (metal.youngs_modulus_Pa.value - E) * xi,
            nu + (metal.poisson_ratio.value - nu) * xi)
