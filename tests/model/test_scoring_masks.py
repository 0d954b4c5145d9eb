"""Gene, exon and TSS masks on a two-gene toy annotation with both strands; strand merging; GTF."""

import gzip

import numpy as np
import pandas as pd
import pytest

from model.annotations import GENE_COLUMNS, read_annotation, read_gencode_gtf
from model.genome import Interval
from model.scoring.masks import GeneIndex, WindowGrid, strand_match
from model.scoring.results import ScoreBlock, merge_stranded_gene_tracks
from model.scoring.scorers import GeneMaskLFCScorer
from tests.model.scoring_fakes import toy_annotation


@pytest.fixture(scope="module")
def index():
    return GeneIndex(toy_annotation())


def test_exon_masks_select_genes_by_tss_in_window(index):
    # Window chr20:9,000-31,000 at 1 bp: GENE_PLUS TSSs 10,000 and 12,000; GENE_MINUS TSS 29,999.
    grid = WindowGrid("20", 9_000, 22_000, 1)  # contig alias: annotation says chr20
    masks, genes = index.exon_masks(grid)
    assert genes["gene_id"].tolist() == ["ENSG01.1", "ENSG02.3"]
    assert genes["strand"].tolist() == ["+", "-"]
    plus = np.flatnonzero(masks[:, 0]) + grid.origin
    # OR of both transcripts' exons: [10000,10500) [12000,12100) [15000,15200) [19000,20000)
    expected = np.r_[10_000:10_500, 12_000:12_100, 15_000:15_200, 19_000:20_000]
    np.testing.assert_array_equal(plus, expected)
    minus = np.flatnonzero(masks[:, 1]) + grid.origin
    np.testing.assert_array_equal(minus, np.r_[14_000:14_300, 29_000:30_000])


def test_minus_strand_tss_is_the_transcript_end(index):
    # A window holding GENE_MINUS's body start but not its TSS (29,999) does not select it.
    _, genes = index.exon_masks(WindowGrid("chr20", 13_000, 10_000, 1))
    assert genes.empty  # bodies of both genes overlap [13,000, 23,000) but no TSS lies in it
    _, genes = index.exon_masks(WindowGrid("chr20", 29_000, 2_000, 1))
    assert genes["gene_id"].tolist() == ["ENSG02.3"]


def test_masks_at_128bp_resolution(index):
    grid = WindowGrid("chr20", 8_960, 180, 128)  # bins of 128 bp from 8,960
    masks, genes = index.exon_masks(grid)
    plus = np.flatnonzero(masks[:, 0])
    # exon [10000, 10500) touches bins (10000-8960)//128 = 8 .. ceil((10500-8960)/128) = 13 (exclusive)
    assert plus[:5].tolist() == [8, 9, 10, 11, 12]
    # exon [19000, 20000) → bins (19000-8960)//128 = 78 .. ceil((20000-8960)/128) = 87 (exclusive)
    assert plus[-9:].tolist() == list(range(78, 87))
    assert 77 not in plus.tolist()


def test_body_masks_select_genes_overlapping_the_variant(index):
    grid = WindowGrid("chr20", 0, 40_000, 1)
    masks, genes = index.body_masks(grid, 15_100, 15_101)
    assert genes["gene_name"].tolist() == ["GENE_PLUS", "GENE_MINUS"]
    assert masks[:, 0].sum() == 10_000 and masks[:, 1].sum() == 16_000
    _, genes = index.body_masks(grid, 25_000, 25_001)
    assert genes["gene_name"].tolist() == ["GENE_MINUS"]
    _, genes = index.body_masks(grid, 50_500, 50_501, protein_coding=True)
    assert genes.empty  # the lncRNA is filtered
    clipped, _ = index.body_masks(WindowGrid("chr20", 25_000, 10_000, 1), 26_000, 26_001)
    assert clipped[:, 0].sum() == 5_000  # gene span clipped to the window


def test_tss_masks(index):
    masks, genes = index.tss_masks(WindowGrid("chr20", 9_000, 22_000, 1))
    assert (np.flatnonzero(masks[:, 0]) + 9_000).tolist() == [10_000, 12_000]
    assert (np.flatnonzero(masks[:, 1]) + 9_000).tolist() == [29_999]


def test_strand_match():
    got = strand_match(np.array(["+", "-"]), np.array(["+", "-", "."]))
    assert got.tolist() == [[True, False, True], [False, True, True]]


