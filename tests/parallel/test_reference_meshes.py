"""The reference meshes in meshes/ load with named groups, serially and distributed, and are
what meshes/make_reference_meshes.py writes."""

import shutil
import subprocess
import sys
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


@pytest.mark.serial
def test_reference_meshes_are_what_the_script_writes(tmp_path):
    """Guards the committed .msh files against drift from their case files and the stack
    builder: the script, run on a copy of meshes/, writes byte-identical files (a gmsh upgrade
    that changes them means: regenerate with python meshes/make_reference_meshes.py)."""
    for path in [MESHES / "make_reference_meshes.py", *MESHES.glob("*.toml")]:
        shutil.copy(path, tmp_path)
    proc = subprocess.run([sys.executable, str(tmp_path / "make_reference_meshes.py")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    committed = sorted(MESHES.glob("*.msh"))
    assert [p.name for p in committed] == sorted(p.name for p in tmp_path.glob("*.msh"))
    for path in committed:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
