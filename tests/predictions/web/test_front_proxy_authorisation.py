"""Django's answers to the nginx front proxy's authorisation subrequests (predictions/front_proxy.py):
a grant names the internal file, a refusal is 403 for owner, share link and outsider alike, and the
marker means nothing unless the installation runs behind the proxy."""

from __future__ import annotations

import pytest

from predictions.front_proxy import AUTHORISE_HEADER, FILE_HEADER
from tests.predictions.web import factories

MARKER = {"HTTP_X_GENOMEAPP_AUTHORISE": "1"}


@pytest.fixture
def behind_proxy(settings):
    settings.GENOMEAPP_FRONT_PROXY_FILES = True


def owner_url(job, relative=factories.BIGWIG_RELATIVE):
    return f"/jobs/{job.code}/files/{relative}"


def expected_internal_uri(job) -> str:
    return f"/_genomeapp_media/results/{job.code}/{factories.BIGWIG_RELATIVE}"


def test_owner_is_granted_the_internal_uri_without_bytes(behind_proxy, owner_client, scored_job):
    response = owner_client.get(owner_url(scored_job), HTTP_RANGE="bytes=0-99", **MARKER)
    assert response.status_code == 200
    assert response[FILE_HEADER] == expected_internal_uri(scored_job)
    assert response.content == b""
    assert "private" not in response.get("Cache-Control", "")  # nginx would not cache the grant


def test_share_link_holder_is_granted(behind_proxy, client, scored_job):
    link = factories.share(scored_job)
    response = client.get(f"/s/{link.token}/files/{factories.BIGWIG_RELATIVE}", **MARKER)
    assert response.status_code == 200
    assert response[FILE_HEADER] == expected_internal_uri(scored_job)


@pytest.mark.parametrize(
    "case", ["outsider", "anonymous", "revoked-link", "unknown-token", "missing-file", "traversal"]
)
def test_every_refusal_is_403(behind_proxy, client, outsider, scored_job, case):
    url = owner_url(scored_job)
    if case == "outsider":
        client.force_login(outsider)
    elif case == "revoked-link":
        link = factories.share(scored_job)
        link.revoke()
        url = f"/s/{link.token}/files/{factories.BIGWIG_RELATIVE}"
    elif case == "unknown-token":
        url = f"/s/{'x' * 43}/files/{factories.BIGWIG_RELATIVE}"
    elif case == "missing-file":
        client.force_login(scored_job.owner)
        url = owner_url(scored_job, "tracks/no-such.bw")
    elif case == "traversal":
        client.force_login(scored_job.owner)
        url = owner_url(scored_job, "../../../../etc/passwd")
    response = client.get(url, **MARKER)
    assert response.status_code == 403
    assert FILE_HEADER not in response


def test_without_the_proxy_setting_the_marker_is_ignored(settings, owner_client, scored_job):
    settings.GENOMEAPP_FRONT_PROXY_FILES = False
    response = owner_client.get(owner_url(scored_job), HTTP_RANGE="bytes=0-99", **MARKER)
    assert response.status_code == 206
    assert FILE_HEADER not in response
    assert b"".join(response.streaming_content) == factories.results_file(scored_job).read_bytes()[:100]


def test_without_the_marker_django_still_serves_bytes_and_404s(behind_proxy, client, outsider, scored_job):
    """Requests that reach gunicorn directly keep working, and keep Django's 404."""
    client.force_login(scored_job.owner)
    assert client.get(owner_url(scored_job), HTTP_RANGE="bytes=0-9").status_code == 206
    client.force_login(outsider)
    assert client.get(owner_url(scored_job)).status_code == 404


def test_marker_header_name_is_what_the_nginx_template_sets():
    from predictions.nginx_config import TEMPLATE

    text = TEMPLATE.read_text()
    assert f'proxy_set_header {AUTHORISE_HEADER} "1";' in text
    assert f'proxy_set_header {AUTHORISE_HEADER} "";' in text
    assert "$upstream_http_" + FILE_HEADER.lower().replace("-", "_") in text
