"""Rate limits on job creation (start-page form and REST API, per user) and on login (per client
address and per username tried): the request past the quota gets 429, Retry-After and a message
naming the limit; other users are unaffected; the next minute starts afresh."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from predictions import rate_limits
from predictions.models import ApiKey, Job

LIMIT = 3
VARIANT = {"mode": "variants", "assembly": "GRCh37-chr20", "variants_text": "chr20:2443281:C>A"}


@pytest.fixture
def clock(monkeypatch, settings):
    """The limiter's wall clock, at the start of a window; tests move it on."""
    settings.GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE = LIMIT
    settings.GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE = LIMIT
    now = [1_800_000_000.0]
    monkeypatch.setattr(rate_limits, "wall_clock", lambda: now[0])
    return now


def assert_limited(response, setting: str) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert setting in response.content.decode()


def form_post(client: Client):
    fields = {
        "sequence_length": "16KB",
        "output_types": ["SPLICE_SITES"],
        "spliceai": "on",
        "spliceai_distance": "50",
    }
    return client.post("/", {**VARIANT, **fields})


def test_job_form_past_the_quota_gets_429_until_the_next_minute(
    clock, owner, outsider, demo_assembly, django_capture_on_commit_callbacks
):
    owner_client, outsider_client = Client(), Client()
    owner_client.force_login(owner)
    outsider_client.force_login(outsider)
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(LIMIT):
            assert form_post(owner_client).status_code == 302
        refused = form_post(owner_client)
        assert_limited(refused, "GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE")
        assert Job.objects.filter(owner=owner).count() == LIMIT
        assert owner_client.get("/").status_code == 200  # only submissions are counted
        assert form_post(outsider_client).status_code == 302  # another user has their own quota
        clock[0] += 60
        assert form_post(owner_client).status_code == 302


def test_api_job_creation_past_the_quota_gets_429_with_retry_after(
    clock, owner, outsider, demo_assembly, django_capture_on_commit_callbacks
):
    def api_for(user) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(user, 'script')[1]}")
        return api

    owner_api, outsider_api = api_for(owner), api_for(outsider)
    clock[0] += 15
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(LIMIT):
            assert owner_api.post("/api/v1/jobs/", VARIANT, format="json").status_code == 201
        refused = owner_api.post("/api/v1/jobs/", VARIANT, format="json")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        assert "GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE=3" in refused.json()["detail"]
        # refused submissions count too (parsing is the cost), and the form shares the quota
        assert owner_api.post("/api/v1/jobs/", {"mode": "nonsense"}, format="json").status_code == 429
        assert outsider_api.post("/api/v1/jobs/", VARIANT, format="json").status_code == 201
        clock[0] += 45
        assert owner_api.post("/api/v1/jobs/", VARIANT, format="json").status_code == 201


def login(client: Client, username: str, password: str = "wrong-password", address: str = "192.0.2.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_login_attempts_past_the_quota_get_429_per_address(clock, owner, outsider):
    client = Client()
    for _ in range(LIMIT):
        assert login(client, "owner").status_code == 200  # the form again, "didn't match"
    assert_limited(login(client, "outsider", "outsider-pass-123"), "GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE")
    # another machine logs in to another account as usual
    assert login(Client(), "outsider", "outsider-pass-123", address="192.0.2.2").status_code == 302
    clock[0] += 60
    assert login(client, "owner", "owner-pass-123").status_code == 302


def test_login_attempts_past_the_quota_get_429_per_username_from_any_address(clock, owner):
    for number in range(LIMIT):
        assert login(Client(), "Owner ", address=f"198.51.100.{number}").status_code == 200
    refused = login(Client(), "owner", "owner-pass-123", address="198.51.100.200")
    assert_limited(refused, "GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE")
    assert "logins to this account" in refused.content.decode()


def test_admin_login_is_limited_too(clock, owner):
    for _ in range(LIMIT):
        Client().post("/admin/login/", {"username": "owner", "password": "x"}, REMOTE_ADDR="192.0.2.9")
    refused = Client().post("/admin/login/", {"username": "x", "password": "x"}, REMOTE_ADDR="192.0.2.9")
    assert_limited(refused, "GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE")


def test_behind_the_proxy_the_forwarded_address_is_counted(clock, settings, owner):
    settings.GENOMEAPP_TRUSTED_PROXY_HOPS = 1
    for _ in range(LIMIT):
        Client().post(
            "/accounts/login/",
            {"username": "a", "password": "x"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    # same nginx, another client: not limited by the first one's attempts
    other = Client().post(
        "/accounts/login/",
        {"username": "owner", "password": "owner-pass-123"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )
    assert other.status_code == 302
