"""Quantum contact as a lumped series element: a potential jump across the neck plane.

The neck of a filament is an atomic contact of conductance G [S] (Landauer, computed elsewhere),
not a thin FE layer: R_cell = R_body + 1/G, with R_body the FE resistance of filament and
electrodes (DESIGN.md sec. 6). The neck plane z = z_n cuts the mesh (unfitted, CutFEM-like): a
DG0 indicator chi is 1 in the cells whose centroid lies above it (upper bank) and 0 below (lower
bank), and the cut Gamma is the set of interior facets where chi jumps. Two continuous potentials
phi_lo, phi_hi [V] on the whole mesh carry the current below and above Gamma; each is
continued into its inactive bank by a regularisation eps * sigma that keeps the matrix
nonsingular without carrying current. For test functions v_lo, v_hi (W = 2 pi r axisymmetric,
1 in 3-D; [phi] = phi_hi - phi_lo):

    int_Omega W sigma ((1 - chi) grad phi_lo . grad v_lo + chi grad phi_hi . grad v_hi) dx
  + eps int_Omega W sigma (chi grad phi_lo . grad v_lo + (1 - chi) grad phi_hi . grad v_hi) dx
  + int_Gamma W g [phi] [v] dS = 0,

    g(x) = g_c w(x) + g_leak (1 - w(x))                  [S/m^2]
    w(x) = 1 if r(x) < a_c else 0                        (the contact disc of radius a_c;
                                                          optionally a linear edge, below)
    g_c  = G / int_Gamma W w dS                          (the disc conducts G in total)
    g_leak = gamma avg(sigma_leak) / avg(h)              (electrolyte stays continuous)

with r the distance from the axis (in 3-D from the disc's centre, that of the neck's own
section, which a filament off the cell's axis moves off it). A neck on an electrode face (the filament touching the
electrode) has no interior plane to cut: the same interface term then lies on that face Gamma_f
(exterior facets), between the bank's field and the other field, which is held at the
electrode's potential there (g_leak = gamma sigma_leak / h). The interface term dissipates g [phi]^2 per unit area, so at a
unit contact voltage the power P [W] of the fields gives R_cell = 1/P (variational estimate).
``sigma_leak`` is the conductivity across Gamma outside the disc; it must be that of the poorly
conducting host (electrolyte), not a field including the filament: the diffuse phase-field tail
of the metal just outside a_c would otherwise form a penalty short of ~sigma_metal/h in parallel
with G.
"""

from __future__ import annotations

from dataclasses import dataclass

import ufl

from apcfem.mesh import DeviceMesh


