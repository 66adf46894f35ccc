"""The Mott-Gurney hopping factor of a species, and its barrier-free limit."""

import numpy as np
import pytest
import ufl
from dolfinx import fem, mesh
from mpi4py import MPI

from apcfem.physics.nernst_planck import Species

V_T_300 = 1.380649e-23 * 300.0 / 1.602176634e-19  # k_B T / e at 300 K [V]


def _factor(field_V_per_m: float, activation_energy_eV: float) -> float:
    """h of an Ag+-like species (a = 1.5 nm) in a uniform field [V/m] at 300 K, assembled as
    the mean of the UFL expression over a unit square."""
    domain = mesh.create_unit_square(MPI.COMM_SELF, 2, 2)
    x = ufl.SpatialCoordinate(domain)
    species = Species(name="Ag+", charge_number=1.0, diffusivity_prefactor_m2_per_s=1e-7,
                      activation_energy_eV=activation_energy_eV,
                      reference_concentration_mol_per_m3=1e3, hop_distance_m=1.5e-9)
    h = species.drift_factor(field_V_per_m * x[1], 300.0)
    return fem.assemble_scalar(fem.form(h * ufl.dx))


@pytest.mark.parametrize("x", [0.5, 5.0, 25.0])
def test_below_the_barrier_free_field_the_factor_is_sinh_x_over_x(x):
    """x = z a E / 2 V_T below E_a / V_T (30 for 0.78 eV at 300 K): h = sinh(x) / x."""
    field = x * 2.0 * V_T_300 / 1.5e-9
    assert _factor(field, 0.78) == pytest.approx(np.sinh(x) / x, rel=1e-9)


def test_a_field_cannot_lower_the_barrier_below_zero():
    """Beyond z e a E / 2 = E_a the forward hop is barrier-free: h stays at its value there,
    sinh(E_a / V_T) / (E_a / V_T), at 1.5 and 3 times that field (sinh(x) / x would be 2e6 and
    4e25 times more)."""
    barrier_free = 0.78 / V_T_300
    field = barrier_free * 2.0 * V_T_300 / 1.5e-9
    limit = np.sinh(barrier_free) / barrier_free
    for factor in (1.5, 3.0):
        assert _factor(factor * field, 0.78) == pytest.approx(limit, rel=1e-9)


def test_hopping_without_a_barrier_is_refused():
    """The hopping law lowers a barrier: a species with a hop distance and E_a = 0 is an
    error naming the field."""
    with pytest.raises(ValueError, match="activation_energy_eV"):
        Species(name="X+", charge_number=1.0, diffusivity_prefactor_m2_per_s=1e-9,
                activation_energy_eV=0.0, reference_concentration_mol_per_m3=1e3,
                hop_distance_m=1e-9)
