"""The ``Cell`` protocol: what the one simulation loop needs from a device model.

Both the prescribed-shape cell (:class:`~apcfem.coupling.steady_cell.SteadyCell`, quasi-static
sweeps in pseudo-time) and the evolving filament (:class:`~apcfem.coupling.ecm_cell.EcmCell`)
implement it, so :class:`~apcfem.simulation.Simulation` has one loop, one row builder, one neck
extractor and one finish. A step from the accepted state at t to t + dt:

1. ``advance(t, dt, V_cell)`` moves the state (Newton; raises ``SolverDivergedError``);
2. the loop extracts the neck from ``filament`` and computes the contact conductance;
3. ``set_contact`` embeds it and ``resistance`` gives R_cell (the loop iterates 1-3 with the
   circuit until V_cell is consistent: the circuit is implicit in every step);
4. ``accept`` (or ``reject``, back to the state at t), then ``solve_heat``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from dolfinx import fem

from apcfem.mesh import DeviceMesh
from apcfem.neck import NeckProfile
from apcfem.protocols import ACTIVATION_TRUNCATION, CycleVariation


@dataclass(frozen=True)
class CellResistance:
    """R_cell = R_body + 1/G_contact [ohm] (``inf`` for an open cell) and the FE body part."""

    cell_ohm: float
    body_ohm: float


class CycleParameters:
    """What a cycle's draw (:class:`~apcfem.protocols.CycleVariation`) sets in an evolving cell:
    constants of its forms, changed between cycles without recompiling them.

    Args:
        mesh: the cell's mesh.
        activation_energy_eV: the mobile species' nominal activation energy [eV].
        spread_eV: ``variability.activation_energy_spread_eV`` [eV].

    Attributes:
        rate_factor: factor on the cell's exchange (deposition) rates [-].
        activation_energy_eV: the mobile species' activation energy [eV] in this cycle.
    """

    def __init__(self, mesh, activation_energy_eV: float, spread_eV: float):
        lowest = activation_energy_eV - ACTIVATION_TRUNCATION * spread_eV
        if lowest <= 0.0:
            raise ValueError(
                f"variability.activation_energy_spread_eV = {spread_eV:g}: a draw "
                f"{ACTIVATION_TRUNCATION:g} sigma below the activation energy "
                f"{activation_energy_eV:g} eV leaves no barrier; lower it below "
                f"{activation_energy_eV / ACTIVATION_TRUNCATION:g} eV")
        self.nominal_activation_energy_eV = activation_energy_eV
        self.rate_factor = fem.Constant(mesh, 1.0)
        self.activation_energy_eV = fem.Constant(mesh, activation_energy_eV)

    def vary(self, variation: CycleVariation) -> None:
        """Set the cycle's rate factor and activation energy."""
        self.rate_factor.value = variation.rate_factor
        self.activation_energy_eV.value = (self.nominal_activation_energy_eV
                                           + variation.activation_energy_shift_eV)


class Cell(Protocol):
    """A device model driven by the cell voltage."""

    device: DeviceMesh
    filament: fem.Function
    """Field the neck is extracted from (xi, 1 in the filament metal)."""
    T: fem.Function
    """Temperature [K]."""

    def advance(self, t_s: float, dt_s: float, V_cell_V: float) -> int:
        """Move the state from the accepted time t to t + dt; returns Newton iterations."""

    def accept(self) -> None:
        """Make the present state the accepted one."""

    def reject(self) -> None:
        """Return to the last accepted state."""

    def set_contact(self, neck: NeckProfile, conductance_S: float) -> None:
        """Embed the quantum contact (conductance G [S]) at the extracted neck."""

    def resistance(self) -> CellResistance:
        """Solve current continuity with the contact; R_cell and R_body."""

    def solve_heat(self, V_cell_V: float, neck_z_m: float, contact_conductance_S: float) -> float:
        """Steady temperature for the operating point; returns T_max [K]."""

    def neck_temperature(self, neck_z_m: float) -> float:
        """Temperature at the neck [K] (sets the Landauer smearing): at its height on the axis, in
        3-D at the centre of its section (collective)."""

    def inventory(self) -> dict[str, float]:
        """Conserved amounts of the state [mol] (empty for a prescribed cell)."""

    def state_functions(self) -> dict[str, fem.Function]:
        """Functions that, with the loop's scalars, restore the accepted state (checkpoints)."""

    def fields(self) -> list[fem.Function]:
        """Functions written as field snapshots."""

    def close(self) -> None:
        """Destroy PETSc objects (collective, the same order on every rank)."""
