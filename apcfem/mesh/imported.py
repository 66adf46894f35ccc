"""Device meshes from files: any format meshio reads, checked and mapped to the package's names.

:func:`load_mesh_file` runs on one rank and needs no DOLFINx: it reads the file, maps its groups
(named physical groups or cell sets, or integer cell-data tags) to the package's region and
boundary names (``[mesh.regions]``, ``[mesh.boundaries]``), and checks everything a solve would
trip over later: cell types, dimensions, the axisymmetric half-plane, inverted and degenerate
cells, boundaries that are not faces of the cells, and the switching layer's place against
``[geometry]`` (the filament, neck and leakage models read it). Each problem is one line naming
the key and the fix. :func:`apcfem.mesh.device.read_mesh_file` distributes the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import meshio
import numpy as np
from meshio._helpers import reader_map  # meshio.read() exits the interpreter on a parse error

from apcfem.config.loader import CaseError
from apcfem.config.schema import (
    DEVICE_BOUNDARIES,
    DEVICE_REGIONS,
    REQUIRED_BOUNDARIES,
    REQUIRED_REGIONS,
    GeometryConfig,
    GroupRef,
    MeshConfig,
)

CELL_TYPES = {2: "triangle", 3: "tetra"}
"""Supported cell type per topological dimension (P1 geometry)."""
FACET_TYPES = {2: "line", 3: "triangle"}
METRES_PER_UNIT = {"nm": 1e-9, "m": 1.0}
DEGENERATE = 1e-10
"""A cell whose |measure| is below this fraction of (longest edge)^d is degenerate."""


@dataclass(frozen=True)
class MeshArrays:
    """A checked device mesh as arrays, coordinates in the file's unit.

    Attributes:
        points: node coordinates, (n, gdim), in ``metres_per_unit`` metres.
        cells: cell nodes, (m, gdim + 1), indices into ``points``.
        cell_values: region tag of each cell.
        facets: tagged facet nodes, (f, gdim).
        facet_values: boundary tag of each facet.
        regions: region name -> tag; boundaries: boundary name -> tag.
        metres_per_unit: length of the file's unit [m].
    """

    points: np.ndarray
    cells: np.ndarray
    cell_values: np.ndarray
    facets: np.ndarray
    facet_values: np.ndarray
    regions: dict[str, int]
    boundaries: dict[str, int]
    metres_per_unit: float


def load_mesh_file(sizes: MeshConfig, geometry: GeometryConfig) -> MeshArrays:
    """Read ``sizes.file``, map its groups and check it (call on one rank).

    Raises:
        CaseError: one line naming the file, the key and the fix.
    """
    where = f"mesh.file = '{Path(sizes.file).name}'"
    mesh = _read(Path(sizes.file), where)
    tdim = _mesh_dimension(mesh, geometry, where)
    catalogue = _catalogue(mesh, _tag_arrays(mesh, sizes.cell_data, where))
    blocks = [i for i, b in enumerate(mesh.cells) if _dim(b.type) == tdim]
    cells = np.concatenate([mesh.cells[i].data for i in blocks]).astype(np.int64)
    counts = [len(mesh.cells[i].data) for i in blocks]
    offsets = dict(zip(blocks, np.cumsum([0, *counts[:-1]]), strict=True))  # first row per block
    region_tags = _mapping(sizes.regions, REQUIRED_REGIONS, geometry.region_names, catalogue,
                           tdim)
    cell_values = _cell_values(region_tags, catalogue, tdim, offsets, len(cells), where)
    boundary_tags = _mapping(sizes.boundaries, REQUIRED_BOUNDARIES, DEVICE_BOUNDARIES,
                             catalogue, tdim - 1)
    facets, facet_values = _facets(boundary_tags, catalogue, tdim, mesh, where)
    points, cells, facets = _compact(mesh.points, cells, facets)
    _check_facets(cells, facets, facet_values, list(boundary_tags), where)
    points = _planar(points, tdim, where)
    factor = METRES_PER_UNIT[sizes.length_unit]
    if geometry.kind == "axisymmetric":
        _check_half_plane(points, factor, where)
    _check_orientation(points, cells, where)
    arrays = MeshArrays(points, cells, cell_values.astype(np.int32), facets,
                        facet_values.astype(np.int32),
                        {name: k for k, name in enumerate(region_tags, start=1)},
                        {name: k for k, name in enumerate(boundary_tags, start=1)}, factor)
    _check_layer_place(arrays, geometry, where)
    return arrays


def _read(path: Path, where: str) -> meshio.Mesh:
    formats = meshio.extension_to_filetypes.get(path.suffix.lower(), [])
    if not path.is_file():
        raise CaseError(f"{where}: cannot read the mesh: no such file {path}")
    if not formats:
        raise CaseError(f"{where}: cannot read the mesh: meshio knows no format with the "
                        f"extension '{path.suffix}' (e.g. .msh, .vtu, .inp, .xdmf, .med)")
    problems = []
    for name in formats:
        try:
            return reader_map[name](str(path))
        except Exception as err:  # noqa: BLE001  (any parser failure is an unreadable file)
            detail = str(err).strip() or f"not a valid {name} file"
            problems.append(f"as {name}: {type(err).__name__}: {detail}".splitlines()[0])
    raise CaseError(f"{where}: cannot read the mesh ({'; '.join(problems)})")


def _dim(cell_type: str) -> int:
    return meshio._mesh.topological_dimension.get(cell_type, -1)


def _mesh_dimension(mesh: meshio.Mesh, geometry: GeometryConfig, where: str) -> int:
    """Topological dimension of the cells; the cell type and the case's kind must match."""
    if not mesh.cells:
        raise CaseError(f"{where}: the file has no cells")
    tdim = max(_dim(block.type) for block in mesh.cells)
    types = sorted({b.type for b in mesh.cells if _dim(b.type) == tdim})
    if tdim not in CELL_TYPES or types != [CELL_TYPES[tdim]]:
        raise CaseError(f"{where}: unsupported cell type {', '.join(types)}: use triangle "
                        "(2-D axisymmetric) or tetra (3-D) cells with straight edges (P1)")
    wanted = 2 if geometry.kind == "axisymmetric" else 3
    if tdim != wanted:
        raise CaseError(f"{where}: mixed dimensions: the mesh is {tdim}-D ({types[0]} cells) "
                        f"but geometry.kind = '{geometry.kind}' needs {wanted}-D cells")
    return tdim


