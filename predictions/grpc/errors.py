"""Errors that map to a gRPC status: raised anywhere, turned into `context.abort` by the servicer."""

from __future__ import annotations

import grpc


class RequestError(Exception):
    """A request that ends with `code` and a message the client can act on."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0])


class InvalidArgumentError(RequestError):
    """The request is malformed; the message starts with the offending field's name."""

    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class UnimplementedError(RequestError):
    """Valid in the SDK, but nothing on this server provides it (an output type, a scorer, a fold)."""

    code = grpc.StatusCode.UNIMPLEMENTED


class OverloadedError(RequestError):
    """Every model slot is busy: UNAVAILABLE, which the official client retries with backoff."""

    code = grpc.StatusCode.UNAVAILABLE


class RateLimitedError(RequestError):
    """The key's per-minute quota is spent: RESOURCE_EXHAUSTED, also retried by the client."""

    code = grpc.StatusCode.RESOURCE_EXHAUSTED
