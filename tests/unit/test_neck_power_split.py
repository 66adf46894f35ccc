"""The electrode beyond a cell's mesh takes its share of the neck power as a metal half-space:
the Gaussian's integral over it, against a quadrature of the same integral."""

import numpy as np
import pytest
from scipy import integrate

from apcfem.coupling.cell_heat import gaussian_half_space_m3


@pytest.mark.parametrize("distance_nm", [0.0, 0.4, 1.5])
def test_half_space_integral_of_the_gaussian(distance_nm):
    L = 1.0  # nm
    radial = np.pi * L**2  # int_0^inf 2 pi r exp(-r^2 / L^2) dr
    axial, _ = integrate.quad(lambda z: np.exp(-(z**2) / L**2), distance_nm, np.inf)
    expected_m3 = radial * axial * 1e-27
    assert gaussian_half_space_m3(distance_nm * 1e-9, L * 1e-9) == pytest.approx(
        expected_m3, rel=1e-10)
    if distance_nm == 0.0:  # half of the whole Gaussian, pi^(3/2) L^3
        assert expected_m3 == pytest.approx(0.5 * np.pi**1.5 * 1e-27, rel=1e-10)
