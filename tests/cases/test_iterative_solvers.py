"""The iterative solver path (``[solver]`` conduction, heat, elasticity = "iterative": CG +
GAMG, rigid-body modes for elasticity) gives the run of the direct path (MUMPS).

Short variants of four bundled cases cover the linear solves that the choice reaches: the
body conduction and the steady cell heat (staircase; at 4 K with ramped sinks in the
neck-temperature case), the junction elasticity (break junction), the illuminated electrode's
transient heat and thermo-elasticity (LED nanogap).
Tolerance: the linear solves stop at a relative residual of 1e-12. The least accurate solve is
the film's thermo-elasticity (displacements to ~1e-7 relative); the resistance of a tunnelling
gap amplifies the relative error of the gap closing c by 2 kappa c ~ 6 (kappa = 1.1e10 /m for
Au, c up to 0.7 nm), so columns agree to 1e-6 relative (a solve left at 1e-10 reached 1.1e-6 on
2 ranks; at PETSc's default rtol 1e-5 it misses by orders of magnitude). Serial and on 2 ranks.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

import apcfem

sys.path.insert(0, str(Path(__file__).parents[1] / "parallel"))
from short_cases import short_case

ITERATIVE = {"solver__conduction": "iterative", "solver__heat": "iterative",
             "solver__elasticity": "iterative"}
COLUMNS = ("G_G0", "R_fe_ohm", "T_max_K", "T_neck_K", "I_A", "displacement_m")
AGREEMENT = 1e-6


def _series(name: str, folder: Path, **changes) -> dict[str, np.ndarray]:
    """The short run of ``name`` with ``changes``: its case file written once (rank 0, into a
    folder of its own per variant, since the ranks' tmp_paths differ), then read by all."""
    comm = MPI.COMM_WORLD
    variant = Path(comm.bcast(str(folder), root=0)) / ("changed" if changes else "bundled")
    if comm.rank == 0:
        variant.mkdir(exist_ok=True)
        short_case(name, variant, output__fields=False, **changes)
    comm.barrier()
    cfg = apcfem.load_case(variant / f"{name}.toml")
    return apcfem.Simulation.from_config(cfg, comm).run(None, progress=False).series


@pytest.mark.parametrize("name", ["ag_sio2_pt_staircase", "ag_neck_temperature",
                                  "mcbj_au_stretch", "led_au_nanogap"])
def test_iterative_run_matches_direct_run(name, tmp_path):
    direct = _series(name, tmp_path)
    iterative = _series(name, tmp_path, **ITERATIVE)
    assert len(direct["G_G0"]) == len(iterative["G_G0"]) > 2
    for column in COLUMNS:
        a, b = direct[column], iterative[column]
        finite = np.isfinite(a)
        assert np.array_equal(finite, np.isfinite(b)), column
        scale = np.maximum(np.abs(a[finite]), 1e-300)
        worst = float(np.max(np.abs(a[finite] - b[finite]) / scale, initial=0.0))
        assert worst <= AGREEMENT, f"{column}: iterative differs by {worst:.2g} relative"
