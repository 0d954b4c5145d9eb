import logging
import signal
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from predictions.grpc.server import SERVICE_NAME, build_server


class Command(BaseCommand):
    help = (
        "Serve the AlphaGenome-compatible gRPC API (DeepMind's `alphagenome` client works against it). "
        "API keys come from `create_api_key`; the key travels in the x-goog-api-key header."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=50051)
        parser.add_argument("--host", default="[::]", help="address to bind (default all interfaces)")
        tls = parser.add_mutually_exclusive_group()
        tls.add_argument("--insecure", action="store_true", help="plaintext (LAN/dev, or behind a TLS proxy)")
        tls.add_argument("--cert", type=Path, help="PEM certificate chain for TLS (with --key)")
        parser.add_argument("--key", type=Path, help="PEM private key for TLS")
        parser.add_argument("--workers", type=int, default=8, help="RPC threads (default 8)")
        parser.add_argument(
            "--max-model-calls",
            type=int,
            default=None,
            help="concurrent model calls (default GENOMEAPP_GRPC_MAX_CONCURRENT_MODEL_CALLS)",
        )
        parser.add_argument(
            "--queue-wait",
            type=float,
            default=10.0,
            help="seconds a call waits for a model slot before UNAVAILABLE (client retries; default 10)",
        )
        parser.add_argument(
            "--backends",
            default="",
            help="comma-separated backends to serve (default: all that load: alphagenome, spliceai)",
        )
        parser.add_argument("--no-warmup", action="store_true", help="load the model backends on first use")

    def handle(self, *args: Any, **options: Any) -> None:
        _log_with_times()
        if bool(options["cert"]) != bool(options["key"]):
            raise CommandError("--cert and --key go together")
        if not options["insecure"] and not options["cert"]:
            raise CommandError("choose --insecure or --cert CERT --key KEY")
        for path in (options["cert"], options["key"]):
            if path is not None and not path.exists():
                raise CommandError(f"{path} does not exist")
        if options["workers"] < 1:
            raise CommandError("--workers must be >= 1")
        address = f"{options['host']}:{options['port']}"
        server, servicer, port = build_server(
            address=address,
            workers=options["workers"],
            certificate=options["cert"],
            private_key=options["key"],
            max_model_calls=options["max_model_calls"],
            queue_wait=options["queue_wait"],
            backends=tuple(n.strip() for n in options["backends"].split(",") if n.strip()) or None,
        )
        if not options["no_warmup"]:
            router = servicer.service_factory().router
            names = ", ".join(
                f"{b.name} ({'trained' if b.weights_trained else 'random weights'})" for b in router.backends
            )
            self.stderr.write(f"backends: {names}")
        server.start()
        mode = "TLS" if options["cert"] else "insecure"
        self.stdout.write(
            f"serving {SERVICE_NAME} on port {port} ({mode}, {options['workers']} workers, "
            f"{servicer.gate.limit} model slots)",
        )
        self.stdout.flush()
        # docker stop / systemd send SIGTERM: finish in-flight calls (up to 10 s), refuse new ones
        signal.signal(signal.SIGTERM, lambda *_: server.stop(grace=10))
        try:
            server.wait_for_termination()
        except KeyboardInterrupt:
            server.stop(grace=5).wait()


def _log_with_times() -> None:
    """RPC log lines with timestamps on stderr (one line per call: method, status, duration)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    grpc_logger = logging.getLogger("predictions.grpc")
    grpc_logger.addHandler(handler)
    grpc_logger.setLevel(logging.INFO)
    grpc_logger.propagate = False
