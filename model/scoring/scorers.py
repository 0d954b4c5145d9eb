"""Variant and interval scorer settings with the AlphaGenome SDK's names, parameters and checks.

Each scorer is a frozen, hashable dataclass that only *describes* a score (what output, what
mask, what aggregation); the arithmetic lives in `model.scoring.aggregations`, and the family
registered for its `base_variant_scorer` (`model.scoring.families`) computes it.
`str(scorer)` and `scorer.name` equal the SDK's, e.g.
`CenterMaskScorer(requested_output=ATAC, width=501, aggregation_type=DIFF_LOG2_SUM)`, so tidy
tables, quantile backgrounds and the gRPC layer all key on the same strings.

Enum values equal the proto enum numbers (`AggregationType.DIFF_LOG2_SUM.value == 5`), so
`from_proto`/`to_sdk` convert without tables.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, TypeAlias

from model.errors import ScorerNotApplicableError
from model.outputs import Organism, OutputType


class ScorerError(ValueError):
    """A scorer was given parameters the SDK does not allow."""


class AggregationType(enum.Enum):
    """How a center-mask scorer turns masked REF and ALT tracks into one number per track.

    Values are the proto `AggregationType` numbers. Sums and means run over the mask:

    - DIFF_MEAN: mean(ALT) - mean(REF)
    - DIFF_SUM: sum(ALT) - sum(REF)
    - DIFF_SUM_LOG2: sum(log2(ALT + 1)) - sum(log2(REF + 1))
    - DIFF_LOG2_SUM: log2(1 + sum(ALT)) - log2(1 + sum(REF))
    - L2_DIFF: ||ALT - REF||_2
    - L2_DIFF_LOG1P: ||log1p(ALT) - log1p(REF)||_2
    - ACTIVE_MEAN: max(mean(ALT), mean(REF))
    - ACTIVE_SUM: max(sum(ALT), sum(REF))
    """

    DIFF_MEAN = 1
    DIFF_SUM = 2
    DIFF_SUM_LOG2 = 3
    L2_DIFF = 4
    DIFF_LOG2_SUM = 5
    ACTIVE_MEAN = 6
    ACTIVE_SUM = 7
    L2_DIFF_LOG1P = 8

    def __repr__(self) -> str:
        return self.name


class IntervalAggregationType(enum.Enum):
    """Interval gene-mask aggregation (proto `IntervalAggregationType`)."""

    MEAN = 1
    SUM = 2

    def __repr__(self) -> str:
        return self.name


class BaseVariantScorer(enum.Enum):
    CENTER_MASK = enum.auto()
    CONTACT_MAP = enum.auto()
    GENE_MASK_LFC = enum.auto()
    GENE_MASK_ACTIVE = enum.auto()
    GENE_MASK_SPLICING = enum.auto()
    PA_QTL = enum.auto()
    SPLICE_JUNCTION = enum.auto()


class BaseIntervalScorer(enum.Enum):
    GENE_MASK = enum.auto()


_TRACK_OUTPUTS = (
    OutputType.ATAC,
    OutputType.CAGE,
    OutputType.DNASE,
    OutputType.PROCAP,
    OutputType.RNA_SEQ,
)
SUPPORTED_OUTPUT_TYPES: Mapping[BaseVariantScorer, tuple[OutputType, ...]] = MappingProxyType(
    {
        BaseVariantScorer.CENTER_MASK: (
            *_TRACK_OUTPUTS,
            OutputType.CHIP_HISTONE,
            OutputType.CHIP_TF,
            OutputType.SPLICE_SITES,
            OutputType.SPLICE_SITE_USAGE,
        ),
        BaseVariantScorer.CONTACT_MAP: (OutputType.CONTACT_MAPS,),
        BaseVariantScorer.GENE_MASK_LFC: (
            *_TRACK_OUTPUTS,
            OutputType.SPLICE_SITES,
            OutputType.SPLICE_SITE_USAGE,
        ),
        BaseVariantScorer.GENE_MASK_ACTIVE: (
            *_TRACK_OUTPUTS,
            OutputType.SPLICE_SITES,
            OutputType.SPLICE_SITE_USAGE,
        ),
        BaseVariantScorer.GENE_MASK_SPLICING: (OutputType.SPLICE_SITES, OutputType.SPLICE_SITE_USAGE),
        BaseVariantScorer.PA_QTL: (OutputType.RNA_SEQ,),
        BaseVariantScorer.SPLICE_JUNCTION: (OutputType.SPLICE_JUNCTIONS,),
    }
)
SUPPORTED_WIDTHS: Mapping[BaseVariantScorer, tuple[int | None, ...]] = MappingProxyType(
    {
        BaseVariantScorer.CENTER_MASK: (None, 501, 2001, 10_001, 100_001, 200_001),
        BaseVariantScorer.GENE_MASK_SPLICING: (None, 101, 1_001, 10_001),
    }
)
SUPPORTED_ORGANISMS: Mapping[BaseVariantScorer, tuple[Organism, ...]] = MappingProxyType(
    {
        **{base: (Organism.HOMO_SAPIENS, Organism.MUS_MUSCULUS) for base in BaseVariantScorer},
        BaseVariantScorer.PA_QTL: (Organism.HOMO_SAPIENS,),
    }
)
INTERVAL_SUPPORTED_OUTPUT_TYPES: tuple[OutputType, ...] = (
    OutputType.ATAC,
    OutputType.CAGE,
    OutputType.CHIP_HISTONE,
    OutputType.CHIP_TF,
    OutputType.DNASE,
    OutputType.RNA_SEQ,
    OutputType.SPLICE_SITES,
    OutputType.SPLICE_SITE_USAGE,
)
INTERVAL_SUPPORTED_WIDTHS: tuple[int | None, ...] = (None, 501, 2001, 10_001, 100_001, 200_001)


def _names(items: Iterable[Any]) -> str:
    return ", ".join("None" if item is None else getattr(item, "name", str(item)) for item in items)


def _coerce_output(value: Any, scorer: str) -> OutputType:
    """Accept our OutputType, the SDK's (same values), a name or a proto number."""
    if isinstance(value, OutputType):
        return value
    if isinstance(value, str):
        try:
            return OutputType[value.upper()]
        except KeyError:
            raise ScorerError(
                f"{scorer}: unknown output type {value!r}; known: {_names(OutputType)}"
            ) from None
    number = getattr(value, "value", value)
    try:
        return OutputType(int(number))
    except (TypeError, ValueError):
        raise ScorerError(f"{scorer}: unknown output type {value!r}; known: {_names(OutputType)}") from None


