"""DeviceMesh: a DOLFINx mesh of the device with regions and boundaries by name.

Coordinates are in metres. In the axisymmetric case x[0] = r and x[1] = z, and every volume
integral carries the weight 2*pi*r (see :meth:`DeviceMesh.weight`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import reduce

import dolfinx.cpp
import gmsh
import numpy as np
import ufl
from dolfinx.io import gmsh as dolfinx_gmsh
from dolfinx.mesh import GhostMode, Mesh, MeshTags, exterior_facet_indices, meshtags
from mpi4py import MPI

from apcfem.config.schema import GeometryConfig, MeshConfig
from apcfem.mesh.stack import build_stack_model

log = logging.getLogger(__name__)

NM = 1e-9  # metres per nanometre: gmsh draws in nm, DOLFINx works in m


@dataclass(frozen=True)
class DeviceMesh:
    """Mesh, tags and the name -> tag maps of a device.

    Attributes:
        mesh: the DOLFINx mesh [m].
        cell_tags: region tags of the cells.
        facet_tags: boundary/interface tags of the facets.
        regions: region name -> cell tag.
        boundaries: boundary name -> facet tag.
        axisymmetric: True for an (r, z) half-plane mesh.
    """

    mesh: Mesh
    cell_tags: MeshTags
    facet_tags: MeshTags
    regions: dict[str, int]
    boundaries: dict[str, int]
    axisymmetric: bool

    @property
    def comm(self) -> MPI.Comm:
        return self.mesh.comm

    @property
    def axial_index(self) -> int:
        """Index of the transport axis z in the coordinates."""
        return 1 if self.axisymmetric else 2

    def weight(self) -> ufl.core.expr.Expr:
        """Volume weight: 2*pi*r for axisymmetric meshes, 1 in 3-D."""
        if not self.axisymmetric:
            return ufl.as_ufl(1.0)
        return 2.0 * np.pi * ufl.SpatialCoordinate(self.mesh)[0]

    def dx(self, *names: str) -> ufl.Measure:
        """Cell measure over the named regions (all cells if no name is given)."""
        measure = ufl.Measure("dx", domain=self.mesh, subdomain_data=self.cell_tags)
        if not names:
            return measure
        return reduce(lambda a, b: a + b, (measure(self._tag(self.regions, n)) for n in names))

    def ds(self, *names: str) -> ufl.Measure:
        """Exterior facet measure over the named boundaries."""
        measure = ufl.Measure("ds", domain=self.mesh, subdomain_data=self.facet_tags)
        return reduce(lambda a, b: a + b, (measure(self._tag(self.boundaries, n)) for n in names))

    def facets(self, name: str) -> np.ndarray:
        """Local indices of the facets of a named boundary."""
        return self.facet_tags.find(self._tag(self.boundaries, name))

    def cells(self, *names: str) -> np.ndarray:
        """Local indices of the cells of the named regions."""
        return np.concatenate([self.cell_tags.find(self._tag(self.regions, n)) for n in names])

    def has_region(self, name: str) -> bool:
        return name in self.regions

    @staticmethod
    def _tag(table: dict[str, int], name: str) -> int:
        if name not in table:
            raise KeyError(f"no group '{name}' in the mesh (has: {', '.join(sorted(table))})")
        return table[name]


def build_device_mesh(geometry: GeometryConfig, sizes: MeshConfig,
                      comm: MPI.Comm = MPI.COMM_WORLD) -> DeviceMesh:
    """Build the stack with gmsh on rank 0 and distribute it over ``comm``."""
    gdim = 2 if geometry.kind == "axisymmetric" else 3
    if comm.rank == 0:
        _start_gmsh()
        build_stack_model(geometry, sizes)
    device = _from_gmsh_model(comm, gdim)
    if comm.rank == 0:
        gmsh.finalize()
    return device


def read_device_msh(path: str, comm: MPI.Comm = MPI.COMM_WORLD) -> DeviceMesh:
    """Read a gmsh ``.msh`` device mesh drawn in nm (e.g. the references in ``meshes/``)."""
    if comm.rank == 0:
        _start_gmsh()
        gmsh.open(str(path))
        gdim = 3 if gmsh.model.getDimension() == 3 else 2
    else:
        gdim = None
    gdim = comm.bcast(gdim, root=0)
    device = _from_gmsh_model(comm, gdim)
    if comm.rank == 0:
        gmsh.finalize()
    return device


def _start_gmsh() -> None:
    if gmsh.isInitialized():
        gmsh.finalize()
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("General.NumThreads", 1)


def _from_gmsh_model(comm: MPI.Comm, gdim: int) -> DeviceMesh:
    # shared-facet ghosts: interface (dS) integrals work across partition boundaries
    partitioner = (dolfinx.cpp.mesh.create_cell_partitioner(GhostMode.shared_facet, 2)
                   if comm.size > 1 else None)
    data = dolfinx_gmsh.model_to_mesh(gmsh.model, comm, rank=0, gdim=gdim,
                                      partitioner=partitioner)
    data.mesh.geometry.x[:] *= NM
    tdim = data.mesh.topology.dim
    data.mesh.topology.create_connectivity(tdim - 1, tdim)
    groups = data.physical_groups
    device = DeviceMesh(
        mesh=data.mesh, cell_tags=data.cell_tags, facet_tags=data.facet_tags,
        regions={n: g.tag for n, g in groups.items() if g.dim == tdim},
        boundaries={n: g.tag for n, g in groups.items() if g.dim == tdim - 1},
        axisymmetric=gdim == 2)
    cells = comm.allreduce(data.mesh.topology.index_map(tdim).size_local, op=MPI.SUM)
    log.info("device mesh: %d-D, %d cells, regions %s", gdim, cells, sorted(device.regions))
    return device


def single_region_device(mesh: Mesh, axisymmetric: bool) -> DeviceMesh:
    """Wrap a plain mesh (e.g. a DOLFINx box) as one region ``domain`` with the whole exterior
    tagged ``boundary``: for verification problems and quick studies."""
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    cells = np.arange(mesh.topology.index_map(tdim).size_local, dtype=np.int32)
    facets = exterior_facet_indices(mesh.topology)
    return DeviceMesh(
        mesh=mesh, cell_tags=meshtags(mesh, tdim, cells, np.ones_like(cells)),
        facet_tags=meshtags(mesh, tdim - 1, facets, np.ones_like(facets)),
        regions={"domain": 1}, boundaries={"boundary": 1}, axisymmetric=axisymmetric)
