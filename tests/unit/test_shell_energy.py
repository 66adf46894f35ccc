"""Electron-shell chemical potential of a neck against its grand potential and its Weyl limit."""

import numpy as np
import pytest
from scipy.special import jn_zeros

from apcfem.landauer import Electrons
from apcfem.landauer.shell import (
    circular_shell_chemical_potential_eV,
    last_channel_stable_radius_m,
    shell_chemical_potential_eV,
)
from apcfem.materials.laws import fermi_wavevector_per_m

C_EV_M2 = 3.80998212e-20  # hbar^2 / 2 m_e [eV m^2] (CODATA)
AG = Electrons(fermi_energy_eV=5.49, effective_mass_me=1.0, temperature_K=300.0)
OMEGA_AG_M3 = 1.71e-29
K_F = float(fermi_wavevector_per_m(5.49, 1.0))


def disc_edges_eV(radius_m: float) -> list[tuple[float, int]]:
    """(edge, orbital degeneracy) of the hard-wall disc's modes up to 2 E_F."""
    return [(C_EV_M2 * (j / radius_m) ** 2, 1 if m == 0 else 2)
            for m in range(30) for j in jn_zeros(m, 30)
            if C_EV_M2 * (j / radius_m) ** 2 < 2 * 5.49]


def square_edges_eV(side_m: float) -> list[tuple[float, int]]:
    """(edge, 1) of the hard-wall square's modes c pi^2 (n^2 + m^2) / L^2 up to 2 E_F."""
    return [(C_EV_M2 * np.pi**2 * (n * n + m * m) / side_m**2, 1)
            for n in range(1, 30) for m in range(1, 30)
            if C_EV_M2 * np.pi**2 * (n * n + m * m) / side_m**2 < 2 * 5.49]


def grand_potential_per_length(edges: list[tuple[float, int]], temperature_K: float) -> float:
    """omega = sum_n g(E_F - eps_n) [eV/m] by direct quadrature of the 1-D Fermi gas's
    -(2/pi) int k_B T ln(1 + e^{(x - c k^2)/k_B T}) dk over the modes (spin included)."""
    kT = 8.617333262e-5 * temperature_K
    total = 0.0
    for edge, degeneracy in edges:
        excess = 5.49 - edge
        k = np.linspace(0.0, np.sqrt((max(excess, 0.0) + 40 * kT) / C_EV_M2), 20001)
        g = -2.0 / np.pi * np.trapezoid(kT * np.logaddexp(0.0, (excess - C_EV_M2 * k**2) / kT),
                                        k)
        total += g * degeneracy
    return total


def expected_shell_eV(d_omega_dA: float, perimeter_over_2_area: float) -> float:
    """Omega [d omega/dA - (-P_bulk + sigma_W dP/dA)] with the Weyl terms written out [eV]."""
    E_F = 5.49
    weyl = (-2 * E_F**2.5 / (15 * np.pi**2 * C_EV_M2**1.5)
            + E_F**2 / (16 * np.pi * C_EV_M2) * perimeter_over_2_area)
    return OMEGA_AG_M3 * (d_omega_dA - weyl)


@pytest.mark.parametrize("radius_nm", [0.24, 0.30, 0.36, 0.47])
def test_shell_potential_is_the_area_derivative_of_the_grand_potential(radius_nm):
    """Omega d(omega)/dA by a central difference of the directly integrated grand potential,
    minus the Weyl part -P_bulk + sigma_W / a, gives the shell potential to 2 meV."""
    a, da = radius_nm * 1e-9, 1e-13
    d_omega_dA = ((grand_potential_per_length(disc_edges_eV(a + da), 300.0)
                   - grand_potential_per_length(disc_edges_eV(a - da), 300.0))
                  / (2 * np.pi * a * 2 * da))
    assert circular_shell_chemical_potential_eV(a, AG, OMEGA_AG_M3) == pytest.approx(
        expected_shell_eV(d_omega_dA, 1.0 / a), abs=2e-3)


