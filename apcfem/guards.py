"""Physical guards on every accepted state: each violation reported with time and location.

* temperature: T > 0 K everywhere (else the run stops: :class:`PhysicalGuardError`); above the
  filament metal's melting point (materials library) a warning, as melting is not modelled;
* contact conductance G >= 0 (else the run stops);
* filament metal fraction xi (the metal's concentration as a fraction of the bulk metal's):
  within [-XI_TOLERANCE, 1 + XI_TOLERANCE] (a warning: the diffuse interface overshoots a
  little, more means an unresolved interface).

A warning is given when a violation starts (not again on every step while it lasts), on rank 0.
"""

from __future__ import annotations

import logging

import numpy as np
from dolfinx import fem
from mpi4py import MPI

from apcfem.materials import Material

log = logging.getLogger(__name__)

XI_TOLERANCE = 0.1
"""Overshoot of the filament metal fraction beyond [0, 1] that is not reported [-]."""


class PhysicalGuardError(RuntimeError):
    """An accepted state that is physically impossible (T <= 0 K, G < 0)."""


class PhysicalGuards:
    """Checks of the accepted states of one run.

    Args:
        metal: the filament metal (its melting point, if the library has one).
        comm: the run's communicator.
    """

    def __init__(self, metal: Material, comm: MPI.Comm):
        melting = getattr(metal, "melting_point_K", None)
        self.melting_K = melting.value if melting is not None else None
        self.metal = metal.name
        self.comm = comm
        self._active: set[str] = set()
        self._coordinates: dict[int, np.ndarray] = {}

    def check(self, t_s: float, step: int, cell, conductance_S: float) -> None:
        """Check the accepted state at t [s], step ``step`` (collective).

        Raises:
            PhysicalGuardError: T <= 0 K somewhere, or G < 0.
        """
        where = f"t = {t_s:.6e} s, step {step}"
        if conductance_S < 0:
            raise PhysicalGuardError(f"{where}: contact conductance {conductance_S:.3e} S < 0")
        T_min, x_min = self._extreme(cell.T, np.argmin)
        if T_min <= 0:
            raise PhysicalGuardError(f"{where}: temperature {T_min:.4g} K <= 0 at "
                                     f"{_point(x_min)}")
        T_max, x_max = self._extreme(cell.T, np.argmax)
        self._warn("melting", self.melting_K is not None and T_max >= self.melting_K,
                   f"{where}: T = {T_max:.1f} K at {_point(x_max)} exceeds the melting point "
                   f"{self.melting_K} K of {self.metal} (melting is not modelled)")
        xi_low, x_low = self._extreme(cell.filament, np.argmin)
        xi_high, x_high = self._extreme(cell.filament, np.argmax)
        self._warn("xi_low", xi_low < -XI_TOLERANCE,
                   f"{where}: filament metal fraction {xi_low:.3g} < 0 at {_point(x_low)}")
        self._warn("xi_high", xi_high > 1 + XI_TOLERANCE,
                   f"{where}: filament metal fraction {xi_high:.3g} > 1 at {_point(x_high)}")

    def _extreme(self, u: fem.Function, pick) -> tuple[float, np.ndarray]:
        """The value of ``u`` chosen by ``pick`` (``np.argmin`` or ``np.argmax``) over all
        ranks' owned dofs, and the dof's coordinates [m] (collective)."""
        space = u.function_space
        owned = space.dofmap.index_map.size_local
        if id(space) not in self._coordinates:
            dim = space.mesh.geometry.dim  # (r, z) in 2-D
            self._coordinates[id(space)] = space.tabulate_dof_coordinates()[:, :dim]
        values, local = u.x.array[:owned], None
        if owned:
            k = int(pick(values))
            local = (float(values[k]), self._coordinates[id(space)][k])
        candidates = [c for c in self.comm.allgather(local) if c is not None]
        return candidates[int(pick([c[0] for c in candidates]))]

    def _warn(self, name: str, violated: bool, message: str) -> None:
        """Warn (rank 0) when the violation ``name`` starts; forget it when it ends."""
        if violated and name not in self._active and self.comm.rank == 0:
            log.warning(message)
        if violated:
            self._active.add(name)
        else:
            self._active.discard(name)


def _point(x: np.ndarray) -> str:
    """Coordinates [m] as nanometres, e.g. ``(r, z) = (0.12, 7.5) nm``, rounded to 1e-6 nm (a
    node on the axis may sit 1e-26 m off it: it reads 0)."""
    return f"x = ({', '.join(f'{round(v * 1e9, 6) + 0.0:.3g}' for v in x)}) nm"
