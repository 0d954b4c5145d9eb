"""gunicorn killed (SIGKILL, its whole process group) while a client uploads a VCF: half-way through
the request body, and while the view is writing the job's rows. The client gets an error, no job
(or variant) row is left, and the restarted server takes the same upload."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection

from predictions.models import ApiKey, Job, Variant
from tests.support.faults import Server, free_port, gunicorn, substitutions, worker_env
from tests.support.requirements import require_postgres

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

APPLICATION = "genomeapp-fault-web"  # how pg_stat_activity names gunicorn's connections
BOUNDARY = "genomeapp-fault-boundary"
VARIANTS = 6000  # stored in three INSERTs of 2,000: long enough to be seen and killed


def vcf(assembly: Any, count: int) -> bytes:
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    for text in substitutions(assembly, count).splitlines():
        chrom, pos, change = text.split(":")
        ref, alt = change.split(">")
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\t.\t.")
    return ("\n".join(lines) + "\n").encode()


def multipart(assembly: str, content: bytes) -> bytes:
    fields = [("mode", b"vcf"), ("assembly", assembly.encode())]
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in fields
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="vcf_file"; filename="many.vcf"\r\n'.encode()
        + b"Content-Type: text/plain\r\n\r\n"
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def request_head(port: int, api_key: str, length: int) -> bytes:
    return (
        f"POST /api/v1/jobs/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Api-Key: {api_key}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()


def answer_after_kill(client: socket.socket) -> bytes:
    """What the client reads once the server is gone: b'' (closed) or b'RESET'."""
    client.settimeout(10)
    try:
        return client.recv(65536)
    except ConnectionResetError:
        return b"RESET"


def writing_the_variants() -> bool:
    """gunicorn's connection is inside a transaction that writes the job's variant rows (so the job
    row is written already: a job created outside that transaction would survive the kill)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND datname = current_database() AND backend_xid IS NOT NULL "
            "AND query LIKE 'INSERT INTO \"predictions_variant\"%%'",
            [APPLICATION],
        )
        (count,) = cursor.fetchone()
    return bool(count)


def test_a_killed_web_server_leaves_no_half_created_job(
    worker_queue: str, settings: Any, owner: Any, demo_assembly: Any, tmp_path: Path
) -> None:
    require_postgres("this test watches gunicorn's transaction in pg_stat_activity")
    env = worker_env(settings)
    env["DATABASE_URL"] += f"?application_name={APPLICATION}"
    env.pop("CACHE_URL", None)
    _, api_key = ApiKey.issue(owner, "fault test")
    body = multipart(demo_assembly.name, vcf(demo_assembly, VARIANTS))
    port = free_port()
    servers: list[Server] = [gunicorn(env, tmp_path, port)]
    try:
        # 1. Half the body sent, then the server dies.
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(request_head(port, api_key, len(body)) + body[: len(body) // 2])
            time.sleep(0.3)
            servers[-1].kill()
            assert not answer_after_kill(client).startswith(b"HTTP/1.1 2")
        assert not Job.objects.exists() and not Variant.objects.exists()

        # 2. The whole body sent; the server dies while the view writes the job's variant rows.
        servers.append(gunicorn(env, tmp_path, port))
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(request_head(port, api_key, len(body)) + body)
            deadline = time.monotonic() + 30
            while not writing_the_variants():
                assert time.monotonic() < deadline, "gunicorn never started writing the job"
                time.sleep(0.002)
            servers[-1].kill()
            assert not answer_after_kill(client).startswith(b"HTTP/1.1 2")
        assert not Job.objects.exists() and not Variant.objects.exists()

        # 3. The restarted server takes the same upload.
        servers.append(gunicorn(env, tmp_path, port))
        response = requests.post(
            f"http://127.0.0.1:{port}/api/v1/jobs/",
            data=body,
            headers={"X-Api-Key": api_key, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            timeout=60,
        )
        assert response.status_code == 201, response.text[:2000]
        job = Job.objects.get()
        assert job.status == Job.QUEUED and job.variants.count() == VARIANTS
    finally:
        for server in servers:
            server.kill()
