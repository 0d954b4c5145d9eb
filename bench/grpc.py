"""Benchmark the AlphaGenome-compatible gRPC API through DeepMind's official client.

    KERAS_BACKEND=jax nice -n 10 .venv/bin/python bench/grpc.py [--repeats 5] [--sizes 16KB,1MB]
        [--spliceai-sizes 16KB] [--json out.json]

An in-process server (the real servicer, encoder and channel; no API-key lookup, the demo
GRCh37 chr20 assembly loaded directly, so no database is needed) answers the unmodified
`alphagenome` DnaClient over a localhost channel. For each backend and sequence length it
measures `predict_interval` and `score_variant` latency (median and p95 over `--repeats`
calls, after one warm-up call that pays for compilation) and the time spent inside the
backend's `predict`. Overhead = client latency - model time: request parsing, sequence
fetch, encoding (bf16 / zstd / chunking), transport, and the client's decoding into
TrackData / AnnData. Target: overhead < 10 % of model time for a 1 Mb request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent import futures
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genomeapp.settings")
# this file is named like the `grpc` package: take bench/ off the path, put the repository on it
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402

django.setup()

import grpc  # noqa: E402
import numpy as np  # noqa: E402
from alphagenome.data import genome as sdk_genome  # noqa: E402
from alphagenome.models import dna_client, variant_scorers  # noqa: E402
from alphagenome.protos.v1 import dna_model_service_pb2_grpc  # noqa: E402

from model import demo_assets, inference  # noqa: E402
from model.constants import SEQUENCE_LENGTHS_BY_NAME  # noqa: E402
from model.genome import Genome  # noqa: E402
from model.outputs import Organism, OutputType  # noqa: E402
from model.scoring.masks import GeneIndex  # noqa: E402
from model.service import BackendRouter, PredictionService  # noqa: E402
from predictions.assemblies import load_gene_table  # noqa: E402
from predictions.grpc.assemblies import Reference  # noqa: E402
from predictions.grpc.limits import ModelCallGate  # noqa: E402
from predictions.grpc.server import OPTIONS  # noqa: E402
from predictions.grpc.servicer import DnaModelService  # noqa: E402

CENTRE = 10_020_000  # chr20, inside ANKEF1 / SNAP25's neighbourhood: genes for gene scorers
CLIENT_OPTIONS = [
    ("grpc.max_send_message_length", -1),
    ("grpc.max_receive_message_length", -1),
]  # as create()
AG_OUTPUTS = [OutputType.ATAC, OutputType.DNASE, OutputType.CAGE, OutputType.RNA_SEQ, OutputType.CHIP_HISTONE]
AG_SCORERS = [
    variant_scorers.RECOMMENDED_VARIANT_SCORERS[name]
    for name in ("ATAC", "DNASE", "CAGE", "RNA_SEQ", "CHIP_HISTONE")
]
SPLICE_SCORERS = [variant_scorers.RECOMMENDED_VARIANT_SCORERS["SPLICE_SITES"]]


class TimedBackend:
    """A backend whose `predict` time is accumulated in `seconds` (the bench makes one call at a time)."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self.name, self.provenance = backend.name, backend.provenance
        self.weights_trained, self.output_types = backend.weights_trained, backend.output_types
        self.seconds = 0.0

    def track_metadata(self, output_type: OutputType, organism: Organism) -> Any:
        return self._backend.track_metadata(output_type, organism)

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        """`model.outputs.Backend.predict`, timed."""
        began = time.perf_counter()
        try:
            return self._backend.predict(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - began


class BenchService(DnaModelService):
    """The real servicer with the demo assembly loaded directly (no database)."""

    def __init__(self, router: BackendRouter, reference: Reference) -> None:
        super().__init__(lambda: PredictionService(router), ModelCallGate(1, wait_seconds=600))
        self.reference = reference

    def _reference(self, context: grpc.ServicerContext, organism: Organism) -> Reference:
        return self.reference


def serve(router: BackendRouter) -> tuple[grpc.Server, int, Reference]:
    fasta = demo_assets.demo_fasta_path()
    genes_path = demo_assets.demo_dir() / "genes.grch37.chr20.txt"
    genes = GeneIndex(load_gene_table(str(genes_path), "spliceai")) if genes_path.exists() else None
    reference = Reference(demo_assets.DEMO_ASSEMBLY, Organism.HOMO_SAPIENS, Genome(fasta), genes, None)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=OPTIONS)
    dna_model_service_pb2_grpc.add_DnaModelServiceServicer_to_server(BenchService(router, reference), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port, reference


def measure(call: Callable[[], Any], backend: TimedBackend, repeats: int) -> dict[str, float]:
    """Warm-up once, then `repeats` timed calls: latency and model time in seconds."""
    call()
    latencies, model = [], []
    for _ in range(repeats):
        backend.seconds = 0.0
        began = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - began)
        model.append(backend.seconds)
    overhead = [lat - m for lat, m in zip(latencies, model, strict=True)]
    median_model = statistics.median(model)
    return {
        "median_s": statistics.median(latencies),
        "p95_s": float(np.percentile(latencies, 95)),
        "model_median_s": median_model,
        "overhead_median_s": statistics.median(overhead),
        "overhead_fraction": statistics.median(overhead) / median_model if median_model else float("nan"),
    }


