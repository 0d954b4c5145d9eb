"""Output types, predicted track sets and the backend protocol shared by every model.

Names and numeric values follow the AlphaGenome SDK's `dna_output.OutputType`, so the
gRPC layer can convert with `OutputType(proto_value)` and the web app shows the names
scientists already know.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd


class OutputType(enum.Enum):
    """AlphaGenome output types; values equal the proto enum numbers (10 is unused)."""

    ATAC = 1
    CAGE = 2
    DNASE = 3
    RNA_SEQ = 4
    CHIP_HISTONE = 5
    CHIP_TF = 6
    SPLICE_SITES = 7
    SPLICE_SITE_USAGE = 8
    SPLICE_JUNCTIONS = 9
    CONTACT_MAPS = 11
    PROCAP = 12


class Organism(enum.Enum):
    """NCBI taxon ids, identical to the proto enum values."""

    HOMO_SAPIENS = 9606
    MUS_MUSCULUS = 10090


# Columns every track-metadata frame carries (the SDK's `TrackMetadata` columns we rely on).
TRACK_METADATA_COLUMNS = ("name", "strand", "ontology_curie", "biosample_name", "assay_title")


@dataclasses.dataclass(frozen=True)
class TrackSet:
    """Predicted tracks of one output type over one window.

    Attributes:
      values: float32 array `[L // resolution, T]` (for CONTACT_MAPS `[P, P, T]`), one column
        per row of `metadata`.
      resolution: bin size in bp (1, 128 or 2048).
      metadata: one row per track with at least TRACK_METADATA_COLUMNS; `strand` is `+`, `-`
        or `.`.
      start: 0-based genomic start of the window on the forward strand (0 for bare sequences).
      provenance: which backend and weights made this, e.g. "SpliceAI-10k (Illumina), ensemble of 5".
    """

    values: np.ndarray
    resolution: int
    metadata: pd.DataFrame
    start: int = 0
    provenance: str = ""

    def __post_init__(self) -> None:
        if self.values.shape[-1] != len(self.metadata):
            raise ValueError(
                f"values have {self.values.shape[-1]} tracks but metadata has {len(self.metadata)} rows"
            )
        if self.resolution <= 0:
            raise ValueError(f"resolution must be positive, got {self.resolution}")


@dataclasses.dataclass(frozen=True)
class JunctionTrackSet(TrackSet):
    """SPLICE_JUNCTIONS: `values [K, K, 2T]` donor × acceptor counts; `splice_site_positions [4, K]`.

    Rows of `values` index donors and columns acceptors; channels are (tissue, strand) as in
    `metadata` (`+` block then `-` block). `splice_site_positions` are 0-based offsets in the
    window for donor+, acceptor+, donor-, acceptor- (-1 = padding).
    """

    splice_site_positions: np.ndarray | None = None


@runtime_checkable
class Backend(Protocol):
    """What the prediction service needs from a model, capabilities declared up front.

    A backend predicts a batch of same-length DNA sequences (`ACGTN`, forward strand) and
    returns, for each sequence, one `TrackSet` per requested output type it provides.

    Attributes:
      name: short identifier (`alphagenome`, `spliceai`), used in routing and provenance.
      provenance: which architecture and weights make the predictions, shown with every result.
      weights_trained: False for random weights; such output is labelled, never ranked as biology.
      licence: the weights' licence (and the code's), shown where predictions are shown.
      output_types: what `predict` can return.
      supports_strand: `predict` honours `strands` itself (a `-` window predicted on the reverse
        complement and mapped back with `model.strand`); when False, the service does it.
      context: bases of genomic context the model reads on each side of a predicted window; the
        service fetches them from the genome and passes them as `flank` (0: the window is all
        the model sees).
      config: the settings that determine predictions besides the weights (preset, dtype,
        sequence lengths, ...), for provenance records and the "about" page.
    """

    name: str
    provenance: str
    weights_trained: bool
    licence: str
    output_types: frozenset[OutputType]
    supports_strand: bool
    context: int

    @property
    def config(self) -> object: ...

    def track_metadata(self, output_type: OutputType, organism: Organism) -> pd.DataFrame:
        """All tracks this backend would return for `output_type` (before any filter)."""
        ...

    def predict(
        self,
        sequences: Sequence[str],
        output_types: Sequence[OutputType],
        organism: Organism = Organism.HOMO_SAPIENS,
        ontology_terms: Sequence[str] | None = None,
        *,
        strands: Sequence[str] | None = None,
        flank: int = 0,
    ) -> list[dict[OutputType, TrackSet]]:
        """Predict each sequence; only the requested types are materialised.

        Args:
          sequences: same-length forward-strand DNA, `flank` bases of context at each end.
          strands: per sequence, `-` to predict the reverse-complement strand (used only when
            `supports_strand`).
          flank: context bases at each end (at most `context`); predictions cover the rest.
        """
        ...
