"""Validation metrics against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.train import metrics


def test_pearson_r():
    assert metrics.pearson_r(np.array([1.0, 2, 3]), np.array([2.0, 4, 6])) == pytest.approx(1.0)
    assert metrics.pearson_r(np.array([1.0, 2, 3]), np.array([3.0, 2, 1])) == pytest.approx(-1.0)
    # x = (0, 1, 2), y = (0, 2, 1): cov 0.5, var 1 and 1 (population) -> r = 0.5
    assert metrics.pearson_r(np.array([0.0, 1, 2]), np.array([0.0, 2, 1])) == pytest.approx(0.5)
    assert math.isnan(metrics.pearson_r(np.array([1.0, 1]), np.array([0.0, 2])))


def test_log_pearson_uses_log1p_of_the_signal():
    predictions = np.array([0.0, 1, 3, 7]).reshape(1, 4, 1)  # log1p: 0, ln2, ln4, ln8 -> linear in ln2
    targets = np.array([0.0, 3, 15, 63]).reshape(1, 4, 1)  # log1p: 0, 2 ln2, 4 ln2, 6 ln2 -> r = 1
    assert metrics.log_pearson_per_track(predictions, targets) == [pytest.approx(1.0)]


def test_top_k_accuracy_and_auprc_by_hand():
    scores = np.array([0.9, 0.8, 0.7, 0.1, 0.05])
    labels = np.array([1.0, 0, 1, 0, 1])
    # k = 3 sites; the top three positions hold two of them
    assert metrics.top_k_accuracy(scores, labels) == pytest.approx(2 / 3)
    # average precision: precision at each recalled site, 1/1, 2/3, 3/5, averaged
    assert metrics.auprc(scores, labels) == pytest.approx((1 + 2 / 3 + 3 / 5) / 3)
    assert math.isnan(metrics.top_k_accuracy(scores, np.zeros(5)))


def test_splice_site_metrics_per_class_and_mean():
    probabilities = np.zeros((1, 6, 5))
    labels = np.zeros((1, 6, 5))
    labels[0, 1, 0] = labels[0, 4, 1] = 1  # a donor+ at 1, an acceptor+ at 4
    probabilities[0, 1, 0] = 0.9  # donor found
    probabilities[0, 2, 1] = 0.9  # acceptor missed (ranked first elsewhere)
    probabilities[0, 4, 1] = 0.5
    out = metrics.splice_site_metrics(probabilities, labels)
    assert out["top_k/donor+"] == 1.0 and out["top_k/acceptor+"] == 0.0
    assert out["auprc/acceptor+"] == pytest.approx(0.5)
    assert math.isnan(out["top_k/donor-"])
    assert out["top_k"] == pytest.approx(0.5)


def test_usage_r_only_at_measured_sites():
    predictions = np.array([0.2, 0.5, 0.9, 0.3, 0.4]).reshape(1, 5, 1)
    usage = np.array([0.1, 0.5, 0.8, np.nan, 0.0]).reshape(1, 5, 1)
    sites = np.array([1.0, 1, 1, 1, 0]).reshape(1, 5)
    expected = metrics.pearson_r(np.array([0.2, 0.5, 0.9]), np.array([0.1, 0.5, 0.8]))
    assert metrics.usage_r(predictions, usage, sites) == pytest.approx(expected)
