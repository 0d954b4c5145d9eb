"""Which reference an RPC runs on: the `x-genomeapp-assembly` header, else the default assembly.

Without the header the server uses `GENOMEAPP_DEFAULT_ASSEMBLY` when its organism matches the
request's, else the first registered assembly of the requested organism. Genomes, gene
indexes and quantile backgrounds are loaded once per process.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from django.conf import settings

from model.service import GeneIndex, Genome, Organism
from predictions.assemblies import genome_for, load_gene_table
from predictions.grpc.errors import InvalidArgumentError
from predictions.models import Assembly
from predictions.quantile_backgrounds import load_background

ASSEMBLY_HEADER = "x-genomeapp-assembly"


@dataclasses.dataclass(frozen=True)
class Reference:
    """An assembly ready for prediction and scoring."""

    name: str
    organism: Organism
    genome: Genome
    genes: GeneIndex | None
    background: Any


def resolve(metadata: Mapping[str, str], organism: Organism) -> Reference:
    """The assembly named by the header (or the default for `organism`), loaded."""
    requested = metadata.get(ASSEMBLY_HEADER, "").strip()
    if requested:
        assembly = Assembly.objects.filter(name=requested).first()
        if assembly is None:
            raise InvalidArgumentError(
                f"{ASSEMBLY_HEADER} header", f"no assembly named {requested!r} (registered: {_names()})"
            )
        if Organism[assembly.organism] is not organism:
            raise InvalidArgumentError(
                "organism", f"{organism.name} requested but assembly {assembly.name} is {assembly.organism}"
            )
    else:
        assembly = _default_for(organism)
    return _load(assembly)


def _names() -> str:
    return ", ".join(Assembly.objects.values_list("name", flat=True)) or "none"


def _default_for(organism: Organism) -> Assembly:
    default = Assembly.objects.filter(
        name=settings.GENOMEAPP_DEFAULT_ASSEMBLY, organism=organism.name
    ).first()
    assembly = default or Assembly.objects.filter(organism=organism.name).order_by("name").first()
    if assembly is None:
        raise InvalidArgumentError(
            "organism",
            f"no {organism.name} assembly is registered on this server (registered: {_names()}); "
            f"register one with `manage.py add_assembly` and select it with the {ASSEMBLY_HEADER} header",
        )
    return assembly


def _load(assembly: Assembly) -> Reference:
    return Reference(
        name=assembly.name,
        organism=Organism[assembly.organism],
        genome=genome_for(assembly),
        genes=_gene_index(assembly.annotation_path, assembly.annotation_format)
        if assembly.annotation_path
        else None,
        background=load_background(assembly.quantiles_path) if assembly.quantiles_path else None,
    )


@functools.lru_cache(maxsize=8)
def _gene_index(annotation_path: str, annotation_format: str) -> GeneIndex:
    return GeneIndex(load_gene_table(annotation_path, annotation_format))
