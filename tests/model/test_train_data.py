"""The training data pipeline: folds never leak, targets follow reverse complements, tables parse."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from model.genome import Genome, Interval, reverse_complement
from model.heads import HeadName
from model.train.data import (
    BigWigTracks,
    Folds,
    SpliceLabels,
    TrainingData,
    contiguous_blocks,
    read_splice_sites,
    read_splice_usage,
    read_track_table,
    splice_sites_from_genes,
    track_heads,
)
from tests.model.train_support import CHROM, CHROM_LENGTH, lab_data, write_bigwig

CHR20 = 63_025_520


@dataclasses.dataclass
class RecordingGenome:
    """A SequenceSource that remembers every window it was asked for."""

    genome: Genome
    fetched: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)

    def fetch(self, chrom: str, start: int, end: int) -> str:
        self.fetched.append((chrom, start, end))
        return self.genome.fetch(chrom, start, end)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    return lab_data(tmp_path_factory.mktemp("lab"))


def training_data(lab, genome=None, **folds) -> TrainingData:
    genome = genome or Genome(lab["fasta"])
    spec = folds or contiguous_blocks(CHROM, CHROM_LENGTH)
    table = read_track_table(lab["tracks"])
    tracks = {head: (BigWigTracks(rows["file"].tolist()), rows) for head, rows in track_heads(table).items()}
    splice = SpliceLabels(read_splice_sites(lab["sites"]), read_splice_usage(lab["usage"]))
    return TrainingData(genome, Folds.from_regions(spec, {CHROM: CHROM_LENGTH}), 2048, tracks, splice)


def test_contiguous_blocks_of_chr20_tile_it_without_overlap():
    spec = contiguous_blocks("20", CHR20)
    folds = Folds.from_regions(spec, {"20": CHR20})
    regions = [folds.regions[s][0] for s in ("train", "validation", "test")]
    assert regions[0].start == 0 and regions[-1].end == CHR20
    assert all(a.end == b.start for a, b in zip(regions, regions[1:], strict=False))
    assert spec["train"] == ["20:1-50420416"]


def test_overlapping_regions_are_refused():
    with pytest.raises(ValueError, match="overlaps"):
        Folds.from_regions({"train": ["20"], "test": ["20:1000-2000"]}, {"20": CHR20})
    with pytest.raises(ValueError, match="outside"):
        Folds.from_regions({"train": ["20:1-70000000"]}, {"20": CHR20})


@pytest.mark.parametrize("margin", [0, 1024])
def test_no_window_crosses_a_fold_boundary(margin):
    # blocks of one chromosome, cut where windows would straddle them if tiling ignored the cuts
    folds = Folds.from_regions(
        {
            "train": ["20:1-1000000", "20:1500001-3000000"],
            "validation": ["20:1000001-1500000"],
            "test": ["21"],
        },
        {"20": CHR20, "21": 48_129_895},
    )
    for split in ("train", "validation", "test"):
        windows = folds.windows(split, 131_072, margin=margin)
        assert windows
        for window in windows:
            for shifted_start in (window.start - margin, window.start + margin):
                first, last = shifted_start, shifted_start + window.width - 1
                assert folds.split_of(window.chrom, first) == split
                assert folds.split_of(window.chrom, last) == split
                region = next(r for r in folds.regions[split] if r.start <= first < r.end)
                assert last < region.end  # inside the same region, not just the same split


def test_training_batches_read_only_training_sequence(lab):
    genome = RecordingGenome(Genome(lab["fasta"]))
    data = training_data(lab, genome)
    for step in range(20):
        data.train_batch(step, 4, seed=0, max_shift=64, reverse_complement_rate=0.5)
    train = data.folds.regions["train"][0]
    assert len(genome.fetched) == 80
    assert all(train.start <= start and end <= train.end for _, start, end in genome.fetched)
    genome.fetched.clear()
    list(data.eval_batches("validation", 2))
    validation = data.folds.regions["validation"][0]
    assert genome.fetched and all(validation.start <= s and e <= validation.end for _, s, e in genome.fetched)


def test_batches_are_a_function_of_seed_and_step(lab):
    data = training_data(lab)
    a = data.train_batch(7, 2, seed=3, max_shift=64, reverse_complement_rate=0.5)
    b = data.train_batch(7, 2, seed=3, max_shift=64, reverse_complement_rate=0.5)
    c = data.train_batch(8, 2, seed=3, max_shift=64, reverse_complement_rate=0.5)
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    assert not np.array_equal(a["dna"], c["dna"])
    assert a["dna"].shape == (2, 2048, 4) and a["tracks/atac"].shape == (2, 2048, 2)
    assert a["splice_sites"].shape == (2, 2048, 5) and a["splice_site_usage"].shape == (2, 2048, 4)


def test_reverse_complement_flips_sequence_and_every_target(lab):
    data = training_data(lab)
    window = Interval(CHROM, 1000, 3048, "+")  # holds the donor at 1497 and acceptor at 1897
    forward, reverse = data.example(window), data.example(window, reverse=True)
    sequence = data.genome.fetch(CHROM, 1000, 3048)
    assert np.array_equal(reverse["dna"], data.example(window)["dna"][::-1, ::-1])  # A<->T, C<->G
    assert reverse_complement(sequence)[:5] == "".join("ACGT"[i] for i in reverse["dna"][:5].argmax(1))
    # ATAC (1 bp, not DNASE: no shift): reversed, + and - tracks swapped
    np.testing.assert_array_equal(reverse["tracks/atac"], forward["tracks/atac"][::-1, ::-1])
    # the donor+ at offset 497 is a donor- at 2047 - 497 on the reverse strand
    assert forward["splice_sites"][497, 0] == 1 and reverse["splice_sites"][2047 - 497, 2] == 1
    assert reverse["splice_sites"][:, [0, 1]].sum() == 0 and reverse["splice_sites"].sum() == 2048
    # usage: brain+ / liver+ columns become brain- / liver-
    np.testing.assert_array_equal(
        reverse["splice_site_usage"][2047 - 497, 2:], forward["splice_site_usage"][497, :2]
    )


def test_unknown_usage_stays_nan_and_sites_elsewhere_are_zero(lab):
    data = training_data(lab)
    example = data.example(Interval(CHROM, 1000, 3048, "+"))
    usage = example["splice_site_usage"]
    assert np.isnan(usage[897, 1]) and usage[897, 0] > 0.5  # acceptor: brain known, liver not
    assert np.nansum(usage[:497]) == 0


def test_nonzero_mean_of_a_bigwig(tmp_path):
    values = np.zeros(CHROM_LENGTH)
    values[[5, 6, 100, 30_000]] = [2.0, 4.0, 6.0, 100.0]
    tracks = BigWigTracks([str(write_bigwig(tmp_path / "t.bw", values))])
    assert tracks.nonzero_means([Interval(CHROM, 0, 20_000, ".")]) == pytest.approx([4.0])
    np.testing.assert_array_equal(tracks.values(CHROM, 4, 8)[:, 0], [0, 2, 4, 0])
    assert BigWigTracks.nonzero_means(tracks, [Interval(CHROM, 200, 300, ".")]) == pytest.approx([1.0])


def test_track_table_checks_output_types_and_groups_by_head(tmp_path, lab):
    table = read_track_table(lab["tracks"])
    assert list(track_heads(table)) == [HeadName.ATAC]
    assert table["output_type"].tolist() == ["ATAC", "ATAC"]
    bad = tmp_path / "bad.tsv"
    bad.write_text("name\tfile\tstrand\toutput_type\tontology_term\nx\tx.bw\t+\tCONTACT_MAPS\t\n")
    with pytest.raises(ValueError, match="not trainable"):
        read_track_table(bad)


def test_splice_sites_from_a_gene_table_match_the_spliceai_evaluation():
    from model.spliceai.evaluation import annotated_sites

    genes = pd.DataFrame(
        {
            "chrom": ["20", "20"],
            "strand": ["+", "-"],
            "exon_starts": [np.array([100, 300, 500]), np.array([1000, 1200])],
            "exon_ends": [np.array([150, 350, 600]), np.array([1050, 1300])],
        }
    )
    sites = splice_sites_from_genes(genes)
    for _, gene in genes.iterrows():
        acceptors, donors = annotated_sites(gene)
        ours = sites[sites["strand"] == gene["strand"]]
        assert sorted(ours[ours["kind"] == "donor"]["position"]) == sorted(donors)
        assert sorted(ours[ours["kind"] == "acceptor"]["position"]) == sorted(acceptors)
    assert sites[sites["strand"] == "+"]["position"].tolist() == [149, 300, 349, 500]
