"""Every aggregation and scorer formula against numbers worked out by hand on tiny arrays."""

import math

import numpy as np
import pytest

from model.scoring import aggregations as agg
from model.scoring.scorers import AggregationType as A
from model.scoring.scorers import IntervalAggregationType

# Two tracks over 4 bins; the mask keeps bins 1 and 2.
REF = np.array([[9.0, 0.0], [1.0, 2.0], [3.0, 0.0], [9.0, 9.0]])
ALT = np.array([[0.0, 0.0], [3.0, 1.0], [5.0, 0.0], [0.0, 0.0]])
MASK = np.array([False, True, True, False])


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        # ALT masked: [3, 5] and [1, 0]; REF masked: [1, 3] and [2, 0]
        (A.DIFF_MEAN, [4 - 2, 0.5 - 1]),
        (A.DIFF_SUM, [8 - 4, 1 - 2]),
        (A.DIFF_SUM_LOG2, [(2 + math.log2(6)) - (1 + 2), 1 - math.log2(3)]),
        (A.DIFF_LOG2_SUM, [math.log2(9) - math.log2(5), 1 - math.log2(3)]),
        (A.L2_DIFF, [math.sqrt(4 + 4), math.sqrt(1 + 0)]),
        (
            A.L2_DIFF_LOG1P,
            [
                math.hypot(math.log(4) - math.log(2), math.log(6) - math.log(4)),
                abs(math.log(2) - math.log(3)),
            ],
        ),
        (A.ACTIVE_MEAN, [4, 1]),
        (A.ACTIVE_SUM, [8, 2]),
    ],
)
def test_center_aggregations_by_hand(aggregation, expected):
    np.testing.assert_allclose(agg.aggregate_center(REF, ALT, MASK, aggregation), expected, rtol=1e-6)


def test_center_mask_bins_at_1bp_and_128bp():
    # 5 bp mask around offset 10 → bins 8..12
    assert np.flatnonzero(agg.center_mask(32, 10, 5, 1)).tolist() == [8, 9, 10, 11, 12]
    # 501 bp at 128 bp = ceil(501/128) = 4 bins centred on the variant's bin (offset 1000 → bin 7): 5..8
    assert np.flatnonzero(agg.center_mask(16, 1000, 501, 128)).tolist() == [5, 6, 7, 8]
    # 2001 bp at 128 bp = 16 bins; clipped at the window's left edge
    assert np.flatnonzero(agg.center_mask(64, 300, 2001, 128)).tolist() == list(range(0, 10))
    # clipped at the right edge
    assert np.flatnonzero(agg.center_mask(20, 19, 7, 1)).tolist() == [16, 17, 18, 19]
    assert agg.center_mask(8, 3, None, 1).all()
    assert not agg.center_mask(8, 8, None, 1).any()  # variant outside the window
    assert not agg.center_mask(8, -1, 501, 1).any()


def test_gene_mask_lfc_active_and_splicing_by_hand():
    ref = np.array([[1.0], [3.0], [10.0], [0.0]])
    alt = np.array([[2.0], [6.0], [10.0], [4.0]])
    masks = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], bool)  # gene 0: bins 0-1, gene 1: bins 2-3
    lfc = agg.gene_mask_lfc(ref, alt, masks)
    np.testing.assert_allclose(
        lfc[:, 0], [math.log(4.001) - math.log(2.001), math.log(7.001) - math.log(5.001)], rtol=1e-6
    )
    np.testing.assert_allclose(agg.gene_mask_active(ref, alt, masks)[:, 0], [4.0, 7.0])
    np.testing.assert_allclose(agg.gene_mask_splicing(ref, alt, masks)[:, 0], [3.0, 4.0])
    empty = np.zeros((4, 1), bool)
    assert np.isnan(agg.gene_mask_lfc(ref, alt, empty)).all()
    assert (agg.gene_mask_splicing(ref, alt, empty) == 0).all()


def test_contact_map_score_by_hand():
    ref = np.zeros((3, 3, 1))
    alt = np.zeros((3, 3, 1))
    alt[:, 1, 0] = [0.3, -0.6, 0.9]  # column of the variant's bin
    alt[0, 0, 0] = 5.0  # elsewhere: ignored
    np.testing.assert_allclose(agg.contact_map_score(ref, alt, 1), [0.6])
    with pytest.raises(ValueError, match="outside the contact map"):
        agg.contact_map_score(ref, alt, 3)


def test_interval_gene_mask_mean_and_sum():
    values = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]])
    masks = np.array([[1, 0], [1, 1], [0, 1]], bool)
    np.testing.assert_allclose(
        agg.interval_gene_mask(values, masks, IntervalAggregationType.MEAN), [[1.5, 15], [3, 30]]
    )
    np.testing.assert_allclose(
        agg.interval_gene_mask(values, masks, IntervalAggregationType.SUM), [[3, 30], [6, 60]]
    )


def test_junction_delta_by_hand():
    np.testing.assert_allclose(
        agg.junction_delta(np.array([[1.0, 0.0]]), np.array([[math.e, 0.0]])), [[1.0, 0.0]], atol=1e-6
    )


def test_paqtl_statistic_by_hand():
    # Three PAS with 1 bp windows; coverage ratio r = alt/ref = [2, 1, 1].
    ref = np.array([[1.0], [1.0], [1.0]])
    alt = np.array([[2.0], [1.0], [1.0]])
    masks = [np.eye(3, dtype=bool)]
    # k=1: |log2(2/1 * 2 / 2)| = 1 ; k=2: |log2(1/2 * 3 / 1)| = log2(1.5)
    np.testing.assert_allclose(agg.paqtl_scores(ref, alt, masks), [[1.0]], rtol=1e-6)
    # zero REF coverage makes the ratio undefined: it counts 0, never inf
    assert np.isfinite(agg.paqtl_scores(np.zeros((3, 1)), alt, masks)).all()
