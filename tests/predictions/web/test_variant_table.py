"""The job page's variant table: server-side filters, sorting and pagination over many variants."""

from __future__ import annotations

import re

import pytest

from predictions.models import Score, Variant
from predictions.variant_table import PAGE_SIZE
from tests.predictions.web import factories

ROW = re.compile(
    r'<tr data-key="\d+" data-chrom="(\w+)" data-pos="(\d+)".*?'
    r'<td class="num" data-col="score">([^<]*)</td>',
    re.S,
)
COUNT = 120


@pytest.fixture
def big_job(owner, demo_assembly):
    """120 scored variants (|score| = pos/1000 for pos 1..120, SNRPB or NOP56 alternating),
    CAGE scores in two tissues on every 10th, one skipped (no score) and one rejected line."""
    job = factories.make_job(owner, demo_assembly)
    variants = Variant.objects.bulk_create(
        Variant(
            job=job,
            chrom="20",
            pos=2_400_000 + i,
            ref="A",
            alt="G",
            line=i,
            max_abs_score=i / 1000,
            top_gene="SNRPB" if i % 2 else "NOP56",
        )
        for i in range(1, COUNT + 1)
    )
    scores = []
    for i, variant in enumerate(variants, start=1):
        gene = "SNRPB" if i % 2 else "NOP56"
        scores.append(
            Score(
                job=job,
                variant=variant,
                scorer="SpliceAI",
                output_type="SPLICE_SITES",
                track_name="DS_AG",
                gene_name=gene,
                raw_score=-i / 1000 if i % 3 == 0 else i / 1000,
                backend="spliceai",
            )
        )
        if i % 10 == 0:
            for tissue, curie, value in (
                ("liver", "UBERON:0002107", 0.5 + i / 1000),
                ("lung", "UBERON:0002048", 0.9),
            ):
                scores.append(
                    Score(
                        job=job,
                        variant=variant,
                        scorer="CenterMask",
                        output_type="CAGE",
                        track_name=f"{tissue} CAGE",
                        biosample_name=tissue,
                        ontology_curie=curie,
                        raw_score=-value,
                        backend="alphagenome",
                    )
                )
    Score.objects.bulk_create(scores)
    factories.add_variant(
        job, "20", 2_500_000, "C", "T", line=200, status=Variant.Status.SKIPPED, message="ref_mismatch"
    )
    factories.add_variant(
        job, "20", 1, "N", "<DEL>", line=201, status=Variant.Status.REJECTED, message="symbolic"
    )
    return job


def table(client, job, **query) -> tuple[list[tuple[int, str]], str]:
    response = client.get(f"/jobs/{job.code}/", query)
    assert response.status_code == 200
    html = response.content.decode()
    return [(int(pos) - 2_400_000, effect) for _, pos, effect in ROW.findall(html)], html


def test_default_is_largest_score_first_paginated(owner_client, big_job):
    rows, html = table(owner_client, big_job)
    assert len(rows) == PAGE_SIZE
    assert rows[0] == (120, "0.120") and rows[1] == (119, "0.119")
    assert f"page 1 of 3 ({COUNT + 1} variants)" in html  # the skipped one is listed, the rejected one not
    assert "?page=2&sort=score" in html


def test_last_page_ends_with_the_unscored_variant(owner_client, big_job):
    rows, html = table(owner_client, big_job, page=3)
    assert len(rows) == COUNT + 1 - 2 * PAGE_SIZE
    assert rows[-2] == (1, "0.001")
    assert rows[-1] == (100_000, "—")  # no score: last, on SQLite and Postgres alike
    assert "← previous" in html and "next →" not in html


@pytest.mark.parametrize("page", ["999", "0", "abc", "-1"])
def test_out_of_range_pages_fall_back(owner_client, big_job, page):
    rows, _ = table(owner_client, big_job, page=page)
    assert len(rows) > 0


def test_smallest_score_first(owner_client, big_job):
    rows, _ = table(owner_client, big_job, sort="-score")
    assert rows[:2] == [(1, "0.001"), (2, "0.002")]


def test_by_position_both_ways(owner_client, big_job):
    rows, _ = table(owner_client, big_job, sort="position")
    assert [pos for pos, _ in rows[:3]] == [1, 2, 3]
    rows, _ = table(owner_client, big_job, sort="-position")
    assert [pos for pos, _ in rows[:2]] == [100_000, 120]


