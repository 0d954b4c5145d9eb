"""Web benchmark: variant-table page time, ranged track reads under load, end-to-end job time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/genomeapp_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/web.py [--variants N]

1. A job with N scored variants (4 SpliceAI scores each) is written to the database; the job
   page (variant table, filters, sorting, pagination) is timed through Django's test client:
   median and p95 server time. Target p95 < 200 ms.
2. 32 concurrent connections (wrk, or Python threads without it) read random 64 KiB ranges of a
   result bigWig through a share link on loopback: from gunicorn alone (baseline: Django sends the
   bytes), then through the nginx front proxy of docker/nginx/ (Django authorises, nginx sends).
   p50/p99 latency and requests/s of both. Target p99 < 50 ms.
3. A real Celery worker scores an N-variant VCF of common chr20 SNPs with SpliceAI; wall time is
   split into queue wait (created → started), model time (the runner's own timing) and
   everything else. Target: everything else < 15 %.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose spliceai.py would shadow the spliceai package
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genomeapp.settings")
os.environ.setdefault("KERAS_BACKEND", "jax")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.serving import percentile, served, wait_until_served  # noqa: E402
from predictions.models import Assembly, Job, Score, ShareLink, TrackFile, Variant  # noqa: E402
from predictions.tracks import write_bigwig  # noqa: E402
from tests.support.processes import CeleryWorker  # noqa: E402


def seed_job(owner, assembly: Assembly, count: int) -> Job:  # noqa: ANN001
    rng = random.Random(7)
    job = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS, assembly=assembly, title=f"bench {count}")
    variants = [
        Variant(
            job=job,
            chrom="20",
            pos=1_000_000 + i * 97,
            ref="A",
            alt="G",
            variant_id=f"rs{i}",
            line=i + 4,
            max_abs_score=rng.random(),
            top_gene=f"GENE{i % 300}",
        )
        for i in range(count)
    ]
    Variant.objects.bulk_create(variants, batch_size=5000)
    scores = [
        Score(
            job=job,
            variant=v,
            scorer="SpliceAI(distance=50)",
            output_type="SPLICE_SITES",
            track_name=name,
            gene_name=v.top_gene,
            gene_id=v.top_gene,
            raw_score=rng.random() * (1 if k else -1),
            backend="spliceai",
        )
        for v in job.variants.all()
        for k, name in enumerate(("DS_AG", "DS_AL", "DS_DG", "DS_DL"))
    ]
    Score.objects.bulk_create(scores, batch_size=5000)
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.SUCCEEDED, started=now, finished=now)
    job.refresh_from_db()
    return job


def bench_table(job: Job, owner, repeats: int) -> list[float]:  # noqa: ANN001
    client = Client()
    client.force_login(owner)
    queries = [
        "",
        "?sort=position",
        "?sort=-score&page=40",
        "?gene=GENE17",
        "?output_type=SPLICE_SITES",
        "?min_score=0.9",
    ]
    client.get(f"/jobs/{job.code}/")  # warm caches and templates
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        response = client.get(f"/jobs/{job.code}/{queries[i % len(queries)]}")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def bench_ranges(job: Job, owner, clients: int, requests_each: int) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """Random 64 KiB ranges of a result bigWig through a share link, in one run: straight from
    gunicorn (the baseline: Django authorises and sends the bytes) and through the nginx front
    proxy of docker/nginx/ (Django authorises once, nginx sends the bytes). Same file, same gunicorn."""
    path = job.results_dir() / "bench" / "track.bw"
    values = np.random.default_rng(1).random(2_000_000).astype(np.float32)
    write_bigwig(path, {"20": 63_025_520}, "20", 1_000_000, values)
    TrackFile.objects.create(
        job=job,
        output_type="SPLICE_SITES",
        track_name="bench",
        file_format="bigwig",
        path=str(path.relative_to(settings.MEDIA_ROOT)),
    )
    link = ShareLink.objects.create(job=job, created_by=owner)
    size = path.stat().st_size
    url = f"/s/{link.token}/files/bench/track.bw"
    results: dict[str, dict[str, float]] = {}
    with served() as servers:
        wait_until_served(servers.gunicorn_port, url)
        results["gunicorn, Django sends the bytes"] = load_ranges(
            servers.gunicorn_port, url, size, clients, requests_each
        )
        if servers.proxy_port is not None:
            wait_until_served(servers.proxy_port, url)
            results["nginx front proxy, Django authorises"] = load_ranges(
                servers.proxy_port, url, size, clients, requests_each
            )
    return results


def load_ranges(port: int, url: str, size: int, clients: int, requests_each: int) -> dict[str, float]:
    """Latency percentiles (ms) and requests/s of random 64 KiB ranges from `clients` connections:
    with wrk when installed, else with Python threads (which compete with the server for the CPU)."""
    if shutil.which("wrk"):
        return wrk_ranges(port, url, size, clients)
    latencies: list[float] = []
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        for _ in range(requests_each):
            start = rng.randrange(0, size - 65536)
            t0 = time.perf_counter()
            conn.request("GET", url, headers={"Range": f"bytes={start}-{start + 65535}"})
            response = conn.getresponse()
            body = response.read()
            mine.append((time.perf_counter() - t0) * 1000)
            assert response.status == 206 and len(body) == 65536
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    result = {f"{q}%": percentile(latencies, q) for q in (50, 75, 90, 99)}
    result["requests_per_s"] = len(latencies) / elapsed
    return result


WRK_SCRIPT = """
math.randomseed(7)
request = function()
  local start = math.random(0, %d)
  wrk.headers["Range"] = "bytes=" .. start .. "-" .. (start + 65535)
  return wrk.format("GET", "%s")
