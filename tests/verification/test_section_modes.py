"""Transverse modes of non-circular sections (SLEPc Dirichlet eigenvalues) and their staircase.

Runs on MPI.COMM_WORLD, so ``mpiexec -n 2 pytest`` checks the distributed eigen-solve too.
"""

import numpy as np
import pytest
from mpi4py import MPI
from scipy.special import jn_zeros

from apcfem.landauer import Electrons, circular_mode_transmissions, modes_conductance
from apcfem.neck import star_polygon
from apcfem.section_modes import (
    NeckSectionLadder,
    ellipse_section_mesh,
    polygon_area_m2,
    polygon_section_mesh,
    section_aspect_ratio,
    section_modes,
)

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


def _ellipse_polygon(q: float, a: float, n: int = 32) -> np.ndarray:
    """n points on the ellipse of area pi a^2 and aspect ratio q, rotated by 0.4 rad and off
    the origin (corners of a polygon, in the units of a)."""
    t = 2 * np.pi * np.arange(n) / n
    u, v = np.sqrt(q) * a * np.cos(t), a * np.sin(t) / np.sqrt(q)
    c, s = np.cos(0.4), np.sin(0.4)
    return np.column_stack([0.1 * a + c * u - s * v, -0.2 * a + s * u + c * v])


@pytest.mark.parametrize("q", [1.0, 1.5, 2.0])
def test_section_aspect_ratio_of_an_ellipse(q):
    """Principal second moments of an inscribed 64-gon of the ellipse: ratio q^2, to 0.1 %."""
    assert section_aspect_ratio(_ellipse_polygon(q, 0.4e-9, 64)) == pytest.approx(q, rel=1e-3)


def test_neck_ladder_splits_the_second_plateau():
    """An Ag neck at k_F a = 4.0 (above j_11 = 3.83): the disc has 3 modes open (the m = +-1
    pair together), the ellipse of the same area and aspect ratio 1.5 only 2 (the pair split,
    ~0.5 of its edge; it opens the pair's two modes at k_F a ~ 3.6 and ~ 4.5)."""
    k_f, electrons = 1.2004e10, Electrons(5.49, 1.0, 4.0)
    ladder = NeckSectionLadder(k_f, 1.0)
    a = 4.0 / k_f
    counted = {}
    for q in (1.0, 1.5):
        edges = ladder(_ellipse_polygon(q, a), a)
        counted[q] = float(modes_conductance(edges, np.ones_like(edges), electrons).G_G0)
    assert counted[1.0] == pytest.approx(3.0, abs=1e-3)
    assert counted[1.5] == pytest.approx(2.0, abs=1e-3)
    assert ladder(None, a) is None and ladder(_ellipse_polygon(1.5, a), 0.0) is None
    assert ladder(_ellipse_polygon(1.5, 3e-9), 3e-9) is None  # ~330 modes: the disc's count


def test_neck_ladder_takes_a_section_that_misses_the_axis():
    """A neck beside the axis: the star polygon about the axis repeats the axis point on the
    rays that miss the metal. The repeats are dropped and the section is meshed as what it is:
    a half disc of radius R (rays within +-90 degrees of x) has the lowest Dirichlet eigenvalue
    j_11^2 / R^2, so at the area pi a^2 of a disc (R^2 = 2 a^2) its first mode edge is
    j_11^2 / (2 j_01^2) = 1.269 times the disc's (to 1 %: the half disc is a 33-corner
    polygon). A polygon with fewer than three distinct corners has no ladder of its own."""
    k_f = 1.2004e10
    ladder = NeckSectionLadder(k_f, 1.0)
    theta = np.linspace(0.0, 2.0 * np.pi, 64, endpoint=False)
    r = np.where(np.cos(theta) > -1e-12, 0.5e-9, 0.0)
    half_disc = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    a = 2.5 / k_f
    first_edge_ratio = ladder(half_disc, a)[0] / ladder(_ellipse_polygon(1.0, a), a)[0]
    j01, j11 = jn_zeros(0, 1)[0], jn_zeros(1, 1)[0]
    assert first_edge_ratio == pytest.approx(j11**2 / (2 * j01**2), rel=1e-2)
    assert ladder(np.zeros((64, 2)), a) is None


def test_a_section_missing_the_axis_on_two_separate_rays_is_still_meshed():
    """The neck's star polygon on rays that miss the metal: corners on the axis on two rays
    apart pinch the polygon there, and gmsh cannot mesh it (seen on a 0.3 nm VCM neck in 3-D);
    :func:`~apcfem.neck.star_polygon` keeps every corner off the axis, so the section is a
    simple polygon of the same area (to 1e-6) and the ladder counts it."""
    theta = 2.0 * np.pi * np.arange(16) / 16
    radii = 0.5e-9 * (1.0 + 0.3 * np.cos(3 * theta))
    radii[[4, 10]] = 0.0
    pinched = np.column_stack([radii * np.cos(theta), radii * np.sin(theta)])
    with pytest.raises(Exception, match="not closed"):
        polygon_section_mesh(pinched / 1e-9, size_nm=0.125, comm=MPI.COMM_SELF)
    simple = star_polygon(radii, theta)
    assert polygon_area_m2(simple) == pytest.approx(polygon_area_m2(pinched), rel=1e-6)
    edges = NeckSectionLadder(1.2004e10, 1.0)(simple, 0.45e-9)
    assert edges is not None and np.all(np.isfinite(edges)) and np.all(np.diff(edges) >= 0)
