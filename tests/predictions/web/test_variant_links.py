"""Links out per variant (gnomAD, ClinVar, UCSC, SpliceAI-lookup): plain links for the right build."""

from __future__ import annotations

import re

import pytest

from predictions.external_links import human_build, variant_links
from predictions.models import Assembly

pytestmark = pytest.mark.django_db


def test_grch37_links_name_the_variant_and_the_build(demo_assembly):
    links = dict(variant_links(demo_assembly, "chr20", 2_443_281, "C", "A"))
    assert list(links) == ["gnomAD", "ClinVar", "UCSC", "SpliceAI-lookup"]
    assert links["gnomAD"] == "https://gnomad.broadinstitute.org/variant/20-2443281-C-A?dataset=gnomad_r2_1"
    assert "20%5Bchr%5D%20AND%202443281%5Bchrpos37%5D" in links["ClinVar"]
    assert "db=hg19&position=chr20%3A2443231-2443332" in links["UCSC"]
    assert links["SpliceAI-lookup"].endswith("#variant=20-2443281-C-A&hg=37&distance=500&mask=0")


def test_builds_are_read_from_the_assembly_and_unknown_ones_get_no_links():
    assert human_build(Assembly(name="GRCh38-full")) == 38
    assert human_build(Assembly(name="hg19")) == 37
    assert human_build(Assembly(name="GRCm39", organism=Assembly.Organism.MOUSE)) is None
    assert variant_links(Assembly(name="my-lab-genome"), "1", 10, "A", "G") == []
    # an allele that is not plain bases cannot break out of the URL
    hostile = dict(variant_links(Assembly(name="GRCh38"), "1", 10, 'A"><script>', "G"))
    assert all(re.fullmatch(r"[\w:/?=&.%#\-\[\]]+", url) for url in hostile.values())


def test_the_variant_table_links_out_in_new_tabs_without_a_referrer(owner_client, scored_job):
    page = owner_client.get(f"/jobs/{scored_job.code}/").content.decode()
    assert 'href="https://gnomad.broadinstitute.org/variant/20-2443281-C-A?dataset=gnomad_r2_1"' in page
    assert page.count('rel="noopener noreferrer" target="_blank">SpliceAI-lookup</a>') >= 1
