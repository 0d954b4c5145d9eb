"""Links out from a variant to the databases geneticists check next (plain links: nothing is
fetched from them, and the Referrer-Policy keeps the job URL private)."""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import quote

from predictions.models import Assembly


class Link(NamedTuple):
    label: str
    url: str


def human_build(assembly: Assembly | None) -> int | None:
    """37 or 38 for a human assembly whose name says which (GRCh37 / hg19, GRCh38 / hg38), else None."""
    if assembly is None or assembly.organism != Assembly.Organism.HUMAN:
        return None
    name = assembly.name.lower()
    if re.search(r"grch37|hg19|b37", name):
        return 37
    if re.search(r"grch38|hg38", name):
        return 38
    return None


def variant_links(assembly: Assembly | None, chrom: str, pos: int, ref: str, alt: str) -> list[Link]:
    """gnomAD, ClinVar, UCSC and SpliceAI-lookup for a VCF-style variant; [] where the build is unknown."""
    build = human_build(assembly)
    if build is None:
        return []
    contig = chrom.removeprefix("chr")
    key = quote(f"{contig}-{pos}-{ref}-{alt}", safe="-")
    dataset = "gnomad_r2_1" if build == 37 else "gnomad_r4"
    clinvar_position = "chrpos37" if build == 37 else "chrpos"
    ucsc = "hg19" if build == 37 else "hg38"
    return [
        Link("gnomAD", f"https://gnomad.broadinstitute.org/variant/{key}?dataset={dataset}"),
        Link(
            "ClinVar",
            "https://www.ncbi.nlm.nih.gov/clinvar/?term="
            + quote(f"{contig}[chr] AND {pos}[{clinvar_position}]", safe=""),
        ),
        Link(
            "UCSC",
            f"https://genome.ucsc.edu/cgi-bin/hgTracks?db={ucsc}&position="
            + quote(f"chr{contig}:{max(1, pos - 50)}-{pos + len(ref) + 50}", safe=""),
        ),
        Link(
            "SpliceAI-lookup",
            f"https://spliceailookup.broadinstitute.org/#variant={key}&hg={build}&distance=500&mask=0",
        ),
    ]
