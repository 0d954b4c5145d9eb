"""Build and run the grpcio server: servicer + API-key interceptor + optional TLS."""

from __future__ import annotations

import functools
import logging
from concurrent import futures
from pathlib import Path

import grpc
from alphagenome.protos.v1 import dna_model_service_pb2_grpc
from django.conf import settings

from model.service import PredictionService
from predictions.grpc.auth import ApiKeyInterceptor
from predictions.grpc.limits import ModelCallGate
from predictions.grpc.servicer import DnaModelService
from predictions.rate_limits import RateLimiter

SERVICE_NAME = "google.gdm.gdmscience.alphagenome.v1main.DnaModelService"
# Responses are chunked (<= ~1 MiB per message) but a client may lift its own limit, so none on
# sending; requests are at most a 1 Mb sequence, so anything over 16 MiB is refused unread.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
OPTIONS = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", MAX_REQUEST_BYTES)]
logger = logging.getLogger("predictions.grpc")


def build_server(
    *,
    address: str,
    workers: int = 8,
    certificate: Path | None = None,
    private_key: Path | None = None,
    max_model_calls: int | None = None,
    queue_wait: float = 10.0,
    rate_limit: int | None = None,
    backends: tuple[str, ...] | None = None,
) -> tuple[grpc.Server, DnaModelService, int]:
    """A started-ready (not started) server bound to `address`; returns it, the servicer and the port."""
    gate = ModelCallGate(max_model_calls or settings.GENOMEAPP_GRPC_MAX_CONCURRENT_MODEL_CALLS, queue_wait)
    limiter = RateLimiter(
        "grpc",
        rate_limit or settings.GENOMEAPP_GRPC_RATE_LIMIT_PER_MINUTE,
        setting="GENOMEAPP_GRPC_RATE_LIMIT_PER_MINUTE",
    )
    servicer = DnaModelService(functools.partial(PredictionService.default, backends), gate)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
        interceptors=[ApiKeyInterceptor(limiter)],
        options=OPTIONS,
        maximum_concurrent_rpcs=workers * 4,
    )
    dna_model_service_pb2_grpc.add_DnaModelServiceServicer_to_server(servicer, server)
    if certificate is not None and private_key is not None:
        credentials = grpc.ssl_server_credentials([(private_key.read_bytes(), certificate.read_bytes())])
        port = server.add_secure_port(address, credentials)
    else:
        port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind {address}")
    return server, servicer, port
