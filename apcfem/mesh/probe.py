"""Evaluate finite-element functions at fixed points, the same on every rank."""

from __future__ import annotations

import numpy as np
from dolfinx import fem, geometry
from dolfinx.mesh import Mesh
from mpi4py import MPI


class PointProbe:
    """Point evaluation at a fixed point set, reduced over MPI.

    Each point is evaluated by the lowest rank that owns a cell containing it, so the result
    does not depend on the partition. The containing cell is found from barycentric
    coordinates (affine simplex cells), which are scale-free: DOLFINx's own collision test uses
    an absolute distance tolerance that is larger than nanometre cells measured in metres.
    Cell search runs once, in the constructor (collective).

    Args:
        mesh: the mesh (affine simplices: triangles or tetrahedra).
        points: (N, 3) coordinates [m].
        tolerance: accepted negative barycentric coordinate (points on facets belong to both).
    """

    def __init__(self, mesh: Mesh, points: np.ndarray, tolerance: float = 1e-9):
        comm = mesh.comm
        self._comm = comm
        self.points = np.ascontiguousarray(points, dtype=mesh.geometry.x.dtype)
        tdim = mesh.topology.dim
        owned = np.arange(mesh.topology.index_map(tdim).size_local, dtype=np.int32)
        tree = geometry.bb_tree(mesh, tdim, entities=owned)
        candidates = geometry.compute_collisions_points(tree, self.points)
        cell, score = _best_containing_cell(mesh, self.points, candidates)
        found = score >= -tolerance
        claim = np.where(found, comm.rank, comm.size).astype(np.int32)
        owner = np.empty_like(claim)
        comm.Allreduce(claim, owner, op=MPI.MIN)
        self.missing = owner == comm.size
        self._mine = np.flatnonzero(owner == comm.rank)
        self._cells = cell[self._mine]

    def __call__(self, function: fem.Function) -> np.ndarray:
        """Values at the points, shape (N,) or (N, value_size); NaN outside the mesh."""
        size = int(np.prod(function.function_space.value_shape)) or 1
        local = np.zeros((len(self.points), size))
        if len(self._mine):
            local[self._mine] = function.eval(self.points[self._mine], self._cells).reshape(
                len(self._mine), size)
        values = np.empty_like(local)
        self._comm.Allreduce(local, values, op=MPI.SUM)
        values[self.missing] = np.nan
        return values[:, 0] if size == 1 else values


def _best_containing_cell(mesh: Mesh, points: np.ndarray, candidates) -> tuple:
    """Per point, the candidate cell with the largest minimal barycentric coordinate.

    Returns (cell, score): score >= 0 inside the cell, -inf where there is no candidate.
    """
    n_points = len(points)
    counts = np.diff(candidates.offsets)
    cells = candidates.array
    point_of = np.repeat(np.arange(n_points), counts)
    tdim, gdim = mesh.topology.dim, mesh.geometry.dim
    nodes = mesh.geometry.dofmaps[0][cells][:, : tdim + 1]
    x = mesh.geometry.x[:, :gdim]
    origin = x[nodes[:, 0]]
    edges = x[nodes[:, 1:]] - origin[:, None, :]          # (links, tdim, gdim)
    local = np.linalg.solve(np.swapaxes(edges, 1, 2),
                            (points[point_of, :gdim] - origin)[..., None])[..., 0]
    score = np.minimum(1.0 - local.sum(axis=1), local.min(axis=1))
    best_score = np.full(n_points, -np.inf)
    best_cell = np.full(n_points, -1, dtype=np.int32)
    if len(cells) == 0:
        return best_cell, best_score
    order = np.lexsort((score, point_of))                 # per point, best candidate last
    sorted_points = point_of[order]
    last = order[np.append(sorted_points[1:] != sorted_points[:-1], True)]
    best_score[point_of[last]] = score[last]
    best_cell[point_of[last]] = cells[last]
    return best_cell, best_score
