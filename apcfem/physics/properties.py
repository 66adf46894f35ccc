"""Material properties as fields on the mesh, region by region."""

from __future__ import annotations

from collections.abc import Mapping

from dolfinx import fem

from apcfem.mesh import DeviceMesh


def region_constant(device: DeviceMesh, values: Mapping[str, float], name: str) -> fem.Function:
    """Piecewise-constant (DG0) field taking ``values[region]`` in each named region.

    Every region of the mesh must be given a value, so no cell is silently left at zero.
    """
    missing = sorted(set(device.regions) - set(values))
    if missing:
        raise KeyError(f"{name}: no value for region(s) {', '.join(missing)}")
    space = fem.functionspace(device.mesh, ("DG", 0))
    field = fem.Function(space, name=name)
    for region in sorted(device.regions):
        cells = device.cells(region)
        field.x.array[space.dofmap.list[cells].ravel()] = values[region]
    field.x.scatter_forward()
    return field


def fixed_values(space: fem.FunctionSpace, device: DeviceMesh,
                 values: Mapping[str, float]) -> list[fem.DirichletBC]:
    """Dirichlet conditions holding each named boundary at a constant value (SI units)."""
    fdim = device.mesh.topology.dim - 1
    return [fem.dirichletbc(fem.Constant(device.mesh, value),
                            fem.locate_dofs_topological(space, fdim, device.facets(name)), space)
            for name, value in values.items()]
