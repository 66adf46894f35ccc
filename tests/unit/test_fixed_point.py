"""The implicit coupling of a step (cell voltage, neck shell potential, a tunnelling neck's
temperature) by Anderson steps, and
the Aitken relaxation of a distributed fixed point (the VCM step's temperature)."""

import numpy as np
import pytest
from mpi4py import MPI

from apcfem.coupling.fixed_point import AitkenRelaxation, StepFixedPoint


def _solve(G, x0, tolerances, steps: int = 30) -> tuple[np.ndarray, int]:
    """Iterate StepFixedPoint on x = G(x) from x0 until converged; (x, iterations)."""
    coupling, x = StepFixedPoint(tolerances), np.asarray(x0, dtype=float)
    for k in range(steps):
        Gx = G(x)
        if coupling.converged(x, Gx):
            return x, k
        x = coupling.next(x, Gx)
    return x, steps


def _substitute(G, x0, steps: int) -> np.ndarray:
    x = np.asarray(x0, dtype=float)
    for _ in range(steps):
        x = G(x)
    return x


def test_cell_voltage_alone_converges_where_substitution_oscillates():
    """A clamped cell whose resistance falls exponentially with the voltage it is driven at
    (Tafel growth): G' = -1.5 at the root, so V <- G(V) moves away; the Anderson (secant)
    iteration reaches the root to 1e-12 V."""
    def G(x):
        return 0.5 * np.exp(-3.0 * (x - 0.5))
    assert abs(_substitute(G, [0.45], 4)[0] - 0.5) > 0.1
    x, iterations = _solve(G, [0.45], [1e-12])
    assert abs(x[0] - 0.5) < 1e-11 and iterations <= 10


def test_a_step_like_voltage_map_is_bisected_inside_its_bracket():
    """Across a step-like G (a mode opening) the plain secant cycles through 0.1, 0.29, 0.6,
    0.41 for ever; the bracket of residuals of both signs closes on the jump."""
    def G(x):
        return np.array([0.6 if x[0] < 0.3 else 0.1])
    x, _ = _solve(G, [0.0], [1e-5], steps=40)
    assert abs(x[0] - 0.3) < 1e-4


@pytest.mark.parametrize("jacobian", [[[-1.5, 0.2], [0.3, -1.2]],    # both modes repel
                                      [[-0.5, 0.4], [0.6, 0.7]],     # one mode at ~1
                                      [[0.5, 2.0], [-1.0, -0.5]]])   # rotating
def test_voltage_and_shell_potential_together(jacobian):
    """Two coupled scalars (V [V], shell potential [eV]) whose map substitution does not
    solve (spectral radius of its Jacobian >= 1): the Anderson steps, with both past iterates,
    reach the fixed point to the tolerances within 8 iterations."""
    root, A = np.array([0.5, 0.2]), np.array(jacobian)

    def G(x):
        return root + A @ (x - root) + 0.05 * np.sin(3.0 * (x - root))
    J = A + 0.15 * np.eye(2)
    assert np.max(np.abs(np.linalg.eigvals(J))) >= 1.0
    x, iterations = _solve(G, [0.45, 0.25], [1e-9, 1e-8])
    assert iterations <= 8
    # converged to the tolerances: along a mode whose factor is ~1.025 the error is up to
    # 40x the residual
    assert np.allclose(x, root, rtol=0.0, atol=1e-6)


def test_voltage_shell_and_neck_temperature_together():
    """Three scalars of different units and tolerances (V [V], shell potential [eV], the neck
    temperature [K] of a tunnelling tip, whose conductance rises with the electron temperature
    while the clamped power I^2 / G falls with it: substitution flips with gain -1.8): the
    Anderson steps reach the fixed point; the bracket of the voltage is kept or forgotten by
    the other components' own tolerances."""
    root = np.array([1.1, 0.05, 750.0])
    A = np.array([[-0.8, 0.1, 2e-4],
                  [0.2, 0.3, 0.0],
                  [-300.0, 0.0, -1.8]])

    def G(x):
        return root + A @ (x - root)
    assert np.max(np.abs(np.linalg.eigvals(A))) > 1.0
    x, iterations = _solve(G, [1.2, 0.0, 920.0], [1e-6, 1e-3, 1e-3])
    assert iterations <= 12
    assert np.allclose(x, root, rtol=0.0, atol=[1e-5, 1e-2, 1e-2])


def test_a_two_state_flip_is_recognised_only_when_close():
    """A map that flips between two nearby states (0.5 mV and 4 meV apart, tolerances 3.4e-5 V
    and 1e-3 eV: within FLIP_LIMIT) has no fixed point and is recognised; the same flip 0.1 V
    apart, or a sequence that still moves, is not."""
    near = [np.array([-0.319764, -0.641335]), np.array([-0.320236, -0.636863])]
    far = [np.array([-0.3, -0.641335]), np.array([-0.4, -0.636863])]
    for states, expected in ((near, True), (far, False)):
        coupling = StepFixedPoint([3.4e-5, 1e-3])
        for k in range(4):
            coupling.converged([0.0, 0.0], states[k % 2])
        assert coupling.flipping() == expected
    moving = StepFixedPoint([3.4e-5, 1e-3])
    for k in range(4):
        moving.converged([0.0, 0.0], near[k % 2] + 1e-3 * k)
    assert not moving.flipping()


@pytest.mark.parametrize("gain", [-1.3, -0.5, 0.4])
def test_aitken_relaxation_solves_a_linear_map_that_substitution_does_not(gain):
    """x = H(x) = g x + c on a vector: substitution diverges for g < -1 and crawls for g > 0;
    the Irons-Tuck factor is 1 / (1 - g) after one step, so the iterate after the second step
    is the fixed point c / (1 - g) (to round-off)."""
    c = np.array([1.0, -2.0, 0.5])
    relaxation = AitkenRelaxation(MPI.COMM_SELF, owned=3)
    x = np.zeros(3)
    for _ in range(3):
        x = relaxation.next(x, gain * x + c)
    assert np.allclose(x, c / (1.0 - gain), rtol=1e-12, atol=1e-12)
    substituted = np.zeros(3)
    for _ in range(3):
        substituted = gain * substituted + c
    assert not np.allclose(substituted, c / (1.0 - gain), rtol=1e-3)


def test_aitken_relaxation_damps_two_modes():
    """Two components with gains -1.3 and -0.2 (one mode amplified by substitution): the
    relaxed iteration converges to 1e-8 within 30 steps."""
    gains, c = np.array([-1.3, -0.2]), np.array([1.0, 1.0])
    relaxation, x = AitkenRelaxation(MPI.COMM_SELF, owned=2), np.zeros(2)
    for _ in range(30):
        x = relaxation.next(x, gains * x + c)
    assert np.allclose(x, c / (1.0 - gains), atol=1e-8)