def _coerce_enum(enum_cls: type[enum.Enum], value: Any, scorer: str, what: str) -> Any:
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str):
        try:
            return enum_cls[value.upper()]
        except KeyError:
            pass
    else:
        try:
            return enum_cls(int(getattr(value, "value", value)))
        except (TypeError, ValueError):
            pass
    raise ScorerError(f"{scorer}: unknown {what} {value!r}; known: {_names(enum_cls)}")


def _check_output(scorer: str, output: OutputType, allowed: tuple[OutputType, ...]) -> None:
    if output not in allowed:
        raise ScorerError(
            f"{scorer} does not support requested_output={output.name}; supported: {_names(allowed)}"
        )


def _check_width(scorer: str, width: object, allowed: tuple[int | None, ...]) -> None:
    """Raise `ScorerError` unless `width` (as given by the caller: any object) is one of `allowed`."""
    if width is not None and (isinstance(width, bool) or not isinstance(width, int)):
        raise ScorerError(f"{scorer}: width must be an int or None, got {width!r}")
    if width not in allowed:
        raise ScorerError(f"{scorer} does not support width={width}; supported widths: {_names(allowed)}")


def _field_text(value: Any) -> str:
    return value.name if isinstance(value, enum.Enum) else repr(value)


def _sdk_repr(self: Any) -> str:
    fields = ", ".join(f"{f.name}={_field_text(getattr(self, f.name))}" for f in dataclasses.fields(self))
    return f"{type(self).__name__}({fields})"