def _tag_arrays(mesh: meshio.Mesh, name: str | None, where: str) -> list[np.ndarray] | None:
    """The integer cell-data array holding the tags (one array per cell block), or None."""
    integer = [k for k, v in mesh.cell_data.items()
               if all(np.asarray(a).dtype.kind in "iu" for a in v)]
    if name is not None:
        if name not in integer:
            raise CaseError(f"{where}: no integer cell-data array mesh.cell_data = '{name}' "
                            f"(the file has: {', '.join(integer) or 'none'})")
        return mesh.cell_data[name]
    if "gmsh:physical" in integer:
        return mesh.cell_data["gmsh:physical"]
    if len(integer) > 1:
        raise CaseError(f"{where}: several integer cell-data arrays ({', '.join(integer)}): "
                        "set mesh.cell_data to the one holding the tags")
    return mesh.cell_data[integer[0]] if integer else None


Catalogue = dict[str | int, dict[int, dict[int, np.ndarray]]]
"""group label -> topological dimension -> cell block -> cell indices in the block."""


def _catalogue(mesh: meshio.Mesh, tags: list[np.ndarray] | None) -> Catalogue:
    """Every group of the file: cell sets and field-data names, and integer tags."""
    found: Catalogue = {}

    def add(label, block: int, indices: np.ndarray) -> None:
        if len(indices):
            dim = _dim(mesh.cells[block].type)
            found.setdefault(label, {}).setdefault(dim, {})[block] = np.asarray(indices)

    for block, values in enumerate(tags or []):
        values = np.asarray(values).ravel()
        for value in np.unique(values):
            add(int(value), block, np.flatnonzero(values == value))
    for name, (tag, dim) in _named_tags(mesh).items():
        if dim in found.get(tag, {}):
            found.setdefault(name, {})[dim] = found[tag][dim]
    for name, sets in mesh.cell_sets.items():
        if not name.startswith("gmsh:"):  # meshio's bookkeeping, not a user's group
            for block, indices in enumerate(sets):
                if indices is not None:
                    add(name, block, indices)
    return found


def _named_tags(mesh: meshio.Mesh) -> dict[str, tuple[int, int]]:
    """Field-data names of integer tags (gmsh physical names: name -> [tag, dim])."""
    named = {}
    for name, value in mesh.field_data.items():
        value = np.asarray(value).ravel()
        if value.size == 2 and value.dtype.kind in "iu":
            named[name] = (int(value[0]), int(value[1]))
    return named


def _mapping(table: dict[str, GroupRef], required: tuple[str, ...], known: tuple[str, ...],
             catalogue: Catalogue, dim: int) -> dict[str, list[str | int]]:
    """Package name -> the file's group labels: the case's table, then the required names and
    the known names the file has, each mapped to the group of the same name."""
    mapping = {name: ref if isinstance(ref, list) else [ref] for name, ref in table.items()}
    for name in required:
        mapping.setdefault(name, [name])
    for name in known:
        if dim in catalogue.get(name, {}):
            mapping.setdefault(name, [name])
    return mapping


