"""Page-test fixtures: results written under a temporary MEDIA_ROOT, and the three personas' jobs.

Personas: the owner (`owner_client`), a colleague holding a share link (`colleague_client`, not
logged in) and an outsider (`outsider_client`, logged in as someone else), who gets 404.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.predictions.web import factories


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GENOMEAPP_DATA_DIR = tmp_path / "data"
    # Autouse fixtures run first, so the personas' passwords are hashed cheaply.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    factories.stub_backends(monkeypatch)


@pytest.fixture
def scored_job(owner, demo_assembly):
    return factories.make_scored_job(owner, demo_assembly)


@pytest.fixture
def share_link(scored_job):
    return factories.share(scored_job)


@pytest.fixture
def colleague_client():
    """Someone the owner sent a share link to: not logged in."""
    return Client()


@pytest.fixture
def anonymous_client():
    return Client()
