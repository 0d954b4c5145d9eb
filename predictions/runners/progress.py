"""Progress reporting shared by the runners: heartbeat + cancellation check in one call."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from predictions.heartbeat import JobCancelled
from predictions.models import Job

T = TypeVar("T")


class Progress:
    """Counts work units of a job; writes at most once a second; raises JobCancelled on cancel."""

    def __init__(self, job: Job, total: int, cancelled: threading.Event, step: str = "") -> None:
        self.job = job
        self.total = total
        self.done = 0
        self.cancelled = cancelled
        self._last_write = 0.0
        self._step = step
        self._started = time.monotonic()
        self.seconds: dict[str, float] = defaultdict(float)
        job.beat(done=0, total=total, step=step)

    @contextmanager
    def timing(self, kind: str) -> Iterator[None]:
        """Accumulate wall time spent in `kind` (e.g. "model") for the job's timing breakdown."""
        start = time.monotonic()
        try:
            yield
        finally:
            self.seconds[kind] += time.monotonic() - start

    def timed(self, iterable: Iterable[T], kind: str) -> Iterator[T]:
        """Yield from `iterable`, counting the time spent producing each item (and the final
        exhaustion, where a generator may still do work) as `kind`."""
        iterator = iter(iterable)
        while True:
            with self.timing(kind):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item

    def save_timings(self) -> None:
        """Store {kind: seconds, "run": total} in the job's parameters (shown by the bench and API)."""
        timings = {kind: round(value, 3) for kind, value in self.seconds.items()}
        timings["run"] = round(time.monotonic() - self._started, 3)
        self.job.parameters = {**self.job.parameters, "timings": timings}
        Job.objects.filter(pk=self.job.pk).update(parameters=self.job.parameters)

    def step(self, name: str) -> None:
        self._step = name
        self._write(force=True)

    def add(self, units: int = 1) -> None:
        self.done = min(self.total, self.done + units)
        self._write()

    def counter(self) -> Callable[[int, int], None]:
        """A `progress(done, total)` callback for the model layer, which reports running totals:
        each call adds what was finished since the previous one."""
        reported = 0

        def report(finished: int, _total: int) -> None:
            nonlocal reported
            self.add(finished - reported)
            reported = finished

        return report

    def extend(self, units: int) -> None:
        """More work discovered (e.g. browser tracks after scoring)."""
        self.total += units
        self._write(force=True)

    def _write(self, force: bool = False) -> None:
        if self.cancelled.is_set():
            raise JobCancelled(str(self.job.code))
        now = time.monotonic()
        if force or now - self._last_write >= 1.0 or self.done == self.total:
            if not self.job.beat(done=self.done, total=self.total, step=self._step):
                raise JobCancelled(str(self.job.code))
            self._last_write = now