def test_merge_stranded_gene_tracks_follows_the_sdk():
    tracks = pd.DataFrame({"name": ["a", "b", "a", "b", "a", "c"], "strand": ["+", "+", "-", "-", ".", "."]})
    genes = pd.DataFrame(
        {"gene_id": ["g1", "g2"], "strand": ["+", "-"], "gene_name": ["G1", "G2"], "gene_type": "x"}
    )
    values = np.array([[1, 2, np.nan, np.nan, 5, 6], [np.nan, np.nan, 3, 4, 5, 6]], np.float32)
    block = ScoreBlock(GeneMaskLFCScorer("RNA_SEQ"), Interval("chr20", 0, 10), None, values, tracks, genes)
    merged = merge_stranded_gene_tracks(block)
    # the unstranded 'a' duplicates a stranded name and is dropped; 'c' stays
    assert merged.tracks["name"].tolist() == ["a", "b", "c"]
    assert (merged.tracks["strand"] == ".").all()
    np.testing.assert_array_equal(merged.values, [[1, 2, 6], [3, 4, 6]])
    # and it agrees with the SDK's own function on the same AnnData
    from alphagenome.models.variant_scoring_utils import merge_stranded_gene_tracks as sdk_merge

    sdk = sdk_merge(block.to_anndata())
    np.testing.assert_array_equal(sdk.X, merged.values)
    bad = ScoreBlock(block.scorer, block.interval, None, values[:, :3], tracks.iloc[:3], genes)
    with pytest.raises(ValueError, match="positive and negative tracks do not match"):
        merge_stranded_gene_tracks(bad)


def gtf_line(
    feature, start, end, strand, gene, transcript, transcript_type, tags, gene_type="protein_coding"
):
    gene_id, name = gene
    attributes = f'gene_id "{gene_id}"; gene_type "{gene_type}"; gene_name "{name}";'
    if transcript:
        attributes += f' transcript_id "{transcript}"; transcript_type "{transcript_type}"; tag "{tags}";'
    return "\t".join(["chr20", "HAVANA", feature, str(start), str(end), ".", strand, ".", attributes])


ONE, TWO = ("ENSG1.2", "ONE"), ("ENSG2.1", "TWO")
GTF = (
    "\n".join(
        [
            "#!genome-build GRCh37",
            gtf_line("gene", 101, 2000, "+", ONE, None, None, None),
            gtf_line(
                "transcript", 101, 2000, "+", ONE, "ENST1.1", "protein_coding", "basic,Ensembl_canonical"
            ),
            gtf_line("exon", 101, 200, "+", ONE, "ENST1.1", "protein_coding", "basic,Ensembl_canonical"),
            gtf_line("exon", 1001, 2000, "+", ONE, "ENST1.1", "protein_coding", "basic,Ensembl_canonical"),
            gtf_line("exon", 151, 200, "+", ONE, "ENST1.2", "retained_intron", "basic"),
            gtf_line(
                "exon", 5001, 5100, "-", TWO, "ENST2.1", "lncRNA", "Ensembl_canonical", gene_type="lncRNA"
            ),
        ]
    )
    + "\n"
)


def test_gencode_gtf_loader(tmp_path):
    path = tmp_path / "mini.gtf.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(GTF)
    table = read_gencode_gtf(path)
    assert list(table.columns) == list(GENE_COLUMNS)
    one = table.set_index("transcript_id").loc["ENST1.1"]
    assert (one["start"], one["end"], one["strand"], one["gene_name"]) == (100, 2000, "+", "ONE")
    assert one["exon_starts"].tolist() == [100, 1000] and one["exon_ends"].tolist() == [200, 2000]
    assert len(table) == 3
    assert read_gencode_gtf(path, transcript_types={"protein_coding"})["transcript_id"].tolist() == [
        "ENST1.1"
    ]
    canonical = read_gencode_gtf(path, tags={"Ensembl_canonical"})
    assert sorted(canonical["transcript_id"]) == ["ENST1.1", "ENST2.1"]
    assert read_annotation(path).equals(table)
    # the GTF table drives the same masks as SpliceAI's tables
    masks, genes = GeneIndex(table).exon_masks(WindowGrid("20", 0, 6_000, 1))
    assert genes["gene_id"].tolist() == ["ENSG1.2", "ENSG2.1"]
    assert masks[:, 0].sum() == 100 + 1000
