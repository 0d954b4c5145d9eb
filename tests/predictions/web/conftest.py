"""Page-test fixtures: results written under a temporary MEDIA_ROOT, and the three personas' jobs.

Personas: the owner (`owner_client`), a colleague holding a share link (`colleague_client`, not
logged in) and an outsider (`outsider_client`, logged in as someone else), who gets 404.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.predictions.web import factories
from tests.predictions.web.fixtures import _isolated, scored_job  # noqa: F401 - shared fixtures


@pytest.fixture
def share_link(scored_job):  # noqa: F811 - the shared fixture
    return factories.share(scored_job)


@pytest.fixture
def colleague_client():
    """Someone the owner sent a share link to: not logged in."""
    return Client()


@pytest.fixture
def anonymous_client():
    return Client()
