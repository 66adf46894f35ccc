"""gmsh geometry of the cylindrical device stack, drawn in nanometres.

The stack is bottom electrode / switching layer / top electrode, with extra layers where the case
names them (:class:`~apcfem.config.schema.LayerConfig`) and an optional pre-formed filament seed
cylinder on the axis of the switching layer. It is built either as the (r, z)
half-plane of an axisymmetric cell (x = r, y = z) or as a full 3-D cylinder (axis along z).
gmsh tolerances are absolute, so drawing in metres would merge nanometre features: coordinates
are scaled to metres only after the mesh is built (see :mod:`apcfem.mesh.device`).
"""

from __future__ import annotations

import gmsh

from apcfem.config.schema import (
    DEVICE_BOUNDARIES,
    GeometryConfig,
    MeshConfig,
)


def build_stack_model(geometry: GeometryConfig, sizes: MeshConfig, name: str = "stack") -> None:
    """Create and mesh the stack in the current gmsh session (call on one rank only).

    Physical groups are named after :data:`~apcfem.config.schema.DEVICE_REGIONS` and the extra
    layers (cells) and :data:`~apcfem.config.schema.DEVICE_BOUNDARIES` (facets; the contacts are
    the bottom and top faces of the whole stack);
    ``filament_seed`` exists only if ``geometry.seed_radius_nm > 0`` and ``axis`` only in 2-D.
    """
    gmsh.model.add(name)
    dim = 2 if geometry.kind == "axisymmetric" else 3
    layers = geometry.layer_bounds_nm()
    occ = gmsh.model.occ
    tools = []
    for z0, z1 in layers.values():
        tools.append((dim, _slab(occ, dim, geometry.cell_radius_nm, z0, z1)))
    if geometry.seed_radius_nm > 0:
        z0, z1 = layers["switching_layer"]
        tools.append((dim, _slab(occ, dim, geometry.seed_radius_nm, z0, z1)))
    occ.fragment(tools[:1], tools[1:])
    occ.synchronize()
    _tag_regions(dim, geometry, layers)
    _tag_boundaries(dim, geometry, layers)
    _size_field(dim, geometry, sizes, layers["switching_layer"])
    gmsh.model.mesh.generate(dim)


def _slab(occ, dim: int, radius: float, z0: float, z1: float) -> int:
    if dim == 2:
        return occ.addRectangle(0.0, z0, 0.0, radius, z1 - z0)
    return occ.addCylinder(0.0, 0.0, z0, 0.0, 0.0, z1 - z0, radius)


def _axial(dim: int, point) -> float:
    return point[1] if dim == 2 else point[2]


def _tag_regions(dim: int, g: GeometryConfig, layers: dict) -> None:
    members: dict[str, list[int]] = {name: [] for name in g.region_names}
    for _, tag in gmsh.model.getEntities(dim):
        com = gmsh.model.occ.getCenterOfMass(dim, tag)
        z = _axial(dim, com)
        layer = next(n for n, (z0, z1) in layers.items() if z0 <= z <= z1)
        if layer == "switching_layer" and g.seed_radius_nm > 0 and _is_seed(dim, tag, g):
            layer = "filament_seed"
        members[layer].append(tag)
    for name in g.region_names:
        if members[name]:
            gmsh.model.addPhysicalGroup(dim, members[name], name=name)


def _is_seed(dim: int, tag: int, g: GeometryConfig) -> bool:
    xmin, ymin, _, xmax, ymax, _ = gmsh.model.getBoundingBox(dim, tag)
    extent = xmax if dim == 2 else max(abs(xmin), abs(xmax), abs(ymin), abs(ymax))
    return extent <= g.seed_radius_nm * (1 + 1e-6)


def _tag_boundaries(dim: int, g: GeometryConfig, layers: dict) -> None:
    bottom, top = min(z0 for z0, _ in layers.values()), max(z1 for _, z1 in layers.values())
    eps = 1e-6 * (top - bottom)
    members: dict[str, list[int]] = {name: [] for name in DEVICE_BOUNDARIES}
    for _, tag in gmsh.model.getEntities(dim - 1):
        xmin, ymin, zmin, xmax, ymax, zmax = gmsh.model.getBoundingBox(dim - 1, tag)
        lo, hi = (ymin, ymax) if dim == 2 else (zmin, zmax)
        flat = hi - lo < eps
        r_max = xmax if dim == 2 else max(abs(xmin), abs(xmax), abs(ymin), abs(ymax))
        if flat and abs(lo - bottom) < eps:
            members["bottom_contact"].append(tag)
        elif flat and abs(lo - top) < eps:
            members["top_contact"].append(tag)
        elif flat and abs(lo - layers["switching_layer"][0]) < eps:
            members["bottom_interface"].append(tag)
        elif flat and abs(lo - layers["switching_layer"][1]) < eps:
            members["top_interface"].append(tag)
        elif dim == 2 and xmax < eps:
            members["axis"].append(tag)
        elif not flat and abs(r_max - g.cell_radius_nm) < eps and (dim == 3 or xmin > eps):
            members["outer"].append(tag)
    for name in DEVICE_BOUNDARIES:
        if members[name]:
            gmsh.model.addPhysicalGroup(dim - 1, members[name], name=name)


def _size_field(dim: int, g: GeometryConfig, s: MeshConfig, z_layer) -> None:
    """Element size grows linearly with the distance from the axis segment in the layer."""
    r_expr = "x" if dim == 2 else "Sqrt(x*x+y*y)"
    axial = "y" if dim == 2 else "z"
    z0, z1 = z_layer
    dist = (f"Sqrt(Max(0,{r_expr}-{s.refinement_radius_nm})^2"
            f"+Max(0,Max({z0}-{axial},{axial}-{z1}))^2)")
    field = gmsh.model.mesh.field
    size = field.add("MathEval")
    field.setString(size, "F", f"Min({s.max_size_nm},{s.min_size_nm}+{s.growth_per_nm}*{dist})")
    field.setAsBackgroundMesh(size)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
    gmsh.option.setNumber("Mesh.Algorithm", 6)
