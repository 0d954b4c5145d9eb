"""A background thread that keeps a running job's heartbeat fresh while the model works."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection

if TYPE_CHECKING:
    from predictions.models import Job


class JobCancelled(Exception):  # noqa: N818 - a signal, not an error
    """The job left the running state (cancelled, or failed by the reaper) while it was working."""


@contextmanager
def heartbeat(job: Job, interval: float | None = None) -> Iterator[threading.Event]:
    """Beat every `interval` seconds until the block exits; the yielded event is set if the job
    stops being `running` (a cancel), so long loops can check it and stop early."""
    interval = interval or settings.GENOMEAPP_HEARTBEAT_SECONDS
    stop = threading.Event()
    lost = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(interval):
                try:
                    alive = job.beat()
                except DatabaseError:  # a dropped connection: beat again on a new one next time
                    connection.close()
                    continue
                if not alive:
                    lost.set()
                    return
        finally:
            close_old_connections()

    thread = threading.Thread(target=run, name=f"heartbeat-{job.code}", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
