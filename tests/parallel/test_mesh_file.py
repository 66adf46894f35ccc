"""Mesh files on the communicator: a built-in device mesh written to other formats and read
back through ``[mesh] file`` gives the same staircase as the built-in mesh, serially and
distributed; a bad file stops every rank.

Run under ``mpiexec -n 2 pytest -m "not serial"`` too: the file is read on rank 0 and
distributed, and the written file gathers the distributed mesh.
"""

from pathlib import Path

import meshio
import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI

import apcfem
from apcfem.config.schema import GeometryConfig, MeshConfig
from apcfem.mesh import build_device_mesh
from apcfem.output.mesh_file import write_device_mesh

MESHES = Path(__file__).parents[2] / "meshes"
COMPARED = ["G_G0", "I_A", "V_cell_V", "R_fe_ohm", "neck_radius_m", "neck_z_m", "T_max_K",
            "channels"]


@pytest.fixture(scope="module")
def staircase():
    """The bundled prescribed-neck staircase, five neck radii 0.1..1.5 nm on its own mesh."""
    cfg = apcfem.load_case(apcfem.bundled_case("ag_sio2_pt_staircase"))
    return apcfem.update_case(cfg, {"protocol.points": 5, "output.fields": False,
                                    "output.plots": False})


@pytest.fixture(scope="module")
def builtin_series(staircase):
    return apcfem.Simulation.from_config(staircase).run(progress=False).series


def _as_meshio_xdmf(vtu: Path, comm: MPI.Comm) -> Path:
    """The VTU rewritten by meshio as XDMF/HDF5 (rank 0; apcfem's own .xdmf output is
    DOLFINx's, with the tags as separate grids)."""
    path = vtu.with_suffix(".xdmf")
    if comm.rank == 0:
        meshio.write(path, meshio.read(vtu))
    comm.barrier()
    return path


@pytest.mark.parametrize(("suffix", "by_number"), [("vtu", True), ("inp", False),
                                                   ("msh", False), ("med", True),
                                                   ("xdmf", True)])
def test_written_mesh_reproduces_the_staircase(staircase, builtin_series, tmp_path, suffix,
                                               by_number):
    # guards the reader's node/cell/tag bookkeeping and its unit handling: a lost or
    # misplaced tag, a swapped region or a wrongly scaled coordinate changes R_fe and G
    comm = MPI.COMM_WORLD
    folder = Path(comm.bcast(str(tmp_path), root=0))
    device = build_device_mesh(staircase.geometry, staircase.mesh, comm)
    if suffix == "xdmf":
        path = _as_meshio_xdmf(write_device_mesh(device, folder / "stack.vtu"), comm)
    else:
        path = write_device_mesh(device, folder / f"stack.{suffix}")
    changes = {"mesh.file": str(path), "mesh.length_unit": "m"}
    if by_number:  # VTU keeps no group names: map the tags by number
        changes |= {"mesh.regions": dict(device.regions),
                    "mesh.boundaries": dict(device.boundaries)}
    series = apcfem.Simulation.from_config(apcfem.update_case(staircase, changes)).run(
        progress=False).series
    for column in COMPARED:
        np.testing.assert_allclose(series[column], builtin_series[column], rtol=1e-8,
                                   atol=0.0, err_msg=column)
    # the sweep crosses several conductance plateaus: the comparison is not of constants
    assert np.ptp(builtin_series["G_G0"]) > 2.0


def test_a_bad_mesh_file_stops_every_rank(tmp_path):
    # guards the broadcast of the rank-0 check: without it the other ranks would go on into
    # the mesh distribution and wait there for rank 0 forever
    comm = MPI.COMM_WORLD
    path = Path(comm.bcast(str(tmp_path), root=0)) / "quads.vtu"
    if comm.rank == 0:
        square = np.array([[0.0, 0.0], [20.0, 0.0], [20.0, 30.0], [0.0, 30.0]])
        meshio.write(path, meshio.Mesh(square, [("quad", np.array([[0, 1, 2, 3]]))]))
    comm.barrier()
    with pytest.raises(apcfem.CaseError, match="unsupported cell type quad"):
        build_device_mesh(GeometryConfig(), MeshConfig(file=str(path), length_unit="nm"), comm)


def _measures(device, names, measure):
    return [device.comm.allreduce(fem.assemble_scalar(fem.form(
        device.weight() * measure(name))), op=MPI.SUM) for name in names]


def test_three_d_stack_reads_back_with_its_groups(tmp_path):
    # guards the tetrahedron path: each region's volume and each boundary's area of the 3-D
    # reference stack read back from Abaqus equal the built-in mesh's
    comm = MPI.COMM_WORLD
    cfg = apcfem.load_case(MESHES / "stack_3d.toml")
    device = build_device_mesh(cfg.geometry, cfg.mesh, comm)
    path = write_device_mesh(device, Path(comm.bcast(str(tmp_path), root=0)) / "stack.inp")
    back = build_device_mesh(cfg.geometry, cfg.mesh.model_copy(
        update={"file": str(path), "length_unit": "m"}), comm)
    assert set(back.regions) == set(device.regions) and len(device.regions) == 4
    assert set(back.boundaries) == set(device.boundaries)
    for measure in ("dx", "ds"):
        names = sorted(device.regions if measure == "dx" else device.boundaries)
        np.testing.assert_allclose(_measures(back, names, getattr(back, measure)),
                                   _measures(device, names, getattr(device, measure)),
                                   rtol=1e-12)
