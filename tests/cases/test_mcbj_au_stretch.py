"""Strain stimulus (bundled case ``mcbj_au_stretch`` at reduced size). References: the
uniaxial-stress result d ln(k_F a)/d eps = -(1 + nu)/3 (free electrons, Poisson contraction),
constant-volume thinning of the plastic zone, and the WKB decay 2 kappa = 2 sqrt(2 m phi)/hbar
of a vacuum gap."""

import numpy as np
import pytest
from mpi4py import MPI
from tunnelling_check import assert_tunnelling_slope

import apcfem
from apcfem import Simulation, load_case, update_case
from apcfem.coupling.stretch import NeckStretch
from apcfem.mesh import build_device_mesh
from apcfem.protocols import stimuli

NM = 1e-9
AU = apcfem.get_material("Au")


def _case(**changes):
    return update_case(load_case(apcfem.bundled_case("mcbj_au_stretch")),
                       {"output.plots": False, **changes})


@pytest.fixture(scope="module")
def stretch_run():
    cfg = _case(**{"protocol.points": 41})
    result = Simulation.from_config(cfg).run(progress=False)
    return cfg, result.series, result.stats


def test_elastic_strain_of_a_uniform_neck_changes_kF_a_by_minus_one_plus_nu_over_three():
    """A straight Au wire between the banks (base radius = neck radius) under the elastic
    solve: the strain at its middle is uniaxial stress, so d ln(k_F a)/d eps_zz is
    -(1 + nu)/3 within 2 %."""
    cfg = _case(**{"filament.base_radius_nm": 0.8})
    device = build_device_mesh(cfg.geometry, cfg.mesh, MPI.COMM_WORLD)
    stretch = NeckStretch(device, cfg, stimuli(cfg.protocol).displacement_nm)
    expected = -(1 + AU.poisson_ratio.value) / 3
    assert stretch.strain.log_kfa_per_strain() == pytest.approx(expected, rel=0.02)
    assert stretch.strain.tt / stretch.strain.zz == pytest.approx(-AU.poisson_ratio.value,
                                                                  rel=0.02)


def test_plastic_thinning_conserves_the_zone_volume(stretch_run):
    """Between yield and rupture the extracted neck radius follows a^2 (L_p + d - d_y) =
    a_y^2 L_p (1 % : the extraction's accuracy)."""
    cfg, series, stats = stretch_run
    p = cfg.protocol
    d = series["displacement_m"] / NM
    plastic = (d > stats["yield_displacement_nm"]) & (d < stats["break_displacement_nm"])
    assert np.count_nonzero(plastic) > 10
    a = series["neck_radius_m"][plastic] / NM
    volume = a**2 * (p.plastic_zone_nm + d[plastic] - stats["yield_displacement_nm"])
    np.testing.assert_allclose(volume, volume[0], rtol=0.02)


def test_conductance_falls_stepwise_to_one_G0_then_tunnels(stretch_run):
    """G falls from ~20 G0 through plateaus (most points within 0.1 of an integer) to a last
    plateau at 1 G0 (+-0.1 over >= 1 nm of stretch), then ruptures into the tunnelling range."""
    _, series, _ = stretch_run
    g, gap = series["G_landauer_G0"], series["gap_m"]
    connected = gap == 0
    assert g[0] > 15
    assert np.all(np.diff(g[connected]) < 0.02)
    assert np.mean(np.abs(g[connected] - np.round(g[connected])) < 0.1) > 0.6
    last = connected & (np.abs(g - 1.0) < 0.1)
    d = series["displacement_m"] / NM
    assert d[last].max() - d[last].min() > 1.0
    assert np.all(g[~connected] < 0.5) and g[-1] < 1e-10


def test_tunnelling_decays_with_twice_the_vacuum_kappa(stretch_run):
    """Across the gap, ln G is linear in the extracted gap with slope -2 kappa,
    kappa = sqrt(2 m_e phi_b)/hbar for the case's barrier phi_b above E_F (2 %)."""
    cfg, series, _ = stretch_run
    gap, g = series["gap_m"], series["G_landauer_G0"]
    tunnel = (gap > 0.4 * NM) & (g > 1e-30)
    assert_tunnelling_slope(gap[tunnel], g[tunnel], cfg.ecm.tunnel_barrier_eV)


@pytest.mark.mpi
def test_same_series_on_one_rank_and_all_ranks():
    """The elastic solve, the redrawn neck and the count give the same series on all ranks
    as on one (1e-6)."""
    cfg = _case(**{"protocol.points": 9, "mesh.min_size_nm": 0.08})
    world = Simulation(cfg, MPI.COMM_WORLD).run(progress=False).series
    alone = Simulation(cfg, MPI.COMM_SELF).run(progress=False).series
    for key in ("G_landauer_G0", "neck_radius_m", "gap_m", "T_max_K"):
        np.testing.assert_allclose(world[key], alone[key], rtol=1e-6, atol=1e-30, err_msg=key)
