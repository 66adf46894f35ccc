"""DeviceMesh: a DOLFINx mesh of the device with regions and boundaries by name.

Coordinates are in metres. In the axisymmetric case x[0] = r and x[1] = z, and every volume
integral carries the weight 2*pi*r (see :meth:`DeviceMesh.weight`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from functools import reduce

import basix.ufl
import dolfinx.cpp
import gmsh
import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx.graph import adjacencylist
from dolfinx.io import gmsh as dolfinx_gmsh
from dolfinx.io.utils import distribute_entity_data
from dolfinx.mesh import (
    GhostMode,
    Mesh,
    MeshTags,
    create_mesh,
    exterior_facet_indices,
    meshtags,
    meshtags_from_entities,
)
from mpi4py import MPI

from apcfem.config.loader import CaseError
from apcfem.config.schema import GeometryConfig, MeshConfig
from apcfem.mesh.imported import METRES_PER_UNIT, MeshArrays, load_mesh_file
from apcfem.mesh.stack import build_stack_model

log = logging.getLogger(__name__)

NM = METRES_PER_UNIT["nm"]  # gmsh draws in nm, DOLFINx works in m


def nodal_vector(form: fem.Form) -> np.ndarray:
    """The assembled vector of a linear form on a nodal space, ghost contributions summed
    into their owners and the owners' values copied back to the ghosts (collective)."""
    vector = fem.assemble_vector(form)
    vector.scatter_reverse(la.InsertMode.add)
    vector.scatter_forward()
    return vector.array.copy()


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
        quadrature_degree: degree of the :meth:`dx` integrals; None: UFL's estimate from the
            integrand (which adds the degrees of every factor of a state-dependent law: 5-7
            for the heat and conduction forms of the cells, 129 for the vacancy form).
    """

    mesh: Mesh
    cell_tags: MeshTags
    facet_tags: MeshTags
    regions: dict[str, int]
    boundaries: dict[str, int]
    axisymmetric: bool
    quadrature_degree: int | None = None

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

    def nodal_weight(self) -> ufl.core.expr.Expr:
        """Volume weight at the P1 nodes for vertex quadrature: W_i = int w phi_i / int phi_i
        (w = :meth:`weight`), so that the vertex rule of W f v gives the row-sum lumped mass
        int w phi_i f_i (positive on the axis too, where 2 pi r vanishes) and the vertex rule
        of W f integrates a P1 f exactly. In 3-D, w = 1 itself."""
        if not self.axisymmetric:
            return self.weight()
        space = fem.functionspace(self.mesh, ("Lagrange", 1))
        v = ufl.TestFunction(space)
        weighted, plain = (nodal_vector(fem.form(w * v * self.dx())) for w in (self.weight(), 1.0))
        weight = fem.Function(space, name="nodal_volume_weight")
        weight.x.array[:] = weighted / plain
        return weight

    def dx(self, *names: str) -> ufl.Measure:
        """Cell measure over the named regions (all cells if no name is given), of degree
        ``quadrature_degree``."""
        metadata = ({} if self.quadrature_degree is None
                    else {"quadrature_degree": self.quadrature_degree})
        measure = ufl.Measure("dx", domain=self.mesh, subdomain_data=self.cell_tags,
                              metadata=metadata)
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
                      comm: MPI.Comm = MPI.COMM_WORLD,
                      quadrature_degree: int | None = None) -> DeviceMesh:
    """Build the stack with gmsh on rank 0 and distribute it over ``comm``; with
    ``sizes.file`` set, read that mesh file instead (:func:`read_mesh_file`). Its cell
    integrals are of ``quadrature_degree`` (None: estimated)."""
    if sizes.file is not None:
        device = read_mesh_file(sizes, geometry, comm)
    else:
        gdim = 2 if geometry.kind == "axisymmetric" else 3
        if comm.rank == 0:
            _start_gmsh()
            build_stack_model(geometry, sizes)
        device = _from_gmsh_model(comm, gdim)
        if comm.rank == 0:
            gmsh.finalize()
    return replace(device, quadrature_degree=quadrature_degree)


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


def read_mesh_file(sizes: MeshConfig, geometry: GeometryConfig,
                   comm: MPI.Comm = MPI.COMM_WORLD) -> DeviceMesh:
    """Read ``sizes.file`` (any format meshio reads) on rank 0, check it and distribute it as
    the built-in stacks are.

    Raises:
        CaseError: on every rank, the one-line problem found on rank 0 (before any solve).
    """
    arrays, problem = None, None
    if comm.rank == 0:
        try:
            arrays = load_mesh_file(sizes, geometry)
        except CaseError as err:
            problem = str(err)
    problem = comm.bcast(problem, root=0)
    if problem is not None:
        raise CaseError(problem)
    gdim, regions, boundaries, factor = comm.bcast(
        (arrays.points.shape[1], arrays.regions, arrays.boundaries, arrays.metres_per_unit)
        if comm.rank == 0 else None, root=0)
    if comm.rank != 0:  # the whole mesh enters on rank 0 (as from gmsh)
        arrays = MeshArrays(np.empty((0, gdim)), np.empty((0, gdim + 1), dtype=np.int64),
                            np.empty(0, dtype=np.int32), np.empty((0, gdim), dtype=np.int64),
                            np.empty(0, dtype=np.int32), regions, boundaries, factor)
    cell = "triangle" if gdim == 2 else "tetrahedron"
    domain = ufl.Mesh(basix.ufl.element("Lagrange", cell, 1, shape=(gdim,)))
    mesh = create_mesh(comm, arrays.cells, domain, arrays.points, _partitioner(comm))
    tdim = mesh.topology.dim
    return _device(comm, mesh, _tags(mesh, tdim, arrays.cells, arrays.cell_values),
                   _tags(mesh, tdim - 1, arrays.facets, arrays.facet_values), regions,
                   boundaries, factor)


def _tags(mesh: Mesh, dim: int, entities: np.ndarray, values: np.ndarray) -> MeshTags:
    """Mesh tags of entities given by their input node indices (on any rank)."""
    local, local_values = distribute_entity_data(mesh, dim, entities, values)
    mesh.topology.create_connectivity(dim, mesh.topology.dim)
    return meshtags_from_entities(mesh, dim, adjacencylist(local),
                                  local_values.astype(np.int32, copy=False))


def _partitioner(comm: MPI.Comm):
    """Shared-facet ghosts: interface (dS) integrals work across partition boundaries."""
    return (dolfinx.cpp.mesh.create_cell_partitioner(GhostMode.shared_facet, 2)
            if comm.size > 1 else None)


def _start_gmsh() -> None:
    if gmsh.isInitialized():
        gmsh.finalize()
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.option.setNumber("General.NumThreads", 1)


def _from_gmsh_model(comm: MPI.Comm, gdim: int) -> DeviceMesh:
    data = dolfinx_gmsh.model_to_mesh(gmsh.model, comm, rank=0, gdim=gdim,
                                      partitioner=_partitioner(comm))
    tdim = data.mesh.topology.dim
    groups = data.physical_groups
    return _device(comm, data.mesh, data.cell_tags, data.facet_tags,
                   {n: g.tag for n, g in groups.items() if g.dim == tdim},
                   {n: g.tag for n, g in groups.items() if g.dim == tdim - 1}, NM)


def _device(comm: MPI.Comm, mesh: Mesh, cell_tags: MeshTags, facet_tags: MeshTags,
            regions: dict[str, int], boundaries: dict[str, int],
            metres_per_unit: float) -> DeviceMesh:
    """The DeviceMesh of a distributed mesh whose coordinates are in ``metres_per_unit`` m."""
    mesh.geometry.x[:] *= metres_per_unit  # the one place where coordinates become metres
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    device = DeviceMesh(mesh=mesh, cell_tags=cell_tags, facet_tags=facet_tags, regions=regions,
                        boundaries=boundaries, axisymmetric=mesh.geometry.dim == 2)
    cells = comm.allreduce(mesh.topology.index_map(tdim).size_local, op=MPI.SUM)
    log.info("device mesh: %d-D, %d cells, regions %s", mesh.geometry.dim, cells,
             sorted(regions))
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
