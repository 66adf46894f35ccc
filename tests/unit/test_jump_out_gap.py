"""The gap a jump out of contact leaves is widened where the extraction measures it shorter
than the jump distance (apcfem.quantum_contact.widened_span, also the rule by which the
contact count widens a gap shorter than the jump distance, in whole sections)."""

import numpy as np
import pytest

from apcfem.quantum_contact import _widen_gaps, widened_span

NM = 1e-9
LAYER_M = (2.0 * NM, 7.0 * NM)


def test_a_gap_on_a_face_grows_away_from_it():
    """A gap ending on the top (or bottom) face grows by the whole shortfall into the layer:
    the face itself cannot move, so growing it there would leave the measured gap short."""
    low, high = widened_span(6.6 * NM, 7.0 * NM, 0.1 * NM, *LAYER_M)
    assert (low, high) == pytest.approx((6.5 * NM, 7.0 * NM), abs=1e-18)
    low, high = widened_span(2.0 * NM, 2.3 * NM, 0.1 * NM, *LAYER_M)
    assert (low, high) == pytest.approx((2.0 * NM, 2.4 * NM), abs=1e-18)


def test_a_gap_inside_the_layer_grows_both_ways():
    low, high = widened_span(5.0 * NM, 5.3 * NM, 0.1 * NM, *LAYER_M)
    assert (low, high) == pytest.approx((4.95 * NM, 5.35 * NM), abs=1e-18)
    assert high - low == pytest.approx(0.4 * NM, rel=1e-12)


@pytest.mark.parametrize(("radius", "widened"), [
    ([0, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1]),   # on the bottom face: grows upwards
    ([1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]),   # on the top face: grows downwards
    ([1, 1, 1, 0, 1, 1, 1], [1, 1, 0, 0, 0, 1, 1]),   # inside, two short: one each side
    ([1, 1, 1, 0, 0, 1, 1, 1], [1, 1, 1, 0, 0, 0, 1, 1]),   # one short: it goes up
])
def test_the_count_widens_a_sampled_gap_by_the_same_rule(radius, widened):
    """A gap of the sampled profile shorter than the jump distance (3 sections here) is
    widened in whole sections the way a removed gap is."""
    result = _widen_gaps(np.array(radius, dtype=float), 3)
    assert (result > 0).astype(int).tolist() == widened
