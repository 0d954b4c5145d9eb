"""The AlphaGenome network (Flax NNX): encoder -> transformer tower -> decoder -> embeddings -> heads.

Submodule names equal the official Haiku scopes under `alphagenome/`, so `nnx.state(model)`
paths are the official parameter paths (see `model.checkpoints`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import jax.numpy as jnp
import numpy as np
from flax import nnx
from jaxtyping import Array, Float, Int

from model.attention import TransformerTower, haiku_suffix
from model.config import NUM_DOWN_STAGES, AlphaGenomeConfig
from model.convolutions import DnaEmbedder, DownResBlock, UpResBlock
from model.embeddings import Embeddings, OutputEmbedder, OutputPair
from model.heads import HeadName, Heads, top_k_splice_sites
from model.kernels import Kernels
from model.layers import Embed, OrganismIndex, pool


class SequenceEncoder(nnx.Module):
    """One-hot `[B, S, 4]` -> 128 bp trunk `[B, S/128, C]` plus pre-pool skips keyed by bin size."""

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        channels = config.encoder_channels
        kernels = Kernels(config.kernels)
        self.dna_embedder = DnaEmbedder(
            channels[0], config.embed_kernel, config.conv_kernel, kernels=kernels, rngs=rngs
        )
        for i in range(NUM_DOWN_STAGES):
            block = DownResBlock(channels[i], channels[i + 1], config.conv_kernel, kernels=kernels, rngs=rngs)
            setattr(self, f"downres_block_{i}", block)

    def __call__(self, dna: Float[Array, "B S 4"]) -> tuple[Float[Array, "B S/128 C"], dict[int, Array]]:
        skips = {}
        x = self.dna_embedder(dna)
        skips[1] = x
        x = pool(x, 2)
        for i in range(NUM_DOWN_STAGES):
            x = getattr(self, f"downres_block_{i}")(x)
            skips[2 ** (i + 1)] = x
            x = pool(x, 2)
        return x, skips


class SequenceDecoder(nnx.Module):
    """128 bp trunk + skips -> 1 bp `[B, S, C0]`, upsampling 64, 32, ..., 1 bp."""

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        channels = config.encoder_channels
        in_channels = channels[-1]
        for i, skip_index in enumerate(range(NUM_DOWN_STAGES, -1, -1)):
            skip_channels = channels[skip_index]
            block = UpResBlock(
                in_channels, skip_channels, config.conv_kernel, kernels=Kernels(config.kernels), rngs=rngs
            )
            setattr(self, f"up_res_block{haiku_suffix(i)}", block)
            in_channels = skip_channels

    def __call__(self, x: Float[Array, "B T C"], skips: Mapping[int, Array]) -> Float[Array, "B S C0"]:
        for i, bin_size in enumerate(sorted(skips, reverse=True)):
            x = getattr(self, f"up_res_block{haiku_suffix(i)}")(x, skips[bin_size])
        return x


class AlphaGenome(nnx.Module):
    """The full network.

    Call with `dna` one-hot `Float[Array, "B S 4"]` (A, C, G, T; N = zeros) and `organism`
    `OrganismIndex` (0 human, 1 mouse). Returns `(predictions, embeddings)` where predictions
    maps head names to dicts of arrays (see `model.heads`).
    """

    def __init__(self, config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        self.config = config
        trunk = config.trunk_channels
        self.sequence_encoder = SequenceEncoder(config, rngs=rngs)
        self.embed = Embed(config.num_organisms, trunk, rngs=rngs)
        self.transformer_tower = TransformerTower(config, rngs=rngs)
        self.sequence_decoder = SequenceDecoder(config, rngs=rngs)
        self.output_embedder = OutputEmbedder(trunk, config.num_organisms, rngs=rngs)
        self.output_embedder_1 = OutputEmbedder(
            config.base_channels,
            config.num_organisms,
            skip_channels=config.embedding_128bp_channels,
            kernels=Kernels(config.kernels),
            rngs=rngs,
        )
        self.output_pair = OutputPair(config.pair_dim, config.num_organisms, rngs=rngs)
        self.head = Heads(config, rngs=rngs)

    def embeddings(self, dna: Float[Array, "B S 4"], organism: OrganismIndex) -> Embeddings:
        """Trunk only: the three output embeddings."""
        self.config.validate_sequence_length(dna.shape[1])
        x = dna.astype(jnp.dtype(self.config.compute_dtype))
        trunk, skips = self.sequence_encoder(x)
        trunk = trunk + self.embed(organism)[:, None, :].astype(trunk.dtype)
        trunk, pair = self.transformer_tower(trunk)
        decoded = self.sequence_decoder(trunk, skips)
        emb_128 = self.output_embedder(trunk, organism)
        emb_1 = self.output_embedder_1(decoded, organism, emb_128)
        emb_pair = self.output_pair(pair, organism)
        return Embeddings(embeddings_1bp=emb_1, embeddings_128bp=emb_128, embeddings_pair=emb_pair)

    def __call__(
        self,
        dna: Float[Array, "B S 4"],
        organism: OrganismIndex,
        *,
        heads: Collection[HeadName] | None = None,
        track_index: Mapping[HeadName, Array] | None = None,
        splice_site_positions: Int[Array, "B 4 K"] | None = None,
    ) -> tuple[dict[str, dict[str, Array]], Embeddings]:
        """Run the trunk and the requested heads (all by default).

        Args:
          heads: which heads to run; the junction head also needs splice-site probabilities,
            computed from the classification head when `splice_site_positions` is not given.
          track_index: per head, the output columns to compute.
          splice_site_positions: `[B, 4, K]` sites for the junction head.
        """
        requested = list(HeadName) if heads is None else list(heads)
        track_index = dict(track_index or {})
        emb = self.embeddings(dna, organism)
        predictions: dict[str, dict[str, Array]] = {}
        for name in requested:
            if name is HeadName.SPLICE_SITES_JUNCTION:
                continue
            predictions[name.value] = self.head.get(name)(emb, organism, track_index.get(name))
        if HeadName.SPLICE_SITES_JUNCTION in requested:
            if splice_site_positions is None:
                probs = self.head.get(HeadName.SPLICE_SITES_CLASSIFICATION)(emb, organism)["predictions"]
                splice_site_positions = top_k_splice_sites(
                    probs, self.config.num_splice_sites, self.config.splice_site_threshold
                )
            junction = self.head.get(HeadName.SPLICE_SITES_JUNCTION)
            predictions[HeadName.SPLICE_SITES_JUNCTION.value] = junction(
                emb,
                organism,
                track_index.get(HeadName.SPLICE_SITES_JUNCTION),
                splice_site_positions=splice_site_positions,
            )
        return predictions, emb


def count_parameters(model: AlphaGenome) -> int:
    """Number of trainable parameters (excludes `var_ema` and metadata constants)."""
    return sum(int(leaf.size) for _, leaf in nnx.to_flat_state(nnx.state(model, nnx.Param)))


def abstract_model(config: AlphaGenomeConfig) -> AlphaGenome:
    """The model with `ShapeDtypeStruct` leaves (no allocation), via `nnx.eval_shape`."""
    return nnx.eval_shape(lambda: AlphaGenome(config, rngs=nnx.Rngs(0)))


ArrayFactory = Callable[[tuple[str, ...], tuple[int, ...]], np.ndarray]


def random_init(seed: int = 0) -> ArrayFactory:
    """Initial values by leaf name, drawn with numpy (eager JAX init of ~600 leaves is slow on CPU).

    Linear/conv/embedding weights: truncated normal with std 1/sqrt(fan_in) (standardized convs:
    std 1, they re-normalise); scales 1, offsets and biases 0, `var_ema` 1, track means 1.
    """
    rng = np.random.default_rng(seed)

    def truncated(shape: tuple[int, ...], std: float) -> np.ndarray:
        return (std * np.clip(rng.standard_normal(shape), -2.0, 2.0)).astype(np.float32)

    def factory(path: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
        leaf = path[-1]
        if leaf in ("scale", "var_ema", "residual_scale", "learnt_scale", "track_means", "tissue_mask"):
            return np.ones(shape, np.float32)
        if leaf in ("offset", "b", "bias", "q_r_bias", "k_r_bias"):
            return np.zeros(shape, np.float32)
        if leaf == "embeddings":
            return truncated(shape, 0.1 if "logits" in path[-2] else 1.0)
        if leaf == "w":
            if path[-2] == "standardized_conv1_d":
                return truncated(shape, 1.0)
            fan_in = shape[1] if path[-2] == "multi_organism_linear" else int(np.prod(shape[:-1]))
            return truncated(shape, 1.0 / np.sqrt(fan_in))
        raise KeyError(f"no initialiser for {'/'.join(path)}")

    return factory


def build_model(
    config: AlphaGenomeConfig, arrays: ArrayFactory | None = None, *, seed: int = 0
) -> AlphaGenome:
    """A concrete model whose every leaf comes from `arrays(path, shape)` (default `random_init(seed)`)."""
    arrays = arrays or random_init(seed)
    graphdef, state = nnx.split(abstract_model(config))
    flat = [
        (path, leaf.replace(jnp.asarray(arrays(tuple(map(str, path)), tuple(leaf.shape)), jnp.float32)))
        for path, leaf in nnx.to_flat_state(state)
    ]
    return nnx.merge(graphdef, nnx.from_flat_state(flat))
