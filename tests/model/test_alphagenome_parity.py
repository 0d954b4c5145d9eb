"""Parity against alphagenome-pytorch 0.2.8: random official-layout weights through both converters."""

import pytest

from model.config import full, tiny
from model.parity import random_official_weights, run_parity

EXPECTED_OUTPUTS = 16  # 7 track heads (12 resolutions) + contact maps + 3 splice heads


def _check(rows):
    assert len(rows) == EXPECTED_OUTPUTS
    failures = [f"{r.output}: rel {r.max_rel_err:.2e}, r {r.pearson_r:.8f}" for r in rows if not r.ok()]
    assert not failures, failures


def test_random_weights_follow_official_tree():
    params, state = random_official_weights(tiny(), seed=1)
    assert len(params) == 589 and len(state) == 81
    assert all(v.dtype.name == "float32" for v in params.values())


def test_parity_reduced_size():
    """tiny preset (same depth and names, narrow), 16,384 bp, human read-out."""
    _check(run_parity(tiny(), 16384, seed=0))


@pytest.mark.slow
def test_parity_reduced_size_mouse_short_input():
    _check(run_parity(tiny(), 4096, seed=2, organism=1))


@pytest.mark.slow
def test_parity_full_size():
    """Full 450 M-parameter model on 16,384 bp (~9 GB RAM, minutes of CPU)."""
    _check(run_parity(full(), 16384, seed=0))
