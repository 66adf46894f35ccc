"""Prescribed filament shapes: a radius profile a(z) drawn as a diffuse phase field xi.

xi = 1 in the filament metal and 0 in the electrolyte, with a tanh interface of half-width w:
xi(r, z) = (1 - tanh((r - a(z)) / w)) / 2 inside the switching layer, 0 outside it. This is the
field the neck extraction reads, the same way it will read an evolved phase field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apcfem.config.schema import FilamentConfig, GeometryConfig

NM = 1e-9


@dataclass(frozen=True, kw_only=True)
class PrescribedFilament:
    """Axisymmetric filament a(z) = a_n + (a_b - a_n) (|z - z_n| / L)^p in a layer [m].

    Attributes:
        neck_radius_m: a_n, the radius at the neck.
        base_radius_m: a_b, reached at the farther electrode (distance L from the neck).
        neck_z_m: z_n, height of the neck.
        layer_bottom_m: bottom of the switching layer.
        layer_top_m: top of the switching layer.
        exponent: p = 2 for an hourglass, 1 for a double cone.
        gap_m: g, length of a break centred on the neck (0: connected).
        aspect_ratio: q >= 1, elliptical section in 3-D: semi-axes a sqrt(q) (x), a/sqrt(q) (y).
        interface_width_m: w, tanh half-width of the phase-field interface.
    """

    neck_radius_m: float
    base_radius_m: float
    neck_z_m: float
    layer_bottom_m: float
    layer_top_m: float
    exponent: float = 2.0
    gap_m: float = 0.0
    aspect_ratio: float = 1.0
    interface_width_m: float = 0.05 * NM

    @classmethod
    def from_config(cls, filament: FilamentConfig, geometry: GeometryConfig,
                    neck_radius_nm: float | None = None) -> PrescribedFilament:
        """Shape of a case, optionally with another neck radius (for sweeps)."""
        bottom = geometry.bottom_electrode_thickness_nm
        top = bottom + geometry.switching_layer_thickness_nm
        radius = filament.neck_radius_nm if neck_radius_nm is None else neck_radius_nm
        return cls(neck_radius_m=radius * NM, base_radius_m=filament.base_radius_nm * NM,
                   neck_z_m=(bottom + filament.neck_position * (top - bottom)) * NM,
                   layer_bottom_m=bottom * NM, layer_top_m=top * NM,
                   exponent={"hourglass": 2.0, "cone": 1.0}[filament.shape],
                   gap_m=filament.gap_nm * NM, aspect_ratio=filament.aspect_ratio,
                   interface_width_m=filament.interface_width_nm * NM)

    def radius(self, z: np.ndarray) -> np.ndarray:
        """a(z) [m] for heights z [m] (meaningful inside the layer; 0 inside the gap)."""
        half_length = max(self.neck_z_m - self.layer_bottom_m, self.layer_top_m - self.neck_z_m)
        distance = np.abs(np.asarray(z) - self.neck_z_m) - 0.5 * self.gap_m
        s = np.maximum(distance, 0.0) / (half_length - 0.5 * self.gap_m)
        a = self.neck_radius_m + (self.base_radius_m - self.neck_radius_m) * s**self.exponent
        return np.where(distance < 0.0, 0.0, a)

    def curvature_per_m(self) -> float:
        """a''(z_n) [1/m]: finite only for the hourglass (p = 2)."""
        if self.exponent != 2.0:
            return np.inf
        half_length = max(self.neck_z_m - self.layer_bottom_m, self.layer_top_m - self.neck_z_m)
        return 2.0 * (self.base_radius_m - self.neck_radius_m) / half_length**2

    def phase_field(self, x: np.ndarray, axisymmetric: bool) -> np.ndarray:
        """xi at points x of shape (3, N) [m], as DOLFINx interpolation expects."""
        if axisymmetric:
            r, z = x[0], x[1]
        else:
            # elliptical radius: equals the radius on a circle, a(z) on the ellipse boundary
            q = np.sqrt(self.aspect_ratio)
            r, z = np.hypot(x[0] / q, x[1] * q), x[2]
        w = self.interface_width_m
        xi = 0.5 * (1.0 - np.tanh((r - self.radius(z)) / w))
        if self.gap_m > 0:  # the tips end with the same diffuse interface
            xi *= 0.5 * (1.0 + np.tanh((np.abs(z - self.neck_z_m) - 0.5 * self.gap_m) / w))
        # tolerance: interface nodes must count as inside despite rounding of nm -> m scaling
        tol = 1e-6 * (self.layer_top_m - self.layer_bottom_m)
        inside = (z >= self.layer_bottom_m - tol) & (z <= self.layer_top_m + tol)
        return np.where(inside, xi, 0.0)


@dataclass(frozen=True)
class Section:
    """Placement and shape of an initial filament's section in 3-D (seeded variability): its
    axis at ``offset_m`` (x, y) [m] from the cell's, its section an ellipse of aspect ratio
    ``aspect_ratio`` >= 1 (semi-axes a sqrt(q) and a / sqrt(q): the area of the disc of radius
    a), the long axis at ``angle_rad`` from x."""

    offset_m: tuple[float, float] = (0.0, 0.0)
    aspect_ratio: float = 1.0
    angle_rad: float = 0.0

    def radial(self, x: np.ndarray) -> np.ndarray:
        """Elliptic radius [m] of 3-D points x: the a of the ellipse through each point."""
        dx, dy = x[0] - self.offset_m[0], x[1] - self.offset_m[1]
        c, s, q = np.cos(self.angle_rad), np.sin(self.angle_rad), np.sqrt(self.aspect_ratio)
        return np.hypot((c * dx + s * dy) / q, (c * dy - s * dx) * q)


ON_AXIS = Section()
"""A filament centred on the cell's axis with a circular section."""
