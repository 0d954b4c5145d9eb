"""Which sequences go through the backend for a batch of variants, and in what batches.

Three steps, none of which knows what a scorer computes:

1. `plan_windows` groups variants into prediction windows (variants within `max_offset` of a
   shared centre share one window).
2. `window_passes` lists a window's forward passes: **one REF pass for the window** (or one
   per variant without `share_ref`) and one ALT pass per variant. A variant whose REF allele
   differs from the genome gets a REF pass of its own with its stated REF in place (as the
   SDK does).
3. `scheduled_passes` collects whole windows' passes until a batch holds at least
   `batch_size` sequences, so a REF pass always travels with its ALT passes;
   `predict_passes` sends a batch through `Backend.predict` in chunks of `batch_size`, and
   `PassLedger` pairs each ALT prediction with its REF and counts passes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal, TypeVar

import numpy as np

from model.genome import Interval, SequenceSource
from model.outputs import Backend, Organism, OutputType
from model.prediction import predict_windows
from model.scoring.families.base import Predictions
from model.scoring.variants import Variant
from model.windows import genome_window, with_alternate_allele, with_reference_allele

# A pass's output (`Predictions` in the engine); the ledger pairs outputs up without reading them.
_Output = TypeVar("_Output")

PassKind = Literal["ref", "alt"]


@dataclasses.dataclass(frozen=True)
class WindowPlan:
    """One prediction window and the variants (indices into the batch) scored in it."""

    interval: Interval
    variant_indices: tuple[int, ...]


def centered_window(variant: Variant, sequence_length: int) -> Interval:
    """The SDK's window: the REF interval resized to `sequence_length` around its centre."""
    start = variant.center - sequence_length // 2
    return Interval(variant.chrom, start, start + sequence_length)


def plan_windows(
    variants: Sequence[Variant], sequence_length: int, *, share: bool = True, max_offset: int | None = None
) -> list[WindowPlan]:
    """Group variants into prediction windows.

    With `share`, variants on the same contig are taken in position order and grouped greedily
    so that every variant's centre lies within `max_offset` bp (default a quarter of the
    window) of its window's centre; each group is one window and one REF pass. Without
    `share`, every variant gets its own window centred on it, as AlphaGenome does.

    Returns:
      windows in genomic order; every variant index appears exactly once.
    """
    if sequence_length <= 0:
        raise ValueError(f"sequence_length must be positive, got {sequence_length}")
    if not share:
        return [WindowPlan(centered_window(v, sequence_length), (i,)) for i, v in enumerate(variants)]
    offset = sequence_length // 4 if max_offset is None else max_offset
    if not 0 <= offset <= sequence_length // 2:
        raise ValueError(f"max_offset must be within [0, {sequence_length // 2}], got {offset}")
    order = sorted(range(len(variants)), key=lambda i: (variants[i].chrom, variants[i].center, i))
    plans: list[WindowPlan] = []
    group: list[int] = []

    def close() -> None:
        first, last = variants[group[0]].center, variants[group[-1]].center
        start = (first + last) // 2 - sequence_length // 2
        plans.append(
            WindowPlan(Interval(variants[group[0]].chrom, start, start + sequence_length), tuple(group))
        )

    for index in order:
        variant = variants[index]
        if group and (
            variant.chrom != variants[group[0]].chrom
            or variant.center - variants[group[0]].center > 2 * offset
        ):
            close()
            group = []
        group.append(index)
    if group:
        close()
    return plans


@dataclasses.dataclass(frozen=True)
class ForwardPass:
    """One sequence through the backend: a window's REF (shared by `variant_indices`) or one
    variant's ALT (`variant_indices` has one entry)."""

    kind: PassKind
    sequence: str
    window: Interval
    variant_indices: tuple[int, ...]


