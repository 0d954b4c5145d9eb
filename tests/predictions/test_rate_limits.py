"""The one rate limiter (predictions.rate_limits) on its own: a quota per key and minute, counted
in Django's cache, and the client address behind a known number of proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from predictions.rate_limits import RateLimited, RateLimiter, client_address


def test_the_event_past_the_quota_is_refused_until_the_window_ends():
    now = [600.0]  # the start of a window
    limiter = RateLimiter("test", 2, setting="TEST_LIMIT", clock=lambda: now[0])
    limiter.check("a", "a")
    now[0] = 615.0
    limiter.check("a", "a")
    limiter.check("b", "b")  # another key has its own quota
    with pytest.raises(RateLimited) as refused:
        limiter.check("a", "key a")
    assert refused.value.retry_after == 45
    assert "key a made 2 in the last minute" in refused.value.message
    assert "TEST_LIMIT=2" in refused.value.message
    now[0] = 660.0  # the next window
    limiter.check("a", "a")


def test_limits_with_different_names_count_apart():
    clock = lambda: 1200.0  # noqa: E731
    RateLimiter("one", 1, setting="X", clock=clock).check("k", "k")
    RateLimiter("two", 1, setting="X", clock=clock).check("k", "k")
    with pytest.raises(RateLimited):
        RateLimiter("one", 1, setting="X", clock=clock).check("k", "k")


def test_a_quota_below_one_is_refused():
    with pytest.raises(ValueError, match="per_minute"):
        RateLimiter("test", 0, setting="X")


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy: the header is the client's own words
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the client's forged entry is left of nginx's
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, "", "10.0.0.2"),
    ],
)
def test_client_address_believes_only_the_trusted_proxies(hops, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request, hops) == expected
