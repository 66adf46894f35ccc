"""The command line as a user runs it (subprocesses; serial)."""

import json
import subprocess
import sys
from pathlib import Path

import meshio
import numpy as np
import pytest
from dolfinx.io import XDMFFile
from mpi4py import MPI

import apcfem

pytestmark = pytest.mark.serial


def _apcfem(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "apcfem.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_conductance_json_matches_library():
    record = json.loads(_apcfem("conductance", "--radius", "5e-10", "--material", "Ag",
                                "--temperature", "4", "--json"))
    ag = apcfem.get_material("Ag")
    expected = apcfem.circular_conductance(
        5e-10, fermi_energy_eV=ag.fermi_energy_eV.value,
        effective_mass_me=ag.effective_mass_me.value, temperature_K=4.0)
    assert record["G_G0"] == pytest.approx(float(expected.G_G0), rel=1e-12)
    # k_F a = 6.00 for Ag: modes up to j_31 = 6.380 closed, j_02 = 5.520 open -> 6 channels
    assert record["channels"] == 6
    assert record["G_G0"] == pytest.approx(6.0, abs=1e-6)
    assert sum(m["degeneracy"] * m["transmission"] for m in record["modes"]) == pytest.approx(
        record["G_G0"], rel=1e-6)


def test_conductance_rejects_nanometres_given_as_metres():
    proc = subprocess.run([sys.executable, "-m", "apcfem.cli", "conductance", "--radius", "0.5"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "metres" in proc.stderr and "Traceback" not in proc.stderr


def test_mesh_command_writes_tagged_xdmf(tmp_path):
    out = tmp_path / "stack.xdmf"
    text = _apcfem("mesh", "meshes/stack_axisymmetric.toml", "--output", str(out))
    assert "bottom_contact" in text and "filament_seed" in text
    with XDMFFile(MPI.COMM_SELF, str(out), "r") as xdmf:
        mesh = xdmf.read_mesh(name="device")
        mesh.topology.create_connectivity(1, 2)
        regions = xdmf.read_meshtags(mesh, name="regions")
        boundaries = xdmf.read_meshtags(mesh, name="boundaries")
    assert len(np.unique(regions.values)) == 4  # bottom, layer, seed, top
    assert len(np.unique(boundaries.values)) == 6
    z = mesh.geometry.x[:, 1]
    assert z.max() == pytest.approx(15e-9, rel=1e-9)  # written in metres


def test_mesh_command_writes_any_meshio_format_with_tags_as_cell_data(tmp_path):
    # guards the gather of the mesh for writing and the tags a user inspects: the 3-D
    # reference stack written as VTU has its four regions on the tetrahedra, its boundaries on
    # the triangles, and the stack's volume in m^3
    out = tmp_path / "stack.vtu"
    text = _apcfem("mesh", "meshes/stack_3d.toml", "--output", str(out))
    assert "region tags: bottom_electrode=" in text and "top_contact=" in text
    mesh = meshio.read(out)
    tags = dict(zip((b.type for b in mesh.cells), mesh.cell_data["tags"], strict=True))
    assert sorted(np.unique(tags["tetra"])) == [1, 2, 3, 4]
    assert {"top_contact", "bottom_contact", "outer"} <= {
        n.split("=")[0] for n in text.split("boundary tags: ")[1].rstrip(")\n").split(", ")}
    tets = mesh.points[mesh.cells_dict["tetra"]]
    volume = np.abs(np.linalg.det(tets[:, 1:] - tets[:, :1])).sum() / 6
    assert volume == pytest.approx(np.pi * 8.0**2 * 13.0 * 1e-27, rel=2e-2)


def test_mesh_file_case_reads_back_and_reports_bad_files(tmp_path):
    # a case whose [mesh] file is the written Abaqus mesh builds the same stack; a broken
    # mesh file ends with one line naming the key, exit status 2, before any solve
    stack = tmp_path / "stack.inp"
    _apcfem("mesh", "meshes/stack_axisymmetric.toml", "--output", str(stack))
    case = tmp_path / "from_file.toml"
    text = Path("meshes/stack_axisymmetric.toml").read_text(encoding="utf-8")
    case.write_text(text.replace("[mesh]\n", '[mesh]\nfile = "stack.inp"\nlength_unit = "m"\n'),
                    encoding="utf-8")
    again = _apcfem("mesh", str(case), "--output", str(tmp_path / "again.vtu"))
    assert "filament_seed=" in again and "axis=" in again
    stack.write_text("*NODE\n1, 0.0, garbage\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "apcfem.cli", "mesh", str(case)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("apcfem: error: mesh.file = 'stack.inp': cannot read the mesh")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