@dataclass(frozen=True, kw_only=True)
class LumpedContactConduction:
    """Two-field current continuity with a lumped contact across an unfitted plane.

    Attributes:
        sigma: electrical conductivity [S/m] (UFL expression).
        indicator: chi, 1 in the upper bank, 0 in the lower bank (DG0 function).
        contact_conductance: g_c, conductance per unit area of the contact disc [S/m^2]
            (G divided by :meth:`contact_area`).
        contact_radius: a_c, radius of the contact disc around the axis [m].
        contact_centre: 3-D only: (x, y) of the disc's centre [m] (a UFL vector, e.g. a
            ``fem.Constant`` of shape (2,)); None: on the axis x = y = 0.
        leak_sigma: sigma_leak, conductivity carried across the cut outside the disc [S/m]
            (default: ``sigma``; pass the host/electrolyte conductivity when ``sigma`` contains a
            diffuse filament).
        leak_penalty: gamma, penalty factor of the leak conductance [dimensionless].
        regularisation: eps, conductivity factor of each field in its inactive bank
            [dimensionless].
        quadrature_degree: degree of the one quadrature rule of every integral over the cut
            (2p + 1 for Lagrange degree p integrates W g [phi] [v] exactly). The disc w is a step
            function, seen only at the quadrature points: one rule for the bilinear form, the
            contact area and the powers makes the disc of the normalisation of g_c the disc
            the form integrates over, so the contact conducts G exactly.
        disc_edge: delta, width of a linear edge of the disc [m]: w = (a_c - r) / delta + 1/2
            clipped to [0, 1]; 0 (default): the step. A disc only a few quadrature points
            wide changes by whole points as a_c moves, and the cut cell's resistance with it
            (a neck of 0.33 nm on 0.15 nm cells: R_cell jumped by 20 % as a_c crossed one
            point); with an edge of about the cell size it varies continuously with a_c.
        cut_subdomain_id: subdomain id of the interior-facet integrals. The default,
            "everywhere", integrates over all interior facets (|[chi]| picks the cut); a solver
            may instead give the cut facets as the integration entities of an id, so that the
            sparsity of the two-field matrix couples phi_lo and phi_hi only across the cut.
        face_subdomain_id: subdomain id of the exterior-facet integrals of a contact on an
            electrode face (the solver gives that face's facets as its entities, or none); None:
            no face term.
    """

    sigma: ufl.core.expr.Expr
    indicator: ufl.core.expr.Expr
    contact_conductance: ufl.core.expr.Expr
    contact_radius: ufl.core.expr.Expr
    leak_sigma: ufl.core.expr.Expr | float | None = None
    leak_penalty: float = 10.0
    regularisation: float = 1e-12
    quadrature_degree: int = 3
    disc_edge: float = 0.0
    contact_centre: ufl.core.expr.Expr | None = None
    cut_subdomain_id: int | str = "everywhere"
    face_subdomain_id: int | None = None

    def residual(self, phi_lo, phi_hi, v_lo, v_hi, m: DeviceMesh) -> ufl.Form:
        """Weak residual (bilinear in (phi, v) when phi_lo, phi_hi are trial functions)."""
        chi, eps = self.indicator, self.regularisation
        w = m.weight()
        form = (w * self.sigma * (1 - chi) * ufl.inner(ufl.grad(phi_lo), ufl.grad(v_lo)) * m.dx()
                + w * self.sigma * chi * ufl.inner(ufl.grad(phi_hi), ufl.grad(v_hi)) * m.dx())
        form += (eps * w * self.sigma * chi * ufl.inner(ufl.grad(phi_lo), ufl.grad(v_lo)) * m.dx()
                 + eps * w * self.sigma * (1 - chi)
                 * ufl.inner(ufl.grad(phi_hi), ufl.grad(v_hi)) * m.dx())
        return form + self._on_interface(
            lambda side: self.interface_conductance(m, side) * _jump(phi_lo, phi_hi, side)
            * _jump(v_lo, v_hi, side), m)

    def contact_weight(self, m: DeviceMesh) -> ufl.core.expr.Expr:
        """w(x): 1 inside the contact disc r < a_c, 0 outside, linear across the edge of width
        ``disc_edge`` centred on r = a_c if that is > 0 [dimensionless]; r from the axis, in 3-D
        from ``contact_centre``."""
        x = ufl.SpatialCoordinate(m.mesh)
        if m.axisymmetric:
            r = x[0]
        else:
            centre = (0.0, 0.0) if self.contact_centre is None else self.contact_centre
            r = ufl.sqrt((x[0] - centre[0]) ** 2 + (x[1] - centre[1]) ** 2)
        if self.disc_edge <= 0.0:
            return ufl.conditional(ufl.lt(r, self.contact_radius), 1.0, 0.0)
        ramp = (self.contact_radius - r) / self.disc_edge + 0.5
        return ufl.max_value(0.0, ufl.min_value(1.0, ramp))

    def leak_conductance(self, m: DeviceMesh, side: str | None = "+") -> ufl.core.expr.Expr:
        """g_leak = gamma sigma_leak / h [S/m^2]: facet averages on the cut (``side`` "+"), the
        cell's values on an electrode face (``side`` None)."""
        sigma = ufl.as_ufl(self.sigma if self.leak_sigma is None else self.leak_sigma)
        h = ufl.CellDiameter(m.mesh)
        if side is None:
            return self.leak_penalty * sigma / h
        return self.leak_penalty * ufl.avg(sigma) / ufl.avg(h)

    def interface_conductance(self, m: DeviceMesh, side: str | None = "+") -> ufl.core.expr.Expr:
        """g = g_c w + g_leak (1 - w) on the cut or the face [S/m^2]."""
        w = self.contact_weight(m)
        return self.contact_conductance * w + self.leak_conductance(m, side) * (1 - w)

    def contact_area(self, m: DeviceMesh) -> ufl.Form:
        """int_Gamma W w dS [m^2]: the weighted cut area inside the disc (normalises g_c)."""
        return self._on_interface(lambda side: self.contact_weight(m), m)

    def contact_jump(self, phi_lo, phi_hi, m: DeviceMesh) -> ufl.Form:
        """int_Gamma W w [phi] dS [V m^2]; divided by :meth:`contact_area`, the mean jump."""
        return self._on_interface(
            lambda side: self.contact_weight(m) * _jump(phi_lo, phi_hi, side), m)

    def lower_bank_power(self, phi_lo, m: DeviceMesh) -> ufl.Form:
        """Joule power of the lower bank int W sigma (1 - chi) |grad phi_lo|^2 dx [W]."""
        return (m.weight() * self.sigma * (1 - self.indicator)
                * ufl.inner(ufl.grad(phi_lo), ufl.grad(phi_lo)) * m.dx())

    def upper_bank_power(self, phi_hi, m: DeviceMesh) -> ufl.Form:
        """Joule power of the upper bank int W sigma chi |grad phi_hi|^2 dx [W]."""
        return (m.weight() * self.sigma * self.indicator
                * ufl.inner(ufl.grad(phi_hi), ufl.grad(phi_hi)) * m.dx())

    def contact_power(self, phi_lo, phi_hi, m: DeviceMesh) -> ufl.Form:
        """Power dissipated by the contact int_Gamma W g_c w [phi]^2 dS [W] (I^2/G)."""
        return self._on_interface(
            lambda side: self.contact_conductance * self.contact_weight(m)
            * _jump(phi_lo, phi_hi, side) ** 2, m)

    def leak_power(self, phi_lo, phi_hi, m: DeviceMesh) -> ufl.Form:
        """Power of the leak outside the disc int_Gamma W g_leak (1 - w) [phi]^2 dS [W]."""
        return self._on_interface(
            lambda side: self.leak_conductance(m, side) * (1 - self.contact_weight(m))
            * _jump(phi_lo, phi_hi, side) ** 2, m)

    def dissipated_power(self, phi_lo, phi_hi, m: DeviceMesh) -> ufl.Form:
        """Total power [W] (banks, contact and leak, without the regularisation); for the
        contact pair at voltage V, R_cell = V^2/P."""
        return (self.lower_bank_power(phi_lo, m) + self.upper_bank_power(phi_hi, m)
                + self.contact_power(phi_lo, phi_hi, m) + self.leak_power(phi_lo, phi_hi, m))

    def _on_interface(self, integrand, m: DeviceMesh) -> ufl.Form:
        """int W f over the cut (interior facets, f of side "+") and, if there is one, the
        contact face (exterior facets, f of side None); ``integrand(side)`` gives f."""
        metadata = {"quadrature_degree": self.quadrature_degree}
        dS = ufl.Measure("dS", domain=m.mesh, subdomain_id=self.cut_subdomain_id,
                         metadata=metadata)
        form = m.weight() * integrand("+") * self._cut() * dS
        if self.face_subdomain_id is not None:
            ds = ufl.Measure("ds", domain=m.mesh, subdomain_id=self.face_subdomain_id,
                             metadata=metadata)
            form += m.weight() * integrand(None) * ds
        return form

    def _cut(self) -> ufl.core.expr.Expr:
        """|[chi]|: 1 on the facets of the cut, 0 on all other interior facets."""
        return abs(self.indicator("+") - self.indicator("-"))


def _jump(lo, hi, side: str | None = "+") -> ufl.core.expr.Expr:
    """[u] = u_hi - u_lo on a cut facet (both fields are continuous; ``side`` "+") or on an
    electrode face (``side`` None)."""
    if side is None:
        return hi - lo
    return hi(side) - lo(side)
