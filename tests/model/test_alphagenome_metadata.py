"""Track metadata parsed from the official textprotos (shared/reference/alphagenome-metadata/)."""

import numpy as np

from model import metadata, strand
from model.config import OFFICIAL_HEAD_TRACKS
from model.heads import HEAD_FOR_OUTPUT
from model.outputs import TRACK_METADATA_COLUMNS, Organism, OutputType


def test_padded_counts_size_the_full_heads():
    counts = metadata.padded_track_counts()
    assert {HEAD_FOR_OUTPUT[o].value: n for o, n in counts.items()} == OFFICIAL_HEAD_TRACKS


def test_real_track_totals():
    human = metadata.real_track_counts(Organism.HOMO_SAPIENS)
    mouse = metadata.real_track_counts(Organism.MUS_MUSCULUS)
    # 5,930 human / 1,128 mouse tracks (junctions counted per tissue and strand, 4 splice-site classes)
    assert sum(human.values()) == 5930 and sum(mouse.values()) == 1128
    assert human[OutputType.RNA_SEQ] == 667 and mouse[OutputType.PROCAP] == 0
    assert human[OutputType.SPLICE_JUNCTIONS] == 2 * 367 and mouse[OutputType.SPLICE_JUNCTIONS] == 2 * 90


def test_columns_and_padding():
    for output_type in OutputType:
        frame = metadata.track_metadata(output_type, Organism.HOMO_SAPIENS)
        assert set(TRACK_METADATA_COLUMNS) <= set(frame.columns)
        assert {"padding", "track_index"} <= set(frame.columns)
        # real tracks first, padding last
        padding = frame["padding"].to_numpy()
        assert not padding[: (~padding).sum()].any()
    atac = metadata.track_metadata(OutputType.ATAC, Organism.HOMO_SAPIENS)
    assert atac.loc[0, "assay_title"] == "ATAC-seq" and atac["ontology_curie"].iloc[0].startswith("CL:")
    assert (metadata.track_means(atac)[~atac["padding"]] > 0).all()


def test_strand_reindexing_is_an_involution_swapping_strands():
    frame = metadata.track_metadata(OutputType.RNA_SEQ, Organism.HOMO_SAPIENS)
    reindex = strand.strand_reindexing(frame, OutputType.RNA_SEQ)
    np.testing.assert_array_equal(reindex[reindex], np.arange(len(frame)))
    strands = frame["strand"].to_numpy()
    assert (strands[reindex][strands == "+"] == "-").all()
    assert (reindex[strands == "."] == np.flatnonzero(strands == ".")).all()


def test_ontology_selection():
    frame = metadata.track_metadata(OutputType.DNASE, Organism.HOMO_SAPIENS)
    curie = frame["ontology_curie"].iloc[0]
    rows = metadata.select_tracks(frame, OutputType.DNASE, [curie])
    assert len(rows) >= 1 and (frame["ontology_curie"].iloc[rows] == curie).all()
    splice = metadata.track_metadata(OutputType.SPLICE_SITES, Organism.HOMO_SAPIENS)
    assert metadata.select_tracks(splice, OutputType.SPLICE_SITES, [curie]).tolist() == [0, 1, 2, 3]


def test_truncated_tables_for_small_presets():
    frame = metadata.track_metadata(OutputType.SPLICE_JUNCTIONS, Organism.MUS_MUSCULUS, 4)
    assert len(frame) == 8 and frame["strand"].tolist() == ["+"] * 4 + ["-"] * 4
    assert len(metadata.track_metadata(OutputType.CAGE, Organism.HOMO_SAPIENS, 8)) == 8