def test_unknown_sort_falls_back_to_score(owner_client, big_job):
    rows, _ = table(owner_client, big_job, sort="id; DROP TABLE")
    assert rows[0] == (120, "0.120")


def test_gene_filter(owner_client, big_job):
    rows, html = table(owner_client, big_job, gene="nop56")
    assert len(rows) == PAGE_SIZE and all(pos % 2 == 0 for pos, _ in rows)
    assert f"page 1 of 2 ({COUNT // 2} variants)" in html
    assert "gene=nop56" in html  # the pager keeps the filter


def test_min_score_filter(owner_client, big_job):
    rows, html = table(owner_client, big_job, min_score="0.1")
    assert [pos for pos, _ in rows] == list(range(120, 99, -1))
    assert 'value="0.1"' in html


def test_output_type_filter_scores_by_that_output_only(owner_client, big_job):
    rows, _ = table(owner_client, big_job, output_type="CAGE")
    # every 10th variant has CAGE scores: liver 0.5+i/1000 and lung 0.9, so each shows 0.900 (max |score|)
    assert sorted(pos for pos, _ in rows) == list(range(10, 121, 10))
    assert {effect for _, effect in rows} == {"0.900"}


def test_tissue_filter_by_name_or_curie(owner_client, big_job):
    by_name, _ = table(owner_client, big_job, tissue="live")
    by_curie, _ = table(owner_client, big_job, tissue="uberon:0002107")
    assert by_name == by_curie
    assert by_name[0] == (120, "0.620") and by_name[-1] == (10, "0.510")


def test_filters_combine(owner_client, big_job):
    rows, _ = table(owner_client, big_job, tissue="liver", min_score="0.6", sort="position")
    assert rows == [(100, "0.600"), (110, "0.610"), (120, "0.620")]


def test_nothing_matches(owner_client, big_job):
    rows, html = table(owner_client, big_job, gene="NOSUCH")
    assert rows == [] and "No scored variants match." in html


def test_colleague_filters_through_the_link(colleague_client, big_job):
    link = factories.share(big_job)
    response = colleague_client.get(f"/s/{link.token}/", {"gene": "SNRPB", "sort": "position"})
    rows = [int(pos) - 2_400_000 for _, pos, _ in ROW.findall(response.content.decode())]
    assert rows[:3] == [1, 3, 5]


def test_gene_filter_shows_the_effect_on_that_gene(owner_client, scored_job):
    """rs_strong scores 0.87 on SNRPB; give it 0.2 on a second gene and filter by that one."""
    strong = scored_job.variants.get(variant_id="rs_strong")
    factories.add_spliceai_scores(strong, "NEARBY", (0.2, 0.0, 0.0, 0.0), (5, 0, 0, 0))
    strong.max_abs_score, strong.top_gene = 0.87, "SNRPB"
    strong.save()
    response = owner_client.get(f"/jobs/{scored_job.code}/", {"gene": "nearby"})
    assert [(pos, effect) for _, pos, effect in ROW.findall(response.content.decode())] == [
        ("2443281", "0.200")
    ]
    response = owner_client.get(f"/jobs/{scored_job.code}/", {"gene": "NEARBY", "min_score": "0.5"})
    assert ROW.findall(response.content.decode()) == []


def test_sorting_links_keep_every_filter(owner_client, big_job):
    _, html = table(owner_client, big_job, gene="SNRPB", tissue="liver", output_type="CAGE", min_score="0.5")
    header = html.split('id="variants-table"', 1)[1].split("</thead>", 1)[0]
    links = re.findall(r'href="([^"]+)"', header)
    assert len(links) == 3
    for link in links:
        assert "gene=SNRPB" in link and "tissue=liver" in link and "output_type=CAGE" in link
        assert "min_score=0.5" in link


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999", "abc", ""])
def test_odd_thresholds_do_not_break_the_page(owner_client, big_job, value):
    rows, _ = table(owner_client, big_job, min_score=value)
    if value in ("abc", "", "-inf"):
        assert len(rows) == PAGE_SIZE  # ignored, or everything passes
    else:
        assert rows == []


def test_a_spliceai_only_job_has_no_quantile_column(owner_client, scored_job):
    """Quantiles are AlphaGenome's scheme; a SpliceAI-only job's table does not offer an empty column."""
    page = owner_client.get(f"/jobs/{scored_job.code}/").content.decode()
    assert 'data-col="score"' in page and "max |quantile|" not in page and 'data-col="quantile"' not in page
