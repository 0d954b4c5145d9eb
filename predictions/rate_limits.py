"""One request-rate limiter for every door: job creation (form and REST API), login and gRPC.

Counts live in Django's cache (`CACHES`: Redis when `CACHE_URL` names one, so that every gunicorn
worker and gRPC process shares them; one process's memory otherwise). A limit is a number of
events per key in a fixed 60-second window; the event past it is refused with the seconds until
the window ends (`Retry-After`). Windows are aligned to the wall clock, which every process
shares; a burst straddling a window boundary can reach twice the limit, the usual price of a
counter that costs one cache round trip.

When the cache itself fails the request is let through and the failure logged: a rate limit must
not turn a cache outage into a site outage.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

ViewFunction = Callable[..., HttpResponseBase]

WINDOW_SECONDS = 60
logger = logging.getLogger("predictions.rate_limits")


class RateLimited(Exception):  # noqa: N818 (a condition the caller answers, not a bug)
    """A quota spent for this window; the next request is allowed in `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class RateLimiter:
    """At most `per_minute` events per key and 60-second window, counted in a Django cache.

    Args:
      name: the limit's name, part of every cache key (`job`, `login-ip`, `grpc`, ...).
      per_minute: events allowed per key and window.
      setting: the setting that sets `per_minute`, named in the refusal message.
      clock: seconds since the epoch; default `wall_clock` (tests move either).
      cache_alias: which of `CACHES`.
    """

    def __init__(
        self,
        name: str,
        per_minute: int,
        *,
        setting: str,
        clock: Callable[[], float] | None = None,
        cache_alias: str = "default",
    ) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute must be >= 1, got {per_minute}")
        self.name = name
        self.per_minute = per_minute
        self.setting = setting
        self._clock = clock
        self._cache_alias = cache_alias

    def check(self, key: object, who: str) -> None:
        """Count one event for `key`; RateLimited when this window's quota was already spent."""
        now = self._clock() if self._clock is not None else wall_clock()
        window = math.floor(now / WINDOW_SECONDS)
        cache_key = f"ratelimit:{self.name}:{_digest(key)}:{window}"
        cache = caches[self._cache_alias]
        try:
            cache.add(cache_key, 0, timeout=2 * WINDOW_SECONDS)
            count = cache.incr(cache_key)
        except Exception:
            logger.exception("rate limit %s: the cache failed; request allowed", self.name)
            return
        if count > self.per_minute:
            retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
            raise RateLimited(
                f"Too many requests: {who} made {self.per_minute} in the last minute "
                f"(limit {self.setting}={self.per_minute}). Try again in {retry_after} s.",
                retry_after,
            )


def wall_clock() -> float:
    """Seconds since the epoch: the one clock every web and gRPC process shares."""
    return time.time()


def _digest(key: object) -> str:
    """A short fixed-width cache-key part: usernames and addresses may be long or odd."""
    return hashlib.sha256(str(key).encode()).hexdigest()[:32]


def client_address(request: HttpRequest, trusted_proxy_hops: int) -> str:
    """The client's IP address: REMOTE_ADDR, or behind `trusted_proxy_hops` proxies that each
    append to X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`), the address the outermost
    of them saw. Entries left of that were written by the client and are not believed."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if trusted_proxy_hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted_proxy_hops:
        return forwarded[0] if forwarded else remote
    return forwarded[-trusted_proxy_hops]


# --- The web's limits (settings GENOMEAPP_*_RATE_LIMIT_PER_MINUTE) ----------------------------------


def check_job_creation(user_pk: object) -> None:
    """One job submission (form or REST API, accepted or not: parsing is the cost) by a user."""
    RateLimiter(
        "job", settings.GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE, setting="GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE"
    ).check(user_pk, "you")


def check_login(request: HttpRequest) -> None:
    """One login attempt, counted per client address and per username tried: the first stops one
    machine guessing many accounts, the second many machines guessing one account."""
    per_minute = settings.GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE
    setting = "GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE"
    address = client_address(request, settings.GENOMEAPP_TRUSTED_PROXY_HOPS)
    RateLimiter("login-ip", per_minute, setting=setting).check(address, "this address")
    username = str(request.POST.get("username", "")).strip().casefold()
    if username:
        RateLimiter("login-user", per_minute, setting=setting).check(username, "logins to this account")


def too_many_requests(error: RateLimited) -> HttpResponse:
    """HTTP 429 with Retry-After and the message, as plain text (a form or a script reads it)."""
    response = HttpResponse(error.message + "\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(error.retry_after)
    return response


def limit_posts(check: Callable[[HttpRequest], None]) -> Callable[[ViewFunction], ViewFunction]:
    """A view decorator: every POST is counted by `check` first and answered 429 once over."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                try:
                    check(request)
                except RateLimited as error:
                    return too_many_requests(error)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


login_rate_limited = limit_posts(check_login)
job_creation_rate_limited = limit_posts(lambda request: check_job_creation(request.user.pk))
