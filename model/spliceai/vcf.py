"""VCF in and out for SpliceAI scoring (pysam: plain, gzip and bgzip input)."""

from __future__ import annotations

import collections
import contextlib
import gzip
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pysam

from model.spliceai.scoring import INFO_FORMAT, SpliceAIScorer, SpliceVariant, VariantScores

INFO_ID = "SpliceAI"
SKIPPED_INFO_ID = "SpliceAI_SKIPPED"
INFO_HEADER = (
    f'##INFO=<ID={INFO_ID},Number=.,Type=String,Description="SpliceAIv1.3.1 variant annotation '
    "(genomeapp Flax port, ensemble of 5). These include delta scores (DS) and delta positions (DP) "
    "for acceptor gain (AG), acceptor loss (AL), donor gain (DG), and donor loss (DL). "
    f'Format: {INFO_FORMAT}">'
)
SKIPPED_HEADER = (
    f'##INFO=<ID={SKIPPED_INFO_ID},Number=1,Type=String,Description="Why this record was not scored '
    "where SpliceAI skips it silently: bad_input, contig_not_in_reference, ref_mismatch, "
    'near_chromosome_end (the window runs off the chromosome) or ref_too_long">'
)


def is_plain_gzip(path: str | Path) -> bool:
    """True for gzip that is not BGZF (htslib cannot `tell` in it, so pysam refuses it)."""
    with open(path, "rb") as handle:
        head = handle.read(18)
    is_gzip = head[:2] == b"\x1f\x8b"
    is_bgzf = is_gzip and len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC"
    return bool(is_gzip and not is_bgzf)


@contextlib.contextmanager
def open_vcf(path: str | Path) -> Iterator[pysam.VariantFile]:
    """A pysam reader for plain, gzip or bgzip VCF (plain gzip is inflated to a temporary file)."""
    if not is_plain_gzip(path):
        with pysam.VariantFile(str(path)) as vcf:
            yield vcf
        return
    with tempfile.NamedTemporaryFile(suffix=".vcf") as plain:
        with gzip.open(path, "rb") as packed:
            shutil.copyfileobj(packed, plain)
        plain.flush()
        with pysam.VariantFile(plain.name) as vcf:
            yield vcf


def to_variant(record: pysam.VariantRecord) -> SpliceVariant:
    """A pysam record as a `SpliceVariant` (1-based POS)."""
    return SpliceVariant(record.chrom, record.pos, record.ref or "", tuple(record.alts or ()), record.id)


def read_variants(path: str | Path) -> Iterator[SpliceVariant]:
    """Records of a VCF (plain, gzip or bgzip) as `SpliceVariant`s."""
    with open_vcf(path) as vcf:
        for record in vcf:
            yield to_variant(record)


def count_records(path: str | Path) -> int:
    with open_vcf(path) as vcf:
        return sum(1 for _ in vcf)


def annotate_vcf(
    scorer: SpliceAIScorer,
    vcf_in: str | Path,
    vcf_out: str | Path,
    chunk_size: int = 256,
    on_progress: Callable[[int], None] | None = None,
) -> collections.Counter[str]:
    """Copy `vcf_in` to `vcf_out` with SpliceAI INFO added; returns counts of outcomes.

    Output is bgzip-compressed when `vcf_out` ends in `.gz`. Counter keys: `records`,
    `annotated`, `no_gene`, and `skipped:<reason>`.
    """
    counts: collections.Counter[str] = collections.Counter()
    with open_vcf(vcf_in) as vcf:
        header = vcf.header
        header.add_line(INFO_HEADER)
        header.add_line(SKIPPED_HEADER)
        mode = "wz" if str(vcf_out).endswith(".gz") else "w"
        with pysam.VariantFile(str(vcf_out), mode, header=header) as out:
            chunk: list[pysam.VariantRecord] = []

            def flush() -> None:
                results = scorer.score_batch([to_variant(r) for r in chunk])
                for record, result in zip(chunk, results, strict=True):
                    _write(out, record, result, counts)
                if on_progress:
                    on_progress(len(chunk))
                chunk.clear()

            for record in vcf:
                chunk.append(record)
                if len(chunk) >= chunk_size:
                    flush()
            if chunk:
                flush()
    return counts


def _write(
    out: pysam.VariantFile,
    record: pysam.VariantRecord,
    result: VariantScores,
    counts: collections.Counter[str],
) -> None:
    counts["records"] += 1
    if result.skipped:
        record.info[SKIPPED_INFO_ID] = result.skipped
        counts[f"skipped:{result.skipped}"] += 1
    elif result.scores:
        record.info[INFO_ID] = result.info
        counts["annotated"] += 1
    else:
        counts["no_gene"] += 1
    out.write(record)
