"""The API-key interceptor: `x-goog-api-key` → an active ApiKey (usage recorded) → rate limit.

Runs in the RPC's worker thread before the servicer: a missing, wrong or revoked key ends the
call with UNAUTHENTICATED, a spent per-key quota with RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import grpc
from django.db import DatabaseError, close_old_connections

from predictions.grpc.errors import RateLimitedError, RequestError
from predictions.models import ApiKey
from predictions.rate_limits import RateLimited, RateLimiter

API_KEY_HEADER = "x-goog-api-key"
logger = logging.getLogger("predictions.grpc")


def authenticate(metadata: dict[str, str]) -> ApiKey:
    """The active key named by the header; RequestError(UNAUTHENTICATED) otherwise."""
    raw_key = metadata.get(API_KEY_HEADER, "").strip()
    if not raw_key:
        raise RequestError(
            f"missing API key: send it in the {API_KEY_HEADER} header", grpc.StatusCode.UNAUTHENTICATED
        )
    close_old_connections()
    try:
        key = ApiKey.objects.authenticate(raw_key)
    except DatabaseError as error:
        logger.exception("API key lookup failed")
        raise RequestError(
            f"authentication is unavailable: {type(error).__name__}", grpc.StatusCode.UNAVAILABLE
        ) from None
    if key is None:
        raise RequestError("invalid or revoked API key", grpc.StatusCode.UNAUTHENTICATED)
    return key


class ApiKeyInterceptor(grpc.ServerInterceptor):
    """Authenticates and rate-limits every RPC (see module docstring)."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    def intercept_service(
        self, continuation: Callable[[Any], Any], handler_call_details: grpc.HandlerCallDetails
    ) -> Any:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method.rsplit("/", 1)[-1]
        for kind in ("unary_unary", "unary_stream", "stream_unary", "stream_stream"):
            behaviour = getattr(handler, kind)
            if behaviour is not None:
                return handler._replace(**{kind: self._guard(behaviour, method)})
        return handler

    def _guard(self, behaviour: Callable[[Any, Any], Any], method: str) -> Callable[[Any, Any], Any]:
        def guarded(request: Any, context: grpc.ServicerContext) -> Any:
            try:
                key = authenticate(dict(context.invocation_metadata()))
                try:
                    self.limiter.check(key.pk, f"API key {key.prefix}…")
                except RateLimited as limited:
                    raise RateLimitedError(f"rate limit: {limited.message}") from None
            except RequestError as error:
                logger.info("%s refused: %s %s", method, error.code.name, error.message)
                context.abort(error.code, error.message)
            logger.info("%s by %s (key %s…)", method, key.user.get_username(), key.prefix)
            return behaviour(request, context)

        return guarded