end
"""


def wrk_ranges(port: int, url: str, size: int, clients: int, seconds: int = 20) -> dict[str, float]:
    """Random 64 KiB ranges from `clients` connections with wrk (C, so the load tool itself does not
    compete with the server for the Python interpreter); returns wrk's latency percentiles in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (size - 65537, url))
    result = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(clients),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    percentiles = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in {"50%", "75%", "90%", "99%"}:
            value = parts[1]
            scale = (
                1000.0
                if value.endswith("s") and not value.endswith("ms") and not value.endswith("us")
                else 1.0
            )
            number = float(value.rstrip("mus"))
            percentiles[parts[0]] = number / 1000.0 if value.endswith("us") else number * scale
    requests = next((line for line in result.stdout.splitlines() if "Requests/sec" in line), "").split()
    percentiles["requests_per_s"] = float(requests[-1]) if requests else 0.0
    return percentiles


def bench_end_to_end(owner, assembly: Assembly, count: int) -> dict[str, float]:  # noqa: ANN001
    from predictions.inputs import parse_vcf_bytes
    from predictions.submission import PredictionOptions, create_variant_job

    snps = Path(assembly.common_variants_path)
    import pysam

    with pysam.VariantFile(str(snps)) as source:
        records = list(source.fetch())[:count]
    text = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + "".join(
        f"{r.chrom}\t{r.pos}\t{r.id}\t{r.ref}\t{r.alts[0]}\t.\t.\t.\n" for r in records
    )
    from predictions.assemblies import genome_for

    parsed = parse_vcf_bytes(text.encode(), genome_for(assembly), 100_000, 50 * 1024 * 1024)
    queue = f"bench-{os.getpid()}"
    settings.CELERY_INFERENCE_QUEUE_NAME = queue
    worker = CeleryWorker(queue, f"{queue}@%h", "--pool", "solo", loglevel="WARNING")
    try:
        time.sleep(8)  # let the worker import JAX before the clock starts
        with transaction.atomic():
            job = create_variant_job(
                owner=owner,
                assembly=assembly,
                accepted=parsed.accepted,
                rejected=parsed.rejected,
                options=PredictionOptions(),
                input_name="bench.vcf",
            )
        while True:
            job.refresh_from_db()
            if job.is_final:
                break
            time.sleep(1)
        assert job.status == Job.SUCCEEDED, job.error
    finally:
        worker.stop()
    total = (job.finished - job.created).total_seconds()
    queue_wait = (job.started - job.created).total_seconds()
    model = job.parameters["timings"].get("model", 0.0)
    return {
        "variants": len(parsed.accepted),
        "total": total,
        "queue_wait": queue_wait,
        "model": model,
        "other": total - queue_wait - model,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variants", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=40, help="range requests per client")
    parser.add_argument("--vcf-variants", type=int, default=1000, help="0 skips the end-to-end run")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("install_demo_data", no_progress=True, verbosity=0)
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    assembly = Assembly.objects.get(name="GRCh37-chr20")
    print(
        f"database: {settings.DATABASES['default']['ENGINE']}  broker: {settings.CELERY_BROKER_URL.split('://')[0]}"
    )

    job = seed_job(owner, assembly, args.variants)
    table = bench_table(job, owner, args.repeats)
    print(
        f"table page, {args.variants:,} variants: median {statistics.median(table):.1f} ms, "
        f"p95 {percentile(table, 95):.1f} ms (target p95 < 200 ms)"
    )

    ranges = bench_ranges(job, owner, args.clients, args.requests)
    for name, figures in ranges.items():
        print(
            f"range reads, {name}, {args.clients} connections: p50 {figures['50%']:.1f} ms, "
            f"p99 {figures['99%']:.1f} ms, {figures['requests_per_s']:.0f} requests/s (target p99 < 50 ms)"
        )
    if len(ranges) == 2:
        baseline, proxied = ranges.values()
        print(
            f"front proxy vs gunicorn alone: p99 {baseline['99%'] / proxied['99%']:.1f}x lower, "
            f"{proxied['requests_per_s'] / baseline['requests_per_s']:.1f}x the requests/s"
        )

    if args.vcf_variants:
        e2e = bench_end_to_end(owner, assembly, args.vcf_variants)
        share = e2e["other"] / e2e["total"]
        print(
            f"end to end, {e2e['variants']} variants with SpliceAI: total {e2e['total']:.1f} s = queue wait "
            f"{e2e['queue_wait']:.1f} s + model {e2e['model']:.1f} s + everything else {e2e['other']:.1f} s "
            f"({share:.1%} of total; target < 15 %)"
        )
    job.delete()


if __name__ == "__main__":
    main()
