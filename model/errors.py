"""Errors of the prediction service that callers turn into answers (HTTP 4xx, gRPC status)."""

from __future__ import annotations


class InvalidRequestError(ValueError):
    """The request is malformed; `field` names the offending part (a gRPC INVALID_ARGUMENT)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class NotProvidedError(LookupError):
    """Valid, but nothing on this server provides it: an output type or a scorer (UNIMPLEMENTED)."""


class ScorerNotApplicableError(NotProvidedError, ValueError):
    """A scorer that cannot be computed here (no such output, no annotation, wrong organism);
    the message says why. It never produces numbers."""
