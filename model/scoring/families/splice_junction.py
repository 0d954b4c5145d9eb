"""SpliceJunctionScorer: per protein-coding gene and tissue, the junction whose predicted count
changes most (|log ALT - log REF|), one row per (gene, junction) that is some tissue's maximum.

Axis letters: `J` junctions (union of REF's and ALT's), `T` tissues, `G` result rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.junctions import JunctionSet, junctions_from_prediction
from model.scoring import aggregations as agg
from model.scoring.families.base import (
    ScorerContext,
    VariantPredictions,
    VariantScorerFamily,
    variant_span_end,
)
from model.scoring.results import ScoreBlock
from model.scoring.scorers import SpliceJunctionScorer

GENE_COLUMNS = ["gene_id", "strand", "gene_name", "gene_type"]
JUNCTION_COLUMNS = [*GENE_COLUMNS, "junction_Start", "junction_End"]


class SpliceJunctionFamily(VariantScorerFamily[SpliceJunctionScorer]):
    """Junctions count for a gene when on its strand and strictly inside its span."""

    needs_genes = True

    def score(self, case: VariantPredictions, context: ScorerContext) -> ScoreBlock:
        variant, window, ref, alt = case
        genes = context.require_genes(self.scorer)
        ref_junctions = junctions_from_prediction(ref[self.scorer.requested_output], window.start)
        alt_junctions = junctions_from_prediction(alt[self.scorer.requested_output], window.start)
        tracks = _tissue_tracks(ref_junctions.metadata)
        # REF and ALT may predict different junction sets; a junction missing on one side counts 0.
        keys = pd.concat([_keys(ref_junctions), _keys(alt_junctions)]).drop_duplicates(ignore_index=True)
        delta = agg.junction_delta(
            _on_keys(ref_junctions, keys, len(tracks)), _on_keys(alt_junctions, keys, len(tracks))
        )  # [J, T]
        overlapping = genes.genes_overlapping(
            window.chrom, variant.start, variant_span_end(variant), protein_coding=True
        )
        rows, values = [], []
        for _, gene in overlapping.iterrows():
            inside = (
                (keys["strand"] == gene["strand"])
                & (keys["start"] > gene["start"])
                & (keys["end"] < gene["end"])
            ).to_numpy()
            if not inside.any() or len(tracks) == 0:
                continue
            gene_delta, gene_keys = delta[inside], keys[inside].reset_index(drop=True)
            for j in dict.fromkeys(np.argmax(gene_delta, axis=0).tolist()):
                junction = {
                    "junction_Start": int(gene_keys.loc[j, "start"]),
                    "junction_End": int(gene_keys.loc[j, "end"]),
                }
                rows.append({**{column: gene[column] for column in GENE_COLUMNS}, **junction})
                values.append(gene_delta[j])
        gene_meta = pd.DataFrame(rows, columns=JUNCTION_COLUMNS)
        array = np.array(values, np.float32).reshape(len(rows), len(tracks))
        return ScoreBlock(self.scorer, window, variant, array, tracks, gene_meta)


def _tissue_tracks(tissues: pd.DataFrame) -> pd.DataFrame:
    """Track metadata (`name`, strand `.`, any tissue columns) from junction metadata."""
    tissues = tissues.reset_index(drop=True)
    tracks = pd.DataFrame({"name": tissues["name"], "strand": "."})
    for column in tissues.columns:
        if column not in ("name", "strand"):
            tracks[column] = tissues[column].to_numpy()
    return tracks


def _keys(junctions: JunctionSet) -> pd.DataFrame:
    return pd.DataFrame({"start": junctions.starts, "end": junctions.ends, "strand": junctions.strands})


def _on_keys(junctions: JunctionSet, keys: pd.DataFrame, tissues: int) -> np.ndarray:
    """float64 `[J, T]`: the junctions' values on the rows of `keys`, 0 where absent."""
    out = np.zeros((len(keys), tissues), np.float64)
    rows = pd.MultiIndex.from_frame(keys).get_indexer(
        pd.MultiIndex.from_arrays([junctions.starts, junctions.ends, junctions.strands])
    )
    out[rows] = junctions.values
    return out