class _ScorerBase:
    """Shared behaviour: the SDK's checks on construction, SDK-style `name`, `str()` and `repr()`.

    Subclasses are frozen dataclasses; whichever of `requested_output`, `aggregation_type` and
    `width` they declare as fields are coerced (SDK enums, names, proto numbers) and checked
    against `supported_outputs()` / `supported_widths()` in one place, `__post_init__`.
    """

    aggregation_types: ClassVar[type[enum.Enum]] = AggregationType
    # The fields' annotations are the values after `__post_init__`'s coercion; the generated
    # `__init__` also takes SDK enums, names and proto numbers, so jaxtyping (tests/model) skips it.
    __no_type_check__ = True
    # Signed scores (ALT - REF) get two-sided quantiles; unsigned ones (magnitudes) one-sided.
    is_signed: ClassVar[bool] = False

    __repr__ = _sdk_repr
    __str__ = _sdk_repr

    @property
    def name(self) -> str:
        return str(self)

    def supported_outputs(self) -> tuple[OutputType, ...]:
        """Output types the SDK allows for this scorer."""
        return SUPPORTED_OUTPUT_TYPES[self.base_variant_scorer]

    def supported_widths(self) -> tuple[int | None, ...]:
        """Mask widths (bp; None = the whole window) the SDK allows for this scorer."""
        return SUPPORTED_WIDTHS[self.base_variant_scorer]

    def __post_init__(self) -> None:
        scorer = type(self).__name__
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        if "requested_output" in values:
            values["requested_output"] = _coerce_output(values["requested_output"], scorer)
        if "aggregation_type" in values:
            values["aggregation_type"] = _coerce_enum(
                self.aggregation_types, values["aggregation_type"], scorer, "aggregation_type"
            )
        for name, value in values.items():
            object.__setattr__(self, name, value)
        if "requested_output" in values:
            _check_output(scorer, values["requested_output"], self.supported_outputs())
        if "width" in values:
            _check_width(scorer, values["width"], self.supported_widths())


@dataclasses.dataclass(frozen=True, repr=False)
class CenterMaskScorer(_ScorerBase):
    """Aggregate REF and ALT over `width` bp centred on the variant (None: whole window).

    One score per track. At resolution `r` the mask is `ceil(width / r)` bins centred on the
    variant's bin (501 bp at 128 bp is 4 bins), clipped to the window.
    """

    requested_output: OutputType
    width: int | None
    aggregation_type: AggregationType

    base_variant_scorer: ClassVar[BaseVariantScorer] = BaseVariantScorer.CENTER_MASK

    @property
    def is_signed(self) -> bool:
        return self.aggregation_type in (
            AggregationType.DIFF_MEAN,
            AggregationType.DIFF_SUM,
            AggregationType.DIFF_SUM_LOG2,
            AggregationType.DIFF_LOG2_SUM,
        )


@dataclasses.dataclass(frozen=True, repr=False)
class ContactMapScorer(_ScorerBase):
    """Orca-style: mean over all rows i of |ALT[i, v] - REF[i, v]| for the variant's 2048 bp bin v."""

    requested_output: ClassVar[OutputType] = OutputType.CONTACT_MAPS
    base_variant_scorer: ClassVar[BaseVariantScorer] = BaseVariantScorer.CONTACT_MAP


@dataclasses.dataclass(frozen=True, repr=False)
class GeneMaskLFCScorer(_ScorerBase):
    """Per gene: log(mean_exons(ALT) + 1e-3) - log(mean_exons(REF) + 1e-3).

    Genes are those with a transcript whose TSS lies in the window; the mask is the OR of the
    exons of those transcripts.
    """

    requested_output: OutputType

    base_variant_scorer: ClassVar[BaseVariantScorer] = BaseVariantScorer.GENE_MASK_LFC
    is_signed: ClassVar[bool] = True


@dataclasses.dataclass(frozen=True, repr=False)
class GeneMaskActiveScorer(_ScorerBase):
    """Per gene: max(mean_exons(ALT), mean_exons(REF))."""

    requested_output: OutputType

    base_variant_scorer: ClassVar[BaseVariantScorer] = BaseVariantScorer.GENE_MASK_ACTIVE


@dataclasses.dataclass(frozen=True, repr=False)
class GeneMaskSplicingScorer(_ScorerBase):
    """Per gene overlapping the variant: max over the gene body of |ALT - REF|.

    With a `width`, the body mask is further restricted to `width` bp centred on the variant.
    """

    requested_output: OutputType
    width: int | None

    base_variant_scorer: ClassVar[BaseVariantScorer] = BaseVariantScorer.GENE_MASK_SPLICING


@dataclasses.dataclass(frozen=True, repr=False)
class PolyadenylationScorer(_ScorerBase):
    """Borzoi paQTL statistic over PAS windows (human only; needs a PAS table)."""

    requested_output: ClassVar[OutputType] = OutputType.RNA_SEQ
    base_variant_scorer: ClassVar[BaseVariantScorer] = BaseVariantScorer.PA_QTL


