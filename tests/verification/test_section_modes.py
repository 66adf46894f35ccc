"""Transverse modes of non-circular sections (SLEPc Dirichlet eigenvalues) and their staircase.

Runs on MPI.COMM_WORLD, so ``mpiexec -n 2 pytest`` checks the distributed eigen-solve too.
"""

import numpy as np
import pytest
from mpi4py import MPI
from scipy.special import jn_zeros

from apcfem.landauer import Electrons, circular_mode_transmissions, modes_conductance
from apcfem.section_modes import ellipse_section_mesh, polygon_section_mesh, section_modes

NM = 1e-9
# the first six Dirichlet eigenvalues of the unit disc, j_mn^2, degenerate pairs twice
DISC = np.sort(np.concatenate([jn_zeros(0, 2), jn_zeros(1, 1), jn_zeros(1, 1),
                               jn_zeros(2, 1), jn_zeros(2, 1)]) ** 2)


@pytest.fixture(scope="module")
def disc():
    return section_modes(ellipse_section_mesh((1.0, 1.0), size_nm=0.15), 8)


@pytest.fixture(scope="module")
def ellipse():
    """Aspect ratio 1.5 with the disc's area (semi-axes sqrt(1.5) and 1/sqrt(1.5) nm)."""
    return section_modes(ellipse_section_mesh((np.sqrt(1.5), 1 / np.sqrt(1.5)), size_nm=0.15), 8)


def test_disc_reproduces_the_bessel_zeros(disc):
    scaled = disc.eigenvalues_per_m2[:6] * NM**2  # radius 1 nm
    np.testing.assert_allclose(scaled, DISC, rtol=5e-3)
    assert disc.area_m2 == pytest.approx(np.pi * NM**2, rel=1e-4)
    assert scaled[2] / scaled[1] - 1 < 1e-3 and scaled[4] / scaled[3] - 1 < 1e-3  # pairs
    everywhere = MPI.COMM_WORLD.allgather(disc.eigenvalues_per_m2)
    assert all(np.allclose(e, everywhere[0], rtol=1e-10) for e in everywhere)


def test_section_energies_match_the_circular_mode_edges(disc):
    mass = 3.0
    edges = circular_mode_transmissions(NM, Electrons(1.0, mass))
    expected = [mode["E_n_eV"] for mode in edges for _ in range(mode["degeneracy"])]
    np.testing.assert_allclose(disc.energies_eV(mass)[:6], expected[:6], rtol=5e-3)


def test_square_section_eigenvalues():
    side = 1.0
    square = section_modes(polygon_section_mesh([(0, 0), (side, 0), (side, side), (0, side)],
                                                size_nm=0.08), 4)
    expected = np.pi**2 * np.array([2, 5, 5, 8]) / side**2  # (m^2 + n^2) π^2 / L^2
    np.testing.assert_allclose(square.eigenvalues_per_m2 * NM**2, expected, rtol=5e-3)


def test_ellipse_splits_the_m1_pair(ellipse, disc):
    lam = ellipse.eigenvalues_per_m2
    assert lam[2] / lam[1] - 1 > 0.05
    assert lam[0] > disc.eigenvalues_per_m2[0]  # same area, the disc has the lowest mode


def staircase_plateau_widths(modes, areas):
    """T = 0 conductance of a section scaled to each area, and the log-area width of each
    plateau G = 0, 1, 2, ... (vacancy-filament E_F = 0.5 eV, m* = 3)."""
    energies = modes.energies_eV(3.0)
    g = modes_conductance(energies, np.ones_like(energies), Electrons(0.5),
                          energy_scale=modes.area_m2 / areas).G_G0
    step = np.log(areas[1] / areas[0])
    return g, np.bincount(np.round(g).astype(int)) * step


def test_ellipse_staircase_has_single_steps_where_the_disc_has_a_double_step(disc, ellipse):
    energies = disc.energies_eV(3.0)
    # areas where the Fermi level crosses the lowest six modes of either section
    low = disc.area_m2 * energies[0] / 0.5 * 0.9
    areas = np.geomspace(low, low * 7.0, 20001)
    g_disc, width_disc = staircase_plateau_widths(disc, areas)
    g_ellipse, width_ellipse = staircase_plateau_widths(ellipse, areas)
    assert np.all(np.diff(g_disc) >= 0) and np.all(np.diff(g_ellipse) >= 0)
    assert g_disc.max() >= 6 and g_ellipse.max() >= 6
    # the disc jumps 1 -> 3 and 3 -> 5 (numerically split pairs leave plateaus << 1e-3)
    assert width_disc[2] < 1e-3 and width_disc[4] < 1e-3
    assert width_disc[1] > 0.1 and width_disc[3] > 0.05
    # the ellipse climbs one quantum at a time through the same range
    assert np.all(width_ellipse[1:6] > 0.05)
    assert np.all(np.diff(np.unique(g_ellipse)) == 1)