def _select(table: str, name: str, labels: list, catalogue: Catalogue, dim: int,
            where: str) -> dict[int, np.ndarray]:
    """Cell block -> indices of the groups ``labels`` among the cells of dimension ``dim``."""
    selected: dict[int, list[np.ndarray]] = {}
    for label in labels:
        group = catalogue.get(label, {})
        if dim not in group:
            raise CaseError(_missing(table, name, label, group, catalogue, dim, where))
        for block, indices in group[dim].items():
            selected.setdefault(block, []).append(indices)
    return {block: np.unique(np.concatenate(parts)) for block, parts in selected.items()}


def _missing(table: str, name: str, label, group: dict, catalogue: Catalogue, dim: int,
             where: str) -> str:
    kind = "cells" if table == "regions" else "facets"
    if group:
        other = ", ".join(f"{d}-D" for d in sorted(group))
        return (f"{where}: mixed dimensions: mesh.{table}.{name} = {label!r} is a group of "
                f"{other} cells, not of the mesh's {dim}-D {kind}")
    have = sorted((k for k, v in catalogue.items() if dim in v),  # tags by number, then names
                  key=lambda k: (isinstance(k, str), 0 if isinstance(k, str) else k, str(k)))
    noun = "region" if table == "regions" else "boundary"
    # suggest a group that is not one of the package's names (those map themselves)
    spare = [k for k in have if isinstance(k, str) and k not in DEVICE_REGIONS + DEVICE_BOUNDARIES]
    spare += [k for k in have if isinstance(k, int)]
    example = f", e.g. {name} = {spare[0]!r}" if spare else ""
    return (f"{where}: no group {label!r} among the {dim}-D {kind} for the {noun} '{name}' "
            f"(the file has: {', '.join(map(str, have)) or 'no groups'}); map it in "
            f"[mesh.{table}]{example}")


def _cell_values(regions: dict[str, list], catalogue: Catalogue, tdim: int,
                 offsets: dict[int, int], n_cells: int, where: str) -> np.ndarray:
    """Region tag of every cell; each cell must be in exactly one region."""
    values = np.zeros(n_cells, dtype=np.int32)
    for tag, (name, labels) in enumerate(regions.items(), start=1):
        for block, indices in _select("regions", name, labels, catalogue, tdim, where).items():
            rows = offsets[block] + indices
            twice = rows[values[rows] != 0]
            if twice.size:
                other = list(regions)[values[twice[0]] - 1]
                raise CaseError(f"{where}: {twice.size} cells are in both regions '{other}' "
                                f"and '{name}' (e.g. cell {twice[0]}): make the groups of "
                                "[mesh.regions] disjoint")
            values[rows] = tag
    loose = np.flatnonzero(values == 0)
    if loose.size:
        raise CaseError(f"{where}: {loose.size} of {n_cells} cells are in no region (e.g. cell "
                        f"{loose[0]}): add their group to [mesh.regions]")
    return values


def _facets(boundaries: dict[str, list], catalogue: Catalogue, tdim: int, mesh: meshio.Mesh,
            where: str) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and boundary tags of the tagged facets (a facet in two groups keeps the first)."""
    nodes, values = [np.empty((0, tdim), dtype=np.int64)], [np.empty(0, dtype=np.int32)]
    for tag, (name, labels) in enumerate(boundaries.items(), start=1):
        selected = _select("boundaries", name, labels, catalogue, tdim - 1, where)
        for block, indices in selected.items():
            if mesh.cells[block].type != FACET_TYPES[tdim]:
                raise CaseError(f"{where}: unsupported cell type {mesh.cells[block].type} in "
                                f"boundary '{name}': facets of {CELL_TYPES[tdim]} cells are "
                                f"{FACET_TYPES[tdim]} cells")
            nodes.append(mesh.cells[block].data[indices].astype(np.int64))
            values.append(np.full(indices.size, tag, dtype=np.int32))
    nodes, values = np.concatenate(nodes), np.concatenate(values)
    _, first = np.unique(np.sort(nodes, axis=1), axis=0, return_index=True)
    first = np.sort(first)
    return nodes[first], values[first]


def _compact(points: np.ndarray, cells: np.ndarray,
             facets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep only the nodes of the cells, renumbered (a facet node off the cells becomes -1)."""
    used, inverse = np.unique(cells, return_inverse=True)
    renumber = np.full(points.shape[0], -1, dtype=np.int64)
    renumber[used] = np.arange(used.size)
    return points[used], inverse.reshape(cells.shape), renumber[facets]


