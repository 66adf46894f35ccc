"""The surface reaction of a filament against its host matrix (apcfem.physics.matrix_cavity)."""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.physics.matrix_cavity import (
    CAVITY_MARGIN,
    DEAD_ZONE_ROUNDING,
    cavity_limited_ratio,
    smooth_step,
)

ALPHA = 0.5
PRESSURE = 12.4
"""p Omega / k_B T of 3 GPa on an Ag atom at 300 K [-]."""


def _mean(expression_of) -> float:
    """Mean over a unit square of the UFL expression expression_of(domain)."""
    domain = mesh.create_unit_square(MPI.COMM_SELF, 1, 1)
    return fem.assemble_scalar(fem.form(expression_of(domain) * ufl.dx))


def _ratio(y: float, xi: float, cavity: float) -> float:
    return _mean(lambda d: cavity_limited_ratio(fem.Constant(d, y), ALPHA, PRESSURE,
                                                fem.Constant(d, xi), fem.Constant(d, cavity)))


def _butler_volmer(y: float) -> float:
    return np.exp(ALPHA * y) - np.exp(-(1.0 - ALPHA) * y)


@pytest.mark.parametrize("y", [-20.0, -14.0, -6.0, -0.5, 0.5, 4.0])
def test_inside_the_cavity_the_reaction_is_butler_volmer(y):
    """Where xi lies a margin or more below the cavity (regrowth into the channel a dissolved
    filament left), the matrix does not act."""
    assert _ratio(y, 0.3, 0.3 + CAVITY_MARGIN) == pytest.approx(_butler_volmer(y), rel=1e-12)


@pytest.mark.parametrize("y", [-20.0, -14.0])
def test_on_the_wall_deposition_needs_the_pressure_overpotential(y):
    """Beyond -p Omega / k_B T the wall moves out at the rate of the overpotential less the
    pressure's: on the Tafel branch e^{(1 - alpha) 12.4} = 490 times slower than without the
    matrix."""
    ratio = _ratio(y, 0.6, 0.6)
    assert ratio == pytest.approx(_butler_volmer(y + PRESSURE), rel=1e-4)
    assert ratio < 0.0
    if y + PRESSURE < -5.0:
        slower = _butler_volmer(y) / ratio
        assert slower == pytest.approx(np.exp((1 - ALPHA) * PRESSURE), rel=0.05)


@pytest.mark.parametrize("y", [-12.0, -6.0, -0.5])
def test_on_the_wall_a_smaller_cathodic_overpotential_moves_nothing(y):
    """Between -p Omega / k_B T and 0 the metal presses on the wall without moving it."""
    assert abs(_ratio(y, 0.6, 0.6)) < DEAD_ZONE_ROUNDING


@pytest.mark.parametrize("y", [0.5, 4.0])
def test_on_the_wall_dissolution_is_unchanged(y):
    """The matrix does not push back: a metal that dissolves leaves its cavity as usual."""
    assert _ratio(y, 0.6, 0.6) == pytest.approx(_butler_volmer(y), rel=1e-4)


def test_the_steps_between_inside_wall_and_beyond_are_smooth():
    """The cubic step: 0 and 1 at its ends, 1/2 half-way, flat beyond."""
    def step(u):
        return _mean(lambda d: smooth_step(fem.Constant(d, u)))
    assert step(-0.5) == pytest.approx(0.0, abs=1e-14)
    assert step(0.5) == pytest.approx(0.5, rel=1e-12)
    assert step(1.0) == pytest.approx(1.0, rel=1e-12)
    assert step(3.0) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("y", [-40.0, -20.0, -6.0, 2.0])
def test_beyond_the_wall_the_metal_is_under_the_pressure(y):
    """Metal a margin or more beyond the wall (put there by anything but a drive beyond the
    pressure's overpotential, e.g. the profile terms of the phase field) reacts with the
    pressure in its overpotential, both ways: below the threshold it dissolves back."""
    ratio = _ratio(y, 0.6 + CAVITY_MARGIN, 0.6)
    assert ratio == pytest.approx(_butler_volmer(y + PRESSURE), rel=1e-12)
    assert (ratio > 0.0) == (y > -PRESSURE)
