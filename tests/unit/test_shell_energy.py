"""Electron-shell chemical potential of a neck against its grand potential and its Weyl limit."""

import numpy as np
import pytest
from scipy.special import jn_zeros

from apcfem.landauer import Electrons
from apcfem.landauer.shell import (
    HBAR2_OVER_2ME_EV_M2,
    circular_shell_chemical_potential_eV,
    shell_chemical_potential_eV,
)
from apcfem.materials.laws import fermi_wavevector_per_m

AG = Electrons(fermi_energy_eV=5.49, effective_mass_me=1.0, temperature_K=300.0)
OMEGA_AG_M3 = 1.71e-29
K_F = float(fermi_wavevector_per_m(5.49, 1.0))


def grand_potential_per_length(radius_m: float, temperature_K: float) -> float:
    """omega = sum_n g(E_F - eps_n) [eV/m] by direct quadrature of the 1-D Fermi gas's
    -(2/pi) int k_B T ln(1 + e^{(x - c k^2)/k_B T}) dk over the disc's modes (spin included)."""
    c, kT = HBAR2_OVER_2ME_EV_M2, 8.617333262e-5 * temperature_K
    total = 0.0
    for m in range(30):
        for j in jn_zeros(m, 30):
            excess = 5.49 - c * (j / radius_m) ** 2
            if excess < -40 * kT:
                break
            k = np.linspace(0.0, np.sqrt((max(excess, 0.0) + 40 * kT) / c), 20001)
            g = -2.0 / np.pi * np.trapezoid(kT * np.logaddexp(0.0, (excess - c * k**2) / kT), k)
            total += g * (1 if m == 0 else 2)
    return total


@pytest.mark.parametrize("radius_nm", [0.24, 0.30, 0.36, 0.47])
def test_shell_potential_is_the_area_derivative_of_the_grand_potential(radius_nm):
    """Omega d(omega)/dA by a central difference of the directly integrated grand potential,
    minus the Weyl part -P_bulk + sigma_W / a, gives the shell potential to 2 meV."""
    a, da = radius_nm * 1e-9, 1e-13
    d_omega_dA = ((grand_potential_per_length(a + da, 300.0)
                   - grand_potential_per_length(a - da, 300.0)) / (2 * np.pi * a * 2 * da))
    c, E_F = HBAR2_OVER_2ME_EV_M2, 5.49
    weyl = -2 * E_F**2.5 / (15 * np.pi**2 * c**1.5) + E_F**2 / (16 * np.pi * c) / a
    expected = OMEGA_AG_M3 * (d_omega_dA - weyl)
    assert circular_shell_chemical_potential_eV(a, AG, OMEGA_AG_M3) == pytest.approx(
        expected, abs=2e-3)


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


def test_any_ladder_of_a_disc_gives_the_circular_value():
    """The general form (edges, degeneracies, A, P) for the disc's own Bessel ladder."""
    a = 0.37e-9
    edges, degeneracies = [], []
    for m in range(20):
        for j in jn_zeros(m, 10):
            edges.append(HBAR2_OVER_2ME_EV_M2 * (j / a) ** 2)
            degeneracies.append(1 if m == 0 else 2)
    general = shell_chemical_potential_eV(edges, degeneracies, np.pi * a**2, 2 * np.pi * a, AG,
                                          OMEGA_AG_M3)
    assert general == pytest.approx(circular_shell_chemical_potential_eV(a, AG, OMEGA_AG_M3),
                                    abs=1e-9)
