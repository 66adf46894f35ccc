"""Edge-averaged (Scharfetter-Gummel) fluxes of a lattice-gas species on P1 simplices.

The drift-diffusion flux of a species on a lattice of c_s sites (see
:mod:`apcfem.physics.nernst_planck`),

    N = -D [grad c + c (1 - c/c_s) b],   b = z h grad(phi) / V_T + S_T grad T,

is discretised edge by edge, as in the edge-averaged finite element scheme of Xu & Zikatanov
(Math. Comp. 68, 1429 (1999)): on the edge E = (i, j) of a cell K the flux is the exact
one-dimensional flux of Scharfetter & Gummel (IEEE TED 16, 64 (1969)),

    F_ij = omega_ij D_E [B(t) c_i - B(-t) c_j],   t = (1 - theta)_E b.(x_j - x_i),

with B(x) = x / (e^x - 1) the Bernoulli function, omega_ij = -int_K W grad(l_i).grad(l_j) the
cotangent weight of the edge (W = 2 pi r if axisymmetric; l the barycentric coordinates),
D_E = sqrt(D_i D_j) the geometric mean of the nodal Arrhenius diffusivities and
(1 - theta)_E the mean vacant fraction of the edge. The hopping factor h of the Mott-Gurney
drift is that of the cell's field (given per cell by the caller). Summed over the edges of a cell, F is the term
-int N.grad(v) of a Galerkin residual: at zero drift exactly the P1 stiffness matrix.

Why: the flux is linear in the nodal c with the signs of an M-matrix (for omega >= 0, i.e.
Delaunay cells), for any drift across a cell. A node that drift has emptied to 1e-20 of its
neighbours keeps a positive diagonal and its outflow vanishes with its own c, whereas a
quadrature of c(w) grad(w) across a cell whose log-density jumps by ~50 has no sign (the
Jacobian's diagonal of such a node turned negative and Newton stagnated). An equilibrium
c ~ exp(-z phi / V_T) along an edge is reproduced exactly (dilute limit, theta << 1).

Only P1 (one dof per vertex) is supported. Arrays are over the process's owned cells; their
vertices' dofs are local indices (owned and ghost), so contributions to ghost dofs must be
summed into their owners (a reverse scatter with ADD; matrix entries are added through the
local-to-global map).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np
from dolfinx import fem

from apcfem.materials.laws import BOLTZMANN_J_PER_K, ELEMENTARY_CHARGE_C
from apcfem.mesh import DeviceMesh
from apcfem.physics.nernst_planck import Species

_SERIES_BELOW = 1e-4
"""|x| below which B and B' are their Taylor polynomials (error < x^4 / 720)."""


def bernoulli(x: np.ndarray) -> np.ndarray:
    """B(x) = x / (e^x - 1) [-] (B(0) = 1; B(-x) = B(x) + x), finite for any real x."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < _SERIES_BELOW
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = x / np.expm1(np.where(small, 1.0, x))
    return np.where(small, 1.0 - x / 2.0 + x * x / 12.0, np.nan_to_num(value, nan=0.0))


def bernoulli_derivative(x: np.ndarray) -> np.ndarray:
    """B'(x) = B(x) (1 - B(x) - x) / x [-] (B'(0) = -1/2), finite for any real x."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < _SERIES_BELOW
    safe = np.where(small, 1.0, x)
    b = bernoulli(safe)
    return np.where(small, -0.5 + x / 6.0, b * (1.0 - b - safe) / safe)


