"""TLS with a private CA through `dna_client.create(address=...)`, on a server that serves SpliceAI only.

The certificate is self-signed by the test (openssl CLI); the client process finds it through
GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, exactly as a notebook user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import grpc
import pytest
from alphagenome.data import genome
from alphagenome.models import dna_client

from tests.grpc.conftest import REPO

OutputType = dna_client.OutputType


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def server(grpc_server_factory, certificate):
    cert, key = certificate
    return grpc_server_factory("--cert", str(cert), "--key", str(key), "--backends", "spliceai")


@pytest.fixture(scope="module")
def client(server, certificate):
    """An in-process TLS client (explicit root certificate, no environment needed)."""
    credentials = grpc.ssl_channel_credentials(root_certificates=certificate[0].read_bytes())
    channel = grpc.secure_channel(f"localhost:{server.port}", credentials)
    return dna_client.DnaClient(channel=channel, metadata=[("x-goog-api-key", server.key)])


NOTEBOOK = textwrap.dedent(
    """
    import json, sys
    import grpc
    from alphagenome.models import dna_client

    address, key = sys.argv[1], sys.argv[2]
    model = dna_client.create(key, address=address, timeout=60)
    metadata = model.output_metadata()
    result = {"splice_sites": len(metadata.splice_sites), "atac": metadata.atac is None}
    try:
        dna_client.create("ga_wrong", address=address, timeout=60).output_metadata()
    except grpc.RpcError as error:
        result["wrong_key"] = error.code().name
    print(json.dumps(result))
    """
)


def test_create_over_tls_with_a_private_ca(server, certificate):
    env = {**os.environ, "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(certificate[0])}
    done = subprocess.run(
        [sys.executable, "-c", NOTEBOOK, f"localhost:{server.port}", server.key],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"splice_sites": 4, "atac": True, "wrong_key": "UNAUTHENTICATED"}


def test_plaintext_client_cannot_talk_to_the_tls_server(server):
    channel = grpc.insecure_channel(f"localhost:{server.port}")
    with pytest.raises(grpc.FutureTimeoutError):
        grpc.channel_ready_future(channel).result(timeout=2)


def test_output_types_no_backend_provides_are_unimplemented(client):
    interval = genome.Interval("chr20", 10_010_000, 10_010_000 + 16384)
    with pytest.raises(grpc.RpcError) as raised:
        client.predict_interval(
            interval,
            requested_outputs=[OutputType.SPLICE_SITES, OutputType.ATAC, OutputType.DNASE],
            ontology_terms=None,
        )
    assert raised.value.code() is grpc.StatusCode.UNIMPLEMENTED
    assert "ATAC, DNASE" in raised.value.details() and "SPLICE_SITES" in raised.value.details()


def test_spliceai_is_human_only(client):
    mouse = client.output_metadata(dna_client.Organism.MUS_MUSCULUS)
    assert mouse.splice_sites is None
    with pytest.raises(grpc.RpcError) as raised:
        client.predict_sequence(
            "ACGT" * 4096,
            organism=dna_client.Organism.MUS_MUSCULUS,
            requested_outputs=[OutputType.SPLICE_SITES],
            ontology_terms=None,
        )
    assert raised.value.code() is grpc.StatusCode.UNIMPLEMENTED and "SPLICE_SITES" in raised.value.details()


def test_unsupported_scorer_is_unimplemented_naming_it(client):
    from alphagenome.models import variant_scorers

    scorer = variant_scorers.CenterMaskScorer(OutputType.DNASE, 501, variant_scorers.AggregationType.DIFF_SUM)
    with pytest.raises(grpc.RpcError) as raised:
        client.score_variant(
            genome.Interval("chr20", 10_010_000, 10_026_384),
            genome.Variant("chr20", 10_015_982, "G", "A"),
            [scorer],
        )
    assert raised.value.code() is grpc.StatusCode.UNIMPLEMENTED
    assert raised.value.details().startswith("variant_scorers") and "DNASE" in raised.value.details()
