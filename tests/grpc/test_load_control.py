"""RateLimiter and ModelCallGate on their own (the end-to-end behaviour is in test_limits.py)."""

from __future__ import annotations

import grpc
import pytest

from predictions.grpc.errors import OverloadedError, RateLimitedError
from predictions.grpc.limits import ModelCallGate, RateLimiter


def test_rate_limit_is_a_sliding_minute_per_key():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    limiter.check("a")
    limiter.check("a")
    limiter.check("b")
    with pytest.raises(RateLimitedError) as raised:
        limiter.check("a")
    assert raised.value.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    now[0] = 60.5
    limiter.check("a")


def test_gate_rejects_beyond_its_limit_with_unavailable():
    gate = ModelCallGate(1)
    with gate.slot():
        assert gate.active == 1
        with pytest.raises(OverloadedError) as raised, gate.slot():
            pass
    assert raised.value.code is grpc.StatusCode.UNAVAILABLE
    assert gate.active == 0 and gate.rejected == 1
    with gate.slot():
        pass


def test_gate_releases_its_slot_when_the_call_fails():
    gate = ModelCallGate(1, wait_seconds=0.01)
    with pytest.raises(RuntimeError), gate.slot():
        raise RuntimeError("model crashed")
    with gate.slot():
        assert gate.active == 1
