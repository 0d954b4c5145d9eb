"""A real nginx, configured from docker/nginx/genomeapp.conf.template, in front of a live Django:
it sends result-file ranges itself after Django authorised them, keeps private jobs private,
reuses a grant for its cache time only, stops a revoked share link's files at the very next
request (its cached grant notwithstanding), and proxies everything else unchanged."""

from __future__ import annotations

import http.client
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from django.core.signals import request_started
from django.test import Client

from predictions.models import Job, ShareLink
from predictions.nginx_config import ProxySettings, find_nginx, render_standalone
from tests.predictions.web import factories

CACHE_SECONDS = 1
RELATIVE = "tracks/signal.bw"


def nginx_binary() -> str:
    found = find_nginx()
    if found is None:
        pytest.fail("nginx is not installed (scripts/setup.sh --test installs Debian's nginx-core)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(live_server, settings, tmp_path) -> Iterator[str]:
    """nginx on a free loopback port in front of the live server; yields its base URL."""
    settings.GENOMEAPP_FRONT_PROXY_FILES = True
    settings.MEDIA_ROOT = tmp_path / "media"
    port = free_port()
    upstream = urllib.parse.urlsplit(live_server.url).netloc
    config = render_standalone(
        ProxySettings(
            upstream=upstream,
            listen=f"127.0.0.1:{port}",
            auth_cache_dir=tmp_path / "nginx" / "cache",
            auth_cache_seconds=CACHE_SECONDS,
        ),
        tmp_path / "nginx",
    )
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(config)
    binary = nginx_binary()
    check = subprocess.run(
        [binary, "-t", "-c", str(conf), "-p", str(conf.parent)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([binary, "-c", str(conf), "-p", str(conf.parent)], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def job_with_file(owner, demo_assembly) -> tuple[Job, bytes]:
    job = factories.make_job(owner, demo_assembly, status=Job.SUCCEEDED)
    data = bytes(range(256)) * 1200  # 300 kB, every offset recognisable
    path = job.results_dir() / RELATIVE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return job, data


def fetch(netloc: str, path: str, headers: dict[str, str] | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection(netloc, timeout=10)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_owner_and_share_link_get_ranges_from_nginx(proxy, job_with_file, owner):
    job, data = job_with_file
    link = factories.share(job)
    for path, headers in [
        (f"/jobs/{job.code}/files/{RELATIVE}", {"Cookie": session_cookie(owner)}),
        (f"/s/{link.token}/files/{RELATIVE}", {}),
    ]:
        response, body = fetch(proxy, path, {**headers, "Range": "bytes=1000-66535"})
        assert response.status == 206
        assert response.getheader("Content-Range") == f"bytes 1000-66535/{len(data)}"
        assert body == data[1000:66536]
        assert response.getheader("Server") == "nginx"  # nginx sent the bytes, not gunicorn/Django
        head, _ = fetch(proxy, path, headers, method="HEAD")
        assert head.status == 200 and head.getheader("Content-Length") == str(len(data))


def test_file_names_with_spaces_and_brackets(proxy, job_with_file):
    job, data = job_with_file
    odd = job.results_dir() / "tracks" / "donor (-) 2.bw"
    odd.write_bytes(data[:5000])
    link = factories.share(job)
    response, body = fetch(proxy, f"/s/{link.token}/files/tracks/{urllib.parse.quote('donor (-) 2.bw')}")
    assert response.status == 200 and body == data[:5000]


def test_outsiders_get_404_like_django_gives(proxy, job_with_file, outsider):
    job, _ = job_with_file
    owner_path = f"/jobs/{job.code}/files/{RELATIVE}"
    assert fetch(proxy, owner_path)[0].status == 404
    assert fetch(proxy, owner_path, {"Cookie": session_cookie(outsider)})[0].status == 404
    assert fetch(proxy, f"/s/{'z' * 43}/files/{RELATIVE}")[0].status == 404
    link = factories.share(job)
    assert fetch(proxy, f"/s/{link.token}/files/tracks/absent.bw")[0].status == 404
    # The internal location is not reachable from outside, nor is the marker of any use to a client.
    assert fetch(proxy, f"/_genomeapp_media/results/{job.code}/{RELATIVE}")[0].status == 404
    forged = fetch(proxy, owner_path, {"X-Genomeapp-Authorise": "1"})
    assert forged[0].status == 404


def test_one_authorisation_serves_many_ranges_until_the_link_is_revoked(proxy, job_with_file):
    job, data = job_with_file
    link = factories.share(job)
    path = f"/s/{link.token}/files/{RELATIVE}"
    seen: list[str] = []

    def count(sender, environ, **kwargs):
        seen.append(environ.get("PATH_INFO", ""))

    request_started.connect(count)
    try:
        for start in range(0, 50 * 4096, 4096):
            response, body = fetch(proxy, path, {"Range": f"bytes={start}-{start + 4095}"})
            assert response.status == 206 and body == data[start : start + 4096]
    finally:
        request_started.disconnect(count)
    assert 1 <= len(seen) <= 2, seen  # the grant is cached (a second only if the cache time ran out)


def test_a_revoked_share_link_stops_serving_files_at_the_very_next_request(proxy, job_with_file):
    job, data = job_with_file
    link = factories.share(job)
    other = factories.share(job)
    path = f"/s/{link.token}/files/{RELATIVE}"
    assert fetch(proxy, path, {"Range": "bytes=0-9"})[0].status == 206  # a grant is now cached
    ShareLink.objects.get(pk=link.pk).revoke()
    response, body = fetch(proxy, path, {"Range": "bytes=10-19"})
    assert response.status == 404 and body == b"no such file\n"
    assert fetch(proxy, f"/s/{link.token}/")[0].status == 404  # and its pages
    # percent-encoding the token changes nothing; the job's other link goes on serving
    encoded = "".join(f"%{ord(c):02X}" for c in link.token[:3]) + link.token[3:]
    assert fetch(proxy, f"/s/{encoded}/files/{RELATIVE}", {"Range": "bytes=0-9"})[0].status == 404
    response, body = fetch(proxy, f"/s/{other.token}/files/{RELATIVE}", {"Range": "bytes=0-9"})
    assert response.status == 206 and body == data[:10]


def test_pages_and_api_pass_through_the_proxy(proxy, job_with_file, owner):
    job, _ = job_with_file
    link = factories.share(job)
    response, body = fetch(proxy, f"/s/{link.token}/")
    assert response.status == 200 and b"read-only shared view" in body
    response, body = fetch(proxy, f"/jobs/{job.code}/", {"Cookie": session_cookie(owner)})
    assert response.status == 200 and str(job.code).encode() in body
    assert fetch(proxy, "/healthz")[0].status in (200, 503)