def window_passes(
    genome: SequenceSource, variants: Sequence[Variant], plan: WindowPlan, *, share_ref: bool, flank: int = 0
) -> list[ForwardPass]:
    """The REF and ALT passes of one window, REF before the ALTs that use it.

    Sequences carry `flank` bases of genomic context on each side (`Backend.context`) and are
    built by `model.windows`, the one definition of REF and ALT windows.

    Raises:
      ValueError: a variant does not fit in its window.
    """
    window = plan.interval
    genome_sequence = genome_window(genome, window, flank)
    passes: list[ForwardPass] = []
    matching: list[int] = []
    for i in plan.variant_indices:
        variant = variants[i]
        offset = variant.start - window.start
        if not (offset >= 0 and variant.end <= window.end):
            raise ValueError(f"{variant} does not fit in its window {window}")
        if genome_sequence[flank + offset : flank + offset + len(variant.ref)] == variant.ref:
            matching.append(i)
        else:
            ref_sequence = with_reference_allele(genome_sequence, window, variant, flank)
            alt = with_alternate_allele(genome, window, ref_sequence, variant, flank)
            passes.append(ForwardPass("ref", ref_sequence, window, (i,)))
            passes.append(ForwardPass("alt", alt, window, (i,)))
    if matching and share_ref:
        passes.append(ForwardPass("ref", genome_sequence, window, tuple(matching)))
    for i in matching:
        if not share_ref:
            passes.append(ForwardPass("ref", genome_sequence, window, (i,)))
        alt = with_alternate_allele(genome, window, genome_sequence, variants[i], flank)
        passes.append(ForwardPass("alt", alt, window, (i,)))
    return passes


def scheduled_passes(
    genome: SequenceSource,
    variants: Sequence[Variant],
    plans: Iterable[WindowPlan],
    *,
    share_ref: bool,
    batch_size: int,
    flank: int = 0,
) -> Iterator[list[ForwardPass]]:
    """Passes in batches of whole windows, each batch at least `batch_size` passes (but the last).

    Lazy: a window's sequences are fetched only when its batch is about to run.
    """
    pending: list[ForwardPass] = []
    for plan in plans:
        pending.extend(window_passes(genome, variants, plan, share_ref=share_ref, flank=flank))
        if len(pending) >= batch_size:
            yield pending
            pending = []
    if pending:
        yield pending


def predict_passes(
    backend: Backend,
    passes: Sequence[ForwardPass],
    output_types: Sequence[OutputType],
    organism: Organism,
    ontology_terms: Sequence[str] | None,
    batch_size: int,
) -> list[Predictions]:
    """The backend's predictions of each pass (in order), `batch_size` sequences per call, through
    `model.prediction.predict_windows` (the one call into a backend; windows are unstranded).

    Without output types (every scorer skipped) nothing is predicted and each pass gets `{}`.
    """
    return predict_windows(
        backend,
        [p.sequence for p in passes],
        output_types,
        organism,
        ontology_terms,
        flank=backend.context,
        origin=[p.window.start for p in passes],
        batch_size=batch_size,
    )


@dataclasses.dataclass
class PassLedger:
    """Forward passes spent on a batch of N variants.

    Attributes:
      ref, alt: REF and ALT passes so far.
      per_variant: float `[N]`: each variant's ALT pass plus its share of its REF pass.
    """

    ref: int
    alt: int
    per_variant: np.ndarray

    @classmethod
    def for_variants(cls, count: int) -> PassLedger:
        return cls(0, 0, np.zeros(count))

    def record(
        self, passes: Sequence[ForwardPass], outputs: Sequence[_Output]
    ) -> list[tuple[int, Interval, _Output, _Output]]:
        """Count a batch's passes; `(variant index, window, REF, ALT)` per ALT pass, in order."""
        ref_of: dict[int, _Output] = {}
        for forward_pass, output in zip(passes, outputs, strict=True):
            indices = forward_pass.variant_indices
            if forward_pass.kind == "ref":
                self.ref += 1
                for i in indices:
                    ref_of[i] = output
                    self.per_variant[i] += 1 / len(indices)
            else:
                self.alt += 1
                self.per_variant[indices[0]] += 1
        return [
            (p.variant_indices[0], p.window, ref_of[p.variant_indices[0]], output)
            for p, output in zip(passes, outputs, strict=True)
            if p.kind == "alt"
        ]
