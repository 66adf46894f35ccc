"""Write a device mesh with its region and boundary tags as XDMF/HDF5 (uncompressed)."""

from __future__ import annotations

from pathlib import Path

from dolfinx.io import XDMFFile

from apcfem.mesh import DeviceMesh


def write_device_mesh(device: DeviceMesh, path: str | Path) -> Path:
    """Mesh [m], ``regions`` cell tags and ``boundaries`` facet tags in one XDMF file.

    Tag names are in the XDMF ``Information`` of the mesh; collective on all ranks.
    """
    path = Path(path).with_suffix(".xdmf")
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
