"""API fixtures: API keys, a scored job, results under a temporary MEDIA_ROOT."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from predictions.models import ApiKey
from tests.predictions.web.fixtures import _isolated, scored_job  # noqa: F401 - shared fixtures


@pytest.fixture
def owner_key(owner):
    _, raw_key = ApiKey.issue(owner, "owner script")
    return raw_key


@pytest.fixture
def outsider_key(outsider):
    _, raw_key = ApiKey.issue(outsider, "outsider script")
    return raw_key


@pytest.fixture
def owner_api(owner_key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    return api


@pytest.fixture
def outsider_api(outsider_key):
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=outsider_key)
    return api


@pytest.fixture
def anonymous_api():
    return APIClient()
