"""Indel alignment of ALT onto REF coordinates, including at the window edges."""

import numpy as np
import pytest

from model.scoring.alignment import align_alternate


def column(values):
    return np.array(values, dtype=np.float32)[:, None]


def test_snv_and_mnv_are_untouched():
    alt = column([1, 2, 3])
    assert align_alternate(alt, 1, 1, 1) is alt
    assert align_alternate(alt, 0, 2, 2) is alt


def test_insertion_summarised_by_max_and_padded_with_zero():
    # REF window: b0 b1 [b2=A] b3 b4 b5 ; ALT A>ATT at offset 2 inserts 2 bases after b2.
    # ALT predictions: b0 b1 A T T b3 (cropped at the right end).
    alt = column([10, 11, 5, 9, 7, 13])
    aligned = align_alternate(alt, 2, 1, 3)
    # positions 2..4 collapse to max(5, 9, 7) = 9 at the anchor; b3 moves back; the last 2 have no ALT.
    np.testing.assert_array_equal(aligned[:, 0], [10, 11, 9, 13, 0, 0])


def test_deletion_fills_deleted_bases_with_zero():
    # REF: b0 [b1=A b2 b3] b4 b5 ; ALT ACG>A deletes b2 b3.
    # ALT predictions: b0 A b4 b5 x6 x7 (the window is extended on the right).
    alt = column([10, 11, 14, 15, 16, 17])
    aligned = align_alternate(alt, 1, 3, 1)
    np.testing.assert_array_equal(aligned[:, 0], [10, 11, 0, 0, 14, 15])


def test_insertion_at_the_right_edge_of_the_window():
    alt = column([1, 2, 3, 8])  # anchor is the last base; inserted bases were cropped away except one
    np.testing.assert_array_equal(align_alternate(alt, 3, 1, 4)[:, 0], [1, 2, 3, 8])
    alt = column([1, 2, 6, 4])  # anchor at 2, 3 inserted bases, only 1 fits
    np.testing.assert_array_equal(align_alternate(alt, 2, 1, 4)[:, 0], [1, 2, 6, 0])


def test_deletion_at_the_right_edge_of_the_window():
    alt = column([1, 2, 3, 4])  # anchor at 2, deletes 3 bases that run past the window end
    np.testing.assert_array_equal(align_alternate(alt, 2, 4, 1)[:, 0], [1, 2, 3, 0])


def test_indels_at_the_left_edge_of_the_window():
    np.testing.assert_array_equal(align_alternate(column([4, 9, 1, 2]), 0, 1, 2)[:, 0], [9, 1, 2, 0])
    np.testing.assert_array_equal(align_alternate(column([4, 1, 2, 3]), 0, 2, 1)[:, 0], [4, 0, 1, 2])


def test_complex_indel_anchors_after_the_shared_prefix():
    # REF ACG, ALT ACGTT: shared prefix of 3 → anchor at offset+2.
    alt = column([0, 1, 2, 3, 9, 4, 5, 6])
    np.testing.assert_array_equal(align_alternate(alt, 1, 3, 5)[:, 0], [0, 1, 2, 9, 5, 6, 0, 0])


def test_anchor_outside_the_window_is_an_error():
    with pytest.raises(ValueError, match="outside the window"):
        align_alternate(column([1, 2]), 2, 1, 2)


def test_many_tracks_align_together():
    alt = np.arange(12, dtype=np.float32).reshape(6, 2)
    aligned = align_alternate(alt, 1, 1, 2)
    np.testing.assert_array_equal(aligned[1], np.maximum(alt[1], alt[2]))
    np.testing.assert_array_equal(aligned[2:5], alt[3:6])
    np.testing.assert_array_equal(aligned[5], [0, 0])
