"""Circuit with compliance, current source, drive waveforms and seeded cycle variability."""

import numpy as np
import pytest

from apcfem.circuit import (
    compliance_operating_point,
    current_source_operating_point,
    series_operating_point,
)
from apcfem.config.schema import CurrentSweep, PulseTrain, VariabilityConfig, VoltageSweep
from apcfem.filament import Section
from apcfem.protocols import build_waveform, cycle_rng, draw_variation


def test_compliance_clamps_set_current_only():
    free = compliance_operating_point(0.1, 1e3, 1e4, current_limit_A=1e-4)
    assert not free.limited and free.I_A == pytest.approx(0.1 / 1.1e4)
    clamped = compliance_operating_point(1.0, 1e3, 1e3, current_limit_A=1e-4)
    assert clamped.limited and clamped.I_A == 1e-4
    assert clamped.V_cell_V == pytest.approx(0.1)  # I_cc R_cell; the transistor takes the rest
    reset = compliance_operating_point(-1.0, 1e3, 1e3, current_limit_A=1e-4)
    assert not reset.limited and reset.I_A == pytest.approx(-5e-4)
    limited_reset = compliance_operating_point(-1.0, 1e3, 1e3, 1e-4, reset_current_limit_A=2e-4)
    assert limited_reset.I_A == -2e-4 and limited_reset.V_cell_V == pytest.approx(-0.2)
    assert compliance_operating_point(1.0, 1e3, 1e3, None) == series_operating_point(1.0, 1e3,
                                                                                     1e3)


def test_open_cell_takes_source_voltage():
    op = compliance_operating_point(0.7, 1e3, np.inf, current_limit_A=1e-4)
    assert op.I_A == 0.0 and op.V_cell_V == 0.7 and not op.limited


def test_current_source_with_voltage_compliance():
    op = current_source_operating_point(1e-5, 1e4, voltage_limit_V=2.0)
    assert op.V_cell_V == pytest.approx(0.1) and not op.limited
    capped = current_source_operating_point(1e-3, 1e4, voltage_limit_V=2.0)
    assert capped.limited and capped.V_cell_V == 2.0 and capped.I_A == pytest.approx(2e-4)
    assert current_source_operating_point(-1e-3, np.inf, 2.0).V_cell_V == -2.0


def test_voltage_sweep_both_polarities_and_cycles():
    w = build_waveform(VoltageSweep(kind="voltage_sweep", ramp_rate_V_per_s=2.0,
                                    set_voltage_V=1.0, reset_voltage_V=-0.5, cycles=2))
    assert w.quantity == "voltage" and w.duration_s == pytest.approx(3.0)
    np.testing.assert_allclose(w.milestones_s, [0.5, 1.0, 1.25, 1.5, 2.0, 2.5, 2.75, 3.0])
    assert w(0.25) == pytest.approx(0.5) and w(1.25) == pytest.approx(-0.5)
    assert [w.cycle(t) for t in (0.0, 1.49, 1.5, 2.9)] == [0, 0, 1, 1]
    # ramp rate is the slope everywhere
    t = np.linspace(0, 3, 3001)
    slope = np.abs(np.diff([w(x) for x in t])) / np.diff(t)
    assert np.allclose(slope, 2.0)
    assert w.largest_change(0.4, 0.6) == pytest.approx(0.2)  # peak at 0.5 inside the step
    set_only = build_waveform(VoltageSweep(kind="voltage_sweep", set_voltage_V=1.0))
    assert set_only.values.min() == 0.0 and set_only.duration_s == pytest.approx(2.0)


def test_reset_stop_voltage_ladder():
    """A list of reset voltages: one reverse sweep 0 -> V_k -> 0 per value, in order."""
    w = build_waveform(VoltageSweep(kind="voltage_sweep", ramp_rate_V_per_s=1.0,
                                    set_voltage_V=1.0, reset_voltage_V=[-0.5, -0.7]))
    np.testing.assert_allclose(w.times_s, [0.0, 1.0, 2.0, 2.5, 3.0, 3.7, 4.4])
    np.testing.assert_allclose(w.values, [0.0, 1.0, 0.0, -0.5, 0.0, -0.7, 0.0])
    single = VoltageSweep(kind="voltage_sweep", reset_voltage_V=-0.5)
    assert single.reset_stops_V == [-0.5]
    for bad, message in (([-0.5, 0.2], "must be < 0"), ([], "at least one"), (0.3, "< 0")):
        with pytest.raises(ValueError, match=message):
            VoltageSweep(kind="voltage_sweep", reset_voltage_V=bad)


def test_a_reset_turned_back_returns_at_once_and_brings_the_next_cycle_forward():
    """Cycles 0 -> 1 -> 0 -> -1 -> 0 at 1 V/s, turned back at -0.3 V: the drive runs -0.3 -> 0
    at the same rate and the second cycle starts 1.4 s earlier (the 0.7 s to -1 V and back)."""
    w = build_waveform(VoltageSweep(kind="voltage_sweep", ramp_rate_V_per_s=1.0,
                                    set_voltage_V=1.0, reset_voltage_V=-1.0, cycles=2))
    assert not w.moving_away_from_zero(1.5) and w.moving_away_from_zero(2.3)
    turned = w.turned_back(2.3)
    np.testing.assert_allclose(turned.times_s, [0.0, 1.0, 2.0, 2.3, 2.6, 3.6, 4.6, 5.6, 6.6])
    np.testing.assert_allclose(turned.values, [0, 1, 0, -0.3, 0, 1, 0, -1, 0], atol=1e-12)
    np.testing.assert_allclose(turned.cycle_starts_s, [0.0, 2.6])
    assert turned(2.45) == pytest.approx(-0.15) and turned.cycle(2.7) == 1
    # the second cycle's own turn-back moves nothing before it
    twice = turned.turned_back(5.0)
    np.testing.assert_allclose(twice.times_s[:6], turned.times_s[:6])
    assert twice.duration_s == pytest.approx(5.0 + 0.4)
    for t_s in (1.5, 2.0, 3.0):  # returning, or at the trough's start
        with pytest.raises(ValueError, match="no return piece"):
            w.turned_back(t_s)
    with pytest.raises(ValueError, match="reset_stop_conductance_G0 stops a reverse sweep"):
        VoltageSweep(kind="voltage_sweep", reset_stop_conductance_G0=0.05)


