"""The gap a jump out of contact leaves is widened where the extraction measures it shorter
than the jump distance (apcfem.simulation._widened_spans)."""

import pytest

from apcfem.simulation import _widened_spans

NM = 1e-9
LAYER_M = (2.0 * NM, 7.0 * NM)


def test_a_gap_on_a_face_grows_away_from_it():
    """A gap ending on the top (or bottom) face grows by the whole shortfall into the layer:
    the face itself cannot move, so growing it there would leave the measured gap short."""
    [(low, high)] = _widened_spans([(6.6 * NM, 7.0 * NM)], 0.1 * NM, LAYER_M)
    assert (low, high) == pytest.approx((6.5 * NM, 7.0 * NM), abs=1e-18)
    [(low, high)] = _widened_spans([(2.0 * NM, 2.3 * NM)], 0.1 * NM, LAYER_M)
    assert (low, high) == pytest.approx((2.0 * NM, 2.4 * NM), abs=1e-18)


def test_a_gap_inside_the_layer_grows_both_ways():
    [(low, high)] = _widened_spans([(5.0 * NM, 5.3 * NM)], 0.1 * NM, LAYER_M)
    assert (low, high) == pytest.approx((4.95 * NM, 5.35 * NM), abs=1e-18)
    assert high - low == pytest.approx(0.4 * NM, rel=1e-12)
