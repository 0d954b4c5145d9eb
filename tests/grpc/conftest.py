"""A real `manage.py rungrpc` subprocess per test module, on the test database.

The module fixture commits a user, API keys and the demo assembly to the test database
(outside any test transaction, so the server process sees them) and removes them at the end.
Tests talk to the server only through gRPC, so they need no database access of their own.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.processes import session_database_url

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 180


@dataclasses.dataclass
class GrpcServer:
    port: int
    key: str
    other_key: str
    revoked_key: str
    log: Path
    process: subprocess.Popen

    @property
    def address(self) -> str:
        return f"localhost:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _install_fixtures() -> dict[str, object]:
    from django.contrib.auth import get_user_model

    from model import demo_assets
    from predictions.assemblies import register_assembly
    from predictions.demo_data import _write_chr20_gene_table
    from predictions.models import ApiKey, Assembly

    existed = Assembly.objects.filter(name=demo_assets.DEMO_ASSEMBLY).exists()
    fasta = demo_assets.demo_fasta_path()
    genes = demo_assets.demo_dir() / "genes.grch37.chr20.txt"
    if not genes.exists():
        _write_chr20_gene_table(demo_assets.spliceai_annotation_path("grch37"), genes)
    assembly, _ = register_assembly(name=demo_assets.DEMO_ASSEMBLY, fasta=Path(fasta), annotation=genes)
    user = get_user_model().objects.create_user(f"grpc-{os.getpid()}-{time.monotonic_ns()}")
    _, key = ApiKey.issue(user, "notebook")
    _, other_key = ApiKey.issue(user, "second notebook")
    revoked, revoked_key = ApiKey.issue(user, "old laptop")
    revoked.revoke()
    return {
        "user": user,
        "assembly": None if existed else assembly,
        "key": key,
        "other_key": other_key,
        "revoked_key": revoked_key,
    }


def _pump(stream: object, sink: Path, ready: threading.Event) -> None:
    with open(sink, "a") as handle:
        for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
            handle.write(line)
            handle.flush()
            if "serving google.gdm" in line:
                ready.set()


@pytest.fixture(scope="module")
def grpc_server_factory(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[object]:
    """Call with extra `rungrpc` arguments and environment; returns a started `GrpcServer`."""
    started: list[GrpcServer] = []
    with django_db_blocker.unblock():
        fixtures = _install_fixtures()

    def start(*args: str, env: dict[str, str] | None = None) -> GrpcServer:
        port = free_port()
        log = tmp_path_factory.mktemp("grpc") / "server.log"
        environment = {
            **os.environ,
            "DATABASE_URL": session_database_url(),
            "KERAS_BACKEND": "jax",
            "DJANGO_SETTINGS_MODULE": "genomeapp.settings",
            "JAX_PLATFORMS": "cpu",
            "PYTHONUNBUFFERED": "1",
            # compiled model functions are reused across test runs
            "JAX_COMPILATION_CACHE_DIR": str(REPO / "var" / "cache" / "jax"),
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0.5",
            **(env or {}),
        }
        command = [sys.executable, "manage.py", "rungrpc", "--port", str(port), "--host", "127.0.0.1", *args]
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        ready = threading.Event()
        threading.Thread(target=_pump, args=(process.stdout, log, ready), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not ready.wait(0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"rungrpc did not start:\n{log.read_text()}")
        server = GrpcServer(
            port, str(fixtures["key"]), str(fixtures["other_key"]), str(fixtures["revoked_key"]), log, process
        )
        started.append(server)
        return server

    yield start
    for server in started:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
    with django_db_blocker.unblock():  # leave the database as we found it
        fixtures["user"].delete()  # type: ignore[attr-defined]
        if fixtures["assembly"] is not None:
            fixtures["assembly"].delete()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def demo_genome(django_db_setup) -> object:
    from model import demo_assets
    from model.genome import Genome

    return Genome(demo_assets.demo_fasta_path())


def insecure_client(address: str, key: str) -> object:
    """The notebook form for a plaintext server: the official client over an insecure channel."""
    import grpc
    from alphagenome.models import dna_client

    options = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
    channel = grpc.insecure_channel(address, options=options)
    return dna_client.DnaClient(channel=channel, metadata=[("x-goog-api-key", key)])