def test_current_sweep_and_pulse_train():
    c = build_waveform(CurrentSweep(kind="current_sweep", ramp_rate_A_per_s=1e-4,
                                    set_current_A=2e-4, voltage_limit_V=1.5))
    assert c.quantity == "current" and c.voltage_limit_V == 1.5 and c(2.0) == pytest.approx(2e-4)
    p = build_waveform(PulseTrain(kind="pulse_train", amplitude_V=1.2, width_s=1e-6,
                                  rise_s=1e-7, interval_s=1e-5, count=3,
                                  reset_amplitude_V=-0.8))
    assert p.duration_s == pytest.approx(6e-5)
    assert p(1e-7 + 0.5e-6) == 1.2 and p(1e-5 + 0.6e-6) == -0.8 and p(5e-6) == 0.0
    assert p(0.5e-7) == pytest.approx(0.6)  # linear rise
    np.testing.assert_allclose(p.cycle_starts_s, [0, 2e-5, 4e-5])
    with pytest.raises(ValueError, match="interval_s"):
        PulseTrain(kind="pulse_train", width_s=1e-5, interval_s=1e-5)


def test_variability_is_seeded_per_cycle():
    cfg = VariabilityConfig(seed=7, rate_spread=0.3, nucleus_radius_spread=0.2)
    draws = [draw_variation(cfg, k) for k in range(4)]
    assert draws == [draw_variation(cfg, k) for k in range(4)]  # reproducible
    assert len({d.rate_factor for d in draws}) == 4  # cycles differ
    assert all(0.8 <= d.nucleus_radius_factor <= 1.2 for d in draws)
    other = draw_variation(VariabilityConfig(seed=8, rate_spread=0.3), 0)
    assert other.rate_factor != draws[0].rate_factor
    assert draw_variation(VariabilityConfig(), 3).rate_factor == 1.0  # no spread: nominal
    assert cycle_rng(7, 2).random() == cycle_rng(7, 2).random()


def test_seeded_activation_energy_shift():
    """The activation-energy shift is drawn last (the earlier draws of a seed are kept), per
    cycle, normal with the given sigma and truncated at 2 sigma; 0 without a spread."""
    base = VariabilityConfig(seed=7, rate_spread=0.3, nucleus_radius_spread=0.2)
    spread = VariabilityConfig(seed=7, rate_spread=0.3, nucleus_radius_spread=0.2,
                               activation_energy_spread_eV=0.05)
    draws = [draw_variation(spread, k) for k in range(400)]
    shifts = np.array([d.activation_energy_shift_eV for d in draws])
    assert draws[3].rate_factor == draw_variation(base, 3).rate_factor
    assert draw_variation(base, 3).activation_energy_shift_eV == 0.0
    assert np.all(np.abs(shifts) <= 0.1) and np.abs(shifts).max() > 0.09
    assert np.std(shifts) == pytest.approx(0.05 * 0.88, rel=0.15)  # a 2-sigma truncated normal
    assert abs(np.mean(shifts)) < 0.01


def test_seeded_filament_section_in_3d():
    """The section draw follows the rate and radius draws: a case without section spreads
    keeps its earlier draws, and gets the filament on the axis, circular."""
    base = VariabilityConfig(seed=7, rate_spread=0.3, nucleus_radius_spread=0.2)
    plain = draw_variation(base, 1)
    assert plain.section == Section()
    shaped = VariabilityConfig(seed=7, rate_spread=0.3, nucleus_radius_spread=0.2,
                               nucleus_offset_nm=0.2, section_aspect_spread=0.6)
    draws = [draw_variation(shaped, k) for k in range(20)]
    assert draws[1].rate_factor == plain.rate_factor
    assert draws[1].nucleus_radius_factor == plain.nucleus_radius_factor
    offsets = np.array([d.section.offset_m for d in draws])
    assert np.all(np.hypot(*offsets.T) <= 0.2e-9) and np.ptp(offsets[:, 0]) > 0.1e-9
    aspects = np.array([d.section.aspect_ratio for d in draws])
    assert np.all((aspects >= 1.0) & (aspects < 1.6)) and np.ptp(aspects) > 0.3
    angles = np.array([d.section.angle_rad for d in draws])
    assert np.all((angles >= 0) & (angles < np.pi))


def test_section_radial_is_the_ellipse_radius():
    """Points on the ellipse of semi-axes a sqrt(q), a / sqrt(q) about the offset axis, rotated
    by the angle, have elliptic radius a."""
    section = Section(offset_m=(0.3, -0.1), aspect_ratio=2.25, angle_rad=0.5)
    t = np.linspace(0, 2 * np.pi, 9)
    u, v = 1.5 * np.cos(t), np.sin(t) / 1.5  # a = 1
    x = np.vstack([0.3 + np.cos(0.5) * u - np.sin(0.5) * v,
                   -0.1 + np.sin(0.5) * u + np.cos(0.5) * v, np.zeros_like(t)])
    np.testing.assert_allclose(section.radial(x), 1.0, rtol=1e-12)
