"""The reference meshes in meshes/ load with named groups, serially and distributed."""

from pathlib import Path

import pytest
from dolfinx import fem
from mpi4py import MPI

from apcfem.mesh import read_device_msh

MESHES = Path(__file__).parents[2] / "meshes"


@pytest.mark.parametrize(("name", "volume_nm3"), [
    ("stack_axisymmetric", 3.141592653589793 * 10.0**2 * 15.0),
    ("stack_3d", 3.141592653589793 * 8.0**2 * 13.0)])
def test_reference_mesh_volume_and_groups(name, volume_nm3):
    device = read_device_msh(MESHES / f"{name}.msh", MPI.COMM_WORLD)
    assert set(device.regions) == {"bottom_electrode", "switching_layer", "filament_seed",
                                   "top_electrode"}
    assert {"top_contact", "bottom_contact", "outer"} <= set(device.boundaries)
    volume = device.comm.allreduce(fem.assemble_scalar(fem.form(
        device.weight() * device.dx())), op=MPI.SUM)
    # polygonal approximation of the circle in 3-D; exact in (r, z)
    assert volume == pytest.approx(volume_nm3 * 1e-27, rel=2e-2 if "3d" in name else 1e-10)
    seed = device.comm.allreduce(fem.assemble_scalar(fem.form(
        device.weight() * device.dx("filament_seed"))), op=MPI.SUM)
    assert seed == pytest.approx(3.141592653589793 * 1.0**2 * 5.0 * 1e-27,
                                 rel=5e-2 if "3d" in name else 1e-10)
