"""Load control seen from the official client: one model slot, no queue, a small per-key quota.

Concurrent clients beyond the bound get UNAVAILABLE and the client's own retry (5 attempts,
exponential backoff) carries them through; a key over its quota gets RESOURCE_EXHAUSTED.
"""

from __future__ import annotations

import threading

import grpc
import pytest
from alphagenome.models import dna_client
from alphagenome.protos.v1 import dna_model_service_pb2 as pb
from alphagenome.protos.v1 import dna_model_service_pb2_grpc

from tests.grpc.conftest import insecure_client

RATE_LIMIT = 60
SEQUENCE = "ACGTTGCA" * 2048


@pytest.fixture(scope="module")
def server(grpc_server_factory):
    return grpc_server_factory(
        "--insecure",
        "--backends",
        "alphagenome",
        "--max-model-calls",
        "1",
        "--queue-wait",
        "0",
        env={"GENOMEAPP_GRPC_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT)},
    )


def predict(address: str, key: str) -> object:
    return insecure_client(address, key).predict_sequence(
        SEQUENCE, requested_outputs=[dna_client.OutputType.ATAC], ontology_terms=None
    )


def test_clients_beyond_the_bound_are_retried_until_they_succeed(server):
    predict(server.address, server.key)  # compile once, so the concurrent calls are short
    clients = 4
    barrier = threading.Barrier(clients)
    results: list[object] = []
    errors: list[BaseException] = []

    def call() -> None:
        barrier.wait()
        try:
            results.append(predict(server.address, server.key))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert len(results) == clients and all(r.atac.values.shape == (16384, 8) for r in results)
    assert "UNAVAILABLE" in server.log_text() and "server busy" in server.log_text()


def test_a_key_over_its_quota_is_resource_exhausted(server):
    stub = dna_model_service_pb2_grpc.DnaModelServiceStub(grpc.insecure_channel(server.address))
    metadata = [("x-goog-api-key", server.other_key)]
    for _ in range(RATE_LIMIT):
        list(stub.GetMetadata(pb.MetadataRequest(organism=9606), metadata=metadata))
    with pytest.raises(grpc.RpcError) as raised:
        list(stub.GetMetadata(pb.MetadataRequest(organism=9606), metadata=metadata))
    assert raised.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "rate limit" in raised.value.details()
    # the quota is per key: the first key still works
    assert predict(server.address, server.key).atac is not None
