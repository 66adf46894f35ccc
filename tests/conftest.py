"""Shared test setup: MPI hygiene and serial/parallel selection.

PETSc objects are destroyed collectively, so every test ends with gc.collect(), the collective
cleanup of PETSc's garbage list on COMM_WORLD and a barrier. Close every solver a test makes
(``with NewtonProblem(...) as problem:``): the garbage list of COMM_WORLD does not hold the
objects of a solver on a mesh's own communicator, and under ``mpiexec`` one pytest process
runs the whole suite, which ran MPICH out of communicators (2048) when unclosed solvers kept
theirs ("Cannot allocate context ID").
Under ``mpiexec -n 2 pytest -m "not serial"`` only rank 0 reports (set APCFEM_TEST_ALL_RANKS=1
to see every rank); a failure on any rank still fails the run.
"""

import gc  # noqa: I001  (apcfem must be imported before mpi4py and petsc4py)
import os
import sys

import pytest

import apcfem  # noqa: F401  (sets up the DOLFINx wheel before mpi4py/petsc4py)
from mpi4py import MPI
from petsc4py import PETSc


def pytest_configure(config):
    if MPI.COMM_WORLD.rank > 0 and not os.environ.get("APCFEM_TEST_ALL_RANKS"):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    if MPI.COMM_WORLD.size > 1:
        default = sys.excepthook

        def abort(kind, value, traceback):
            default(kind, value, traceback)
            MPI.COMM_WORLD.Abort(1)

        sys.excepthook = abort


def pytest_collection_modifyitems(config, items):
    """Pure NumPy unit tests never need MPI: mark them serial. Tests marked ``mpi`` compare one
    rank with all ranks, which is vacuous on one rank (COMM_WORLD is COMM_SELF): they are
    skipped unless run under ``mpiexec -n N``, N >= 2."""
    alone = MPI.COMM_WORLD.size == 1
    for item in items:
        if "tests/unit" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.serial)
        if alone and item.get_closest_marker("mpi"):
            item.add_marker(pytest.mark.skip(reason="1-vs-N-rank comparison: needs mpiexec -n 2"))


@pytest.fixture(autouse=True)
def _collective_cleanup():
    yield
    gc.collect()
    PETSc.garbage_cleanup(MPI.COMM_WORLD)
    MPI.COMM_WORLD.barrier()
