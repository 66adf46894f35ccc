"""The switching layer of a device stack as a mesh of its own (the ECM model's domain)."""

from __future__ import annotations

import numpy as np
from dolfinx.mesh import create_submesh, locate_entities_boundary, meshtags

from apcfem.config.schema import GeometryConfig
from apcfem.mesh.device import NM, DeviceMesh

LAYER_BOUNDARIES = ("cathode", "anode", "outer", "axis")
"""Boundary names of the layer mesh: inert bottom electrode, active top electrode, the outer
radius and (2-D axisymmetric) the axis."""


def switching_layer_device(stack: DeviceMesh, geometry: GeometryConfig) -> DeviceMesh:
    """The switching layer of a device stack as a mesh of its own, boundaries named
    ``cathode`` (bottom), ``anode`` (top), ``outer`` and (2-D) ``axis``."""
    tdim = stack.mesh.topology.dim
    names = [n for n in ("switching_layer", "filament_seed") if stack.has_region(n)]
    cells = np.sort(stack.cells(*names))
    # owned and ghost cells: the stack's shared-facet ghosts carry over, so interior-facet
    # integrals (the contact cut) see both sides of every facet on every rank
    layer, *_ = create_submesh(stack.mesh, tdim, cells.astype(np.int32))
    layer.topology.create_connectivity(tdim - 1, tdim)
    z0 = geometry.bottom_electrode_thickness_nm * NM
    z1 = z0 + geometry.switching_layer_thickness_nm * NM
    tol = 1e-6 * (z1 - z0)
    axial = stack.axial_index
    radius = geometry.cell_radius_nm * NM

    def radial(x):
        return x[0] if stack.axisymmetric else np.hypot(x[0], x[1])

    markers = {"cathode": lambda x: np.abs(x[axial] - z0) < tol,
               "anode": lambda x: np.abs(x[axial] - z1) < tol,
               "outer": lambda x: np.abs(radial(x) - radius) < 1e-3 * radius,
               "axis": lambda x: np.abs(x[0]) < tol}
    names = LAYER_BOUNDARIES if stack.axisymmetric else LAYER_BOUNDARIES[:3]
    facets, values = [], []
    for tag, name in enumerate(names, start=1):
        found = locate_entities_boundary(layer, tdim - 1, markers[name])
        facets.append(found)
        values.append(np.full(found.size, tag, dtype=np.int32))
    facets_all = np.concatenate(facets)
    order = np.argsort(facets_all)
    # corner facets belong to one group only: keep the first (cathode/anode before outer/axis)
    unique, first = np.unique(facets_all[order], return_index=True)
    n_cells = layer.topology.index_map(tdim).size_local + layer.topology.index_map(
        tdim).num_ghosts
    all_cells = np.arange(n_cells, dtype=np.int32)
    return DeviceMesh(
        mesh=layer, cell_tags=meshtags(layer, tdim, all_cells, np.ones_like(all_cells)),
        facet_tags=meshtags(layer, tdim - 1, unique.astype(np.int32),
                            np.concatenate(values)[order][first]),
        regions={"switching_layer": 1},
        boundaries={name: tag for tag, name in enumerate(names, start=1)},
        axisymmetric=stack.axisymmetric, quadrature_degree=stack.quadrature_degree)