def _check_facets(cells: np.ndarray, facets: np.ndarray, values: np.ndarray,
                  boundaries: list[str], where: str) -> None:
    """Every tagged facet is a face of a cell."""
    faces = np.concatenate([np.delete(cells, j, axis=1) for j in range(cells.shape[1])])
    rows = np.sort(np.concatenate([faces, facets]), axis=1)
    _, label = np.unique(rows, axis=0, return_inverse=True)
    stray = ~np.isin(label[len(faces):], label[:len(faces)]) | (facets < 0).any(axis=1)
    if stray.any():
        name = boundaries[values[stray][0] - 1]
        raise CaseError(f"{where}: {stray.sum()} facets of boundary '{name}' are not faces of "
                        "the mesh cells: the boundary groups must be drawn on the same mesh")


def _planar(points: np.ndarray, tdim: int, where: str) -> np.ndarray:
    """Coordinates with gdim = tdim columns; a 2-D mesh must lie in a plane z = const."""
    if points.shape[1] > tdim:
        extra = points[:, tdim:]
        spread = np.ptp(extra, axis=0).max()
        if spread > 1e-9 * np.ptp(points[:, :tdim], axis=0).max():
            raise CaseError(f"{where}: mixed dimensions: the {tdim}-D cells span "
                            f"{spread:g} file units in z: an axisymmetric mesh lies in the "
                            "(x = r, y = z) plane")
    return np.ascontiguousarray(points[:, :tdim], dtype=np.float64)


def _check_half_plane(points: np.ndarray, factor: float, where: str) -> None:
    """Axisymmetric: x = r >= 0 (to rounding)."""
    r = points[:, 0]
    negative = r < -1e-9 * np.ptp(points, axis=0).max()
    if negative.any():
        raise CaseError(f"{where}: {negative.sum()} nodes have r = x < 0 (down to "
                        f"{r.min() * factor / 1e-9:g} nm): an axisymmetric mesh lies in the "
                        "r >= 0 half-plane; cut it at the axis x = 0")


def _check_orientation(points: np.ndarray, cells: np.ndarray, where: str) -> None:
    """No degenerate cells, and no inverted ones (signed measure against the majority)."""
    corners = points[cells]
    edges = corners[:, 1:] - corners[:, :1]
    measure = np.linalg.det(edges)
    lengths = [np.linalg.norm(corners[:, i] - corners[:, j], axis=1)
               for i in range(cells.shape[1]) for j in range(i)]
    degenerate = np.abs(measure) <= DEGENERATE * np.max(lengths, axis=0) ** edges.shape[1]
    if degenerate.any():
        raise CaseError(f"{where}: {degenerate.sum()} degenerate cells (zero area/volume, e.g. "
                        f"cell {np.flatnonzero(degenerate)[0]}): remove or repair them")
    positive = measure > 0
    inverted = positive if 2 * positive.sum() < cells.shape[0] else ~positive
    if inverted.any():
        raise CaseError(f"{where}: {inverted.sum()} inverted cells (node order opposite to the "
                        f"other {cells.shape[0] - inverted.sum()}, e.g. cell "
                        f"{np.flatnonzero(inverted)[0]}): the mesh folds; repair it")


def _check_layer_place(arrays: MeshArrays, geometry: GeometryConfig, where: str) -> None:
    """The switching layer and the outer radius agree with [geometry] (to 1e-6 of the
    height), which the filament, neck and leakage models read."""
    nm = arrays.metres_per_unit / 1e-9
    layer = [arrays.regions[n] for n in ("switching_layer", "filament_seed")
             if n in arrays.regions]
    z = arrays.points[arrays.cells[np.isin(arrays.cell_values, layer)], -1] * nm
    x = arrays.points * nm
    radius = x[:, 0].max() if geometry.kind == "axisymmetric" else np.hypot(
        x[:, 0], x[:, 1]).max()
    z0 = geometry.bottom_electrode_thickness_nm
    z1 = z0 + geometry.switching_layer_thickness_nm
    tol = 1e-6 * np.ptp(x[:, -1])
    if abs(z.min() - z0) > tol or abs(z.max() - z1) > tol:
        raise CaseError(
            f"{where}: the switching layer spans z = {z.min():g}..{z.max():g} nm but [geometry] "
            f"puts it at {z0:g}..{z1:g} nm: set geometry.bottom_electrode_thickness_nm = "
            f"{z.min():g} and switching_layer_thickness_nm = {z.max() - z.min():g}")
    if abs(radius - geometry.cell_radius_nm) > 1e-3 * radius:
        raise CaseError(f"{where}: the mesh reaches r = {radius:g} nm from the axis but "
                        f"geometry.cell_radius_nm = {geometry.cell_radius_nm:g}: set it to "
                        f"{radius:g}")
