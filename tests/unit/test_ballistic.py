"""Ballistic validity of the Landauer count: neck length from the profile vs the mean free path."""

from __future__ import annotations

import dataclasses
import logging
import math
from types import SimpleNamespace

import numpy as np
import pytest

from apcfem.ballistic import BallisticCheck, mean_free_path_m, neck_length_m
from apcfem.materials import get_material

NM = 1e-9


def _profile(z_nm: np.ndarray, a_nm: np.ndarray) -> SimpleNamespace:
    return SimpleNamespace(z_m=np.asarray(z_nm) * NM, radius_m=np.asarray(a_nm) * NM)


def _hourglass(neck_nm: float, curvature_radius_nm: float, layer_nm: float = 10.0,
               samples: int = 2001) -> SimpleNamespace:
    """a(z) = a_n + z^2 / (2 R) on a layer centred on the neck."""
    z = np.linspace(-layer_nm / 2, layer_nm / 2, samples)
    return _profile(z, neck_nm + z**2 / (2 * curvature_radius_nm))


def _rod(neck_nm: float, rod_nm: float, base_nm: float = 3.0, layer_nm: float = 10.0,
         samples: int = 2001) -> SimpleNamespace:
    """A uniform rod of radius a_n and length rod_nm between wide bases (a prescribed long neck)."""
    z = np.linspace(-layer_nm / 2, layer_nm / 2, samples)
    return _profile(z, np.where(np.abs(z) <= rod_nm / 2, neck_nm, base_nm))


@pytest.mark.parametrize(("neck_nm", "curvature_radius_nm"), [(0.5, 2.0), (0.2, 10.0), (1.0, 0.5)])
def test_neck_length_of_a_parabolic_neck(neck_nm, curvature_radius_nm):
    """A <= 2 A_n on a(z) = a_n + z^2/(2R): L = 2 sqrt(2 (sqrt 2 - 1) a_n R)."""
    expected = 2 * math.sqrt(2 * (math.sqrt(2) - 1) * neck_nm * curvature_radius_nm) * NM
    profile = _hourglass(neck_nm, curvature_radius_nm)
    assert neck_length_m(profile.z_m, profile.radius_m) == pytest.approx(expected, rel=1e-3)


def test_neck_length_of_a_rod_and_of_a_neck_on_an_electrode_face():
    rod = _rod(0.4, 3.0)
    dz = (rod.z_m[1] - rod.z_m[0])
    # the rod ends in a step: the interpolated crossing lies within one sample of each end
    assert neck_length_m(rod.z_m, rod.radius_m) == pytest.approx(3.0 * NM, abs=2 * dz)
    # a cone narrowing to the top face: the stretch ends at the last sample
    z = np.linspace(0.0, 10.0, 1001)
    cone = _profile(z, 2.0 - 0.15 * z)  # a = 0.5 nm at the face z = 10 nm
    # a <= sqrt(2) * 0.5 nm from z = (2 - 0.7071)/0.15 = 8.619 nm to the face
    assert neck_length_m(cone.z_m, cone.radius_m) == pytest.approx(
        (10.0 - (2.0 - 0.5 * math.sqrt(2)) / 0.15) * NM, rel=1e-6)


def test_neck_length_rejects_a_broken_profile():
    with pytest.raises(ValueError, match="broken"):
        neck_length_m(np.array([0.0, 1.0, 2.0]), np.array([1.0, 0.0, 1.0]))


def test_mean_free_path_scales_with_the_phonon_resistivity_above_300K():
    ag = get_material("Ag")
    assert ag.electron_mean_free_path_m is not None
    assert ag.temperature_coefficient_of_resistivity_per_K is not None
    l_300 = ag.electron_mean_free_path_m.value
    alpha = ag.temperature_coefficient_of_resistivity_per_K.value
    assert mean_free_path_m(ag, 300.0) == pytest.approx(l_300)
    assert mean_free_path_m(ag, 18.0) == pytest.approx(l_300)  # no longer path claimed when cold
    # 600 K: rho(600)/rho(300) = (1 + 307 alpha)/(1 + 7 alpha) = 2.12 for alpha = 3.78e-3
    expected = l_300 * (1 + 7 * alpha) / (1 + 307 * alpha)
    assert mean_free_path_m(ag, 600.0) == pytest.approx(expected, rel=1e-12)
    assert 0.45 < expected / l_300 < 0.5
    sto = get_material("SrTiO3_channel")  # no temperature coefficient: l stays at 300 K's
    assert sto.temperature_coefficient_of_resistivity_per_K is None
    assert mean_free_path_m(sto, 900.0) == pytest.approx(sto.electron_mean_free_path_m.value)
    assert mean_free_path_m(get_material("Pt"), 300.0) is None


def test_ballistic_flag_short_neck_vs_long_neck(caplog):
    """VO filament, l = 0.50 nm: a sharp neck (L = 0.18 nm) is ballistic, a 3 nm rod is not; the
    warning comes once, with the numbers. Ag (l = 53 nm) keeps the rod ballistic."""
    vo = get_material("VO_filament")
    short = _hourglass(0.5, 0.04)  # L = 2 sqrt(2 (sqrt 2 - 1) 0.5 * 0.04) nm = 0.18 nm
    long = _rod(0.4, 3.0)
    check = BallisticCheck(vo)
    with caplog.at_level(logging.WARNING, logger="apcfem.ballistic"):
        assert check(short, 300.0) == 1.0
        assert not caplog.records
        assert check(long, 300.0) == 0.0
        assert check(long, 300.0) == 0.0
        assert check(short, 300.0) == 1.0
    assert len(caplog.records) == 1  # once per run
    message = caplog.records[0].getMessage()
    assert "not ballistic" in message and "VO_filament" in message
    assert "length 3 nm" in message and "0.4 nm-radius" in message
    assert "mean free path 0.5 nm" in message and "300 K" in message
    assert BallisticCheck(get_material("Ag"))(long, 300.0) == 1.0
    # Ag needs a neck longer than 53 nm at 300 K, or than ~25 nm at 600 K
    assert BallisticCheck(get_material("Ag"))(_rod(0.5, 40.0, layer_nm=60.0), 300.0) == 1.0
    assert BallisticCheck(get_material("Ag"))(_rod(0.5, 40.0, layer_nm=60.0), 600.0) == 0.0


def test_ballistic_flag_is_nan_for_a_broken_filament_and_silent_off_rank_zero(caplog):
    vo = get_material("VO_filament")
    broken = _profile(np.linspace(0.0, 10.0, 101),
                      np.where(np.abs(np.linspace(-5.0, 5.0, 101)) < 0.5, 0.0, 1.0))
    with caplog.at_level(logging.WARNING, logger="apcfem.ballistic"):
        assert math.isnan(BallisticCheck(vo)(broken, 300.0))
        other_rank = BallisticCheck(vo, warn=False)
        assert other_rank(_rod(0.5, 3.0), 300.0) == 0.0  # same decision on every rank
    assert not caplog.records


def test_metal_without_mean_free_path_is_not_checked(caplog):
    ag = get_material("Ag")
    bare = dataclasses.replace(ag, name="Ag_no_l", electron_mean_free_path_m=None)
    check = BallisticCheck(bare)
    with caplog.at_level(logging.WARNING, logger="apcfem.ballistic"):
        assert math.isnan(check(_rod(0.5, 3.0), 300.0))
        assert math.isnan(check(_rod(0.5, 3.0), 300.0))
    assert len(caplog.records) == 1 and "no electron_mean_free_path_m" in caplog.records[0].message
