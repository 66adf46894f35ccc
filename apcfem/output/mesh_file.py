"""Write a device mesh with its region and boundary tags, in any format meshio writes.

``.xdmf`` is written by DOLFINx in parallel (XDMF/HDF5, tags as mesh tags); every other
extension goes through meshio on rank 0: the cells and the tagged facets with an integer cell
array ``tags`` (region tags on cells, boundary tags on facets) and the tag names as field data
``{name: [tag, dim]}`` where the format keeps it (gmsh ``.msh`` stores them as named physical
groups; VTU keeps no field data, so its tags are read back by number). Formats that keep no
cell data (Abaqus ``.inp``) get one named cell set per group instead. Coordinates are in
metres: the file reads back through ``[mesh] file`` with ``length_unit = "m"``.
"""

from __future__ import annotations

from pathlib import Path

import meshio
import numpy as np
from dolfinx.io import XDMFFile
from dolfinx.mesh import entities_to_geometry

from apcfem.config.loader import CaseError
from apcfem.mesh import DeviceMesh

CELL_SET_FORMATS = ("abaqus",)
"""meshio formats whose writer keeps named cell sets but no cell data."""


def write_device_mesh(device: DeviceMesh, path: str | Path) -> Path:
    """Mesh [m] with its tags in the format of the extension (``.xdmf``, ``.vtu``, ``.msh``,
    ``.inp``, ...); collective on all ranks, the file is written once.

    Raises:
        CaseError: an extension meshio does not know.
    """
    path = Path(path)
    if path.suffix.lower() == ".xdmf":
        return _write_xdmf(device, path)
    formats = meshio.extension_to_filetypes.get(path.suffix.lower())
    if not formats:
        raise CaseError(f"--output {path.name}: no mesh format has the extension "
                        f"'{path.suffix}' (e.g. .vtu, .msh, .inp, .xdmf)")
    # .msh is gmsh here (meshio's first choice for it is ANSYS), in format 2.2: meshio writes
    # 4.1 only with gmsh's entity bookkeeping
    file_format = "gmsh22" if "gmsh" in formats else formats[0]
    gathered = _gather(device)
    if device.comm.rank == 0:
        meshio.write(path, _meshio_mesh(device, *gathered, file_format), file_format=file_format)
    device.comm.barrier()
    return path


def _gather(device: DeviceMesh) -> tuple[np.ndarray, ...] | tuple[None, ...]:
    """Owned nodes [m], cells, region tags, tagged facets and their tags of the whole mesh on
    rank 0, in global node numbering (None elsewhere)."""
    mesh, tdim = device.mesh, device.mesh.topology.dim
    nodes = mesh.geometry.index_map()
    to_global = nodes.local_to_global(
        np.arange(nodes.size_local + nodes.num_ghosts, dtype=np.int32))
    n_cells = mesh.topology.index_map(tdim).size_local
    cells = to_global[mesh.geometry.dofmaps[0][:n_cells]]
    cell_values = _owned_values(device.cell_tags, n_cells)
    n_facets = mesh.topology.index_map(tdim - 1).size_local
    tagged = device.facet_tags.indices < n_facets
    facets = to_global[entities_to_geometry(mesh, tdim - 1, device.facet_tags.indices[tagged])]
    parts = device.comm.gather(
        (mesh.geometry.x[:nodes.size_local], cells, cell_values, facets,
         device.facet_tags.values[tagged]), root=0)
    if parts is None:
        return (None,) * 5
    # global node numbers run over the ranks in order: concatenating keeps them
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _owned_values(tags, n_owned: int) -> np.ndarray:
    values = np.zeros(n_owned, dtype=np.int32)
    owned = tags.indices < n_owned
    values[tags.indices[owned]] = tags.values[owned]
    return values


def _meshio_mesh(device: DeviceMesh, points, cells, cell_values, facets, facet_values,
                 file_format: str) -> meshio.Mesh:
    tdim = device.mesh.topology.dim
    points = np.pad(points, ((0, 0), (0, 3 - points.shape[1])))  # (r, z) -> (r, z, 0)
    kinds = ("triangle", "line") if tdim == 2 else ("tetra", "triangle")
    blocks = [(kinds[0], cells), (kinds[1], facets)]
    values = [cell_values, facet_values]
    if file_format in CELL_SET_FORMATS:
        sets = {name: [np.flatnonzero(v == tag) if i == dim else np.empty(0, dtype=int)
                       for i, v in enumerate(values)]
                for dim, table in ((0, device.regions), (1, device.boundaries))
                for name, tag in table.items()}
        return meshio.Mesh(points, blocks, cell_sets=sets)
    names = {**{n: np.array([t, tdim]) for n, t in device.regions.items()},
             **{n: np.array([t, tdim - 1]) for n, t in device.boundaries.items()}}
    data = ({"gmsh:physical": values, "gmsh:geometrical": values}
            if file_format.startswith("gmsh") else {"tags": values})
    return meshio.Mesh(points, blocks, cell_data=data, field_data=names)


def _write_xdmf(device: DeviceMesh, path: Path) -> Path:
    """Mesh [m], ``regions`` cell tags and ``boundaries`` facet tags in one XDMF file.

    Tag names are in the XDMF ``Information`` of the mesh.
    """
    device.mesh.name = "device"
    device.cell_tags.name = "regions"
    device.facet_tags.name = "boundaries"
    with XDMFFile(device.comm, str(path), "w") as xdmf:
        xdmf.write_mesh(device.mesh)
        xdmf.write_meshtags(device.cell_tags, device.mesh.geometry)
        xdmf.write_meshtags(device.facet_tags, device.mesh.geometry)
        xdmf.write_information(
            "regions", ", ".join(f"{n}={t}" for n, t in sorted(device.regions.items())))
        xdmf.write_information(
            "boundaries", ", ".join(f"{n}={t}" for n, t in sorted(device.boundaries.items())))
    return path