def test_shell_potential_averages_out_on_wide_sections():
    """The Weyl terms are the smooth part: over 2-3 nm the shell part averages to < 1 meV,
    while on the first plateaus it swings by more than 1 eV."""
    wide = [circular_shell_chemical_potential_eV(a, AG, OMEGA_AG_M3)
            for a in np.linspace(2e-9, 3e-9, 301)]
    assert abs(np.mean(wide)) < 1e-3
    thin = [circular_shell_chemical_potential_eV(a, AG, OMEGA_AG_M3)
            for a in np.linspace(0.21e-9, 0.45e-9, 49)]
    assert np.ptp(thin) > 1.0


def test_shell_potential_falls_at_each_opening_and_rises_along_the_plateau():
    """Across the edge of the twofold mode (k_F a = j_11) the potential drops by > 0.5 eV; from
    the middle of the 1 G0 plateau to its end it rises monotonically (the plateau's neck
    resists growth: the stable, 'magic' radii)."""
    j11 = float(jn_zeros(1, 1)[0])
    edge = j11 / K_F
    below = circular_shell_chemical_potential_eV(0.98 * edge, AG, OMEGA_AG_M3)
    above = circular_shell_chemical_potential_eV(1.03 * edge, AG, OMEGA_AG_M3)
    assert below - above > 0.5
    plateau = [circular_shell_chemical_potential_eV(a, AG, OMEGA_AG_M3)
               for a in np.linspace(0.24e-9, 0.97 * edge, 20)]
    assert np.all(np.diff(plateau) > 0.0)


def _independent_disc_shell_eV(a: float) -> float:
    """The disc's shell potential from the central difference of its grand potential [eV]."""
    da = 1e-13
    d_omega_dA = ((grand_potential_per_length(disc_edges_eV(a + da), 300.0)
                   - grand_potential_per_length(disc_edges_eV(a - da), 300.0))
                  / (2 * np.pi * a * 2 * da))
    return expected_shell_eV(d_omega_dA, 1.0 / a)


def test_the_one_channel_neck_is_stable_down_to_its_shell_minimum():
    """The stable radius of the last channel is the minimum of the shell potential on the 1 G0
    plateau: the independently integrated potential is higher 3 pm either side of it, and
    from there to the first mode's radius it rises by more than 1 eV (a neck thinning below
    it runs away); it lies between j_01 / k_F and j_11 / k_F (0.2204 nm for Ag at 300 K)."""
    j01, j11 = float(jn_zeros(0, 1)[0]), float(jn_zeros(1, 1)[0])
    stable = last_channel_stable_radius_m(AG, OMEGA_AG_M3)
    assert j01 / K_F < stable < j11 / K_F
    at_minimum = _independent_disc_shell_eV(stable)
    assert _independent_disc_shell_eV(stable - 3e-12) > at_minimum + 0.005
    assert _independent_disc_shell_eV(stable + 3e-12) > at_minimum + 0.005
    assert _independent_disc_shell_eV(1.001 * j01 / K_F) > at_minimum + 1.0


@pytest.mark.parametrize("side_nm", [0.45, 0.6])
def test_a_square_section_through_the_general_ladder(side_nm):
    """A hard-wall square (edges c pi^2 (n^2 + m^2) / L^2, P / 2A = 2 / L at fixed shape):
    the general form against the central difference of the square's own grand potential."""
    L, dL = side_nm * 1e-9, 1e-13
    d_omega_dA = ((grand_potential_per_length(square_edges_eV(L + dL), 300.0)
                   - grand_potential_per_length(square_edges_eV(L - dL), 300.0))
                  / (2 * L * 2 * dL))
    edges, degeneracies = zip(*square_edges_eV(L), strict=True)
    shell = shell_chemical_potential_eV(edges, degeneracies, L * L, 4 * L, AG, OMEGA_AG_M3)
    assert shell == pytest.approx(expected_shell_eV(d_omega_dA, 2.0 / L), abs=2e-3)
