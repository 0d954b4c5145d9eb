"""API authentication: API keys (Bearer or X-Api-Key) and the session; nothing for anonymous callers."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from predictions.models import ApiKey

ENDPOINTS = ["/api/v1/jobs/", "/api/v1/assemblies/", "/api/v1/backends/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_caller_gets_401_with_a_bearer_challenge(anonymous_api, demo_assembly, url):
    response = anonymous_api.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_anonymous_caller_cannot_create_a_job(anonymous_api, demo_assembly):
    response = anonymous_api.post("/api/v1/jobs/", {"mode": "locus", "locus": "chr20:1-100"}, format="json")
    assert response.status_code == 401


def test_bearer_key_authenticates_and_usage_is_recorded(owner_api, owner):
    assert owner_api.get("/api/v1/jobs/").status_code == 200
    assert owner_api.get("/api/v1/jobs/").status_code == 200
    key = ApiKey.objects.get(user=owner)
    assert key.request_count == 2 and key.last_used is not None


def test_x_api_key_header_authenticates(owner_key):
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=owner_key)
    assert api.get("/api/v1/jobs/").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_AUTHORIZATION": "Bearer ga_not-a-real-key"}, {"HTTP_X_API_KEY": "ga_not-a-real-key"}],
    ids=["bearer", "x-api-key"],
)
def test_unknown_key_is_401(db, headers):
    api = APIClient()
    api.credentials(**headers)
    response = api.get("/api/v1/jobs/")
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid or revoked API key"


def test_revoked_key_is_rejected(owner, owner_key, owner_api):
    assert owner_api.get("/api/v1/jobs/").status_code == 200
    key = ApiKey.objects.get(user=owner)
    key.revoke()
    key.refresh_from_db()
    assert key.revoked is not None
    assert owner_api.get("/api/v1/jobs/").status_code == 401


def test_key_of_a_deactivated_user_is_rejected(owner, owner_api):
    owner.is_active = False
    owner.save()
    assert owner_api.get("/api/v1/jobs/").status_code == 401


def test_only_the_hash_is_stored(owner, owner_key):
    key = ApiKey.objects.get(user=owner)
    assert owner_key not in (key.hashed_key, key.prefix, key.name)
    assert owner_key.startswith(key.prefix)


def test_session_login_works_for_reads_and_needs_csrf_for_writes(owner, demo_assembly):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(owner)
    assert api.get("/api/v1/jobs/").status_code == 200
    response = api.post("/api/v1/jobs/", {"mode": "locus", "locus": "chr20:1-100"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_api_key_callers_need_no_csrf_token(owner_key, demo_assembly, django_capture_on_commit_callbacks):
    api = APIClient(enforce_csrf_checks=True)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    with django_capture_on_commit_callbacks(execute=False):
        response = api.post(
            "/api/v1/jobs/", {"mode": "locus", "locus": "chr20:2440001-2450000"}, format="json"
        )
    assert response.status_code == 201