@dataclasses.dataclass(frozen=True, repr=False)
class SpliceJunctionScorer(_ScorerBase):
    """Per protein-coding gene and tissue: max over junctions of |log(ALT + 1e-7) - log(REF + 1e-7)|."""

    requested_output: ClassVar[OutputType] = OutputType.SPLICE_JUNCTIONS
    base_variant_scorer: ClassVar[BaseVariantScorer] = BaseVariantScorer.SPLICE_JUNCTION


@dataclasses.dataclass(frozen=True, repr=False)
class GeneMaskScorer(_ScorerBase):
    """Interval scorer: MEAN or SUM of predictions over the exons of each gene whose TSS lies in
    the central `width` bp of the interval (None: the whole interval). One row per gene."""

    requested_output: OutputType
    width: int | None
    aggregation_type: IntervalAggregationType

    base_interval_scorer: ClassVar[BaseIntervalScorer] = BaseIntervalScorer.GENE_MASK
    aggregation_types = IntervalAggregationType

    def supported_outputs(self) -> tuple[OutputType, ...]:
        return INTERVAL_SUPPORTED_OUTPUT_TYPES

    def supported_widths(self) -> tuple[int | None, ...]:
        return INTERVAL_SUPPORTED_WIDTHS


VariantScorer: TypeAlias = (
    CenterMaskScorer
    | ContactMapScorer
    | GeneMaskLFCScorer
    | GeneMaskActiveScorer
    | GeneMaskSplicingScorer
    | PolyadenylationScorer
    | SpliceJunctionScorer
)

_LOG2 = AggregationType.DIFF_LOG2_SUM
_ACTIVE = AggregationType.ACTIVE_SUM
RECOMMENDED_VARIANT_SCORERS: Mapping[str, VariantScorer] = MappingProxyType(
    {
        "ATAC": CenterMaskScorer(OutputType.ATAC, 501, _LOG2),
        "CONTACT_MAPS": ContactMapScorer(),
        "DNASE": CenterMaskScorer(OutputType.DNASE, 501, _LOG2),
        "CHIP_TF": CenterMaskScorer(OutputType.CHIP_TF, 501, _LOG2),
        "CHIP_HISTONE": CenterMaskScorer(OutputType.CHIP_HISTONE, 2001, _LOG2),
        "CAGE": CenterMaskScorer(OutputType.CAGE, 501, _LOG2),
        "PROCAP": CenterMaskScorer(OutputType.PROCAP, 501, _LOG2),
        "RNA_SEQ": GeneMaskLFCScorer(OutputType.RNA_SEQ),
        "RNA_SEQ_ACTIVE": GeneMaskActiveScorer(OutputType.RNA_SEQ),
        "SPLICE_SITES": GeneMaskSplicingScorer(OutputType.SPLICE_SITES, None),
        "SPLICE_SITE_USAGE": GeneMaskSplicingScorer(OutputType.SPLICE_SITE_USAGE, None),
        "SPLICE_JUNCTIONS": SpliceJunctionScorer(),
        "POLYADENYLATION": PolyadenylationScorer(),
        "ATAC_ACTIVE": CenterMaskScorer(OutputType.ATAC, 501, _ACTIVE),
        "DNASE_ACTIVE": CenterMaskScorer(OutputType.DNASE, 501, _ACTIVE),
        "CHIP_TF_ACTIVE": CenterMaskScorer(OutputType.CHIP_TF, 501, _ACTIVE),
        "CHIP_HISTONE_ACTIVE": CenterMaskScorer(OutputType.CHIP_HISTONE, 2001, _ACTIVE),
        "CAGE_ACTIVE": CenterMaskScorer(OutputType.CAGE, 501, _ACTIVE),
        "PROCAP_ACTIVE": CenterMaskScorer(OutputType.PROCAP, 501, _ACTIVE),
    }
)
RECOMMENDED_INTERVAL_SCORERS: Mapping[str, GeneMaskScorer] = MappingProxyType(
    {"RNA_SEQ": GeneMaskScorer(OutputType.RNA_SEQ, 200_001, IntervalAggregationType.MEAN)}
)


def get_recommended_scorers(organism: Organism = Organism.HOMO_SAPIENS) -> list[VariantScorer]:
    """The SDK's recommended scorers for `organism` (19 for human, 18 for mouse: no paQTL)."""
    organism = Organism(getattr(organism, "value", organism))
    return [
        s
        for s in RECOMMENDED_VARIANT_SCORERS.values()
        if organism in SUPPORTED_ORGANISMS[s.base_variant_scorer]
    ]


