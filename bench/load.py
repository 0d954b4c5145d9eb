"""Load benchmark: many users at once against the app as it is served in production.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/genomeapp_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/load.py [--clients 50 --seconds 60]

gunicorn (4 processes × 8 threads, DEBUG off) behind the nginx front proxy of docker/nginx/, one
Celery worker, Postgres and Redis, all on loopback. `--clients` users, each with its own API key,
for `--seconds`:

- create a small job through the REST API (one common chr20 SNP scored with SpliceAI) every
  `--job-every` seconds, and poll their latest job's status;
- between those, open a finished job's page through a share link (HTML, the variant table),
  its status JSON, and random 64 KiB ranges of its bigWig (as igv.js reads it).

Reported per request kind: count, requests/s, p50 and p99 latency (client side, so including
the Python load generator's own scheduling on this machine), and errors (5xx, timeouts,
refused connections, or any status the kind does not expect). Afterwards the worker drains the
queue; every job the API accepted (201) must then exist and have succeeded: any other is counted
as lost. Targets (issue 14): zero errors, zero lost jobs, p99 page < 300 ms on this 2-core machine.

The baseline named for the page figure is the same page requested by one client alone, measured
first in the same run: the ratio says what the load costs each page view.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose spliceai.py would shadow the spliceai package
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genomeapp.settings")
os.environ.setdefault("KERAS_BACKEND", "jax")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pysam  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from bench.serving import percentile, served, wait_until_served  # noqa: E402
from predictions.models import ApiKey, Assembly, Job, ShareLink, TrackFile  # noqa: E402
from predictions.tracks import write_bigwig  # noqa: E402
from tests.support.processes import CeleryWorker  # noqa: E402

PAGE = "page"
KINDS = {
    "create job (POST /api/v1/jobs/)": {201},
    "poll own job (GET /api/v1/jobs/CODE/)": {200},
    PAGE: {200},
    "status JSON": {200},
    "bigWig 64 KiB range": {206},
}


@dataclass
class Tally:
    """What one client saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    created: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """The finished job every client reads, and its bigWig."""

    page: str
    status: str
    bigwig: str
    bigwig_size: int


def seed_target(owner, assembly: Assembly) -> Target:  # noqa: ANN001
    """A finished variant job with a bigWig, shared by link, as a user would have one."""
    job = Job.objects.create(owner=owner, kind=Job.Kind.VARIANTS, assembly=assembly, title="load target")
    path = job.results_dir() / "load" / "track.bw"
    values = np.random.default_rng(1).random(2_000_000).astype(np.float32)
    write_bigwig(path, {"20": 63_025_520}, "20", 1_000_000, values)
    TrackFile.objects.create(
        job=job,
        output_type="SPLICE_SITES",
        track_name="load",
        file_format="bigwig",
        path=str(path.relative_to(settings.MEDIA_ROOT)),
    )
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=Job.SUCCEEDED, started=now, finished=now)
    base = f"/s/{ShareLink.objects.create(job=job, created_by=owner).token}/"
    return Target(base, base + "status", base + "files/load/track.bw", path.stat().st_size)


def common_snps(assembly: Assembly, count: int) -> list[str]:
    with pysam.VariantFile(str(assembly.common_variants_path)) as source:
        return [
            f"{r.chrom}:{r.pos}:{r.ref}>{r.alts[0]}"
            for r, _ in zip(source.fetch(), range(count), strict=False)
            if r.alts and len(r.ref) == 1 and len(r.alts[0]) == 1
        ]


