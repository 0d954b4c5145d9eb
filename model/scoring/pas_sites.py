"""Polyadenylation-site (PAS) tables for the paQTL scorer: checked once, keyed for lookups.

A PAS table has one row per site (PolyA_DB v3 style): `chrom`, 0-based `position`, `strand`
and the `gene_id` it belongs to. `prepare_pas_sites` adds alias-free contig and unversioned
gene keys so that `chr20`/`20` and `ENSG….5`/`ENSG…` match.
"""

from __future__ import annotations

import pandas as pd

from model.scoring.masks import contig_key

PAS_COLUMNS = ("chrom", "position", "strand", "gene_id")
_KEY_COLUMNS = ("contig_key", "gene_key")


def prepare_pas_sites(pas_sites: pd.DataFrame | None) -> pd.DataFrame | None:
    """A copy of `pas_sites` with `contig_key` and `gene_key` columns (None stays None).

    A table that already has both keys is returned as it is.

    Raises:
      ValueError: a column of PAS_COLUMNS is missing.
    """
    if pas_sites is None or all(column in pas_sites for column in _KEY_COLUMNS):
        return pas_sites
    missing = [c for c in PAS_COLUMNS if c not in pas_sites]
    if missing:
        raise ValueError(f"polyadenylation-site table lacks columns {missing}; needs {PAS_COLUMNS}")
    table = pas_sites.copy()
    table["contig_key"] = table["chrom"].astype(str).map(contig_key)
    table["gene_key"] = table["gene_id"].astype(str).str.split(".").str[0]
    return table


def gene_sites(prepared: pd.DataFrame, chrom: str, gene_id: str, strand: str) -> pd.DataFrame:
    """The sites of one gene (any version of `gene_id`) on its strand, from a prepared table."""
    return prepared[
        (prepared["contig_key"] == contig_key(chrom))
        & (prepared["gene_key"] == str(gene_id).split(".")[0])
        & (prepared["strand"] == strand)
    ]
