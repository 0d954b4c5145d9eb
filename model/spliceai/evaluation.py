"""Top-k accuracy of splice-site prediction on annotated transcripts (SpliceAI paper, Fig. 1).

For each class, k is the number of annotated sites in the genes evaluated; the score is the
fraction of the k highest-probability positions (pooled over all genes' bodies) that are
annotated sites. Sites are the exonic bases next to each intron of the canonical transcript.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd

from model.genome import Genome
from model.spliceai.ensemble import SpliceAIEnsemble


def annotated_sites(gene: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """0-based acceptor and donor positions of a transcript's introns (forward coordinates)."""
    order = np.argsort(gene["exon_starts"])
    starts, ends = np.asarray(gene["exon_starts"])[order], np.asarray(gene["exon_ends"])[order]
    left_exon_last, right_exon_first = ends[:-1] - 1, starts[1:]
    if gene["strand"] == "+":
        return right_exon_first, left_exon_last
    return left_exon_last, right_exon_first


@dataclasses.dataclass(frozen=True)
class TopK:
    """Top-k accuracy per class, with k (annotated sites) and the genes evaluated."""

    acceptor: float
    donor: float
    acceptor_sites: int
    donor_sites: int
    genes: int
    bases: int


def top_k_accuracy(genes: Iterable[pd.Series], genome: Genome, ensemble: SpliceAIEnsemble) -> TopK:
    """Predict each transcript body on its own strand (real flanking sequence) and pool."""
    probs: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    n_genes = 0
    for gene in genes:
        start, end = int(gene["start"]), int(gene["end"])
        pred = ensemble.predict_region(genome, str(gene["chrom"]), start, end, str(gene["strand"]))
        label = np.zeros((end - start, 3), bool)
        acceptors, donors = annotated_sites(gene)
        label[acceptors - start, 1] = True
        label[donors - start, 2] = True
        probs.append(pred)
        labels.append(label)
        n_genes += 1
    p, y = np.concatenate(probs), np.concatenate(labels)
    scores = []
    for cls in (1, 2):
        k = int(y[:, cls].sum())
        top = np.argpartition(-p[:, cls], k - 1)[:k] if k else np.array([], int)
        scores.append(float(y[top, cls].mean()) if k else float("nan"))
    return TopK(scores[0], scores[1], int(y[:, 1].sum()), int(y[:, 2].sum()), n_genes, len(p))


def sample_genes(
    table: pd.DataFrame, chrom: str, n: int, min_len: int, max_len: int, min_exons: int
) -> pd.DataFrame:
    """A deterministic, spread-out sample of multi-exon transcripts on `chrom` (by position)."""
    from model.annotations import genes_on_contig

    genes = genes_on_contig(table, chrom).sort_values("start")
    span = genes["end"] - genes["start"]
    fit = genes[(span >= min_len) & (span <= max_len) & (genes["exon_starts"].map(len) >= min_exons)]
    if len(fit) <= n:
        return fit
    return fit.iloc[np.linspace(0, len(fit) - 1, n).round().astype(int)]
