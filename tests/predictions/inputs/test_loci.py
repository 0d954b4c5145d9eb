"""Loci, gene names and the model window centred on them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from model.genome import Interval
from predictions.inputs import (
    SEQUENCE_LENGTHS,
    GeneIndex,
    GeneNotFoundError,
    InputError,
    LocusError,
    centered_window,
    find_gene,
    parse_locus,
    resolve_locus_or_gene,
    smallest_fitting_length,
    suggest_genes,
)
from tests.predictions.inputs.conftest import CHR20_LENGTH


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("chr20:1,000,000-1,131,072", Interval("20", 999_999, 1_131_072)),
        ("20:1000001-1131072", Interval("20", 1_000_000, 1_131_072)),
        ("chr20:1000000", Interval("20", 999_999, 1_000_000)),
        (" chr20 : 1,000,000 – 1,000,010 ", Interval("20", 999_999, 1_000_010)),
        ("chr20:5..10", Interval("20", 4, 10)),
        ("chr20", Interval("20", 0, CHR20_LENGTH)),
        (f"20:{CHR20_LENGTH}", Interval("20", CHR20_LENGTH - 1, CHR20_LENGTH)),
    ],
)
def test_parse_locus(genome, text, interval):
    assert parse_locus(text, genome) == interval


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("chr20:2,000-1,000", "after its end"),
        ("chr20:0-100", "positions start at 1"),
        (f"chr20:63,000,000-{CHR20_LENGTH + 1}", "beyond the end of contig 20 (63,025,520 bp)"),
        ("chr21:1-100", "Contig 'chr21' is not in this reference"),
        ("chr20:abc", "Cannot read the locus"),
        ("", "Cannot read the locus"),
    ],
)
def test_bad_loci(genome, text, phrase):
    with pytest.raises(LocusError, match=re.escape(phrase)) as raised:
        parse_locus(text, genome)
    assert raised.value.status_code == 400


@pytest.mark.parametrize("length", SEQUENCE_LENGTHS)
def test_centered_window_has_the_length_and_centre(genome, length):
    locus = parse_locus("chr20:2,442,280-2,451,499", genome)
    window = centered_window(locus, length, genome)
    assert window.width == length and window.chrom == "20" and window.strand == "+"
    assert (window.start + window.end) // 2 == (locus.start + locus.end) // 2


def test_a_window_near_the_contig_start_runs_off_it_and_is_padded(genome):
    window = centered_window(parse_locus("chr20:100", genome), 1_048_576, genome)
    assert window.start < 0
    sequence = genome.fetch_interval(window)
    assert len(sequence) == 1_048_576 and set(sequence[: -window.start]) == {"N"}


def test_a_locus_wider_than_the_window(genome):
    wide = parse_locus("chr20:1,000,000-1,200,000", genome)
    assert smallest_fitting_length(wide) == 524_288
    assert centered_window(wide, 131_072, genome).width == 131_072  # cropped around the centre
    with pytest.raises(LocusError, match="choose 524,288 bp or more"):
        centered_window(wide, 131_072, genome, allow_crop=False)
    with pytest.raises(LocusError, match="not supported"):
        centered_window(wide, 100_000, genome)


def test_find_gene_ignores_case(gene_table):
    gene = find_gene("snrpb", gene_table)
    assert (gene.gene_name, gene.chrom, gene.strand) == ("SNRPB", "20", "-")
    assert gene.interval == Interval("20", gene.start, gene.end, "-")


def test_unknown_gene_suggests_near_names(gene_table):
    with pytest.raises(GeneNotFoundError) as raised:
        find_gene("SNRPX", gene_table)
    assert [g.gene_name for g in raised.value.suggestions] == ["SNRPB", "SNRPB2"]
    assert "Did you mean SNRPB, SNRPB2?" in str(raised.value)
    assert isinstance(raised.value, InputError)


def test_suggest_genes_for_autocomplete(gene_table):
    assert [g.gene_name for g in suggest_genes("snrp", gene_table)] == ["SNRPB", "SNRPB2"]
    names = [g.gene_name for g in suggest_genes("B", gene_table, limit=5)]
    assert len(names) == 5 and all(name.startswith("B") for name in names)
    assert names == sorted(names, key=lambda n: (len(n), n))
    assert suggest_genes("", gene_table) == [] and suggest_genes("ZZZZ", gene_table) == []


def test_gene_index_merges_transcripts_and_reads_versionless_ids():
    def transcript(name, gene_id, chrom, start, end):
        exons = np.array([start], dtype=np.int64)
        return {
            "gene_name": name,
            "gene_id": gene_id,
            "transcript_id": f"{gene_id}-{start}",
            "gene_type": "protein_coding",
            "chrom": chrom,
            "strand": "+",
            "start": start,
            "end": end,
            "exon_starts": exons,
            "exon_ends": exons + 10,
        }

    table = pd.DataFrame(
        [
            transcript("GENE1", "ENSG01.3", "20", 100, 500),
            transcript("GENE1", "ENSG01.3", "20", 50, 300),
            transcript("TWIN", "ENSG02.1", "X", 10, 20),
            transcript("TWIN", "ENSG02.1_PAR_Y", "Y", 10, 20),
        ]
    )
    index = GeneIndex(table)
    gene = find_gene("ensg01", index)
    assert (gene.gene_name, gene.start, gene.end) == ("GENE1", 50, 500)
    assert find_gene("ENSG01.3", index) == gene
    with pytest.raises(LocusError, match="2 genes are named 'twin'"):
        find_gene("twin", index)


def test_one_search_box_takes_a_locus_or_a_gene(genome, gene_table):
    interval, gene = resolve_locus_or_gene("SNRPB", genome, gene_table)
    assert gene is not None and interval == Interval("20", gene.start, gene.end)
    assert resolve_locus_or_gene("chr20:1,000-2,000", genome, gene_table) == (
        Interval("20", 999, 2_000),
        None,
    )
    assert resolve_locus_or_gene("chr20", genome, gene_table)[0].width == CHR20_LENGTH
    with pytest.raises(GeneNotFoundError):
        resolve_locus_or_gene("NOSUCHGENE", genome, gene_table)
