"""Evaluate finite-element functions at fixed points, the same on every rank."""

from __future__ import annotations

import numpy as np
from dolfinx import fem, geometry
from dolfinx.mesh import Mesh
from mpi4py import MPI


class PointProbe:
    """Point evaluation at a fixed point set, reduced over MPI.

    Each point is evaluated by the lowest rank that owns a cell containing it, so the result
    does not depend on the partition. Cell search runs once, in the constructor (collective).

    Args:
        mesh: the mesh.
        points: (N, 3) coordinates [m].
    """

    def __init__(self, mesh: Mesh, points: np.ndarray):
        comm = mesh.comm
        self._comm = comm
        self.points = np.ascontiguousarray(points, dtype=mesh.geometry.x.dtype)
        tdim = mesh.topology.dim
        owned = np.arange(mesh.topology.index_map(tdim).size_local, dtype=np.int32)
        tree = geometry.bb_tree(mesh, tdim, entities=owned)
        candidates = geometry.compute_collisions_points(tree, self.points)
        colliding = geometry.compute_colliding_cells(mesh, candidates, self.points)
        counts = np.diff(colliding.offsets)
        found = counts > 0
        first_cell = np.full(len(self.points), -1, dtype=np.int32)
        first_cell[found] = colliding.array[colliding.offsets[:-1][found]]
        claim = np.where(found, comm.rank, comm.size).astype(np.int32)
        owner = np.empty_like(claim)
        comm.Allreduce(claim, owner, op=MPI.MIN)
        self.missing = owner == comm.size
        self._mine = np.flatnonzero(owner == comm.rank)
        self._cells = first_cell[self._mine]

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
