"""A synthetic lab data set for the training tests: FASTA, bigWigs, track table, splice tables, config."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyBigWig
import pysam

from model.config import tiny

# The tiny preset, cut to what a CPU compiles in seconds: 2 kb windows, two transformer blocks.
SEQUENCE_LENGTH = 2048
MODEL_OVERRIDES = {"sequence_length": SEQUENCE_LENGTH, "num_layers": 2, "kernels": "xla"}
CHROM = "chr1"
CHROM_LENGTH = 40_960  # train 0-32,768, validation 32,768-36,864, test 36,864-40,960
DONOR_MOTIF = "CAGGTAAGT"  # donor = the G before GT (last exonic base), offset 2
ACCEPTOR_MOTIF = "TTTTTTTTCAGG"  # acceptor = the G after AG (first exonic base), offset 11


def tiny_config():  # noqa: ANN201 - AlphaGenomeConfig
    return tiny(**MODEL_OVERRIDES)


def write_fasta(path: Path, sequence: str, chrom: str = CHROM) -> Path:
    lines = [sequence[i : i + 60] for i in range(0, len(sequence), 60)]
    path.write_text(f">{chrom}\n" + "\n".join(lines) + "\n")
    pysam.faidx(str(path))
    return path


def write_bigwig(path: Path, values: np.ndarray, chrom: str = CHROM) -> Path:
    """A bigWig with one value per base (zeros left out, as a real coverage file)."""
    bw = pyBigWig.open(str(path), "w")
    bw.addHeader([(chrom, len(values))])
    nonzero = np.flatnonzero(values)
    if len(nonzero):
        bw.addEntries(
            [chrom] * len(nonzero),
            nonzero.astype(np.int64).tolist(),
            ends=(nonzero + 1).astype(np.int64).tolist(),
            values=values[nonzero].astype(np.float64).tolist(),
        )
    bw.close()
    return path


def lab_data(directory: Path, seed: int = 0) -> dict[str, Path]:
    """Random sequence with planted splice motifs; ATAC signal that follows GC content; tables."""
    rng = np.random.default_rng(seed)
    bases = np.array(list("ACGT"))[rng.integers(0, 4, CHROM_LENGTH)]
    donors = np.arange(500, CHROM_LENGTH - 500, 997)
    acceptors = donors + 400
    for d, a in zip(donors, acceptors, strict=True):
        bases[d - 2 : d - 2 + len(DONOR_MOTIF)] = list(DONOR_MOTIF)
        bases[a - 11 : a - 11 + len(ACCEPTOR_MOTIF)] = list(ACCEPTOR_MOTIF)
    sequence = "".join(bases)
    fasta = write_fasta(directory / "genome.fa", sequence)
    gc = np.isin(bases, ["G", "C"]).astype(np.float64)
    smooth = np.convolve(gc, np.ones(50) / 50, mode="same")
    plus = rng.poisson(8.0 * smooth**3).astype(np.float64)
    minus = rng.poisson(4.0 * smooth**2).astype(np.float64)
    write_bigwig(directory / "atac_plus.bw", plus)
    write_bigwig(directory / "atac_minus.bw", minus)
    tracks = directory / "tracks.csv"
    tracks.write_text(
        "name,file,strand,output_type,ontology_term\n"
        "ATAC liver +,atac_plus.bw,+,ATAC,UBERON:0002107\n"
        "ATAC liver -,atac_minus.bw,-,atac,UBERON:0002107\n"
    )
    sites = directory / "sites.tsv"
    rows = [f"{CHROM}\t{d}\t+\tdonor" for d in donors] + [f"{CHROM}\t{a}\t+\tacceptor" for a in acceptors]
    sites.write_text("chrom\tposition\tstrand\tkind\n" + "\n".join(rows) + "\n")
    usage = directory / "usage.tsv"
    usage_rows = [f"{CHROM}\t{p}\t+\t{rng.uniform(0.5, 1):.3f}\t{rng.uniform(0, 0.5):.3f}" for p in donors]
    usage_rows += [f"{CHROM}\t{p}\t+\t{rng.uniform(0.5, 1):.3f}\t" for p in acceptors]  # liver unknown
    usage.write_text("chrom\tposition\tstrand\tbrain\tliver\n" + "\n".join(usage_rows) + "\n")
    return {"fasta": fasta, "tracks": tracks, "sites": sites, "usage": usage}


def write_config(
    directory: Path, *, steps: int, checkpoint_every: int, extra: str = "", **train: object
) -> Path:
    """A run config over `lab_data(directory)`; `train` adds or overrides `[train]` keys."""
    settings = {
        "steps": steps,
        "batch_size": 2,
        "checkpoint_every": checkpoint_every,
        "eval_every": steps,
        "eval_windows": 2,
        "eval_batch_size": 2,
        "output_dir": "run",
    } | train
    overrides = ", ".join(f"{k} = {v!r}".replace("'", '"') for k, v in MODEL_OVERRIDES.items())
    train_lines = "\n".join(f"{k} = {v!r}".replace("'", '"') for k, v in settings.items())
    text = f"""
[model]
preset = "tiny"
overrides = {{ {overrides} }}

[data]
fasta = "genome.fa"
tracks = "tracks.csv"
splice_sites = "sites.tsv"
splice_usage = "usage.tsv"
blocks = "{CHROM}"
fractions = [0.8, 0.1, 0.1]

[augment]
max_shift = 64
reverse_complement_rate = 0.5

[optimizer]
learning_rate = 2e-3
warmup_steps = 5
weight_decay = 0.0

[train]
{train_lines}
{extra}
"""
    path = directory / "run.toml"
    path.write_text(text)
    return path
