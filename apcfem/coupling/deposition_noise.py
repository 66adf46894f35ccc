"""Shot noise of the metal/electrolyte reaction: the atoms an interface exchanges are counted.

The phase field's reaction (:class:`~apcfem.physics.phase_field.AllenCahnDeposition`) is the
mean of two Poisson processes, atoms deposited and atoms dissolved, each at its Butler-Volmer
branch j0 e^{alpha y} and j0 e^{-(1 - alpha) y} (y = z e eta / k_B T) per area, divided by z e.
Over a step dt an interface patch of area dA exchanges N = (j_ox + j_red) dA dt / (z e) atoms
and deposits its mean plus a fluctuation of variance N (chemical Langevin equation, D. T.
Gillespie, J. Chem. Phys. 113, 297 (2000), eq. 23; Euler-Maruyama: N from the step's start).

**As a displacement of the interface.** The fluctuation moves the interface along its normal by
delta_n (volume Omega per atom): var(delta_n dA) = Omega^2 N. In the diffuse interface the
shift is carried where the reaction is, delta_xi = w(xi) delta_n with the reaction's weight
w = h'(xi) / (2.5 lambda) (h' = 30 xi^2 (1 - xi)^2, int w dn = 1 across the tanh profile of
half-width lambda). (A rigid shift of the profile, 2 xi (1 - xi) / lambda delta_n, also moves
its tails, whose level-set curvature the Gibbs-Thomson term reads with a large amplification
near a tip.) Node i (volume V_i) draws the volume

    b_i = zeta_i sqrt(Omega dt s_i V_i),   zeta_i ~ N(0, 1),

with s = v0 B w the gross exchange rate density of the reaction term, B = e^{alpha y} +
e^{-(1 - alpha) y}, v0 = j0 / (z F c_m): summed over the interface, the variance is the
sharp-interface count (j_ox + j_red) A dt / (z e) times Omega^2.

**Coarse-grained over an atom.** The mesh is finer than an atom (0.1-0.15 nm cells against the
0.32 nm of an Ag atom): a node near the axis holds a fraction of an atom and exchanges ~1e-2
atoms in a step, so node by node the shift would be ~0.1 nm and the surface rough on the scale
of the mesh (Newton then fails). The volumes are spread along the interface over a length l
(the metal's atomic diameter) by the surface Helmholtz filter for the shift u = delta_n,

    int W w u v + l^2 int w_vol w grad u . grad v = sum_i b_i v_i    (vertex rule: W w terms),

(w + 1e-9 / lambda in the bulk, where it decouples the nodes), whose gradient rows sum to zero:
the increment w_i u_i deposits exactly sum_i b_i, so the Poisson count of every patch larger
than l is kept. The increment is clipped to keep xi within [0, 1].

**What it does to growth.** The kinetics are convex in the overpotential (Tafel, and the
Gibbs-Thomson shift of the rough surface's curvature), so the fluctuations rectify: on the ECM
test cell's 1.2 V growth pulse (10.6 atoms without noise) the metal deposited rises by ~10 % at
half the Poisson amplitude and by ~35 % at the full amplitude (about second order in the
amplitude); Newton takes the iterations of the noise-free run.

**Exchanged with the electrolyte at the interface, not carried by the ionic current.** The
increment enters the phase residual as a source but not the ions' sink, which stays the mean
deposition c_m (xi - xi_old - increment) (:mod:`apcfem.physics.ionic_conduction`): white noise
has a variance proportional to dt, so a current carrying it would grow as dt^{-1/2} (at the
step sizes of a contact, 1e-12 s, Newton failed). Physically the double layer's ions supply a
fluctuation, which the electroneutral model cannot store; its atoms are booked as exchanged
with the electrolyte (the cell's ``noise_mol``, added to the run's ``exchanged_mol``), so the
metal balance still closes to solver tolerance.

**Same draw on any rank count.** zeta_i is drawn from numpy's generator seeded by (seed, the
step's start time and size) for every node of the mesh in its input order, and each rank reads
its nodes' values by their input index: the draw depends on neither the partition nor the number
of circuit iterations within a step, and a rejected step's retry (a smaller dt) draws anew.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from apcfem.coupling.linear import LinearSolver
from apcfem.mesh import nodal_vector
from apcfem.physics.phase_field import clipped_interpolation_derivative

PROFILE_REACTION_WIDTH = 2.5
"""int h'(xi(n)) dn / lambda across the tanh profile xi = (1 - tanh(n / lambda)) / 2 [-]."""

BULK_WEIGHT = 1e-9
"""Floor of the interface weight w in the filter, times 1 / lambda [-]: keeps its matrix regular
where the phase is pure (there the increment w delta_n vanishes anyway)."""

NOISE_STREAM = 0x5EED_D0  # spawn key of the noise's generator, apart from the cycle draws


def reaction_branches(reduced_overpotential, transfer_coefficient: float):
    """B = e^{alpha y} + e^{-(1 - alpha) y} [-]: both Butler-Volmer branches, in units of j0."""
    alpha = transfer_coefficient
    return (ufl.exp(alpha * reduced_overpotential)
            + ufl.exp(-(1.0 - alpha) * reduced_overpotential))


