"""Load control: a per-key request rate limit and a bound on concurrent model calls.

Both answer with the status codes the official client retries (RESOURCE_EXHAUSTED and
UNAVAILABLE, 5 attempts with 1.25 s × 1.5ⁿ backoff), so a busy server slows clients down
instead of failing them. State is per server process.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Callable, Iterator

from predictions.grpc.errors import OverloadedError, RateLimitedError


class RateLimiter:
    """At most `per_minute` requests per key in any sliding 60-second window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute must be >= 1, got {per_minute}")
        self.per_minute = per_minute
        self._clock = clock
        self._seen: dict[object, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def check(self, key: object, label: str = "this API key") -> None:
        """Record one request for `key`; RateLimitedError when its quota for the last minute is spent."""
        now = self._clock()
        with self._lock:
            seen = self._seen[key]
            while seen and seen[0] <= now - 60.0:
                seen.popleft()
            if len(seen) >= self.per_minute:
                wait = 60.0 - (now - seen[0])
                raise RateLimitedError(
                    f"rate limit: {label} made {self.per_minute} requests in the last minute "
                    f"(GENOMEAPP_GRPC_RATE_LIMIT_PER_MINUTE); retry in {wait:.0f} s"
                )
            seen.append(now)


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
