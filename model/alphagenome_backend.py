"""The `alphagenome` backend: our Flax AlphaGenome behind the `model.outputs.Backend` protocol.

Weights: an official or project checkpoint when `GENOMEAPP_ALPHAGENOME_CHECKPOINT` names one
(a project checkpoint carries its sizes; an official Orbax one is converted on load with the sizes
of `GENOMEAPP_ALPHAGENOME_PRESET`, default `full`); otherwise the `tiny` preset (or
the preset named by `GENOMEAPP_ALPHAGENOME_PRESET`) with RANDOM, UNTRAINED weights, reported as
such in `provenance` and `weights_trained = False`. `GENOMEAPP_ALPHAGENOME_COMPUTE_DTYPE=bfloat16`
selects the official mixed-precision policy (float32 params, bfloat16 activations; use on GPUs),
`GENOMEAPP_ALPHAGENOME_BATCH` the batch size of one jit call (default 1).

Prediction is one jit-compiled function per (output types, track-selection sizes, batch): only
the requested heads run, and inside them only the requested output columns are computed.
Negative-strand windows are handled as the official code does: the model sees the reverse
complement, outputs are flipped back along the sequence, +/- tracks swapped (by computing the
partner channel directly), DNase shifted by one base, contact maps flipped on both axes and
junction site positions mirrored with their strand groups swapped.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
from flax import nnx

from model import metadata as metadata_lib
from model.config import AlphaGenomeConfig, preset
from model.convolutions import bake_kernels
from model.genome import one_hot, reverse_complement
from model.heads import HEAD_CONFIGS, HEAD_FOR_OUTPUT, HeadName
from model.model import AlphaGenome, build_model
from model.outputs import JunctionTrackSet, Organism, OutputType, TrackSet
from model.strand import mirror_splice_sites, reverse_complement_values, strand_reindexing

CHECKPOINT_ENV = "GENOMEAPP_ALPHAGENOME_CHECKPOINT"
PRESET_ENV = "GENOMEAPP_ALPHAGENOME_PRESET"
BATCH_ENV = "GENOMEAPP_ALPHAGENOME_BATCH"
DTYPE_ENV = "GENOMEAPP_ALPHAGENOME_COMPUTE_DTYPE"  # float32 (default) or bfloat16 (the official policy)
LICENCE_RANDOM = "code Apache-2.0; random weights (no weights licence)"
LICENCE_OFFICIAL = "AlphaGenome model weights: Google DeepMind model terms (non-commercial); code Apache-2.0"


@dataclasses.dataclass(frozen=True)
class _Selection:
    """What to compute for one output type and what it means."""

    output_type: OutputType
    head: HeadName
    model_index: np.ndarray  # channels of the head to compute, forward strand
    rc_model_index: np.ndarray  # channels to compute for reverse-complemented input
    metadata: pd.DataFrame


def random_weights_provenance(preset_name: str, seed: int = 0) -> str:
    return (
        f"AlphaGenome architecture (Flax port, {preset_name} preset) with random untrained weights "
        f"(seed {seed}) - not biological predictions"
    )


class AlphaGenomeBackend:
    """AlphaGenome (Flax NNX port) predicting all eleven output types."""

    name = "alphagenome"
    supports_strand = True
    context = 0  # the window is all the model sees

    def __init__(
        self,
        model: AlphaGenome,
        *,
        provenance: str,
        weights_trained: bool,
        licence: str,
        batch_size: int = 1,
    ) -> None:
        self.model = model
        self.config: AlphaGenomeConfig = model.config
        self.provenance = provenance
        self.weights_trained = weights_trained
        self.licence = licence
        self.batch_size = batch_size
        self.output_types = frozenset(OutputType)
        self._install_metadata_constants()
        bake_kernels(model, jnp.dtype(self.config.compute_dtype))  # weights are fixed from here on
        self._graphdef, self._state = nnx.split(model)
        self._jitted = jax.jit(self._forward, static_argnames=("heads",))

    # Construction -------------------------------------------------------------------------

    @classmethod
    def from_environment(cls) -> AlphaGenomeBackend:
        """Checkpoint from `GENOMEAPP_ALPHAGENOME_CHECKPOINT`, else random weights (tiny preset)."""
        batch_size = int(os.environ.get(BATCH_ENV, "1"))
        compute_dtype = os.environ.get(DTYPE_ENV) or None
        checkpoint = os.environ.get(CHECKPOINT_ENV)
        if checkpoint:
            from model.checkpoints import load

            loaded = load(
                checkpoint, compute_dtype=compute_dtype, preset_name=os.environ.get(PRESET_ENV) or "full"
            )
            licence = LICENCE_OFFICIAL if loaded.weights_trained else LICENCE_RANDOM
            provenance = f"AlphaGenome architecture (Flax port), {loaded.provenance}"
            return cls(
                loaded.model,
                provenance=provenance,
                weights_trained=loaded.weights_trained,
                licence=licence,
                batch_size=batch_size,
            )
        return cls.random(
            os.environ.get(PRESET_ENV) or "tiny",
            batch_size=batch_size,
            compute_dtype=compute_dtype or "float32",
        )

    @classmethod
    def random(
        cls, preset_name: str = "tiny", *, seed: int = 0, batch_size: int = 1, compute_dtype: str = "float32"
    ) -> AlphaGenomeBackend:
        """Random, untrained weights: shapes and plumbing only, NOT biology."""
        model = build_model(preset(preset_name, compute_dtype=compute_dtype), seed=seed)
        return cls(
            model,
            provenance=random_weights_provenance(preset_name, seed),
            weights_trained=False,
            licence=LICENCE_RANDOM,
            batch_size=batch_size,
        )

    def _head_tracks(self, output_type: OutputType) -> int:
        return self.config.tracks[HEAD_FOR_OUTPUT[output_type].value]

    def _full_metadata(self, output_type: OutputType, organism: Organism) -> pd.DataFrame:
        """All head channels' metadata (padding included), trimmed to this config's head width."""
        frame = metadata_lib.track_metadata(output_type, organism)
        width = self._head_tracks(output_type)
        if output_type is OutputType.SPLICE_JUNCTIONS:
            tissues = len(frame) // 2
            return metadata_lib.track_metadata(output_type, organism, min(width, tissues))
        return metadata_lib.track_metadata(output_type, organism, min(width, len(frame)))

    def _install_metadata_constants(self) -> None:
        """Per-organism `nonzero_mean` track scales and the junction tissue mask, from metadata."""
        organisms = sorted(metadata_lib.ORGANISM_INDEX, key=metadata_lib.ORGANISM_INDEX.__getitem__)
        means = {}
        for name, config in HEAD_CONFIGS.items():
            if config.resolutions:
                width = self.config.tracks[name.value]
                rows = []
                for organism in organisms:
                    values = np.ones(width, np.float32)
                    frame_means = metadata_lib.track_means(self._full_metadata(config.output_type, organism))
                    values[: len(frame_means)] = frame_means
                    rows.append(values)
                means[name.value] = np.stack(rows)
        tissues = self.config.tracks[HeadName.SPLICE_SITES_JUNCTION.value]
        mask = np.zeros((len(organisms), tissues), np.float32)
        for i, organism in enumerate(organisms):
            mask[i, : len(self._full_metadata(OutputType.SPLICE_JUNCTIONS, organism)) // 2] = 1.0
        self.model.head.set_constants({k: jnp.asarray(v) for k, v in means.items()}, jnp.asarray(mask))

    # Protocol -----------------------------------------------------------------------------

    def track_metadata(self, output_type: OutputType, organism: Organism) -> pd.DataFrame:
        """The tracks this backend returns for `output_type` (padding removed), in output order."""
        frame = self._full_metadata(output_type, organism)
        return frame[~frame["padding"]].reset_index(drop=True)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one backend per process
    def _selection(
        self, output_type: OutputType, organism: Organism, terms: tuple[str, ...] | None
    ) -> _Selection:
        frame = self._full_metadata(output_type, organism)
        rows = metadata_lib.select_tracks(frame, output_type, list(terms) if terms is not None else None)
        reindex = strand_reindexing(frame, output_type)
        head = HEAD_FOR_OUTPUT[output_type]
        if output_type is OutputType.SPLICE_JUNCTIONS:
            tissues = np.unique(rows % (len(frame) // 2)).astype(np.int32)
            half = len(frame) // 2
            rows = np.concatenate([tissues, tissues + half]).astype(np.int32)
            return _Selection(output_type, head, tissues, tissues, frame.iloc[rows].reset_index(drop=True))
        return _Selection(
            output_type,
            head,
            rows.astype(np.int32),
            reindex[rows].astype(np.int32),
            frame.iloc[rows].reset_index(drop=True),
        )

    def _forward(
        self,
        state: nnx.State,
        dna: jax.Array,
        organism: jax.Array,
        track_index: dict[str, jax.Array],
        heads: tuple[str, ...],
    ) -> dict[str, dict[str, jax.Array]]:
        model = nnx.merge(self._graphdef, state)
        names = [HeadName(h) for h in heads]
        index = {HeadName(k): v for k, v in track_index.items()}
        predictions, _ = model(dna, organism, heads=names, track_index=index)
        out = {}
        for name in names:
            config = HEAD_CONFIGS[name]
            result = {"values": predictions[name.value][config.prediction_key]}
            if name is HeadName.SPLICE_SITES_JUNCTION:
                result["positions"] = predictions[name.value]["splice_site_positions"]
            out[name.value] = result
        return out

    def predict_arrays(
        self,
        dna: np.ndarray,
        output_types: Sequence[OutputType],
        organism: Organism = Organism.HOMO_SAPIENS,
        ontology_terms: Sequence[str] | None = None,
        negative_strand: bool = False,
    ) -> tuple[dict[OutputType, dict[str, np.ndarray]], dict[OutputType, pd.DataFrame]]:
        """One-hot `[B, S, 4]` (already reverse-complemented when `negative_strand`) -> arrays.

        Returns per output type `{"values": [B, ...], ("positions": [B, 4, K])}` in forward-strand
        coordinates, and the metadata of the returned channels.
        """
        terms = tuple(sorted(ontology_terms)) if ontology_terms is not None else None
        selections = [self._selection(o, organism, terms) for o in dict.fromkeys(output_types)]
        heads = tuple(sorted({s.head.value for s in selections}))
        track_index = {
            s.head.value: jnp.asarray(s.rc_model_index if negative_strand else s.model_index)
            for s in selections
        }
        organism_index = jnp.full((dna.shape[0],), metadata_lib.ORGANISM_INDEX[organism], jnp.int32)
        raw = self._jitted(
            self._state, jnp.asarray(dna, jnp.float32), organism_index, track_index, heads=heads
        )
        results = {}
        for selection in selections:
            arrays = {
                k: np.asarray(v, np.float32 if k == "values" else np.int32)
                for k, v in raw[selection.head.value].items()
            }
            if negative_strand:
                arrays = _reverse_complement_outputs(selection, arrays, dna.shape[1])
            results[selection.output_type] = arrays
        return results, {s.output_type: s.metadata for s in selections}

    def predict(
        self,
        sequences: Sequence[str],
        output_types: Sequence[OutputType],
        organism: Organism = Organism.HOMO_SAPIENS,
        ontology_terms: Sequence[str] | None = None,
        *,
        strands: Sequence[str] | None = None,
        flank: int = 0,
        starts: Sequence[int] | None = None,
    ) -> list[dict[OutputType, TrackSet]]:
        """Predict forward-strand sequences (same length, multiple of 2048 bp).

        Args:
          flank: must be 0 (`context` is 0: the window is all the model reads).
          strands: per sequence, "-" to predict the reverse-complement strand as the official
            `predict_interval` does for negative-strand intervals (inputs stay forward-strand).
          starts: genomic start of each window, copied to `TrackSet.start`.
        """
        if flank:
            raise ValueError(f"{self.name} reads no context beyond its window (flank {flank} given)")
        if not sequences:
            return []
        lengths = {len(s) for s in sequences}
        if len(lengths) != 1:
            raise ValueError(f"sequences must have one length, got {sorted(lengths)}")
        self.config.validate_sequence_length(lengths.pop())
        unknown = set(output_types) - self.output_types
        if unknown:
            raise ValueError(f"unsupported output types {sorted(o.name for o in unknown)}")
        strands = list(strands) if strands is not None else ["+"] * len(sequences)
        starts = list(starts) if starts is not None else [0] * len(sequences)
        results: list[dict[OutputType, TrackSet] | None] = [None] * len(sequences)
        for negative in (False, True):
            members = [i for i, strand in enumerate(strands) if (strand == "-") == negative]
            for chunk_start in range(0, len(members), self.batch_size):
                chunk = members[chunk_start : chunk_start + self.batch_size]
                batch = [reverse_complement(sequences[i]) if negative else sequences[i] for i in chunk]
                dna = np.stack([one_hot(s) for s in batch])
                if len(chunk) < self.batch_size:  # pad to a fixed batch: one compilation
                    pad = np.zeros((self.batch_size - len(chunk), *dna.shape[1:]), np.float32)
                    dna = np.concatenate([dna, pad])
                arrays, frames = self.predict_arrays(dna, output_types, organism, ontology_terms, negative)
                for row, i in enumerate(chunk):
                    results[i] = {o: self._track_set(o, arrays[o], frames[o], row, starts[i]) for o in arrays}
        return [r for r in results if r is not None]

    def _track_set(
        self,
        output_type: OutputType,
        arrays: dict[str, np.ndarray],
        frame: pd.DataFrame,
        row: int,
        start: int,
    ) -> TrackSet:
        resolution = HEAD_CONFIGS[HEAD_FOR_OUTPUT[output_type]].output_resolution
        if output_type is OutputType.SPLICE_JUNCTIONS:
            return JunctionTrackSet(
                values=arrays["values"][row],
                resolution=resolution,
                metadata=frame,
                start=start,
                provenance=self.provenance,
                splice_site_positions=arrays["positions"][row],
            )
        return TrackSet(
            values=arrays["values"][row],
            resolution=resolution,
            metadata=frame,
            start=start,
            provenance=self.provenance,
        )


def _reverse_complement_outputs(
    selection: _Selection, arrays: dict[str, np.ndarray], length: int
) -> dict[str, np.ndarray]:
    """Batched predictions `[B, ...]` on reverse-complemented input, on forward coordinates.

    The `+`/`-` partner channels were computed directly (`rc_model_index`), except for junctions,
    whose tissue blocks swap here; `model.strand` does the rest, as the official code does.
    """
    output_type = selection.output_type
    reindex = (
        strand_reindexing(selection.metadata, output_type)
        if output_type is OutputType.SPLICE_JUNCTIONS
        else None
    )
    flipped = {"values": reverse_complement_values(output_type, arrays["values"], reindex)}
    if "positions" in arrays:
        flipped["positions"] = mirror_splice_sites(arrays["positions"], length)
    return flipped
