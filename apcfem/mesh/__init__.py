"""Device meshes: gmsh stacks or mesh files, named regions and boundaries, point probes."""

from apcfem.mesh.device import (
    NM,
    DeviceMesh,
    build_device_mesh,
    nodal_vector,
    read_device_msh,
    read_mesh_file,
    single_region_device,
)
from apcfem.mesh.probe import PointProbe

__all__ = ["NM", "DeviceMesh", "PointProbe", "build_device_mesh", "nodal_vector",
           "read_device_msh", "read_mesh_file", "single_region_device"]
