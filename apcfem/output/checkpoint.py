"""Restart checkpoints: the accepted state of a run, readable on any number of ranks.

A checkpoint (``checkpoint.h5`` in the run directory, HDF5 written by rank 0 alone,
uncompressed) holds

* ``/fields/<name>/x`` and ``/fields/<name>/values``: the owned degrees of freedom of each state
  function (``Cell.state_functions()``), gathered from all ranks as dof coordinates [m] and
  values. A run resumed on another number of ranks (another partition) finds each of its dofs
  by its coordinates, so the state does not depend on how the mesh was distributed; a dof with
  no stored partner means the mesh changed and the checkpoint is refused.
* attributes of the root group: the loop's scalars (time, step, step size, ...), and the
  dataset ``/iterations`` (Newton iterations of every accepted step).

The file is written to a temporary name and renamed onto the old one, so a run killed while
writing keeps its previous checkpoint intact. Reading broadcasts the stored fields to every
rank, which then picks its own dofs: memory of the whole state per rank, a few MB for meshes
within ``mesh.max_cells``.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np
from dolfinx import fem
from mpi4py import MPI
from scipy.spatial import cKDTree

CHECKPOINT = "checkpoint.h5"
MATCH_TOLERANCE = 1e-9
"""A stored dof matches a local one if their distance is below this fraction of the mesh's
bounding-box diagonal."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be read into the present case (missing, or another mesh)."""


def write_checkpoint(path: Path, functions: dict[str, fem.Function], scalars: dict[str, float],
                     iterations: list[int], comm: MPI.Comm) -> None:
    """Write the state (collective; rank 0 writes ``path`` via a temporary file).

    Args:
        path: the checkpoint file.
        functions: state functions by name (scalar Lagrange functions).
        scalars: the loop's scalars (time [s], step, ...), stored as attributes.
        iterations: Newton iterations of each accepted step.
        comm: the run's communicator.
    """
    gathered = {name: _gather(u, comm) for name, u in functions.items()}
    if comm.rank != 0:
        return
    temporary = path.with_name(path.name + ".tmp")
    with h5py.File(temporary, "w") as h5:
        h5.attrs.update(scalars)
        h5.create_dataset("iterations", data=np.asarray(iterations, dtype=np.int64))
        for name, (x, values) in gathered.items():
            h5.create_dataset(f"fields/{name}/x", data=x)
            h5.create_dataset(f"fields/{name}/values", data=values)
    os.replace(temporary, path)


def read_checkpoint(path: Path, functions: dict[str, fem.Function],
                    comm: MPI.Comm) -> tuple[dict[str, float], list[int]]:
    """Load the state functions (all local dofs, ghosts included) from ``path`` (collective).

    Returns:
        The stored scalars and Newton iterations.

    Raises:
        CheckpointError: no readable checkpoint, a state function missing from it, or a dof
            of this mesh that the checkpoint does not have (another mesh).
    """
    stored, error = None, None
    if comm.rank == 0:
        try:
            stored = _read(path, list(functions))
        except (OSError, KeyError) as err:
            error = f"{path}: not a readable checkpoint of this case ({err})"
    error = comm.bcast(error, root=0)
    if error:
        raise CheckpointError(error)
    scalars, iterations, fields = comm.bcast(stored, root=0)
    for name, u in functions.items():
        _scatter(u, *fields[name], name, path, comm)
    return scalars, iterations


def _gather(u: fem.Function, comm: MPI.Comm) -> tuple[np.ndarray, np.ndarray] | None:
    """Coordinates [m] and values of the owned dofs of ``u`` from all ranks, on rank 0."""
    owned = u.function_space.dofmap.index_map.size_local
    x = u.function_space.tabulate_dof_coordinates()[:owned]
    parts = comm.gather((x, u.x.array[:owned].copy()), root=0)
    if comm.rank != 0:
        return None
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _read(path: Path, names: list[str]) -> tuple[dict, list[int], dict]:
    """Scalars, iterations and (x, values) per state function of a checkpoint file."""
    with h5py.File(path, "r") as h5:
        scalars = {key: value.item() if np.ndim(value) == 0 else value.tolist()
                   for key, value in h5.attrs.items()}
        fields = {name: (h5[f"fields/{name}/x"][...], h5[f"fields/{name}/values"][...])
                  for name in names}
        return scalars, h5["iterations"][...].tolist(), fields


def _scatter(u: fem.Function, x: np.ndarray, values: np.ndarray, name: str, path: Path,
             comm: MPI.Comm) -> None:
    """Give every local dof of ``u`` the stored value at its coordinates (collective check)."""
    local = u.function_space.tabulate_dof_coordinates()
    diagonal = float(np.linalg.norm(np.ptp(x, axis=0))) if len(x) else 0.0
    distance, index = cKDTree(x).query(local) if len(x) else (np.full(len(local), np.inf), 0)
    worst = comm.allreduce(float(np.max(distance, initial=0.0)), op=MPI.MAX)
    if not worst <= MATCH_TOLERANCE * diagonal:
        raise CheckpointError(f"{path}: field {name} was stored on another mesh (a node of this "
                              f"mesh is {worst:.3g} m from every stored node): resume with the "
                              "case's [geometry] and [mesh] unchanged")
    u.x.array[:] = values[index]
