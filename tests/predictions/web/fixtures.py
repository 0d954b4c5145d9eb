"""Fixtures shared by the page and API tests: results under a temporary MEDIA_ROOT, a scored job."""

from __future__ import annotations

import pytest

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
