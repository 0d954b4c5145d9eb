"""Share tokens: 256 bits, found by their SHA-256 (never compared as plain text in the database),
existing links kept by the migration, and a revocation the front proxy sees at once."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext

from predictions.access import job_for_token
from predictions.front_proxy import REVOKED_SHARE_LINKS_DIR, stop_serving_share_link
from predictions.models import Job, ShareLink
from tests.predictions.web import factories


@pytest.fixture
def job(owner):
    return factories.make_job(owner, None, status=Job.SUCCEEDED)


def test_tokens_carry_256_bits_and_are_stored_with_their_hash(job):
    link = factories.share(job)
    assert len(link.token) == 43  # secrets.token_urlsafe(32): 32 random bytes
    assert link.token_hash == hashlib.sha256(link.token.encode()).hexdigest()


def test_the_database_is_asked_for_the_hash_never_the_token(job):
    link = factories.share(job)
    with CaptureQueriesContext(connection) as queries:
        assert job_for_token(link.token).job == job
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert link.token_hash in sql and link.token not in sql


def test_revoking_marks_the_token_for_the_front_proxy_first(job, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GENOMEAPP_FRONT_PROXY_FILES = True
    link = factories.share(job)
    link.revoke()
    assert (tmp_path / REVOKED_SHARE_LINKS_DIR / link.token).is_file()
    assert link.revoked is not None
    with pytest.raises(ValueError):
        stop_serving_share_link("../../etc/passwd")


def test_a_marker_that_cannot_be_written_leaves_the_link_active(job, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GENOMEAPP_FRONT_PROXY_FILES = True
    (tmp_path / REVOKED_SHARE_LINKS_DIR).write_text("a file where the folder should be")
    link = factories.share(job)
    with pytest.raises(OSError):
        link.revoke()
    link.refresh_from_db()
    assert link.revoked is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_existing_links_working(owner):
    executor = MigrationExecutor(connection)
    before, after = (
        [("predictions", "0005_job_attempts_score_spliceai_once")],
        [("predictions", "0006_sharelink_token_hash")],
    )
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    job = old.get_model("predictions", "Job").objects.create(
        kind="variants", owner_id=owner.pk, status="succeeded"
    )
    old.get_model("predictions", "ShareLink").objects.create(
        job=job, token="an-old-token-made-before-hashing", created_by_id=owner.pk
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    link = ShareLink.objects.get(token="an-old-token-made-before-hashing")
    assert link.token_hash == hashlib.sha256(link.token.encode()).hexdigest()
    executor = MigrationExecutor(connection)  # the later migrations too: the page reads today's columns
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Client().get(f"/s/{link.token}/").status_code == 200
