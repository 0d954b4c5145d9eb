"""The job page's variant table: server-side filtering, sorting and pagination."""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import F, Max, Q
from django.db.models.functions import Abs

from predictions.inputs.numbers import whole_number
from predictions.models import Job, Score, Variant

SORTS = {
    "score": ("-effect", "id"),
    "-score": ("effect", "id"),
    "position": ("chrom", "pos", "id"),
    "-position": ("-chrom", "-pos", "-id"),
    "gene": ("top_gene", "chrom", "pos"),
    "line": ("line", "id"),
}
PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class TableFilters:
    gene: str = ""
    output_type: str = ""
    tissue: str = ""
    min_score: float | None = None
    sort: str = "score"
    page: int = 1

    @classmethod
    def from_query(cls, query: Any) -> TableFilters:
        try:
            min_score = float(query.get("min_score")) if query.get("min_score") else None
        except ValueError:
            min_score = None
        page = max(1, whole_number(query.get("page", "1")) or 1)  # ASCII digits only, at most 18
        sort = query.get("sort", "score")
        return cls(
            gene=query.get("gene", "").strip(),
            output_type=query.get("output_type", "").strip(),
            tissue=query.get("tissue", "").strip(),
            min_score=min_score,
            sort=sort if sort in SORTS else "score",
            page=page,
        )

    @property
    def score_filtered(self) -> bool:
        return bool(self.gene or self.output_type or self.tissue)


def _score_condition(filters: TableFilters, prefix: str = "") -> Q:
    """The table's score filters as one condition on Score fields (`prefix` to reach them)."""
    condition = Q()
    if filters.gene:
        condition &= Q(**{f"{prefix}gene_name__iexact": filters.gene})
    if filters.output_type:
        condition &= Q(**{f"{prefix}output_type": filters.output_type})
    if filters.tissue:
        condition &= Q(**{f"{prefix}biosample_name__icontains": filters.tissue}) | Q(
            **{f"{prefix}ontology_curie__iexact": filters.tissue}
        )
    return condition


def variant_rows(job: Job, filters: TableFilters) -> Page:
    """One page of scored variants with `effect` = max |score| over the scores that pass the filters
    (and `quantile` = max |quantile score|, None where the scores have no quantiles).

    The gene filter is a score filter like the others: a variant near two genes shows, and is
    thresholded on, its effect on the gene asked for.
    """
    variants = job.variants.exclude(status=Variant.Status.REJECTED)
    if filters.score_filtered:
        # One grouped pass over the matching scores only: filter() before annotate() puts the score
        # condition in the join's WHERE, so variants without a matching score never get grouped
        # (not a correlated subquery per variant, nor an aggregate FILTER over every score).
        # Scores from random weights match the filters (the row is listed) but never set its effect.
        trained = Q(scores__trained=True)
        variants = variants.filter(_score_condition(filters, prefix="scores__")).annotate(
            effect=Max(Abs("scores__raw_score"), filter=trained),
            quantile=Max(Abs("scores__quantile_score"), filter=trained),
        )
    else:
        variants = variants.annotate(effect=F("max_abs_score"), quantile=F("max_abs_quantile"))
    if filters.min_score is not None:
        variants = variants.filter(effect__gte=filters.min_score)
    ordering = [f if f.lstrip("-") != "effect" else _nulls_last(f) for f in SORTS[filters.sort]]
    paginator = Paginator(variants.order_by(*ordering), PAGE_SIZE)
    return paginator.get_page(filters.page)


def _nulls_last(field: str) -> Any:
    name = field.lstrip("-")
    return F(name).desc(nulls_last=True) if field.startswith("-") else F(name).asc(nulls_last=True)


def filter_choices(job: Job) -> dict[str, list[str]]:
    """Values offered in the table's filter menus; a finished job's scores never change, so they are
    computed once per process and job (three DISTINCT scans of every score otherwise, each page view)."""
    if not job.is_final or job.finished is None:
        return _filter_choices(job)
    key = f"genomeapp:filter-choices:{job.code}:{job.finished.timestamp()}"
    return cast("dict[str, list[str]]", cache.get_or_set(key, lambda: _filter_choices(job), timeout=3600))


def _filter_choices(job: Job) -> dict[str, list[str]]:
    scores = Score.objects.filter(job=job)
    return {
        "output_types": sorted(scores.values_list("output_type", flat=True).distinct()),
        "genes": sorted(g for g in scores.values_list("gene_name", flat=True).distinct()[:2000] if g),
        "tissues": sorted(t for t in scores.values_list("biosample_name", flat=True).distinct()[:500] if t),
    }
