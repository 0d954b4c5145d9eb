"""Runs a claimed job: dispatches on its kind to the runner that does the work."""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from predictions.models import Job


class JobInputError(ValueError):
    """The job's input cannot be run (the message is shown to the user as it is)."""


RUNNERS = {
    "interval": "predictions.runners.interval",
    "variants": "predictions.runners.variants",
    "sequence": "predictions.runners.sequence",
    "ism": "predictions.runners.ism",
}


def run(job: Job, cancelled: threading.Event) -> None:
    """Run `job` (already claimed) to completion; raises JobCancelled if it is cancelled meanwhile."""
    module_name = RUNNERS.get(job.kind)
    if module_name is None:
        raise JobInputError(f"unknown job kind {job.kind!r}")
    runner = importlib.import_module(module_name)
    runner.run(job, cancelled)
