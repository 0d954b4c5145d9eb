"""Gene annotations as one table of transcripts, whatever the source format.

Every loader returns a `pandas.DataFrame` with GENE_COLUMNS, one row per transcript, in
0-based half-open forward-strand coordinates (`exon_starts`/`exon_ends` are int arrays).
"""

from __future__ import annotations

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
