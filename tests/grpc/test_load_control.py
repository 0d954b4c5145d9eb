"""ModelCallGate on its own (the end-to-end behaviour is in test_limits.py; the per-key rate limit
is predictions.rate_limits, tested in tests/predictions/test_rate_limits.py)."""

from __future__ import annotations

import grpc
import pytest

from predictions.grpc.errors import OverloadedError
from predictions.grpc.limits import ModelCallGate


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
