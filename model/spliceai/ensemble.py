"""The five-model SpliceAI-10k ensemble: jit-compiled, batched, exact on windows of any length.

Every output base depends only on the 10,001 input bases centred on it (see `network.py`),
so a long region is predicted in fixed-size tiles with no seams, batches are padded with N
on the right without changing any kept output, and one REF pass over a region serves every
variant in it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx
from jaxtyping import Array, Float, Int

from model.genome import Genome, one_hot, reverse_complement
from model.outputs import OutputType
from model.spliceai.incremental import region_with_snvs
from model.spliceai.network import SpliceAI
from model.spliceai.weights import load_spliceai_models
from model.strand import reverse_complement_values

FLANK = 5000  # context bases on each side of an output base
PROVENANCE = "SpliceAI-10k (Illumina), ensemble of 5"
LICENCE = (
    "SpliceAI-10k weights © Illumina, CC BY-NC 4.0: academic and non-commercial use only; "
    "other use requires a commercial licence from Illumina."
)


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


class SpliceAIEnsemble:
    """Average of several SpliceAI networks, run as one jit-compiled function.

    Args:
      models: the networks (the five packaged SpliceAI-10k models by default).
      tile: output bases per window when a long sequence is tiled.
      length_bucket: window lengths are padded up to a multiple of this, to bound recompiles.
    """

    def __init__(
        self,
        models: Sequence[SpliceAI],
        tile: int = 8192,
        length_bucket: int = 256,
        max_batch: int = 4,
        snv_batch: int = 32,
        region_sizes: tuple[int, ...] = (128, 1024, 8192),
    ) -> None:
        if not models:
            raise ValueError("an ensemble needs at least one model")
        self.graphdef, _ = nnx.split(models[0])
        # parameters of all models stacked on a leading axis; jit compiles one model and scans
        self.stacked = jax.tree.map(lambda *leaves: jnp.stack(leaves), *(nnx.state(m) for m in models))
        self.size = len(models)
        self.flank = models[0].config.flank
        self.tile = tile
        self.length_bucket = length_bucket
        self.max_batch = max_batch
        self.snv_batch = snv_batch
        self.region_sizes = region_sizes
        self._forward = jax.jit(functools.partial(_ensemble_forward, self.graphdef))
        self._snv_forward = jax.jit(
            functools.partial(_ensemble_snv_forward, self.graphdef), static_argnames="distance"
        )

    def predict_onehot(self, x: Float[Array | np.ndarray, "B L4 4"]) -> Float[np.ndarray, "B L 3"]:
        """Mean class probabilities `[B, L4 - 2 * flank, 3]` for one-hot windows (no padding added)."""
        return np.asarray(self._forward(self.stacked, jnp.asarray(x, dtype=jnp.float32)))

    def predict_with_snvs(
        self, sequence: str, offsets: Sequence[int], alt_bases: Sequence[str], distance: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """REF over a sequence and ALT around SNVs in it, sharing the REF pass (`incremental.py`).

        Args:
          sequence: `N + 2 * flank` bases (already strand-oriented and masked).
          offsets: output index (0..N-1) of each SNV, each at least `distance` from both ends.
          alt_bases: the ALT base of each SNV, same orientation as `sequence`.
          distance: ALT outputs cover `offset ± distance`.

        Returns:
          REF `[N, 3]` and ALT `[V, 2 * distance + 1, 3]` probabilities.
        """
        n_out = len(sequence) - 2 * self.flank
        if any(not distance <= o < n_out - distance for o in offsets):
            raise ValueError(f"SNV offsets must lie in [{distance}, {n_out - distance})")
        x = np.zeros((1, self.region_bucket(n_out) + 2 * self.flank, 4), np.float32)
        x[0, : len(sequence)] = one_hot(sequence)
        x_device = jnp.asarray(x)
        # SNVs go in fixed-size groups (power of two up to `snv_batch`) to bound recompiles;
        # each group recomputes the REF pass, so regions with many SNVs want a large group.
        group = min(self.snv_batch, _batch_bucket(max(len(offsets), 1)))
        ref: np.ndarray | None = None
        alts = []
        for lo in range(0, max(len(offsets), 1), group):
            chunk = np.asarray(offsets[lo : lo + group], np.int32)
            padded_offsets = np.full(group, distance, np.int32)
            padded_offsets[: len(chunk)] = chunk
            bases = np.zeros((group, 4), np.float32)
            if len(chunk):
                bases[: len(chunk)] = one_hot("".join(alt_bases[lo : lo + group]))
            ref_probs, alt_probs = self._snv_forward(
                self.stacked, x_device, jnp.asarray(padded_offsets), jnp.asarray(bases), distance=distance
            )
            ref = np.asarray(ref_probs) if ref is None else ref
            alts.append(np.asarray(alt_probs)[: len(chunk)])
        assert ref is not None
        return ref[:n_out], np.concatenate(alts, axis=0)

    def region_bucket(self, n_out: int) -> int:
        """Padded output length of a region pass: one of a few sizes, so few compiles."""
        for size in self.region_sizes:
            if n_out <= size:
                return size
        return _round_up(n_out, self.region_sizes[-1])

    def predict_windows(self, sequences: Sequence[str]) -> list[np.ndarray]:
        """Predict several sequences of any lengths (each > 2 * flank), batched and padded.

        Returns, per sequence, probabilities `[len(seq) - 2 * flank, 3]` for its central bases.
        """
        outputs: list[np.ndarray | None] = [None] * len(sequences)
        by_length: dict[int, list[int]] = {}
        for i, seq in enumerate(sequences):
            n_out = len(seq) - 2 * self.flank
            if n_out <= 0:
                raise ValueError(f"sequence of {len(seq)} bp is shorter than the {2 * self.flank} bp context")
            by_length.setdefault(_round_up(len(seq), self.length_bucket), []).append(i)
        for padded, members in by_length.items():
            for lo in range(0, len(members), self.max_batch):
                chunk = members[lo : lo + self.max_batch]
                batch = np.zeros((_batch_bucket(len(chunk)), padded, 4), np.float32)
                for row, i in enumerate(chunk):
                    batch[row, : len(sequences[i])] = one_hot(sequences[i])
                probs = self.predict_onehot(batch)
                for row, i in enumerate(chunk):
                    outputs[i] = probs[row, : len(sequences[i]) - 2 * self.flank]
        return [o for o in outputs if o is not None]

    def predict_sequence(self, sequence: str) -> np.ndarray:
        """Probabilities `[len(sequence) - 2 * flank, 3]` for a sequence of any length, tiled."""
        n_out = len(sequence) - 2 * self.flank
        if n_out <= 0:
            raise ValueError(f"{len(sequence)} bp is shorter than the {2 * self.flank} bp context")
        # every tile has the same shape (the last one padded with N), so one compile serves all
        width = self.tile + 2 * self.flank
        padded = sequence + "N" * (_round_up(n_out, self.tile) - n_out)
        tiles = [padded[start : start + width] for start in range(0, n_out, self.tile)]
        probs = self.predict_windows(tiles)
        return np.concatenate(probs, axis=0)[:n_out]

    def predict_region(
        self,
        genome: Genome,
        chrom: str,
        start: int,
        end: int,
        strand: str = "+",
        keep: tuple[int, int] | None = None,
    ) -> np.ndarray:
        """Probabilities `[end - start, 3]` for bases `[start, end)` (0-based), forward order.

        `strand` `-` predicts the reverse complement and flips the result back, so row `i`
        is always genomic base `start + i`. Context beyond the contig ends is N; with `keep`
        `(lo, hi)` every base outside `[lo, hi)` is N too (SpliceAI masks outside the gene).
        """
        sequence = genome.fetch(chrom, start - self.flank, end + self.flank)
        if keep is not None:
            sequence = mask_outside(sequence, start - self.flank, keep)
        if strand == "-":
            return reverse_complement_values(
                OutputType.SPLICE_SITES, self.predict_sequence(reverse_complement(sequence)), None
            )
        return self.predict_sequence(sequence)


def mask_outside(sequence: str, offset: int, keep: tuple[int, int]) -> str:
    """Replace bases of `sequence` (first base at genomic `offset`) outside `[keep)` with N."""
    lo = min(max(keep[0] - offset, 0), len(sequence))
    hi = min(max(keep[1] - offset, lo), len(sequence))
    return "N" * lo + sequence[lo:hi] + "N" * (len(sequence) - hi)


def _batch_bucket(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


def _ensemble_forward(
    graphdef: nnx.GraphDef, stacked: nnx.State, x: Float[Array, "B L4 4"]
) -> Float[Array, "B L 3"]:
    # Scan over the models: one compiled model, run once per weight set. (vmap would turn
    # every conv into a grouped conv, which is slower on CPU.)
    def step(total: jax.Array, state: nnx.State) -> tuple[jax.Array, None]:
        return total + nnx.merge(graphdef, state)(x), None

    n_models = jax.tree.leaves(stacked)[0].shape[0]
    shape = (x.shape[0], x.shape[1] - 2 * _flank(graphdef, stacked), 3)
    total, _ = jax.lax.scan(step, jnp.zeros(shape, x.dtype), stacked)
    return total / n_models


def _ensemble_snv_forward(
    graphdef: nnx.GraphDef,
    stacked: nnx.State,
    x: Float[Array, "1 L4 4"],
    offsets: Int[Array, " V"],
    alt_onehot: Float[Array, "V 4"],
    distance: int,
) -> tuple[Float[Array, "N 3"], Float[Array, "V D 3"]]:
    def step(
        totals: tuple[jax.Array, jax.Array], state: nnx.State
    ) -> tuple[tuple[jax.Array, jax.Array], None]:
        ref, alt = region_with_snvs(nnx.merge(graphdef, state), x, offsets, alt_onehot, distance)
        return (totals[0] + ref, totals[1] + alt), None

    n_models = jax.tree.leaves(stacked)[0].shape[0]
    flank = _flank(graphdef, stacked)
    init = (
        jnp.zeros((x.shape[1] - 2 * flank, 3), x.dtype),
        jnp.zeros((offsets.shape[0], 2 * distance + 1, 3), x.dtype),
    )
    (ref, alt), _ = jax.lax.scan(step, init, stacked)
    return ref / n_models, alt / n_models


def _flank(graphdef: nnx.GraphDef, stacked: nnx.State) -> int:
    one = jax.tree.map(lambda leaf: leaf[0], stacked)
    return nnx.merge(graphdef, one).config.flank


_LOCK = threading.Lock()


@functools.cache
def _cached_ensemble(paths: tuple[str, ...] | None) -> SpliceAIEnsemble:
    return SpliceAIEnsemble(load_spliceai_models(list(paths) if paths else None))


def default_ensemble(paths: Sequence[str | Path] | None = None) -> SpliceAIEnsemble:
    """The packaged five-model ensemble, loaded once per process (thread-safe)."""
    key = tuple(str(p) for p in paths) if paths else None
    with _LOCK:
        return _cached_ensemble(key)