def interface_weight(xi, interface_width_m: float):
    """w = h'(xi) / (2.5 lambda) [1/m] of xi clipped to [0, 1]: the reaction's weight across the
    diffuse interface, a surface density (int w dn = 1 across the tanh profile)."""
    return clipped_interpolation_derivative(xi) / (PROFILE_REACTION_WIDTH * interface_width_m)


def input_node_keys(space: fem.FunctionSpace) -> tuple[np.ndarray, int]:
    """Input (mesh-file) index of the geometry node under each local dof of a P1 space, and the
    number of input nodes over all ranks: a key that no partition changes."""
    mesh = space.mesh
    keys = np.empty(space.dofmap.index_map.size_local + space.dofmap.index_map.num_ghosts,
                    dtype=np.int64)
    # P1 dofs and P1 geometry nodes list a cell's vertices in the same reference order
    keys[space.dofmap.list.ravel()] = mesh.geometry.input_global_indices[
        mesh.geometry.dofmaps[0].ravel()]
    count = mesh.comm.allreduce(int(keys.max(initial=-1)) + 1, op=MPI.MAX)
    return keys, count


def step_normals(seed: int, t_s: float, dt_s: float, keys: np.ndarray,
                 count: int) -> np.ndarray:
    """Standard normals for the nodes ``keys`` (input indices < count) of the step (t_s, dt_s):
    one draw of ``count`` values per step, the same on every rank."""
    bits = [int(np.float64(v).view(np.uint64)) for v in (t_s, dt_s)]
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(NOISE_STREAM, *bits)))
    return rng.standard_normal(count)[keys]


class DepositionNoise:
    """The nodal phase increment of one step's deposition shot noise (a P1 function).

    Args:
        xi: the phase field (P1) [-], holding the step's starting state when drawn.
        branches: B of the present state [-] (UFL, see :func:`reaction_branches`).
        deposition_velocity_m_per_s: v0 [m/s] (number or UFL expression).
        interface_width_m: lambda of the tanh profile [m].
        local_integral: (nodal volume weight, vertex measure) of the phase's lumped terms.
        gradient_integral: (volume weight, measure) of the gradient terms.
        atomic_volume_m3: Omega of the metal [m^3].
        correlation_length_m: l of the filter [m] (0: white, node by node).
        seed: the case's variability seed.
        scale: factor on the standard deviation (1: the Poisson count; 0: no noise).
    """

    def __init__(self, xi: fem.Function, branches, deposition_velocity_m_per_s,
                 interface_width_m: float, local_integral, gradient_integral,
                 atomic_volume_m3: float, correlation_length_m: float, seed: int,
                 scale: float):
        space = xi.function_space
        weight, vertex_dx = local_integral
        v = ufl.TestFunction(space)
        lam = interface_width_m
        self.increment = fem.Function(space, name="deposition_noise")
        self.shift = fem.Function(space, name="interface_shift")
        self._drawn = fem.Function(space)  # b_i / V_i [-]
        self._xi = xi
        self._volume = nodal_vector(fem.form(weight * v * vertex_dx))
        self._weight_form = fem.form(weight * interface_weight(xi, lam) * v * vertex_dx)
        self._exchange_form = fem.form(  # s = v0 B w, nodal sums
            weight * deposition_velocity_m_per_s * branches * interface_weight(xi, lam)
            * v * vertex_dx)
        self._omega, self._seed, self._scale = atomic_volume_m3, seed, scale
        self._keys, self._count = input_node_keys(space)
        self._step = None
        density = interface_weight(xi, lam) + BULK_WEIGHT / lam
        u, (w, dx) = self.shift, gradient_integral
        self._filter = LinearSolver(
            "deposition_noise",
            weight * (density * u - self._drawn) * v * vertex_dx
            + correlation_length_m**2 * w * density * ufl.inner(ufl.grad(u), ufl.grad(v)) * dx,
            u)

    def expected_exchange_per_s(self) -> float:
        """Atoms the interface of the present state exchanges per second (both branches) [1/s]:
        the variance of the step's noise, in atoms, per unit dt."""
        owned = self.increment.function_space.dofmap.index_map.size_local
        exchanged = nodal_vector(self._exchange_form)[:owned]
        return self._xi.function_space.mesh.comm.allreduce(
            float(exchanged.sum()) / self._omega, op=MPI.SUM)

    def draw(self, t_s: float, dt_s: float) -> None:
        """Set the increment of the step (t_s, dt_s) from the present state (call it with the
        step's starting state; a repeated call for the same step keeps the first draw)."""
        if self._step == (t_s, dt_s):
            return
        self._step = (t_s, dt_s)
        rate = np.maximum(nodal_vector(self._exchange_form), 0.0) / self._volume
        zeta = step_normals(self._seed, t_s, dt_s, self._keys, self._count)
        self._drawn.x.array[:] = self._scale * zeta * np.sqrt(
            self._omega * dt_s * rate / self._volume)
        self._filter.solve()
        xi = self._xi.x.array
        weight = nodal_vector(self._weight_form) / self._volume
        self.increment.x.array[:] = np.clip(weight * self.shift.x.array, -xi, 1.0 - xi)

    def close(self) -> None:
        """Destroy the filter's solver (collective)."""
        self._filter.close()

    def clear(self) -> None:
        """No increment (steps that are not part of the run's clock)."""
        self._step = None
        self.increment.x.array[:] = 0.0
