"""Gene annotations as one table of transcripts, whatever the source format.

Every loader returns a `pandas.DataFrame` with GENE_COLUMNS, one row per transcript, in
0-based half-open forward-strand coordinates (`exon_starts`/`exon_ends` are int arrays).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from model.genome import contig_aliases

GENE_COLUMNS = (
    "gene_name",
    "gene_id",
    "transcript_id",
    "gene_type",
    "chrom",
    "strand",
    "start",
    "end",
    "exon_starts",
    "exon_ends",
)


def _int_list(text: str) -> np.ndarray:
    return np.array([int(v) for v in str(text).split(",") if v.strip()], dtype=np.int64)


def read_spliceai_table(path: str | Path) -> pd.DataFrame:
    """SpliceAI's canonical-transcript table (`#NAME CHROM STRAND TX_START TX_END EXON_START EXON_END`).

    The file's starts are already 0-based (SpliceAI's reader adds 1 to reach 1-based), ends
    are exclusive, so they are taken as they are.
    """
    raw = pd.read_csv(path, sep="\t", dtype=str)
    raw.columns = [c.lstrip("#") for c in raw.columns]
    table = pd.DataFrame(
        {
            "gene_name": raw["NAME"],
            "gene_id": raw["NAME"],
            "transcript_id": raw["NAME"],
            "gene_type": "protein_coding",
            "chrom": raw["CHROM"],
            "strand": raw["STRAND"],
            "start": raw["TX_START"].astype(np.int64),
            "end": raw["TX_END"].astype(np.int64),
            "exon_starts": raw["EXON_START"].map(_int_list),
            "exon_ends": raw["EXON_END"].map(_int_list),
        }
    )
    return table.loc[:, list(GENE_COLUMNS)]


def genes_on_contig(table: pd.DataFrame, chrom: str) -> pd.DataFrame:
    """Rows on `chrom` under any alias spelling (`20` and `chr20` are the same contig)."""
    return table[table["chrom"].isin(contig_aliases(chrom))]


def genes_overlapping(table: pd.DataFrame, chrom: str, start: int, end: int) -> pd.DataFrame:
    """Transcripts on `chrom` that overlap `[start, end)`."""
    on_contig = genes_on_contig(table, chrom)
    return on_contig[(on_contig["start"] < end) & (on_contig["end"] > start)]


def read_gencode_gtf(
    path: str | Path,
    *,
    transcript_types: Collection[str] | None = None,
    tags: Collection[str] | None = None,
) -> pd.DataFrame:
    """A GENCODE (or Ensembl) GTF as a transcript table with GENE_COLUMNS.

    Parsed with gtfparse; only `exon` features are read, so the table holds every transcript
    that has exons. GTF coordinates are 1-based inclusive: starts are shifted to 0-based,
    ends are kept (0-based half-open end). Gene versions are kept in `gene_id` (tidy output
    strips them, like the SDK).

    Args:
      path: the GTF, plain or gzip.
      transcript_types: keep only these `transcript_type`/`transcript_biotype` values
        (e.g. `{"protein_coding"}`); None keeps all.
      tags: keep only transcripts carrying one of these GENCODE tags (e.g. `{"Ensembl_canonical"}`,
        `{"MANE_Select"}`); None keeps all.
    """
    from gtfparse import read_gtf

    exons = read_gtf(str(path), features={"exon"}, result_type="pandas")
    if exons.empty:
        return pd.DataFrame(columns=list(GENE_COLUMNS))
    exons = exons.rename(columns={"seqname": "chrom"})
    type_column = next((c for c in ("transcript_type", "transcript_biotype") if c in exons), None)
    gene_type_column = next((c for c in ("gene_type", "gene_biotype") if c in exons), None)
    if transcript_types is not None:
        if type_column is None:
            raise ValueError(f"{path} has no transcript_type/transcript_biotype attribute to filter on")
        exons = exons[exons[type_column].isin(set(transcript_types))]
    if tags is not None:
        if "tag" not in exons:
            raise ValueError(f"{path} has no `tag` attribute to filter on")
        wanted = set(tags)
        exons = exons[exons["tag"].fillna("").map(lambda text: bool(wanted & set(str(text).split(","))))]
    if "gene_name" not in exons:
        exons["gene_name"] = exons["gene_id"]
    exons = exons.assign(start0=exons["start"].astype(np.int64) - 1, end0=exons["end"].astype(np.int64))
    exons = exons.sort_values(["transcript_id", "start0"], kind="stable")
    grouped = exons.groupby("transcript_id", sort=False)
    first = grouped.first()
    table = pd.DataFrame(
        {
            "gene_name": first["gene_name"].replace("", np.nan).fillna(first["gene_id"]),
            "gene_id": first["gene_id"],
            "transcript_id": first.index,
            "gene_type": first[gene_type_column] if gene_type_column else "",
            "chrom": first["chrom"].astype(str),
            "strand": first["strand"],
            "start": grouped["start0"].min(),
            "end": grouped["end0"].max(),
            "exon_starts": grouped["start0"].apply(lambda s: s.to_numpy(np.int64)),
            "exon_ends": grouped["end0"].apply(lambda s: s.to_numpy(np.int64)),
        }
    ).reset_index(drop=True)
    return table.sort_values(["chrom", "start", "transcript_id"], kind="stable").reset_index(drop=True)[
        list(GENE_COLUMNS)
    ]


def read_annotation(path: str | Path) -> pd.DataFrame:
    """Any supported annotation: a GTF (`.gtf`, `.gtf.gz`) or a SpliceAI table (anything else)."""
    name = str(path).lower()
    if name.endswith((".gtf", ".gtf.gz", ".gff2", ".gff2.gz")):
        return read_gencode_gtf(path)
    return read_spliceai_table(path)


def gene_table(transcripts: pd.DataFrame) -> pd.DataFrame:
    """One row per gene: the span of its transcripts (`start` = min, `end` = max).

    Returns:
      DataFrame with `gene_id, gene_name, gene_type, chrom, strand, start, end`.
    """
    grouped = transcripts.groupby("gene_id", sort=False)
    genes = grouped.agg(
        gene_name=("gene_name", "first"),
        gene_type=("gene_type", "first"),
        chrom=("chrom", "first"),
        strand=("strand", "first"),
        start=("start", "min"),
        end=("end", "max"),
    )
    return genes.reset_index()
