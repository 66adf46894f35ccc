"""Shared check of the stimulus cases: vacuum tunnelling across a computed gap."""

import numpy as np
import pytest
from scipy import constants


def assert_tunnelling_slope(gap_m: np.ndarray, G: np.ndarray, barrier_eV: float,
                            rel: float = 0.02, min_points: int = 5) -> None:
    """ln G is linear in the gap with slope -2 kappa, kappa = sqrt(2 m_e phi_b) / hbar for the
    barrier phi_b above E_F (Simmons' low-bias limit), within ``rel``; needs ``min_points``."""
    assert np.count_nonzero(np.isfinite(G)) >= min_points and gap_m.size >= min_points
    slope = np.polyfit(gap_m, np.log(G), 1)[0]
    kappa = np.sqrt(2 * constants.m_e * barrier_eV * constants.e) / constants.hbar
    assert slope == pytest.approx(-2 * kappa, rel=rel)
