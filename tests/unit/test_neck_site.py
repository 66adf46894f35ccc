"""Where a grown filament's neck sits in the layer (apcfem.neck.neck_site)."""

import numpy as np
import pytest

from apcfem.neck import neck_site

LAYER_M = (2e-9, 7e-9)
"""A 5 nm switching layer above a 2 nm bottom electrode [m]."""


def test_neck_site_is_read_at_the_connected_step_of_largest_conductance():
    series = {"G_G0": np.array([1e-6, 1e-3, 1.0, 3.0, 2.0]),
              "gap_m": np.array([5e-10, 2e-10, 0.0, 0.0, 0.0]),
              "neck_z_m": np.array([6.9e-9, 6.9e-9, 6.5e-9, 3.0e-9, 6.0e-9])}
    site = neck_site(series, LAYER_M)
    assert site["neck_height_m"] == pytest.approx(1e-9)  # at the 3 G0 step
    assert site["neck_height_fraction"] == pytest.approx(0.2)


def test_a_filament_that_never_connected_has_no_neck_site():
    series = {"G_G0": np.array([1e-6, 1e-3]), "gap_m": np.array([5e-10, 2e-10]),
              "neck_z_m": np.array([6.9e-9, 6.9e-9])}
    assert neck_site(series, LAYER_M) == {}
