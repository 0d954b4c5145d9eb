"""Biology check: SpliceAI's top-k accuracy on annotated canonical transcripts of GRCh37 chr20.

The sample is fixed by a rule, not hand-picked: the 10 transcripts evenly spread along chr20
among those of 2-40 kb with at least 4 exons (SpliceAI's GENCODE V24lift37 canonical table).
k is the number of annotated sites of each class in the sample, as in the SpliceAI paper.
"""

from __future__ import annotations

from model.spliceai.evaluation import annotated_sites, sample_genes, top_k_accuracy
from tests.model import spliceai_support as support

SAMPLE = ["C20orf96", "ADAM33", "ZNF133", "BPIFA2", "AAR2", "WISP2", "CTSA", "CTCFL", "DIDO1", "PCMTD2"]


def test_annotated_sites_follow_the_strand() -> None:
    plus, minus = support.gene("NRSN2"), support.gene("SNRPB")
    acceptors, donors = annotated_sites(plus)
    assert list(donors) == [327_785, 330_006, 330_475] and list(acceptors) == [329_892, 330_281, 333_853]
    acceptors, donors = annotated_sites(minus)
    assert 2_443_281 in donors and 2_443_406 in acceptors and len(donors) == len(minus["exon_starts"]) - 1


def test_top_k_accuracy_on_a_fixed_sample_of_chr20_transcripts() -> None:
    genes = sample_genes(support.gene_table(), "20", n=10, min_len=2_000, max_len=40_000, min_exons=4)
    assert list(genes["gene_name"]) == SAMPLE
    result = top_k_accuracy((row for _, row in genes.iterrows()), support.genome(), support.ensemble())
    print(f"top-k: {result}")
    assert result.acceptor_sites == result.donor_sites > 80
    assert result.acceptor >= 0.90, result
    assert result.donor >= 0.90, result
