"""A structured axisymmetric mesh of flat layers (r, z), for thin films on thick substrates.

Gmsh's stacks (:mod:`apcfem.mesh.stack`) refine around the filament axis with near-isotropic
cells; a film tens of nanometres thick on a micrometre-wide substrate needs flat cells
instead. Each layer gets its own number of rows, all layers the same columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from dolfinx.mesh import CellType, create_rectangle, locate_entities, locate_entities_boundary
from dolfinx.mesh import meshtags as make_meshtags
from mpi4py import MPI

from apcfem.mesh.device import DeviceMesh


@dataclass(frozen=True)
class Layer:
    """One flat layer, bottom to top.

    Attributes:
        name: region name.
        thickness_m: thickness [m].
        rows: cell rows across the thickness.
    """

    name: str
    thickness_m: float
    rows: int


BOUNDARIES = {"bottom": 1, "top": 2, "outer": 3, "axis": 4}
"""Boundary names and tags of a layered mesh."""


def layered_axisymmetric_device(comm: MPI.Comm, radius_m: float, layers: Sequence[Layer],
                                columns: int) -> DeviceMesh:
    """Half-plane 0 <= r <= radius, layers stacked from z = 0 upward, triangles.

    Regions are tagged 1, 2, ... bottom to top; boundaries as :data:`BOUNDARIES`.
    """
    rows = sum(layer.rows for layer in layers)
    mesh = create_rectangle(comm, [np.zeros(2), np.array([1.0, float(rows)])],
                            [columns, rows], CellType.triangle)
    tops = np.cumsum([layer.thickness_m for layer in layers])
    row_edges = np.cumsum([0] + [layer.rows for layer in layers])
    heights = np.concatenate([[0.0], tops])
    x = mesh.geometry.x
    x[:, 1] = np.interp(x[:, 1], row_edges, heights)  # row k of layer j is evenly spaced
    x[:, 0] *= radius_m
    tdim = mesh.topology.dim
    cells, tags = [], []
    for tag, (bottom, top) in enumerate(pairwise(heights), start=1):
        found = locate_entities(mesh, tdim, lambda p, b=bottom, t=top: _between(p, b, t))
        cells.append(found)
        tags.append(np.full(found.size, tag, dtype=np.int32))
    cell_tags = _tags(mesh, tdim, cells, tags)
    tol = 1e-9 * min(radius_m, tops[-1])
    sides = {"bottom": lambda p: np.abs(p[1]) < tol, "top": lambda p: np.abs(p[1] - tops[-1]) < tol,
             "outer": lambda p: np.abs(p[0] - radius_m) < tol, "axis": lambda p: np.abs(p[0]) < tol}
    mesh.topology.create_connectivity(tdim - 1, tdim)
    facets = [locate_entities_boundary(mesh, tdim - 1, sides[name]) for name in BOUNDARIES]
    facet_tags = _tags(mesh, tdim - 1, facets,
                       [np.full(f.size, BOUNDARIES[n], dtype=np.int32)
                        for f, n in zip(facets, BOUNDARIES, strict=True)])
    return DeviceMesh(mesh=mesh, cell_tags=cell_tags, facet_tags=facet_tags,
                      regions={layer.name: i for i, layer in enumerate(layers, start=1)},
                      boundaries=dict(BOUNDARIES), axisymmetric=True)


def _between(points: np.ndarray, bottom: float, top: float) -> np.ndarray:
    """Points with bottom <= z <= top; a cell all of whose vertices are lies in the layer."""
    scale = 1e-9 * (top - bottom)
    return (points[1] >= bottom - scale) & (points[1] <= top + scale)


def _tags(mesh, dim: int, entities: list[np.ndarray], values: list[np.ndarray]):
    """Mesh tags of entities of one dimension, sorted and unique (corners keep their first)."""
    index = np.concatenate(entities).astype(np.int32)
    value = np.concatenate(values)
    index, first = np.unique(index, return_index=True)
    return make_meshtags(mesh, dim, index, value[first])
