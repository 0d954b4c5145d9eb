"""Command line: `python -m model.spliceai score --fasta FA --annotation grch37 --vcf IN --out OUT`.

Annotates a VCF the way `spliceai -I IN -O OUT -R FA -A grch37 -D 50 [-M 1]` does, with the
Flax port of the same five models. Records SpliceAI would skip are written with a
`SpliceAI_SKIPPED` reason.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from model.spliceai.ensemble import LICENCE
from model.spliceai.scoring import DEFAULT_DISTANCE, MAX_DISTANCE


def _distance(text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_DISTANCE:
        raise argparse.ArgumentTypeError(f"distance must be in 0..{MAX_DISTANCE}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m model.spliceai", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    score = commands.add_parser("score", help="annotate a VCF with SpliceAI delta scores")
    score.add_argument("--fasta", required=True, help="reference FASTA (plain or bgzip, indexed)")
    score.add_argument("--annotation", default="grch37", help="grch37, grch38 or a SpliceAI-format table")
    score.add_argument("--vcf", required=True, help="input VCF (plain, gzip or bgzip)")
    score.add_argument("--out", required=True, help="output VCF (bgzip when it ends in .gz)")
    score.add_argument(
        "--distance",
        type=_distance,
        default=DEFAULT_DISTANCE,
        help=f"max distance between variant and gained/lost site (default {DEFAULT_DISTANCE})",
    )
    score.add_argument(
        "--mask",
        action="store_true",
        help="mask gains at annotated sites and losses at unannotated sites (SpliceAI -M 1)",
    )
    score.add_argument("--chunk-size", type=int, default=256, help="records per batch (default 256)")
    score.add_argument("--no-progress", action="store_true", help="no progress bar")
    score.add_argument(
        "--jax-cache",
        default=None,
        help="persistent XLA compilation cache folder (default <data dir>/jax-cache; 'none' to disable)",
    )
    return parser


def _enable_compilation_cache(folder: str | None) -> None:
    """Keep compiled XLA programs on disk so that the next run starts without recompiling."""
    if folder == "none":
        return
    import jax

    from model.demo_assets import data_dir

    path = folder or str(data_dir() / "jax-cache")
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tqdm import tqdm

    from model.spliceai.scoring import SpliceAIScorer
    from model.spliceai.vcf import annotate_vcf, count_records

    print(LICENCE, file=sys.stderr)
    _enable_compilation_cache(args.jax_cache)
    scorer = SpliceAIScorer(args.fasta, args.annotation, distance=args.distance, mask=args.mask)
    total = count_records(args.vcf)
    started = time.perf_counter()
    with tqdm(total=total, unit="variant", disable=args.no_progress, file=sys.stderr) as bar:
        counts = annotate_vcf(scorer, args.vcf, args.out, chunk_size=args.chunk_size, on_progress=bar.update)
    elapsed = time.perf_counter() - started
    skipped = {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("skipped:")}
    print(
        f"{counts['records']} records in {elapsed:.1f} s: {counts['annotated']} annotated, "
        f"{counts['no_gene']} outside every gene, {sum(skipped.values())} skipped {skipped or ''}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
