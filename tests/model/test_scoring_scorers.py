"""Scorer settings: SDK names, parameters, validation and conversions."""

import pytest
from alphagenome.models import interval_scorers as sdk_interval
from alphagenome.models import variant_scorers as sdk

from model.outputs import Organism, OutputType
from model.scoring import scorers as s


def test_recommended_scorers_match_the_sdk_in_order_and_name():
    ours = list(s.RECOMMENDED_VARIANT_SCORERS.items())
    theirs = list(sdk.RECOMMENDED_VARIANT_SCORERS.items())
    assert len(ours) == 19
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    assert [str(v) for _, v in ours] == [str(v) for _, v in theirs]
    assert [v.is_signed for _, v in ours] == [v.is_signed for _, v in theirs]
    assert len(s.get_recommended_scorers(Organism.HOMO_SAPIENS)) == 19
    mouse = s.get_recommended_scorers(Organism.MUS_MUSCULUS)
    assert len(mouse) == 18 and s.PolyadenylationScorer() not in mouse


def test_interval_scorer_matches_the_sdk():
    ours = s.RECOMMENDED_INTERVAL_SCORERS["RNA_SEQ"]
    assert str(ours) == str(sdk_interval.RECOMMENDED_INTERVAL_SCORERS["RNA_SEQ"])
    assert ours.name == "GeneMaskScorer(requested_output=RNA_SEQ, width=200001, aggregation_type=MEAN)"


@pytest.mark.parametrize("aggregation", list(s.AggregationType))
@pytest.mark.parametrize("width", [None, 501, 2001, 10_001, 100_001, 200_001])
def test_every_center_mask_combination_is_valid_and_named_like_the_sdk(aggregation, width):
    ours = s.CenterMaskScorer(OutputType.DNASE, width, aggregation)
    theirs = sdk.CenterMaskScorer(
        sdk.dna_output.OutputType.DNASE, width, sdk.AggregationType[aggregation.name]
    )
    assert str(ours) == str(theirs) and ours.is_signed == theirs.is_signed
    assert aggregation.value == theirs.aggregation_type.value  # proto numbers


def test_conversions_round_trip_through_sdk_and_proto():
    every = [
        *s.RECOMMENDED_VARIANT_SCORERS.values(),
        s.GeneMaskSplicingScorer(OutputType.SPLICE_SITE_USAGE, 101),
        s.GeneMaskLFCScorer(OutputType.CAGE),
        s.RECOMMENDED_INTERVAL_SCORERS["RNA_SEQ"],
    ]
    for scorer in every:
        assert s.from_sdk(s.to_sdk(scorer)) == scorer
        assert s.from_proto(s.to_sdk(scorer).to_proto()) == scorer
        assert s.parse_scorer(str(scorer)) == scorer
    assert s.parse_scorer("rna_seq_active") == s.GeneMaskActiveScorer(OutputType.RNA_SEQ)
    assert hash(s.CenterMaskScorer("ATAC", 501, "DIFF_SUM")) == hash(
        s.CenterMaskScorer(OutputType.ATAC, 501, s.AggregationType.DIFF_SUM)
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: s.CenterMaskScorer(OutputType.ATAC, 500, s.AggregationType.DIFF_SUM), "width=500"),
        (
            lambda: s.CenterMaskScorer(OutputType.CONTACT_MAPS, 501, s.AggregationType.DIFF_SUM),
            "CONTACT_MAPS",
        ),
        (lambda: s.CenterMaskScorer(OutputType.ATAC, 501, "MEDIAN"), "aggregation_type"),
        (lambda: s.CenterMaskScorer(OutputType.ATAC, 501.0, "DIFF_SUM"), "width must be an int"),
        (lambda: s.GeneMaskLFCScorer(OutputType.CHIP_TF), "GeneMaskLFCScorer does not support"),
        (lambda: s.GeneMaskActiveScorer(OutputType.SPLICE_JUNCTIONS), "GeneMaskActiveScorer"),
        (lambda: s.GeneMaskSplicingScorer(OutputType.RNA_SEQ, None), "SPLICE_SITES"),
        (lambda: s.GeneMaskSplicingScorer(OutputType.SPLICE_SITES, 501), "supported widths: None, 101"),
        (lambda: s.GeneMaskScorer(OutputType.PROCAP, None, "MEAN"), "GeneMaskScorer"),
        (lambda: s.GeneMaskScorer(OutputType.RNA_SEQ, 101, "MEAN"), "width=101"),
        (lambda: s.parse_scorer("FancyScorer()"), "unknown scorer"),
    ],
)
def test_invalid_parameters_raise_clear_errors(build, message):
    with pytest.raises(s.ScorerError, match=message):
        build()


def test_organism_check_names_the_scorer():
    with pytest.raises(s.ScorerNotApplicableError, match="PolyadenylationScorer.*MUS_MUSCULUS"):
        s.check_organism(s.PolyadenylationScorer(), Organism.MUS_MUSCULUS)
