"""A small deterministic backend for scoring tests: a pure, translation-equivariant function of the
sequence (a 9 bp convolution of the one-hot code, then softplus), so REF passes can be shared
exactly and the scoring arithmetic can be checked without a real model."""

from __future__ import annotations

import types
from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.genome import one_hot
from model.outputs import Organism, OutputType, TrackSet

RESOLUTION = {
    OutputType.ATAC: 1,
    OutputType.CAGE: 1,
    OutputType.DNASE: 1,
    OutputType.PROCAP: 1,
    OutputType.RNA_SEQ: 1,
    OutputType.SPLICE_SITES: 1,
    OutputType.SPLICE_SITE_USAGE: 1,
    OutputType.CHIP_HISTONE: 128,
    OutputType.CHIP_TF: 128,
    OutputType.CONTACT_MAPS: 2048,
}
STRANDS = ("+", "-", ".")
JUNCTION_SITES = 6


def track_metadata(output_type: OutputType) -> pd.DataFrame:
    if output_type is OutputType.SPLICE_JUNCTIONS:
        return pd.DataFrame({"name": ["tissue_a", "tissue_b"], "gtex_tissue": ["Liver", "Brain"]})
    return (
        pd.DataFrame(
            {
                "name": [f"{output_type.name.lower()}_{i // 3}" for i in range(6)],
                "strand": [STRANDS[i % 3] for i in range(6)],
                "ontology_curie": ["UBERON:0002107"] * 6,
                "biosample_name": ["liver"] * 6,
                "Assay title": ["fake"] * 6,
            }
        )
        .iloc[[0, 3, 1, 4, 2, 5]]
        .reset_index(drop=True)
    )  # + + - - . . : stranded pairs in matching order


class FakeBackend:
    """Deterministic stand-in for a model backend (see module docstring)."""

    name = "fake"
    provenance = "fake convolution (tests only)"
    weights_trained = False
    licence = "test fixture"
    supports_strand = False  # scoring windows are unstranded; the service would flip `-` ones
    context = 0
    config: dict[str, object] = {"kernel": 9}

    def __init__(self, output_types: Sequence[OutputType] | None = None, seed: int = 0) -> None:
        self.output_types = frozenset(output_types or [*RESOLUTION, OutputType.SPLICE_JUNCTIONS])
        rng = np.random.default_rng(seed)
        self.kernel = rng.normal(size=(9, 4, 6)).astype(np.float32)
        self.calls = 0
        self.sequences = 0

    def track_metadata(
        self, output_type: OutputType, organism: Organism = Organism.HOMO_SAPIENS
    ) -> pd.DataFrame:
        return track_metadata(output_type)

    def _base(self, sequence: str) -> np.ndarray:
        x = one_hot(sequence)  # [L, 4]
        padded = np.pad(x, ((4, 4), (0, 0)))
        windows = np.lib.stride_tricks.sliding_window_view(padded, 9, axis=0)  # [L, 4, 9]
        z = np.einsum("lck,kct->lt", windows, self.kernel)
        return np.log1p(np.exp(z)).astype(np.float32)  # [L, 6], positive

    def predict(
        self,
        sequences: Sequence[str],
        output_types: Sequence[OutputType],
        organism: Organism = Organism.HOMO_SAPIENS,
        ontology_terms: Sequence[str] | None = None,
        *,
        strands: Sequence[str] | None = None,
        flank: int = 0,
    ) -> list[dict[OutputType, object]]:
        self.calls += 1
        self.sequences += len(sequences)
        results = []
        for sequence in sequences:
            base = self._base(sequence)
            out: dict[OutputType, object] = {}
            for output_type in output_types:
                if output_type not in self.output_types:
                    continue
                if output_type is OutputType.SPLICE_JUNCTIONS:
                    out[output_type] = self._junctions(base)
                    continue
                res = RESOLUTION[output_type]
                values = base.reshape(len(sequence) // res, res, 6).sum(axis=1)
                if output_type is OutputType.CONTACT_MAPS:
                    values = values[:, None, :] * values[None, :, :] / 1e6
                out[output_type] = TrackSet(values, res, track_metadata(output_type), 0, self.provenance)
            results.append(out)
        return results

    def _junctions(self, base: np.ndarray) -> object:
        # Fixed site positions (window-relative) with junction values read off the signal.
        length = base.shape[0]
        sites = np.linspace(length // 8, length - length // 8, JUNCTION_SITES).astype(np.int64)
        positions = np.stack([sites, sites + 37, sites + 11, sites + 53])
        values = np.zeros((JUNCTION_SITES, JUNCTION_SITES, 4), np.float32)
        for d in range(JUNCTION_SITES):
            for a in range(JUNCTION_SITES):
                values[d, a] = base[positions[0, d], :4] * base[positions[1, a], 2:6]
        return types.SimpleNamespace(
            values=values,
            splice_site_positions=positions,
            metadata=track_metadata(OutputType.SPLICE_JUNCTIONS),
        )


class FakeGenome:
    """An in-memory genome with the `model.genome.Genome` fetch contract (N beyond the ends)."""

    def __init__(self, sequences: dict[str, str]) -> None:
        self.sequences = sequences
        self.lengths = {k: len(v) for k, v in sequences.items()}

    def fetch(self, chrom: str, start: int, end: int) -> str:
        sequence = self.sequences[chrom.removeprefix("chr")]
        inner = sequence[max(start, 0) : max(min(end, len(sequence)), 0)]
        left = min(max(-start, 0), end - start)
        return "N" * left + inner + "N" * (end - start - left - len(inner))


def random_genome(length: int = 400_000, seed: int = 1, chrom: str = "20") -> FakeGenome:
    rng = np.random.default_rng(seed)
    return FakeGenome({chrom: "".join(rng.choice(list("ACGT"), size=length))})


def toy_annotation() -> pd.DataFrame:
    """Two genes on chr20: GENE_PLUS (+, two transcripts) and GENE_MINUS (-), plus a lncRNA."""
    rows = [
        (
            "GENE_PLUS",
            "ENSG01.1",
            "ENST01",
            "protein_coding",
            "chr20",
            "+",
            10_000,
            20_000,
            [10_000, 15_000, 19_000],
            [10_500, 15_200, 20_000],
        ),
        (
            "GENE_PLUS",
            "ENSG01.1",
            "ENST01b",
            "protein_coding",
            "chr20",
            "+",
            12_000,
            20_000,
            [12_000, 19_000],
            [12_100, 20_000],
        ),
        (
            "GENE_MINUS",
            "ENSG02.3",
            "ENST02",
            "protein_coding",
            "chr20",
            "-",
            14_000,
            30_000,
            [14_000, 29_000],
            [14_300, 30_000],
        ),
        ("LNC", "ENSG03", "ENST03", "lncRNA", "chr20", "+", 50_000, 52_000, [50_000], [52_000]),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "gene_name",
            "gene_id",
            "transcript_id",
            "gene_type",
            "chrom",
            "strand",
            "start",
            "end",
            "exon_starts",
            "exon_ends",
        ],
    )
    frame["exon_starts"] = frame["exon_starts"].map(lambda v: np.array(v, np.int64))
    frame["exon_ends"] = frame["exon_ends"].map(lambda v: np.array(v, np.int64))
    return frame
