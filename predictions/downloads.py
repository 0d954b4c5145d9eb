"""Job results as files people already use: tidy-score TSV and an annotated VCF (SpliceAI INFO)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator

from predictions.models import Job, Score, Variant

TSV_COLUMNS = (
    "variant_id",
    "gene_id",
    "gene_name",
    "output_type",
    "variant_scorer",
    "track_name",
    "track_strand",
    "ontology_curie",
    "biosample_name",
    "raw_score",
    "quantile_score",
    "position_offset",
    "backend",
    "weights",
)
SPLICEAI_ORDER = ("DS_AG", "DS_AL", "DS_DG", "DS_DL")
MOTIF_COLUMNS = (
    "variant_id",
    "effect",
    "factor",
    "matrix_id",
    "strand",
    "site_start",
    "site_end",
    "ref_score_bits",
    "alt_score_bits",
    "ref_pvalue",
    "alt_pvalue",
    "ref_site",
    "alt_site",
)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).replace("\t", " ").replace("\n", " ")


def tidy_tsv(job: Job) -> Iterator[str]:
    """One row per (variant, scorer, track, gene): the AlphaGenome SDK's tidy_scores columns."""
    yield "\t".join(TSV_COLUMNS) + "\n"
    scores = (
        Score.objects.filter(job=job)
        .select_related("variant")
        .order_by("variant__chrom", "variant__pos", "variant_id", "scorer", "gene_name", "track_name")
    )
    for score in scores.iterator(chunk_size=5000):
        v = score.variant
        row = (
            f"{v.chrom}:{v.pos}:{v.ref}>{v.alt}",
            score.gene_id,
            score.gene_name,
            score.output_type,
            score.scorer,
            score.track_name,
            score.track_strand,
            score.ontology_curie,
            score.biosample_name,
            f"{score.raw_score:.6g}",
            "" if score.quantile_score is None else f"{score.quantile_score:.6g}",
            score.offset,
            score.backend,
            "trained" if score.trained else "UNTRAINED (random weights, not biology)",
        )
        yield "\t".join(_cell(c) for c in row) + "\n"


def motifs_tsv(job: Job) -> Iterator[str]:
    """One row per motif site a variant gains or loses (JASPAR matrix, strand, scores, p-values)."""
    source = job.parameters.get("motifs", "")
    if source:
        yield f"# motifs: {source}\n"
    yield "\t".join(MOTIF_COLUMNS) + "\n"
    variants = job.variants.filter(motif_changes__isnull=False).order_by("chrom", "pos", "ref", "alt")
    for v in variants.iterator(chunk_size=2000):
        for c in v.motif_changes or []:
            row = (
                f"{v.chrom}:{v.pos}:{v.ref}>{v.alt}",
                c["effect"],
                c["name"],
                c["matrix_id"],
                c["strand"],
                c["start"],
                c["end"],
                c["ref_score"],
                c["alt_score"],
                c["ref_pvalue"],
                c["alt_pvalue"],
                c["ref_site"],
                c["alt_site"],
            )
            yield "\t".join(_cell(x) for x in row) + "\n"


def _motif_info(changes: list[dict[str, object]]) -> str:
    """MOTIFS=gain|GATA1::TAL1|MA0140.3|+|12345|0.0021|3.1e-05,... (VCF-safe: no ; = , or space)."""
    safe = str.maketrans({";": "_", "=": "_", ",": "_", " ": "_", "|": "_"})
    return ",".join(
        "|".join(
            str(c[key]).translate(safe)
            for key in ("effect", "name", "matrix_id", "strand", "start", "ref_pvalue", "alt_pvalue")
        )
        for c in changes
    )


def annotated_vcf(job: Job, only: set[int] | None = None) -> Iterator[str]:
    """The accepted variants (or those with ids in `only`) as VCF 4.2 with SpliceAI's INFO field and
    each variant's max |score|."""
    written = job.variants.exclude(status=Variant.Status.REJECTED)
    if only is not None:
        written = written.filter(pk__in=only)
    # order_by(): Variant's default ordering would add pos/ref/alt to the DISTINCT, one header per record
    contigs = written.order_by().values_list("chrom", flat=True).distinct()
    yield "##fileformat=VCFv4.2\n"
    yield f"##source=genomeapp job {job.code}\n"
    if job.assembly:
        yield f"##reference={job.assembly.name}\n"
    for contig in sorted(contigs):
        yield f"##contig=<ID={contig}>\n"
    yield (
        '##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAIv1.3.1 variant annotation. '
        "These include delta scores (DS) and delta positions (DP) for acceptor gain (AG), "
        "acceptor loss (AL), donor gain (DG), and donor loss (DL). "
        'Format: ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL">\n'
    )
    yield (
        '##INFO=<ID=MAX_ABS_SCORE,Number=1,Type=Float,Description="Largest |raw score| over the scorers '
        'with trained weights (random-weight scores never count)">\n'
    )
    yield (
        '##INFO=<ID=MOTIFS,Number=.,Type=String,Description="Transcription-factor motifs gained or lost '
        "(JASPAR CORE vertebrates, MOODS; p<=1e-4 on one allele only, >=10x change). "
        'Format: EFFECT|FACTOR|MATRIX|STRAND|SITE_START|REF_P|ALT_P">\n'
    )
    yield '##INFO=<ID=SKIPPED,Number=1,Type=String,Description="Why the model did not score this record">\n'
    yield "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    splice: dict[int, dict[str, dict[str, tuple[float, int | None]]]] = defaultdict(lambda: defaultdict(dict))
    for variant_id, gene, name, value, offset in Score.objects.filter(
        job=job, backend="spliceai", track_name__in=SPLICEAI_ORDER
    ).values_list("variant_id", "gene_name", "track_name", "raw_score", "offset"):
        splice[variant_id][gene][name] = (value, offset)
    variants = written.order_by("chrom", "pos", "ref", "alt")
    for variant in variants.iterator(chunk_size=5000):
        info = []
        annotations = [
            _spliceai_field(variant.alt, gene, by_name)
            for gene, by_name in sorted(splice[variant.pk].items())
        ]
        if annotations:
            info.append("SpliceAI=" + ",".join(annotations))
        if variant.max_abs_score is not None:
            info.append(f"MAX_ABS_SCORE={variant.max_abs_score:.4g}")
        if variant.motif_changes:
            info.append("MOTIFS=" + _motif_info(variant.motif_changes))
        if variant.status == Variant.Status.SKIPPED:
            info.append("SKIPPED=" + variant.message.replace(" ", "_").replace(";", ",")[:200])
        fields = (variant.chrom, variant.pos, variant.variant_id or ".", variant.ref, variant.alt, ".", ".")
        yield "\t".join(str(f) for f in fields) + "\t" + (";".join(info) or ".") + "\n"


def _spliceai_field(allele: str, gene: str, by_name: dict[str, tuple[float, int | None]]) -> str:
    deltas = "|".join(f"{by_name[name][0]:.2f}" if name in by_name else "." for name in SPLICEAI_ORDER)
    offsets = "|".join(str(by_name[name][1]) if name in by_name else "." for name in SPLICEAI_ORDER)
    return f"{allele}|{gene}|{deltas}|{offsets}"
