"""Counts of hostile inputs tried and passed in this run, by kind; conftest.py prints them at the end."""

from __future__ import annotations

import collections
import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

TRIED: collections.Counter[str] = collections.Counter()
PASSED: collections.Counter[str] = collections.Counter()
STATUSES: collections.defaultdict[str, collections.Counter[int]] = collections.defaultdict(
    collections.Counter
)

# Each input must be answered within this long (generous: the slowest corpus case takes about 2 s
# on an idle core; CI shares two cores). A timeout, not a measured speed: a hang fails the case.
ANSWER_SECONDS = 10


class NoAnswerInTimeError(AssertionError):
    """The server did not answer one input within ANSWER_SECONDS."""


@contextlib.contextmanager
def case(kind: str, seconds: float = ANSWER_SECONDS) -> Iterator[None]:
    """Count one input of `kind` as tried, and as passed when the block ends without an error;
    fail the block when it runs longer than `seconds` (SIGALRM: the tests run in the main thread)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise NoAnswerInTimeError(f"no answer within {seconds} s")

    TRIED[kind] += 1
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    PASSED[kind] += 1


def answered(kind: str, status: int) -> None:
    """Note the HTTP status one input of `kind` got (for the summary)."""
    STATUSES[kind][status] += 1


def summary() -> list[str]:
    """One line per kind: `kind: passed/tried passed (HTTP statuses)`."""
    lines = []
    for kind in sorted(TRIED):
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(STATUSES[kind].items()))
        lines.append(f"{kind}: {PASSED[kind]}/{TRIED[kind]} passed" + (f" ({statuses})" if statuses else ""))
    return lines
