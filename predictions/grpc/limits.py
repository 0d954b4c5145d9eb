"""Load control: a bound on concurrent model calls (state per server process).

It answers UNAVAILABLE, which the official client retries (5 attempts with 1.25 s × 1.5ⁿ
backoff), so a busy server slows clients down instead of failing them. The per-key request rate
limit is the web's limiter (`predictions.rate_limits`), answered RESOURCE_EXHAUSTED (also
retried) by the interceptor in `auth.py`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from predictions.grpc.errors import OverloadedError


class ModelCallGate:
    """At most `limit` model calls at once; a caller waits up to `wait_seconds` for a slot.

    Beyond that it gets UNAVAILABLE (OverloadedError), so the client backs off and retries
    rather than piling work onto an accelerator that is already full.
    """

    def __init__(self, limit: int, wait_seconds: float = 0.0) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        self.limit = limit
        self.wait_seconds = max(wait_seconds, 0.0)
        self._slots = threading.BoundedSemaphore(limit)
        self._lock = threading.Lock()
        self.active = 0
        self.rejected = 0

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        acquired = (
            self._slots.acquire(timeout=self.wait_seconds)
            if self.wait_seconds
            else self._slots.acquire(False)
        )
        if not acquired:
            with self._lock:
                self.rejected += 1
            raise OverloadedError(
                f"server busy: all {self.limit} model slots are in use "
                "(GENOMEAPP_GRPC_MAX_CONCURRENT_MODEL_CALLS); retry shortly"
            )
        with self._lock:
            self.active += 1
        try:
            yield
        finally:
            with self._lock:
                self.active -= 1
            self._slots.release()
