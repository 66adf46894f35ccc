"""The command line as a user runs it (subprocesses; serial)."""

import json
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import meshio
import numpy as np
import pytest
from bp4 import bp4_steps_and_names
from dolfinx.io import XDMFFile
from mpi4py import MPI

import apcfem

pytestmark = pytest.mark.serial


def _apcfem(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "apcfem.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_conductance_json_matches_library():
    record = json.loads(_apcfem("conductance", "--radius", "5e-10", "--material", "Ag",
                                "--temperature", "4", "--json"))
    ag = apcfem.get_material("Ag")
    electrons = apcfem.Electrons(ag.fermi_energy_eV.value, ag.effective_mass_me.value, 4.0)
    expected = apcfem.circular_conductance(5e-10, electrons)
    assert record["G_G0"] == pytest.approx(float(expected.G_G0), rel=1e-12)
    # k_F a = 6.00 for Ag: modes up to j_31 = 6.380 closed, j_02 = 5.520 open -> 6 channels
    assert record["channels"] == 6
    assert record["G_G0"] == pytest.approx(6.0, abs=1e-6)
    assert sum(m["degeneracy"] * m["transmission"] for m in record["modes"]) == pytest.approx(
        record["G_G0"], rel=1e-6)


def test_conductance_rejects_nanometres_given_as_metres():
    proc = subprocess.run([sys.executable, "-m", "apcfem.cli", "conductance", "--radius", "0.5"],
                          capture_output=True, text=True, timeout=120, check=False)
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


def test_cases_lists_every_bundled_case_file():
    """Guards ``apcfem cases``: one line per TOML file shipped in apcfem/cases, with its path."""
    shipped = sorted(Path(apcfem.__file__).parent.joinpath("cases").glob("*.toml"))
    rows = [line.split() for line in _apcfem("cases").splitlines()]
    assert [(name, Path(path)) for name, path in rows] == [(f.stem, f) for f in shipped]


def test_materials_lists_the_library():
    """Guards ``apcfem materials``: one line per material of library.toml (read here with
    tomllib), with its kind and description."""
    library = tomllib.loads(Path(apcfem.__file__).parent.joinpath(
        "materials", "library.toml").read_text(encoding="utf-8"))
    rows = {line.split()[0]: line.split(maxsplit=2)[1:] for line in
            _apcfem("materials").splitlines()}
    assert rows == {name: [m["kind"], m["description"]] for name, m in library.items()}


# -- the flagship bundled case through the command line, as `make demo` runs it -----------------
DEMO_CASE = "ag_sio2_pt_staircase"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """``apcfem run ag_sio2_pt_staircase`` at its own settings (57 necks, 0.05 nm; ~1 min)."""
    out = tmp_path_factory.mktemp("demo") / "run"
    stdout = _apcfem("--log-level", "warning", "run", DEMO_CASE, "--output", str(out),
                     "--no-progress", cwd=tmp_path_factory.getbasetemp())
    case = tomllib.loads(apcfem.bundled_case(DEMO_CASE).read_text(encoding="utf-8"))
    return stdout, out, case


def test_bundled_case_runs_from_the_command_line(demo_run):
    """Guards ``apcfem run <bundled name>``: exit 0 (asserted by _apcfem), the files it lists,
    one time-series row per sweep point with the columns DESIGN.md sec. 7 names, G rising
    with the neck, and a resolved case that loads back to the bundled one."""
    stdout, out, case = demo_run
    listed = dict(line.strip().split(": ") for line in stdout.splitlines()[1:])
    assert stdout.splitlines()[0] == f"results in {out}"
    assert listed == {"timeseries": str(out / "timeseries.csv"),
                      "case": str(out / "resolved_case.toml"), "fields": str(out / "fields.bp"),
                      "staircase_plot": str(out / "conductance_staircase.png")}
    assert all(Path(path).exists() for path in listed.values())
    table = np.genfromtxt(out / "timeseries.csv", delimiter=",", names=True)
    for column in ("time_s", "V_source_V", "V_cell_V", "I_A", "G_G0", "channels",
                   "neck_radius_m", "neck_z_m", "gap_m", "T_max_K"):
        assert np.all(np.isfinite(table[column])), column
    assert len(table) == case["protocol"]["points"]
    assert np.all(np.diff(table["neck_radius_m"]) > 0) and np.all(np.diff(table["G_G0"]) > 0)
    assert apcfem.load_case(out / "resolved_case.toml") == apcfem.load_case(
        apcfem.bundled_case(DEMO_CASE))


def test_run_info_records_provenance_and_statistics(demo_run):
    """Guards run_info.json: ranks, installed versions (importlib.metadata), the stop reason,
    the step count of the sweep and the files the run listed."""
    _, out, case = demo_run
    info = json.loads((out / "run_info.json").read_text())
    assert info["mpi_ranks"] == 1 and info["python"] == sys.version.split()[0]
    for package in ("apcfem", "dolfinx-solver-real", "numpy", "gmsh"):
        assert info["versions"][package] == metadata.version(package)
    assert info["stop_reason"] == "end of protocol"
    assert info["accepted_steps"] == case["protocol"]["points"] - 1
    assert info["rejected_steps"] == 0 and info["wall_time_s"] > 0
    assert set(info["files"]) == {"timeseries", "case", "fields", "staircase_plot"}


def test_fields_hold_the_named_fields_at_every_step(demo_run):
    """Guards the VTX output: fields.bp has one step per time-series row, and phi, T and xi
    are in the metadata of every step."""
    _, out, case = demo_run
    steps, counts = bp4_steps_and_names(out / "fields.bp", ("phi", "T", "xi"))
    assert steps == case["protocol"]["points"]
    assert all(count >= steps for count in counts.values()), counts
