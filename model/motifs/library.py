"""JASPAR matrices as log-odds PWMs, loaded from the SQLite database that `pyjaspar` ships.

Scores are in bits: log2((count + pseudocount * bg) / (N + pseudocount) / bg) per column, the
transformation TFBSTools' `toPWM` and MOODS' `log_odds` apply (pseudocount 0.8 spread by the
background, as TFBSTools does). The background is the base composition of the human genome
(GC 41 %), so GC-rich motifs are not over-called on AT-rich sequence.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Sequence

import MOODS.scan
import MOODS.tools
import numpy as np
from jaxtyping import Float

from model.motifs.pvalues import ScoreDistribution

BASES = "ACGT"
HUMAN_BACKGROUND: tuple[float, float, float, float] = (0.295, 0.205, 0.205, 0.295)  # A C G T
PSEUDOCOUNT = 0.8
DEFAULT_RELEASE = "JASPAR2024"
DEFAULT_PVALUE = 1e-4  # a hit, as FIMO's default output threshold


@dataclasses.dataclass(frozen=True)
class Motif:
    """One JASPAR matrix.

    Attributes:
      matrix_id: e.g. "MA0100.4".
      name: the transcription factor(s), e.g. "MYB" or "GATA1::TAL1".
      counts: [4, W] base counts (rows A, C, G, T).
      log_odds: [4, W] scores in bits against the library's background.
      tf_class: JASPAR's structural class, "" when none.
    """

    matrix_id: str
    name: str
    counts: Float[np.ndarray, "4 W"]
    log_odds: Float[np.ndarray, "4 W"]
    tf_class: str = ""

    @property
    def width(self) -> int:
        return int(self.counts.shape[1])

    @property
    def consensus(self) -> str:
        """The highest-scoring sequence on the + strand."""
        return "".join(BASES[i] for i in self.log_odds.argmax(axis=0))

    def score(self, site: str, strand: str = "+") -> float:
        """The PWM score (bits) of `site` (W bases, ACGT) on `strand`."""
        matrix = self.log_odds if strand == "+" else reverse_complement_matrix(self.log_odds)
        return float(sum(matrix[BASES.index(base), j] for j, base in enumerate(site.upper())))


def reverse_complement_matrix(matrix: Float[np.ndarray, "4 W"]) -> Float[np.ndarray, "4 W"]:
    """The matrix read on the − strand: columns reversed, A↔T and C↔G."""
    return matrix[::-1, ::-1]


def log_odds(counts: Float[np.ndarray, "4 W"], background: Sequence[float]) -> Float[np.ndarray, "4 W"]:
    """[4, W] bits: log2(((counts + PSEUDOCOUNT * bg) / (column total + PSEUDOCOUNT)) / bg)."""
    bg = np.asarray(background, dtype=np.float64)[:, None]
    frequencies = (counts + PSEUDOCOUNT * bg) / (counts.sum(axis=0, keepdims=True) + PSEUDOCOUNT)
    return np.log2(frequencies / bg)


class MotifLibrary:
    """Matrices, their score distributions and a MOODS scanner over both strands.

    Args:
      motifs: the matrices.
      background: base probabilities A, C, G, T.
      pvalue: the p-value at or below which a site is a hit.
      source: where the matrices come from, for provenance ("JASPAR2024 CORE vertebrates").
    """

    def __init__(
        self,
        motifs: Iterable[Motif],
        background: Sequence[float] = HUMAN_BACKGROUND,
        pvalue: float = DEFAULT_PVALUE,
        source: str = "",
    ) -> None:
        self.motifs = list(motifs)
        if not self.motifs:
            raise ValueError("a motif library needs at least one matrix")
        self.background = tuple(float(b) for b in background)
        self.pvalue = pvalue
        self.source = source
        self.max_width = max(m.width for m in self.motifs)
        self.distributions = [ScoreDistribution(m.log_odds, self.background) for m in self.motifs]
        # A site is a candidate when MOODS finds it at 10x the hit p-value, so that a site which
        # only just misses being a hit on one allele still gets its exact score and p-value.
        self.candidate_thresholds = [d.threshold(pvalue * 10) for d in self.distributions]

    @classmethod
    @functools.cache
    def jaspar(
        cls,
        release: str = DEFAULT_RELEASE,
        collection: str = "CORE",
        tax_group: str = "vertebrates",
        pvalue: float = DEFAULT_PVALUE,
    ) -> MotifLibrary:
        """The latest version of every matrix of a JASPAR collection, read offline from `pyjaspar`.

        Cached per process (about a second to build for the 879 CORE vertebrate matrices).
        """
        from pyjaspar import jaspardb

        database = jaspardb(release=release)
        entries = database.fetch_motifs(collection=collection, tax_group=[tax_group], all_versions=False)
        motifs = []
        for entry in entries:
            counts = np.array([entry.counts[base] for base in BASES], dtype=np.float64)
            motifs.append(
                Motif(
                    matrix_id=entry.matrix_id,
                    name=entry.name,
                    counts=counts,
                    log_odds=log_odds(counts, HUMAN_BACKGROUND),
                    tf_class="; ".join(entry.tf_class or []),
                )
            )
        return cls(motifs, HUMAN_BACKGROUND, pvalue, source=f"{release} {collection} {tax_group}")

    def by_id(self, matrix_id: str) -> Motif:
        for motif in self.motifs:
            if motif.matrix_id == matrix_id:
                return motif
        raise KeyError(matrix_id)

    @functools.cached_property
    def scanner(self) -> MOODS.scan.Scanner:
        """MOODS' scanner over every matrix on both strands: index 2k is motif k on +, 2k+1 on −."""
        matrices, thresholds = [], []
        for motif, threshold in zip(self.motifs, self.candidate_thresholds, strict=True):
            for matrix in (motif.log_odds, reverse_complement_matrix(motif.log_odds)):
                matrices.append([list(row) for row in matrix])
                thresholds.append(threshold)
        scanner = MOODS.scan.Scanner(7)
        scanner.set_motifs(matrices, list(self.background), thresholds)
        return scanner

    @property
    def unreachable(self) -> list[Motif]:
        """Matrices too short or too degenerate for any site to reach the hit p-value."""
        return [
            m for m, d in zip(self.motifs, self.distributions, strict=True) if d.best_pvalue > self.pvalue
        ]
