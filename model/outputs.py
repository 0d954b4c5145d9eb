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


@runtime_checkable
class Backend(Protocol):
    """What the scoring engine, the web app and the gRPC server need from a model.

    A backend predicts a batch of same-length DNA sequences (`ACGTN`, forward strand) and
    returns, for each sequence, one `TrackSet` per requested output type it provides.
    """

    name: str
    provenance: str
    weights_trained: bool
    output_types: frozenset[OutputType]

    def track_metadata(self, output_type: OutputType, organism: Organism) -> pd.DataFrame:
        """All tracks this backend would return for `output_type` (before any filter)."""
        ...

    def predict(
        self,
        sequences: Sequence[str],
        output_types: Sequence[OutputType],
        organism: Organism = Organism.HOMO_SAPIENS,
        ontology_terms: Sequence[str] | None = None,
    ) -> list[dict[OutputType, TrackSet]]:
        """Predict tracks for each sequence; only the requested types are materialised."""
        ...
