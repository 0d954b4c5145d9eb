"""Variant scoring engine: AlphaGenome's scorers over any backend's REF/ALT predictions.

Entry points: `score_variants` (a batch of variants, shared REF passes; settings in
`ScoringOptions`), `score_interval` (interval gene-mask scores), `score_ism` (in-silico
mutagenesis), `QuantileBackground` (quantile normalisation) and `tidy_scores` (the SDK's tidy
table).

Layout: `engine` (the entry points) drives `planner` (windows, shared REF passes, batches)
and `families` (one module per scorer kind behind one interface, and their registry);
`scorers` describes scorers, `aggregations` holds their arithmetic, `masks` the gene and
window masks, `junctions`, `pas_sites` and `annotation_cache` the inputs they read.

Where this engine knowingly differs from AlphaGenome's reference code (alphagenome_research):

- Windows are shared: by default a variant lies within a quarter window of its window's centre
  rather than exactly at it (`share_windows=False` restores one centred window per variant).
- Indel alignment is applied to every 1 bp output, center-mask scorers included (the reference
  aligns only for gene-mask and paQTL scorers); 128 bp and contact-map outputs are not aligned.
  When inserted bases run past the window end, the anchor keeps its max and only positions with
  no ALT prediction are 0 (the reference zeroes the last n positions, anchor included).
- `GeneMaskSplicingScorer.width` restricts the gene-body mask to `width` bp centred on the
  variant (the reference code accepts the width but does not use it).
- No jit padding caps: any number of genes, junctions (no 256-site cut) or PAS per gene.
- The paQTL scorer needs a polyadenylation-site table (`pas_sites`); none ships with the demo.
- Quantile backgrounds pool all gene rows per (scorer, track name, track strand).
"""

from model.junctions import JunctionSet
from model.scoring.annotation_cache import as_gene_index
from model.scoring.engine import applicability, score_predictions, score_variants
from model.scoring.interval import score_interval
from model.scoring.ism import IsmResult, ism_matrix, ism_variants, score_ism
from model.scoring.masks import GeneIndex, WindowGrid
from model.scoring.options import ScoringOptions
from model.scoring.planner import plan_windows
from model.scoring.quantiles import QuantileBackground
from model.scoring.results import (
    ScoreBlock,
    ScoringResult,
    merge_stranded_gene_tracks,
    tidy_scores,
    write_tsv,
    write_vcf,
)
from model.scoring.scorers import (
    RECOMMENDED_INTERVAL_SCORERS,
    RECOMMENDED_VARIANT_SCORERS,
    AggregationType,
    BaseVariantScorer,
    CenterMaskScorer,
    ContactMapScorer,
    GeneMaskActiveScorer,
    GeneMaskLFCScorer,
    GeneMaskScorer,
    GeneMaskSplicingScorer,
    IntervalAggregationType,
    PolyadenylationScorer,
    ScorerError,
    ScorerNotApplicableError,
    SpliceJunctionScorer,
    from_proto,
    from_sdk,
    get_recommended_scorers,
    parse_scorer,
    to_sdk,
)
from model.scoring.variants import Variant

__all__ = [
    "RECOMMENDED_INTERVAL_SCORERS",
    "RECOMMENDED_VARIANT_SCORERS",
    "AggregationType",
    "BaseVariantScorer",
    "CenterMaskScorer",
    "ContactMapScorer",
    "GeneIndex",
    "GeneMaskActiveScorer",
    "GeneMaskLFCScorer",
    "GeneMaskScorer",
    "GeneMaskSplicingScorer",
    "IntervalAggregationType",
    "IsmResult",
    "JunctionSet",
    "PolyadenylationScorer",
    "QuantileBackground",
    "ScoreBlock",
    "ScorerError",
    "ScorerNotApplicableError",
    "ScoringOptions",
    "ScoringResult",
    "SpliceJunctionScorer",
    "Variant",
    "WindowGrid",
    "applicability",
    "as_gene_index",
    "from_proto",
    "from_sdk",
    "get_recommended_scorers",
    "ism_matrix",
    "ism_variants",
    "merge_stranded_gene_tracks",
    "parse_scorer",
    "plan_windows",
    "score_interval",
    "score_ism",
    "score_predictions",
    "score_variants",
    "tidy_scores",
    "to_sdk",
    "write_tsv",
    "write_vcf",
]