def check_organism(scorer: VariantScorer, organism: Organism) -> None:
    """Raise ScorerNotApplicableError when `scorer` does not exist for `organism`."""
    if organism not in SUPPORTED_ORGANISMS[scorer.base_variant_scorer]:
        raise ScorerNotApplicableError(
            f"{scorer.name} is defined for {_names(SUPPORTED_ORGANISMS[scorer.base_variant_scorer])} only, "
            f"not {organism.name}"
        )


# --- conversion with the SDK dataclasses and the wire messages -------------------------------------------

_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        CenterMaskScorer,
        ContactMapScorer,
        GeneMaskLFCScorer,
        GeneMaskActiveScorer,
        GeneMaskSplicingScorer,
        PolyadenylationScorer,
        SpliceJunctionScorer,
        GeneMaskScorer,
    )
}


def from_sdk(scorer: Any) -> VariantScorer | GeneMaskScorer:
    """Our scorer equal to an SDK scorer object (`alphagenome.models.variant_scorers.*`) or to ours."""
    if type(scorer).__name__ not in _CLASSES:
        raise ScorerError(f"not a scorer: {scorer!r}")
    cls = _CLASSES[type(scorer).__name__]
    if isinstance(scorer, cls):
        return scorer
    fields = {f.name: getattr(scorer, f.name) for f in dataclasses.fields(cls)}
    return cls(**fields)


def to_sdk(scorer: VariantScorer | GeneMaskScorer) -> Any:
    """The SDK dataclass equal to `scorer` (imports `alphagenome`)."""
    from alphagenome.models import dna_output, interval_scorers, variant_scorers

    module = interval_scorers if isinstance(scorer, GeneMaskScorer) else variant_scorers
    sdk_cls = getattr(module, type(scorer).__name__)
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(scorer):
        value = getattr(scorer, field.name)
        if isinstance(value, OutputType):
            value = dna_output.OutputType[value.name]
        elif isinstance(value, AggregationType):
            value = variant_scorers.AggregationType[value.name]
        elif isinstance(value, IntervalAggregationType):
            value = interval_scorers.IntervalAggregationType[value.name]
        kwargs[field.name] = value
    return sdk_cls(**kwargs)


_PROTO_FIELDS = {
    "center_mask": CenterMaskScorer,
    "gene_mask": GeneMaskLFCScorer,
    "gene_mask_splicing": GeneMaskSplicingScorer,
    "pa_qtl": PolyadenylationScorer,
    "splice_junction": SpliceJunctionScorer,
    "contact_map": ContactMapScorer,
    "gene_mask_active": GeneMaskActiveScorer,
}


def from_proto(message: Any) -> VariantScorer | GeneMaskScorer:
    """Our scorer from a `VariantScorer` or `IntervalScorer` proto message (unset width means None)."""
    which = message.WhichOneof("scorer")
    if which is None:
        raise ScorerError("scorer message has no scorer set")
    inner = getattr(message, which)
    if type(message).__name__ == "IntervalScorer":
        width = inner.width if inner.HasField("width") else None
        return GeneMaskScorer(inner.requested_output, width, inner.aggregation_type)
    cls = _PROTO_FIELDS[which]
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name == "width":
            kwargs["width"] = inner.width if inner.HasField("width") else None
        else:
            kwargs[field.name] = getattr(inner, field.name)
    return cls(**kwargs)


def parse_scorer(text: str) -> VariantScorer | GeneMaskScorer:
    """A scorer from its recommended key (`ATAC`, `RNA_SEQ_ACTIVE`) or its SDK name string."""
    key = text.strip()
    if key.upper() in RECOMMENDED_VARIANT_SCORERS:
        return RECOMMENDED_VARIANT_SCORERS[key.upper()]
    head, _, rest = key.partition("(")
    if head not in _CLASSES or not rest.endswith(")"):
        raise ScorerError(
            f"unknown scorer {text!r}: use a recommended key ({', '.join(RECOMMENDED_VARIANT_SCORERS)}) "
            "or an SDK name such as "
            "CenterMaskScorer(requested_output=ATAC, width=501, aggregation_type=DIFF_SUM)"
        )
    kwargs: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest[:-1].split(","))):
        name, _, value = part.partition("=")
        kwargs[name.strip()] = None if value.strip() == "None" else value.strip()
    if "width" in kwargs and kwargs["width"] is not None:
        kwargs["width"] = int(kwargs["width"])
    try:
        return _CLASSES[head](**kwargs)
    except TypeError as error:
        raise ScorerError(f"{text!r}: {error}") from None
