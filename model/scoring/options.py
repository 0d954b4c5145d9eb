"""How `score_variants` lays out windows, batches passes and reports scorers that do not apply."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal, TypedDict

OnUnsupported = Literal["raise", "skip"]


@dataclasses.dataclass(frozen=True)
class ScoringOptions:
    """Settings of one `score_variants` call (what the model sees and how passes are shared).

    Attributes:
      sequence_length: window length in bp, as the backend expects.
      share_ref: one REF pass per window (False: one REF pass per variant, the naive path;
        same windows, so identical scores).
      share_windows: group variants into shared windows (False: each variant centred in its
        own window, AlphaGenome's layout, so nothing is shared).
      max_offset: largest distance (bp) of a variant from its window centre (None: L/4).
      batch_size: sequences per `backend.predict` call.
      ontology_terms: passed to the backend's track filter (None: all tracks).
      merge_stranded: apply `merge_stranded_gene_tracks` to gene scores.
      on_unsupported: "raise" a `ScorerNotApplicableError` for a scorer that does not apply
        here, or "skip" it and report the reason in `ScoringResult.skipped`.
    """

    sequence_length: int
    share_ref: bool = True
    share_windows: bool = True
    max_offset: int | None = None
    batch_size: int = 8
    ontology_terms: Sequence[str] | None = None
    merge_stranded: bool = False
    on_unsupported: OnUnsupported = "raise"

    def __post_init__(self) -> None:
        if self.sequence_length <= 0:
            raise ValueError(f"sequence_length must be positive, got {self.sequence_length}")
        if self.batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {self.batch_size}")
        if self.on_unsupported not in ("raise", "skip"):
            raise ValueError(f"on_unsupported must be 'raise' or 'skip', got {self.on_unsupported!r}")
        if self.ontology_terms is not None:
            object.__setattr__(self, "ontology_terms", tuple(self.ontology_terms))

    def updated(self, **changes: object) -> ScoringOptions:
        """A copy with `changes` applied (field names of this class)."""
        return dataclasses.replace(self, **changes) if changes else self


class OptionKeywords(TypedDict, total=False):
    """`ScoringOptions` fields as keyword arguments (the calls written before `options=`)."""

    sequence_length: int
    share_ref: bool
    share_windows: bool
    max_offset: int | None
    batch_size: int
    ontology_terms: Sequence[str] | None
    merge_stranded: bool
    on_unsupported: OnUnsupported


def resolve_options(options: ScoringOptions | None, keywords: OptionKeywords) -> ScoringOptions:
    """`options` with keyword fields applied over it; without `options`, the keywords alone.

    Raises:
      TypeError: neither `options` nor a `sequence_length` keyword was given, or a keyword is
        not a `ScoringOptions` field.
    """
    unknown = sorted(set(keywords) - {field.name for field in dataclasses.fields(ScoringOptions)})
    if unknown:
        raise TypeError(f"unexpected scoring options {unknown}")
    if options is None:
        if "sequence_length" not in keywords:
            raise TypeError("score_variants needs options= or sequence_length=")
        return ScoringOptions(**keywords)
    return options.updated(**keywords)
