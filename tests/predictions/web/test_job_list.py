"""My jobs: only the owner's jobs, with status, kind and variant counts; a status filter."""

from __future__ import annotations

from predictions.models import Job
from tests.predictions.web import factories


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in body.split("<tr>") if row.strip()]


def test_owner_sees_own_jobs_with_counts(owner_client, owner, outsider, scored_job, demo_assembly):
    factories.make_job(owner, demo_assembly, kind=Job.Kind.INTERVAL, title="an interval", status=Job.QUEUED)
    factories.make_job(outsider, demo_assembly, title="someone else's job")
    response = owner_client.get("/jobs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "someone else&#x27;s job" not in html and "someone else's job" not in html
    listed = rows(html)
    assert len(listed) == 2
    interval_row, variants_row = listed  # newest first
    assert "an interval" in interval_row and "Interval" in interval_row and "Queued" in interval_row
    assert "SNRPB variants" in variants_row and "Succeeded" in variants_row
    # accepted (scored or skipped) and rejected counts
    assert '<td class="num">3</td><td class="num">1</td>' in variants_row
    assert '<td class="num">0</td><td class="num">0</td>' in interval_row
    assert f'action="/jobs/{scored_job.code}/delete"' in variants_row


def test_status_filter(owner_client, owner, scored_job, demo_assembly):
    factories.make_job(owner, demo_assembly, title="still waiting", status=Job.QUEUED)
    html = owner_client.get("/jobs/", {"status": "queued"}).content.decode()
    assert "still waiting" in html and "SNRPB variants" not in html
    assert '<option value="queued" selected>' in html


def test_outsider_sees_an_empty_list(outsider_client, scored_job):
    html = outsider_client.get("/jobs/").content.decode()
    assert "SNRPB variants" not in html and "No jobs yet." in html


def test_anonymous_visitor_is_sent_to_log_in(anonymous_client, scored_job):
    response = anonymous_client.get("/jobs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/jobs/"
