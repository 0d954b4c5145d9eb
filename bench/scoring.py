"""Benchmark the scoring engine: shared REF passes vs the naive path on clustered chr20 variants.

    nice -n 10 python bench/scoring.py [--variants 1000] [--backends alphagenome,spliceai]

For each backend, the same clustered variants (100 per 50 kb cluster on real GRCh37 chr20,
so 10 clusters for 1,000; 90 % SNVs, 10 % short indels, REF from the genome) are scored
twice in one run: with one REF pass per shared window, then naively with one REF pass per
variant (same windows, so the scores must agree). Prints forward passes per variant,
variants/s, the speed ratio and the largest score difference between the two paths.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

# Run as a script, sys.path[0] is bench/, whose spliceai.py would shadow the `spliceai` package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from model import demo_assets  # noqa: E402
from model.constants import DEFAULT_SEQUENCE_LENGTH  # noqa: E402
from model.genome import Genome  # noqa: E402
from model.scoring import (  # noqa: E402
    ScoringResult,
    Variant,
    get_recommended_scorers,
    plan_windows,
    score_variants,
)

VARIANTS_PER_CLUSTER = 100
CLUSTER_SPAN = 50_000


def clustered_variants(genome: Genome, count: int, seed: int = 0) -> list[Variant]:
    """`count` variants, 100 per 50 kb cluster on chr20 (10 clusters for 1,000), REF from the genome.

    Fewer than 100 variants make one cluster of proportionally smaller span (same density).
    """
    rng = np.random.default_rng(seed)
    length = genome.contig_length("20")
    clusters = max(1, round(count / VARIANTS_PER_CLUSTER))
    span = (
        CLUSTER_SPAN
        if count >= VARIANTS_PER_CLUSTER
        else max(CLUSTER_SPAN * count // VARIANTS_PER_CLUSTER, 2)
    )
    centres = rng.integers(1_000_000, length - 1_000_000, size=clusters)
    variants: list[Variant] = []
    per_cluster = -(-count // clusters)
    for centre in centres:
        made = 0
        while made < per_cluster and len(variants) < count:
            start = int(centre + rng.integers(-span // 2, span // 2))
            kind = rng.random()
            ref = genome.fetch("20", start, start + 4)
            if "N" in ref:
                continue
            if kind < 0.9:
                alt = "ACGT"[("ACGT".index(ref[0]) + int(rng.integers(1, 4))) % 4]
                variants.append(Variant("chr20", start + 1, ref[0], alt))
            elif kind < 0.95:
                inserted = "".join(rng.choice(list("ACGT"), 2))
                variants.append(Variant("chr20", start + 1, ref[0], ref[0] + inserted))
            else:
                variants.append(Variant("chr20", start + 1, ref[:3], ref[0]))
            made += 1
    return variants


def max_difference(a: ScoringResult, b: ScoringResult) -> float:
    worst = 0.0
    for x, y in zip(a.blocks, b.blocks, strict=True):
        both = np.isfinite(x.values) & np.isfinite(y.values)
        if (np.isfinite(x.values) != np.isfinite(y.values)).any():
            return float("inf")
        if both.any():
            worst = max(worst, float(np.abs(x.values[both] - y.values[both]).max()))
    return worst


def planned_passes(genome: Genome, count: int, sequence_length: int) -> dict[str, float]:
    """Forward passes the shared and naive paths need for `count` clustered variants (no model run)."""
    variants = clustered_variants(genome, count)
    windows = len(plan_windows(variants, sequence_length))
    return {
        "variants": count,
        "windows": windows,
        "shared_passes_per_variant": round((windows + count) / count, 4),
        "naive_passes_per_variant": 2.0,
    }


def run_backend(name: str, count: int, sequence_length: int, batch_size: int) -> dict[str, object]:
    from model.inference import get_backend

    backend = get_backend(name)
    genome = Genome(demo_assets.demo_fasta_path())
    annotation = demo_assets.spliceai_annotation_path("grch37")
    variants = clustered_variants(genome, count)
    scorers = get_recommended_scorers()
    common = dict(
        sequence_length=sequence_length, annotation=annotation, batch_size=batch_size, on_unsupported="skip"
    )
    # Compile and load once outside the timings.
    score_variants(backend, genome, variants[:batch_size], scorers, **common)
    rows = {}
    results = {}
    for mode, share in (("shared", True), ("naive", False)):
        started = time.perf_counter()

        def progress(done: int, total: int, mode: str = mode) -> None:
            if done % 25 == 0 or done == total:
                print(f"  {name} {mode}: {done}/{total}", file=sys.stderr, flush=True)

        result = score_variants(
            backend, genome, variants, scorers, share_ref=share, progress=progress, **common
        )
        seconds = time.perf_counter() - started
        results[mode] = result
        rows[mode] = {
            "variants": len(variants),
            "forward_passes": result.forward_passes,
            "passes_per_variant": round(result.passes_per_variant, 4),
            "seconds": round(seconds, 2),
            "variants_per_s": round(len(variants) / seconds, 3),
        }
    return {
        "backend": name,
        "provenance": results["shared"].provenance,
        "sequence_length": sequence_length,
        "scorers": len(scorers) - len(results["shared"].skipped),
        "modes": rows,
        "speedup": round(rows["shared"]["variants_per_s"] / rows["naive"]["variants_per_s"], 3),
        "pass_ratio": round(rows["naive"]["forward_passes"] / rows["shared"]["forward_passes"], 3),
        "max_abs_score_difference": max_difference(results["shared"], results["naive"]),
        "plan_1000": planned_passes(genome, 1000, sequence_length),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--backends", default="alphagenome,spliceai")
    parser.add_argument("--spliceai-variants", type=int, default=0, help="fewer for SpliceAI")
    parser.add_argument("--alphagenome-length", type=int, default=DEFAULT_SEQUENCE_LENGTH)
    parser.add_argument("--spliceai-length", type=int, default=4096)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    reports = []
    for name in args.backends.split(","):
        count = args.spliceai_variants if name == "spliceai" and args.spliceai_variants else args.variants
        length = args.spliceai_length if name == "spliceai" else args.alphagenome_length
        report = run_backend(name, count, length, args.batch_size)
        reports.append(report)
        print(f"\n{name}: {report['provenance']}; window {length} bp; {report['scorers']} applicable scorers")
        print(
            f"{'mode':<8}{'variants':>9}{'passes':>8}{'passes/variant':>16}{'seconds':>10}{'variants/s':>12}"
        )
        for mode, row in report["modes"].items():
            print(
                f"{mode:<8}{row['variants']:>9}{row['forward_passes']:>8}{row['passes_per_variant']:>16.3f}"
                f"{row['seconds']:>10.1f}{row['variants_per_s']:>12.2f}"
            )
        print(
            f"ratio shared/naive: {report['speedup']:.2f}x variants/s, "
            f"{report['pass_ratio']:.2f}x fewer passes; "
            f"max |score difference| {report['max_abs_score_difference']:.2e}"
        )
        plan = report["plan_1000"]
        print(
            f"planned for 1,000 clustered variants at {length} bp: {plan['windows']} REF windows, "
            f"{plan['shared_passes_per_variant']:.3f} passes/variant shared vs 2.000 naive"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