def run_backend(name: str, sizes: list[str], repeats: int) -> list[dict[str, Any]]:
    """Each size: predict_interval and score_variant through the official client."""
    timed = TimedBackend(inference.get_backend(name))
    server, port, reference = serve(BackendRouter([timed]))
    channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=CLIENT_OPTIONS)
    client = dna_client.DnaClient(channel=channel)
    outputs = [OutputType.SPLICE_SITES] if name == "spliceai" else AG_OUTPUTS
    scorers = SPLICE_SCORERS if name == "spliceai" else AG_SCORERS
    rows = []
    try:
        for size in sizes:
            width = SEQUENCE_LENGTHS_BY_NAME[size]
            interval = sdk_genome.Interval("chr20", CENTRE - width // 2, CENTRE + width // 2)
            ref = reference.genome.fetch("chr20", CENTRE, CENTRE + 1)
            variant = sdk_genome.Variant("chr20", CENTRE + 1, ref, "G" if ref != "G" else "A")
            requested = [dna_client.OutputType[o.name] for o in outputs]

            def predict(interval: sdk_genome.Interval = interval, requested: list = requested) -> Any:
                return client.predict_interval(interval, requested_outputs=requested, ontology_terms=None)

            def score(interval: sdk_genome.Interval = interval, variant: sdk_genome.Variant = variant) -> Any:
                return client.score_variant(interval, variant, scorers)

            for method, call in (("predict_interval", predict), ("score_variant", score)):
                result = measure(call, timed, repeats)
                rows.append({"backend": name, "size": size, "method": method, **result})
                print(
                    f"{name:11s} {size:5s} {method:16s} median {result['median_s']:7.3f} s  "
                    f"p95 {result['p95_s']:7.3f} s  model {result['model_median_s']:7.3f} s  "
                    f"overhead {result['overhead_median_s']:6.3f} s "
                    f"= {100 * result['overhead_fraction']:5.1f} %",
                    flush=True,
                )
    finally:
        channel.close()
        server.stop(None)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", default="16KB,1MB", help="AlphaGenome (tiny preset) sequence lengths")
    parser.add_argument("--spliceai-sizes", default="16KB", help="SpliceAI sequence lengths ('' to skip)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    args = parser.parse_args(argv)
    plan = [("alphagenome", args.sizes), ("spliceai", args.spliceai_sizes)]
    rows = []
    for name, sizes in plan:
        chosen = [s.strip() for s in sizes.split(",") if s.strip()]
        unknown = [s for s in chosen if s not in SEQUENCE_LENGTHS_BY_NAME]
        if unknown:
            parser.error(f"unknown sizes {unknown}; choose from {', '.join(SEQUENCE_LENGTHS_BY_NAME)}")
        if chosen:
            rows += run_backend(name, chosen, args.repeats)
    big = [r for r in rows if r["size"] == "1MB"]
    if big:
        worst = max(r["overhead_fraction"] for r in big)
        verdict = "meets" if worst < 0.10 else "MISSES"
        print(
            f"1 Mb requests: worst serialisation overhead {100 * worst:.1f} % of model time "
            f"({verdict} the < 10 % target)"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
