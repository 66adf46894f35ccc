"""The command line as a user runs it (subprocesses; serial)."""

import json
import subprocess
import sys

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