def run_client(
    port: int, key: str, target: Target, snps: list[str], seconds: float, job_every: float, seed: int
) -> Tally:
    rng = random.Random(seed)
    tally = Tally()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    api = {"Authorization": f"Bearer {key}"}
    begin = time.monotonic()
    next_job = begin + rng.uniform(0, job_every)

    def request(kind: str, method: str, url: str, body: bytes | None = None, **headers: str) -> bytes:
        nonlocal conn
        t0 = time.perf_counter()
        try:
            conn.request(method, url, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            tally.errors[kind].append(f"{type(error).__name__}: {error}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            return b""
        tally.latencies[kind].append((time.perf_counter() - t0) * 1000)
        if response.status not in KINDS[kind]:
            tally.errors[kind].append(f"{response.status}: {data[:200]!r}")
            return b""
        return data

    while time.monotonic() - begin < seconds:
        if time.monotonic() >= next_job:
            next_job += job_every
            body = json.dumps({"mode": "variants", "variants_text": rng.choice(snps), "spliceai": True})
            created = request(
                "create job (POST /api/v1/jobs/)",
                "POST",
                "/api/v1/jobs/",
                body.encode(),
                **api,
                **{"Content-Type": "application/json"},
            )
            if created:
                tally.created.append(json.loads(created)["code"])
            continue
        choice = rng.random()
        if choice < 0.15 and tally.created:
            request(
                "poll own job (GET /api/v1/jobs/CODE/)", "GET", f"/api/v1/jobs/{tally.created[-1]}/", **api
            )
        elif choice < 0.35:
            request(PAGE, "GET", target.page)
        elif choice < 0.5:
            request("status JSON", "GET", target.status)
        else:
            start = rng.randrange(0, target.bigwig_size - 65536)
            request("bigWig 64 KiB range", "GET", target.bigwig, Range=f"bytes={start}-{start + 65535}")
        time.sleep(rng.uniform(0.05, 0.25))  # a person's browser, not a tight loop
    conn.close()
    return tally


def alone(port: int, url: str, repeats: int = 30) -> list[float]:
    """The page requested by one client with nothing else running: the baseline."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        conn.request("GET", url)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
        times.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return times


def drain(codes: list[str], limit: float) -> dict[str, int]:
    """Wait (up to `limit` s) until every accepted job is final; count them by outcome."""
    deadline = time.monotonic() + limit
    with tqdm(total=len(codes), desc="draining the queue", unit="job") as bar:
        while True:
            final = Job.objects.filter(code__in=codes, status__in=[Job.SUCCEEDED, Job.FAILED, Job.CANCELLED])
            bar.update(final.count() - bar.n)
            if bar.n == len(codes) or time.monotonic() > deadline:
                break
            time.sleep(2)
    outcome = {"accepted": len(codes)}
    for status in (Job.SUCCEEDED, Job.FAILED, Job.CANCELLED, Job.QUEUED, Job.RUNNING):
        outcome[status] = Job.objects.filter(code__in=codes, status=status).count()
    outcome["missing"] = len(codes) - Job.objects.filter(code__in=codes).count()
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--job-every", type=float, default=30, help="seconds between a client's jobs")
    parser.add_argument("--drain", type=float, default=900, help="seconds to wait for the queue to empty")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=15,
        help="seconds of unrecorded load first (every gunicorn process warm)",
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("install_demo_data", no_progress=True, verbosity=0)
    assembly = Assembly.objects.get(name="GRCh37-chr20")
    users = get_user_model().objects
    owner, _ = users.get_or_create(username="load-owner")
    target = seed_target(owner, assembly)
    keys = [
        ApiKey.issue(users.get_or_create(username=f"load-{i}")[0], "load bench")[1]
        for i in range(args.clients)
    ]
    snps = common_snps(assembly, 2000)
    print(
        f"database: {settings.DATABASES['default']['ENGINE']}  broker: {settings.CELERY_BROKER_URL.split('://')[0]}"
    )

    worker = CeleryWorker(
        f"{settings.CELERY_INFERENCE_QUEUE_NAME},{settings.CELERY_DEFAULT_QUEUE_NAME}",
        "load@%h",
        *("--pool", "solo"),
        loglevel="WARNING",
    )
    tallies: list[Tally] = []
    warm: list[Tally] = []
    try:
        with served() as servers:
            wait_until_served(servers.port, target.page, expect=200, headers={})
            lock = threading.Lock()

            def client(i: int, seconds: float, job_every: float, into: list[Tally]) -> None:
                tally = run_client(servers.port, keys[i], target, snps, seconds, job_every, seed=i)
                with lock:
                    into.append(tally)

            # Warm every gunicorn process (imports, the genome, templates) as a server that has run a while
            warmers = [
                threading.Thread(target=client, args=(i, args.warm_up, args.warm_up / 2, warm))
                for i in range(min(16, args.clients))
            ]
            for thread in warmers:
                thread.start()
            for thread in warmers:
                thread.join()
            baseline = alone(servers.port, target.page)
            threads = [
                threading.Thread(target=client, args=(i, args.seconds, args.job_every, tallies))
                for i in range(args.clients)
            ]
            begin = time.perf_counter()
            for thread in threads:
                thread.start()
            for _ in tqdm(range(int(args.seconds)), desc=f"{args.clients} clients", unit="s"):
                time.sleep(1)
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - begin
            codes = [code for tally in warm + tallies for code in tally.created]
            outcome = drain(codes, args.drain)
    finally:
        worker.stop()

    print(f"\n{args.clients} clients for {elapsed:.0f} s (gunicorn 4×8 behind nginx, one worker):")
    print(f"{'request':40} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    total_errors = 0
    for kind in KINDS:
        latencies = [v for tally in tallies for v in tally.latencies[kind]]
        errors = [e for tally in tallies for e in tally.errors[kind]]
        total_errors += len(errors)
        print(
            f"{kind:40} {len(latencies):7d} {len(latencies) / elapsed:7.1f} "
            f"{percentile(latencies, 50):8.1f} {percentile(latencies, 99):8.1f} {len(errors):7d}"
        )
        for message in sorted(set(errors))[:5]:
            print(f"    {message}")
    count = sum(len(v) for tally in tallies for v in tally.latencies.values())
    print(f"{'all':40} {count:7d} {count / elapsed:7.1f}")
    page_p99 = percentile([v for tally in tallies for v in tally.latencies[PAGE]], 99)
    print(
        f"page p99 under load {page_p99:.1f} ms vs one client alone {percentile(baseline, 99):.1f} ms "
        f"(baseline, same run): {page_p99 / percentile(baseline, 99):.1f}x; target < 300 ms"
    )
    lost = outcome["accepted"] - outcome[Job.SUCCEEDED]
    print(f"jobs: {outcome}; lost (accepted but not succeeded): {lost}")
    warm_errors = sum(len(e) for tally in warm for e in tally.errors.values())
    print(f"errors: {total_errors} (and {warm_errors} while warming up); target: zero errors, zero lost jobs")


if __name__ == "__main__":
    main()
