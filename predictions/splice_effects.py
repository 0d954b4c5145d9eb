"""SpliceAI's four delta scores as a geneticist reads them: "donor loss 0.99 at +1", coloured at the
0.2 / 0.5 / 0.8 cut-offs SpliceAI's authors and SpliceAI-lookup use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from predictions.models import Score

EFFECT_NAMES = {
    "DS_AG": "acceptor gain",
    "DS_AL": "acceptor loss",
    "DS_DG": "donor gain",
    "DS_DL": "donor loss",
}
ORDER = ("DS_AG", "DS_AL", "DS_DG", "DS_DL")


class SpliceEffect(NamedTuple):
    """One delta score of one gene: name (DS_AG...), value 0..1, offset in bp from the variant."""

    name: str
    gene: str
    score: float
    offset: int | None

    @property
    def label(self) -> str:
        where = "" if self.offset is None else f" at {self.offset:+d}"
        return f"{EFFECT_NAMES[self.name]} {self.score:.2f}{where}"

    @property
    def level(self) -> str:
        """ "high" ≥ 0.8, "medium" ≥ 0.5, "low" ≥ 0.2, else "none" (SpliceAI's suggested cut-offs)."""
        for cut, level in ((0.8, "high"), (0.5, "medium"), (0.2, "low")):
            if self.score >= cut:
                return level
        return "none"


class VariantSpliceSummary(NamedTuple):
    """The strongest delta of a variant and all four of its most affected gene."""

    strongest: SpliceEffect
    deltas: tuple[SpliceEffect, ...]

    @property
    def title(self) -> str:
        return f"{self.strongest.gene}: " + ", ".join(e.label for e in self.deltas)


def splice_summaries(variant_ids: Iterable[int]) -> dict[int, VariantSpliceSummary]:
    """SpliceAI summaries of the given variants, in one query; variants without SpliceAI scores are absent."""
    by_gene: dict[int, dict[str, list[SpliceEffect]]] = defaultdict(lambda: defaultdict(list))
    rows = Score.objects.filter(variant_id__in=list(variant_ids), backend="spliceai", track_name__in=ORDER)
    for variant_id, gene, name, value, offset in rows.values_list(
        "variant_id", "gene_name", "track_name", "raw_score", "offset"
    ):
        by_gene[variant_id][gene].append(SpliceEffect(name, gene, float(value), offset))
    summaries = {}
    for variant_id, genes in by_gene.items():
        deltas = max(genes.values(), key=lambda effects: max(e.score for e in effects))
        deltas.sort(key=lambda e: ORDER.index(e.name))
        strongest = max(deltas, key=lambda e: (e.score, -ORDER.index(e.name)))
        summaries[variant_id] = VariantSpliceSummary(strongest, tuple(deltas))
    return summaries
