"""Registering reference assemblies, and loading their genome and annotation once per process."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandas as pd
import pysam
from tqdm import tqdm

from model.assets import GENE_COLUMNS, read_gencode_gtf, read_spliceai_table
from model.service import Genome
from predictions.models import Assembly


def detect_annotation_format(path: Path) -> str:
    """`gtf` for GTF/GFF files, `spliceai` for SpliceAI's gene tables; anything else is an error."""
    name = path.name.lower()
    if any(name.endswith(ext) for ext in (".gtf", ".gtf.gz", ".gff", ".gff3", ".gff.gz", ".gff3.gz")):
        return Assembly.AnnotationFormat.GTF
    with open(path, "rb") as handle:
        head = handle.readline()
    if head.startswith(b"#NAME\tCHROM\tSTRAND"):
        return Assembly.AnnotationFormat.SPLICEAI
    raise ValueError(
        f"{path}: unrecognised annotation format; expected a GTF (.gtf/.gtf.gz) or a SpliceAI table "
        "(header #NAME CHROM STRAND TX_START TX_END EXON_START EXON_END)"
    )


def ensure_fasta_index(fasta: Path) -> None:
    """Create .fai (and .gzi for bgzip) when missing; plain gzip cannot be indexed and is refused."""
    if not fasta.exists():
        raise FileNotFoundError(f"FASTA not found: {fasta}")
    needs_gzi = fasta.suffix == ".gz"
    if Path(f"{fasta}.fai").exists() and (not needs_gzi or Path(f"{fasta}.gzi").exists()):
        return
    try:
        pysam.faidx(str(fasta))
    except pysam.SamtoolsError as error:
        raise ValueError(
            f"{fasta}: cannot index it ({error}); a .gz FASTA must be bgzip-compressed "
            "(recompress with `bgzip`) or plain text"
        ) from error


def register_assembly(
    *,
    name: str,
    fasta: Path,
    annotation: Path | None,
    organism: str = Assembly.Organism.HUMAN,
    common_variants: Path | None = None,
    description: str = "",
    progress: bool = False,
) -> tuple[Assembly, int]:
    """Validate the files and create or update the Assembly row; returns it and its contig count."""
    fasta = fasta.resolve()
    steps = tqdm(total=3, desc=f"assembly {name}", unit="step", disable=not progress)
    ensure_fasta_index(fasta)
    steps.update()
    genome = Genome(fasta)
    annotation_format: str = Assembly.AnnotationFormat.SPLICEAI
    if annotation is not None:
        annotation = annotation.resolve()
        if not annotation.exists():
            raise FileNotFoundError(f"annotation not found: {annotation}")
        annotation_format = detect_annotation_format(annotation)
        genes = load_gene_table(str(annotation), annotation_format)
        if genes.empty:
            raise ValueError(f"{annotation}: no genes found")
        unmatched = sorted({c for c in genes["chrom"].unique() if not _has_contig(genome, c)})
        if len(unmatched) == genes["chrom"].nunique():
            raise ValueError(
                f"{annotation}: none of its contigs ({', '.join(unmatched[:5])}…) are in {fasta.name}"
            )
    steps.update()
    if common_variants is not None and not common_variants.exists():
        raise FileNotFoundError(f"common-variant file not found: {common_variants}")
    assembly, _ = Assembly.objects.update_or_create(
        name=name,
        defaults={
            "organism": organism,
            "description": description,
            "fasta_path": str(fasta),
            "annotation_path": str(annotation or ""),
            "annotation_format": annotation_format,
            "common_variants_path": str(common_variants.resolve()) if common_variants else "",
        },
    )
    steps.update()
    steps.close()
    return assembly, len(genome.lengths)


def _has_contig(genome: Genome, name: str) -> bool:
    try:
        genome.resolve_contig(name)
    except KeyError:
        return False
    return True


@functools.lru_cache(maxsize=8)
def load_genome(fasta_path: str) -> Genome:
    return Genome(fasta_path)


@functools.lru_cache(maxsize=8)
def load_gene_table(annotation_path: str, annotation_format: str) -> pd.DataFrame:
    """The assembly's transcripts (model.annotations GENE_COLUMNS), parsed once per process."""
    if annotation_format == Assembly.AnnotationFormat.GTF:
        return read_gencode_gtf(annotation_path)
    return read_spliceai_table(annotation_path)


def genome_for(assembly: Assembly) -> Genome:
    return load_genome(assembly.fasta_path)


def genes_for(assembly: Assembly) -> pd.DataFrame:
    if not assembly.annotation_path:
        return pd.DataFrame(columns=list(GENE_COLUMNS))
    return load_gene_table(assembly.annotation_path, assembly.annotation_format)


@functools.lru_cache(maxsize=8)
def _gene_index(annotation_path: str, annotation_format: str) -> Any:
    from predictions.inputs import GeneIndex

    return GeneIndex(load_gene_table(annotation_path, annotation_format))


def gene_index_for(assembly: Assembly) -> Any:
    """Gene lookup (names, IDs, prefixes) for the start page, built once per process."""
    return _gene_index(assembly.annotation_path, assembly.annotation_format)
