"""Light stimulus (bundled case ``led_au_nanogap`` at reduced size). References: the Airy
absorptance of the film, the 1-D steady heat balance of the illuminated film on its substrate,
the lumped R_th C_th time constant, and the WKB decay 2 kappa of the gap."""

import cmath

import numpy as np
import pytest
from mpi4py import MPI
from tunnelling_check import assert_tunnelling_slope

import apcfem
from apcfem import Simulation, load_case, update_case
from apcfem.coupling.light_cell import film_absorption_profile
from apcfem.materials.optical import refractive_index

NM = 1e-9
ONE_PASS = pytest.mark.serial
"""The three-cycle run's tests run in the serial pass only: the same case's agreement between
one rank and all ranks is test_same_series_on_one_rank_and_all_ranks."""


@pytest.fixture(scope="module")
def pulses():
    cfg = update_case(load_case(apcfem.bundled_case("led_au_nanogap")), {
        "output.plots": False, "mesh.min_size_nm": 0.08, "protocol.columns": 40,
        "dynamics.max_resistance_change": 0.5, "dynamics.dt_max_s": 4e-5})
    result = Simulation.from_config(cfg).run(progress=False)
    return cfg, result.series, result.stats


def _phase_ends(cfg, series):
    """Row indices at the end of each light-on and each dark phase."""
    p, t = cfg.protocol, series["time_s"]
    period = p.on_s + p.off_s
    on = [int(np.argmin(np.abs(t - (k * period + p.on_s)))) for k in range(p.cycles)]
    off = [int(np.argmin(np.abs(t - (k + 1) * period))) for k in range(p.cycles)]
    return on, off


@ONE_PASS
def test_light_reconnects_the_gap_and_dark_reopens_it_reversibly(pulses):
    """Dark: G <= 1e-4 G0; lit: >= 1 G0 (contact); each of the three cycles ends its light
    and its dark phase at the same G (1 %) and electrode temperature (0.01 K)."""
    cfg, series, _ = pulses
    g, T = series["G_landauer_G0"], series["T_electrode_K"]
    on, off = _phase_ends(cfg, series)
    assert g[0] <= 1e-4 and np.all(g[off] <= 1e-4)
    assert np.all(g[on] >= 0.999)
    np.testing.assert_allclose(g[off], g[0], rtol=0.01)
    np.testing.assert_allclose(g[on], g[on[0]], rtol=0.01)
    np.testing.assert_allclose(T[off], cfg.physics.ambient_temperature_K, atol=0.01)
    np.testing.assert_allclose(T[on], T[on[0]], atol=0.01)


def _airy_absorptance(index: complex, substrate_index: float, wavelength_m: float,
                      film_m: float) -> float:
    """A = 1 - R - T of a film between air and a lossless substrate (Airy summation)."""
    r12, r23 = (1 - index) / (1 + index), (index - substrate_index) / (index + substrate_index)
    t12, t23 = 2 / (1 + index), 2 * index / (index + substrate_index)
    phase = cmath.exp(2j * np.pi * index * film_m / wavelength_m)
    r = (r12 + r23 * phase**2) / (1 + r12 * r23 * phase**2)
    t = t12 * t23 * phase / (1 + r12 * r23 * phase**2)
    return 1 - abs(r) ** 2 - substrate_index * abs(t) ** 2


def test_helmholtz_film_absorption_is_the_airy_absorptance():
    """The Helmholtz absorption profile through the 50 nm Au film integrates to the Airy
    absorptance 1 - R - T of the film on its substrate (0.5 %) and decays into the film."""
    wavelength, film, n_sub = 530 * NM, 50 * NM, 1.46
    index = refractive_index("Au", wavelength)
    depths, q = film_absorption_profile(MPI.COMM_WORLD, index, n_sub, wavelength, film)
    absorbed = np.sum(0.5 * (q[1:] + q[:-1]) * np.diff(depths))
    airy = _airy_absorptance(index, n_sub, wavelength, film)
    assert absorbed == pytest.approx(airy, rel=0.005)
    assert q[0] > 5 * q[-1]


@ONE_PASS
def test_steady_heating_is_the_one_dimensional_heat_balance(pulses):
    """After 10 tau of light the film is at the steady rise of a film on a substrate whose
    bottom is the sink: dT = q h_s/k_s with q = A I, A the film's Airy absorptance (2 %)."""
    cfg, series, _ = pulses
    p = cfg.protocol
    absorbed = _airy_absorptance(refractive_index("Au", p.wavelength_nm * NM),
                                 p.substrate_refractive_index, p.wavelength_nm * NM,
                                 p.electrode_thickness_nm * NM)
    substrate = apcfem.get_material(p.substrate)
    rise = (absorbed * p.intensity_W_per_m2 * p.substrate_thickness_um * 1e-6
            / substrate.thermal_conductivity_W_per_mK.value)
    on, _ = _phase_ends(cfg, series)
    measured = series["T_electrode_K"][on[0]] - cfg.physics.ambient_temperature_K
    assert measured == pytest.approx(rise, rel=0.02)


@ONE_PASS
def test_rise_is_delayed_by_the_thermal_time_constant(pulses):
    """The electrode's 1 - 1/e heating time in the run is within 2x of the lumped R_th C_th,
    and the contact forms only after a sizeable fraction of it (the rise is thermal)."""
    cfg, series, stats = pulses
    t, T = series["time_s"], series["T_electrode_K"]
    on, _ = _phase_ends(cfg, series)
    first = slice(0, on[0] + 1)
    rise = T[first] - T[0]
    tau_run = np.interp(1 - np.exp(-1), rise / rise[-1], t[first])
    assert 0.5 < tau_run / stats["tau_lumped_s"] < 2.0
    contact = t[first][np.argmax(series["G_landauer_G0"][first] >= 0.5)]
    assert 0.2 * stats["tau_lumped_s"] < contact < cfg.protocol.on_s


@ONE_PASS
def test_tunnelling_is_exponential_in_the_computed_gap(pulses):
    """ln G is linear in the computed gap (dark gap minus the electrodes' closing) with slope
    -2 kappa, kappa = sqrt(2 m_e phi_b)/hbar (2 %)."""
    cfg, series, _ = pulses
    gap = cfg.filament.gap_nm * NM - series["displacement_m"]
    g = series["G_landauer_G0"]
    tunnel = (gap > 0.15 * NM) & (gap < 0.5 * NM)
    assert_tunnelling_slope(gap[tunnel], g[tunnel], cfg.ecm.tunnel_barrier_eV, min_points=10)


@pytest.mark.mpi
def test_same_series_on_one_rank_and_all_ranks():
    """Both scales distributed: the first light-on phase gives the same series on all ranks
    as on one (1e-6)."""
    cfg = update_case(load_case(apcfem.bundled_case("led_au_nanogap")), {
        "output.plots": False, "mesh.min_size_nm": 0.08, "protocol.columns": 20,
        "protocol.cycles": 1, "protocol.on_s": 2e-4, "protocol.off_s": 1e-4,
        "dynamics.max_resistance_change": 0.5, "dynamics.dt_max_s": 4e-5})
    world = Simulation(cfg, MPI.COMM_WORLD).run(progress=False).series
    alone = Simulation(cfg, MPI.COMM_SELF).run(progress=False).series
    assert world["time_s"].size == alone["time_s"].size
    for key in ("G_landauer_G0", "T_electrode_K", "displacement_m", "time_s"):
        np.testing.assert_allclose(world[key], alone[key], rtol=1e-6, atol=1e-30, err_msg=key)