@dataclass(frozen=True)
class EdgeMesh:
    """The edges of the owned P1 cells with their cotangent weights.

    Attributes:
        cell_dofs: local dofs of each owned cell's vertices, shape (cells, d+1).
        edge_vertices: the local vertex pairs (a, b), a < b, of a simplex's edges, shape
            (edges, 2).
        weights: omega = -int_K W grad(l_a).grad(l_b) of each cell's edges [m^(d-2)], shape
            (cells, edges).
        basis_gradients: grad(l_a) of each cell [1/m], shape (cells, d+1, d).
    """

    cell_dofs: np.ndarray
    edge_vertices: np.ndarray
    weights: np.ndarray
    basis_gradients: np.ndarray

    @classmethod
    def of(cls, space: fem.FunctionSpace, device: DeviceMesh) -> EdgeMesh:
        """The edge mesh of a P1 space on the device's mesh (its owned cells)."""
        mesh = space.mesh
        tdim = mesh.topology.dim
        if space.element.basix_element.degree != 1 or space.dofmap.bs != 1:
            raise ValueError("Scharfetter-Gummel fluxes need a scalar P1 space; set "
                             "physics.element_degree = 1")
        cells = mesh.topology.index_map(tdim).size_local
        dofs = np.asarray(space.dofmap.list[:cells], dtype=np.int32)
        x = space.tabulate_dof_coordinates()[:, :tdim][dofs]          # (cells, d+1, d)
        spans = x[:, 1:, :] - x[:, :1, :]                                 # (cells, d, d)
        inverse = np.linalg.inv(spans)                                    # rows: grad l_1..l_d
        gradients = np.concatenate([-inverse.sum(axis=2, keepdims=True), inverse],
                                   axis=2).transpose(0, 2, 1)             # (cells, d+1, d)
        volume = np.abs(np.linalg.det(spans)) / factorial(tdim)
        if device.axisymmetric:
            volume = volume * 2.0 * np.pi * x[:, :, 0].mean(axis=1)
        pairs = np.array([(a, b) for a in range(tdim + 1) for b in range(a + 1, tdim + 1)],
                         dtype=np.int32)
        dot = np.einsum("cek,cek->ce", gradients[:, pairs[:, 0]], gradients[:, pairs[:, 1]])
        return cls(cell_dofs=dofs, edge_vertices=pairs, weights=-volume[:, None] * dot,
                   basis_gradients=gradients)

    @property
    def ends(self) -> tuple[np.ndarray, np.ndarray]:
        """Local dofs of the two ends (i, j) of every cell's edges, each (cells, edges)."""
        return (self.cell_dofs[:, self.edge_vertices[:, 0]],
                self.cell_dofs[:, self.edge_vertices[:, 1]])


