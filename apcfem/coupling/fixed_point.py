"""The implicit coupling of a step: a few scalars solved with the cell state by Anderson mixing.

Within a step the cell is advanced at given values of a few scalars: the cell voltage (always
first), for an ECM cell with neck electron shells the shell potential of the neck, and for a
tunnelling filament the neck temperature of its count. The state it reaches gives those
scalars anew (the voltage the circuit gives at the new R_cell, the shell potential of the new
neck, the neck temperature its power heats it to): x = G(x). Plain substitution x <- G(x)
converges only while G is a contraction; under a compliance clamp the growth is exponential in
V_cell (Butler-Volmer) and dG/dV reaches -1 or less, where a neck climbs a conductance step its
shell potential moves by tenths of an eV in a millisecond, and a clamped tunnelling tip's
conductance rises with its temperature while its power I^2/G falls, so the substituted
iterates oscillate or crawl.
:class:`StepFixedPoint` takes Anderson steps instead (Walker & Ni, SIAM J. Numer. Anal. 49,
1715 (2011)): with as many past iterates as scalars, the secant method for the cell voltage
alone and a multisecant step for several.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_STRETCH = 1000.0
"""Longest Anderson step, in units of the substitution step |G(x) - x| (scaled): a guard
against a nearly singular history. Along a mode whose substitution factor is near 1 the
step needed is 1 / |1 - factor| substitution steps (40 at 1.025), so the guard is wide."""


FLIP_LIMIT = 30.0
"""Largest distance between the two states of a two-cycle that :meth:`StepFixedPoint.flipping`
accepts, in tolerances."""


class StepFixedPoint:
    """Anderson iteration of x = G(x) for a step's coupled scalars (cell voltage first).

    Each component is scaled by its tolerance (x = G(x) is reached when every scaled residual
    is at most 1). No step is longer than MAX_STRETCH substitution steps. While every component
    but the voltage has converged, the voltages seen with residuals of both signs bracket the
    root, and a proposal outside the bracket is replaced by its midpoint (bisection: a
    step-like G, e.g. across a mode opening, cannot make the iterates cycle).

    Args:
        tolerances: the tolerance of each component, in its unit.
    """

    def __init__(self, tolerances: Sequence[float]):
        self._scale = 1.0 / np.asarray(tolerances, dtype=float)
        self._history: list[tuple[np.ndarray, np.ndarray]] = []
        self._positive: float | None = None   # the latest voltage with G - x > 0
        self._negative: float | None = None   # the latest voltage with G - x < 0
        self._seen: list[np.ndarray] = []     # every G(x), latest last

    def converged(self, x: Sequence[float], G: Sequence[float]) -> bool:
        """Whether every component of G(x) - x is within its tolerance (and record G(x))."""
        self._seen.append(np.asarray(G, dtype=float))
        return bool(np.all(self._scaled(np.subtract(G, x)) <= 1.0))

    def flipping(self) -> bool:
        """Whether the last four G(x) alternate between two states within tolerance of each
        other's repeats and at most FLIP_LIMIT tolerances apart: the state -> scalars map has
        a discrete flip (e.g. the neck's narrowest slice hopping between two mesh slices)
        with no fixed point between its two sides, however short the step (seen on a reset,
        0.5 mV and 4 meV apart, which held the run at 1e-9 s steps)."""
        if len(self._seen) < 4:
            return False
        g1, g2, g3, g4 = self._seen[-4:]
        repeats = max(np.max(self._scaled(g3 - g1)), np.max(self._scaled(g4 - g2)))
        return bool(repeats <= 1.0 and np.max(self._scaled(g4 - g3)) <= FLIP_LIMIT)

    def next(self, x: Sequence[float], G: Sequence[float]) -> np.ndarray:
        """The next x from the present one and the G(x) the cell state gave."""
        x, f = np.asarray(x, dtype=float), np.subtract(G, x, dtype=float)
        self._update_bracket(x[0], f)
        scaled = f * self._scale
        step = scaled
        if self._history:
            dx = np.array([(x - x_k) * self._scale for x_k, _ in self._history]).T
            df = np.array([(f - f_k) * self._scale for _, f_k in self._history]).T
            gamma = np.linalg.lstsq(df, scaled, rcond=None)[0]
            step = scaled - (dx + df) @ gamma
            longest = MAX_STRETCH * np.linalg.norm(scaled)
            length = np.linalg.norm(step)
            if length > longest:
                step = step * (longest / length)
        self._history = [(x, f), *self._history][:x.size]
        proposal = x + step / self._scale
        if self._positive is not None and self._negative is not None:
            low, high = sorted((self._positive, self._negative))
            if not low < proposal[0] < high:
                proposal[0] = 0.5 * (low + high)
        return proposal

    def _scaled(self, f: np.ndarray) -> np.ndarray:
        return np.abs(f) * self._scale

    def _update_bracket(self, voltage: float, f: np.ndarray) -> None:
        """Record the voltage's residual sign while the other components have converged;
        forget the bracket while they move (G of the voltage moves with them)."""
        if np.any(np.abs(f[1:]) * self._scale[1:] > 1.0):
            self._positive = self._negative = None
        elif f[0] > 0.0:
            self._positive = voltage
        elif f[0] < 0.0:
            self._negative = voltage


RELAXATION_RANGE = (0.05, 2.0)
"""Bounds of the relaxation factor of :class:`AitkenRelaxation` [-]."""


class AitkenRelaxation:
    """Dynamic relaxation of a distributed vector fixed point x = H(x) (Irons & Tuck, Int. J.
    Numer. Meth. Eng. 1, 275 (1969); Aitken's Delta^2 for vectors): x <- x + w_k r_k with the
    residual r_k = H(x_k) - x_k and w_k = -w_{k-1} r_{k-1}.(r_k - r_{k-1}) / |r_k - r_{k-1}|^2,
    w_0 = 1 (plain substitution first), bounded to :data:`RELAXATION_RANGE`. For a linear map of
    gain g the factor is 1 / (1 - g) after one step: an oscillation that substitution amplifies
    (g < -1, e.g. the Arrhenius feedback between a hot spot's heat and its vacancies) is damped
    and a slow monotone one (0 < g < 1) is accelerated (by at most the upper bound).

    Args:
        comm: communicator of the vector's distribution (the dot products are collective).
        owned: number of leading entries of the local arrays this rank owns (ghosts follow).
    """

    def __init__(self, comm, owned: int):
        self._comm, self._owned = comm, owned
        self._factor, self._last = 1.0, None

    def next(self, x: np.ndarray, Hx: np.ndarray) -> np.ndarray:
        """The next iterate from the present one x and its image H(x) (local arrays, ghosts
        included; the factor is computed from the owned entries, the same on every rank)."""
        residual = Hx - x
        if self._last is not None:
            change = (residual - self._last)[:self._owned]
            sums = self._comm.allreduce(np.array([
                float(self._last[:self._owned] @ change), float(change @ change)]))
            if sums[1] > 0.0:
                self._factor = float(np.clip(-self._factor * sums[0] / sums[1],
                                             *RELAXATION_RANGE))
        self._last = residual
        return x + self._factor * residual