class EdgeTransport:
    """Backward-Euler flux terms dt * sum_E F_E of a lattice-gas species at frozen phi and T.

    ``freeze(phi, T, dt, drift_factor)`` computes the edge coefficients from each owned cell's
    vertex potentials phi [V] (shape (cells, d+1): a potential discontinuous across cell
    faces, e.g. across a contact cut, is taken cell by cell), nodal T [K] (local array, ghosts
    included) and each cell's hopping factor; ``residual(theta)`` and ``jacobian(theta)`` then give the
    contributions of the owned cells at the nodal site occupations theta = c / c_s (the
    unknown: the fluxes are linear in it but for the vacant fraction), in the residual's units
    (amount per step over ``scale``, see :mod:`apcfem.physics.nernst_planck`).

    Args:
        species: a lattice-gas species (``site_concentration_mol_per_m3`` set) with numeric
            transport parameters.
        edges: the edge mesh.
        scale: the residual's unit, 1 / (c_ref RESIDUAL_VOLUME_M3) [1/mol].
    """

    def __init__(self, species: Species, edges: EdgeMesh, scale: float):
        if species.site_concentration_mol_per_m3 is None:
            raise ValueError(f"species {species.name}: edge fluxes are for a lattice gas "
                             "(site_concentration_mol_per_m3)")
        for field in ("diffusivity_prefactor_m2_per_s", "activation_energy_eV",
                      "soret_coefficient_per_K"):
            if not isinstance(getattr(species, field), float | int | fem.Constant):
                raise TypeError(f"species {species.name}: edge fluxes need a number or a "
                                 f"constant for {field}, not an expression")
        self.species = species
        self.edges = edges
        self.scale = scale
        self._coefficient = np.zeros(edges.weights.shape)
        self._drift = np.zeros(edges.weights.shape)

    def freeze(self, phi: np.ndarray, T: np.ndarray, dt: float,
               drift_factor: np.ndarray | float = 1.0) -> None:
        """Edge coefficients dt scale omega D_E and drifts b.(x_j - x_i) [-] at the cells'
        vertex potentials phi [V] (cells, d+1), nodal T [K] and each cell's Mott-Gurney
        factor h [-] (:meth:`~apcfem.physics.nernst_planck.Species.drift_factor` of the cell's
        field; 1 for Einstein drift)."""
        sp, e = self.species, self.edges
        i, j = e.ends
        a, b = e.edge_vertices[:, 0], e.edge_vertices[:, 1]
        vt = BOLTZMANN_J_PER_K / ELEMENTARY_CHARGE_C * T
        log_d = (np.log(float(sp.diffusivity_prefactor_m2_per_s))
                 - float(sp.activation_energy_eV) / vt)
        self._coefficient = dt * self.scale * e.weights * np.exp(0.5 * (log_d[i] + log_d[j]))
        vt_edge = 0.5 * (vt[i] + vt[j])
        h = np.broadcast_to(np.asarray(drift_factor, dtype=float), (len(e.cell_dofs),))
        # the heat of transport's S_T = Q* / (k_B T^2) integrated exactly along the edge
        self._drift = (sp.charge_number * h[:, None] * (phi[:, b] - phi[:, a]) / vt_edge
                       + sp.soret_coefficient_per_K * (T[j] - T[i])
                       + sp.heat_of_transport_eV * (1.0 / vt[i] - 1.0 / vt[j]))

    def _state(self, theta: np.ndarray):
        """Nodal c [mol/m^3] and the edges' t and B(+-t) at the nodal occupations theta."""
        i, j = self.edges.ends
        c = self.species.site_concentration_mol_per_m3 * theta
        t = self._drift * (1.0 - 0.5 * (theta[i] + theta[j]))
        return c, t, bernoulli(t), bernoulli(-t)

    def residual(self, theta: np.ndarray) -> np.ndarray:
        """Outflow terms per local dof at the nodal occupations theta = c / c_s (owned
        cells' contributions, ghosts not summed)."""
        i, j = self.edges.ends
        c, _, b_forward, b_backward = self._state(theta)
        flux = self._coefficient * (b_forward * c[i] - b_backward * c[j])
        out = np.zeros_like(theta)
        np.add.at(out, i, flux)
        np.add.at(out, j, -flux)
        return out

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """d(residual)/d(theta) as dense cell blocks, shape (cells, d+1, d+1), rows and
        columns in the order of ``edges.cell_dofs``."""
        e = self.edges
        i, j = e.ends
        c, t, b_forward, b_backward = self._state(theta)
        sites = self.species.site_concentration_mol_per_m3
        # t depends on both ends through the mean vacant fraction: dt/d(theta_end) = -drift/2
        t_slope = -0.5 * self._drift * (bernoulli_derivative(t) * c[i]
                                        + bernoulli_derivative(-t) * c[j])
        d_i = self._coefficient * (b_forward * sites + t_slope)
        d_j = self._coefficient * (-b_backward * sites + t_slope)
        blocks = np.zeros((len(e.cell_dofs), e.cell_dofs.shape[1], e.cell_dofs.shape[1]))
        cells = np.arange(len(e.cell_dofs))[:, None]
        a, b = e.edge_vertices[:, 0], e.edge_vertices[:, 1]
        np.add.at(blocks, (cells, a, a), d_i)
        np.add.at(blocks, (cells, a, b), d_j)
        np.add.at(blocks, (cells, b, a), -d_i)
        np.add.at(blocks, (cells, b, b), -d_j)
        return blocks
