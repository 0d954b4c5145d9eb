"""Output heads of AlphaGenome: a registry (enum + config + factory) and one base class.

Every head reads the output embeddings through an organism-specific linear layer
(`multi_organism_linear/{w (org, in, out), b (org, out)}`). Heads accept an optional
`track_index` (`Int[Array, "T'"]`): only those output columns are computed, so tracks that
nobody asked for are never materialised.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from typing import ClassVar

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike
from jaxtyping import Array, Float, Int

from model.attention import rope_inverse_frequencies, rotate_pairs
from model.config import AlphaGenomeConfig
from model.embeddings import Embeddings
from model.kernels import Kernels, dense
from model.layers import OrganismIndex, TrackIndex, truncated_normal
from model.outputs import OutputType

SOFT_CLIP_VALUE = 10.0


class HeadConstant(nnx.Variable):
    """Per-organism constants derived from track metadata (track means, track masks).

    Not trained and not part of the official checkpoint: set from metadata at load time.
    """


class HeadType(enum.Enum):
    GENOME_TRACKS = "genome_tracks"
    CONTACT_MAPS = "contact_maps"
    SPLICE_SITES_CLASSIFICATION = "splice_sites_classification"
    SPLICE_SITES_USAGE = "splice_sites_usage"
    SPLICE_SITES_JUNCTION = "splice_sites_junction"


class HeadName(enum.Enum):
    """The eleven heads; values are the official Haiku module names under `alphagenome/head/`."""

    ATAC = "atac"
    DNASE = "dnase"
    PROCAP = "procap"
    CAGE = "cage"
    RNA_SEQ = "rna_seq"
    CHIP_TF = "chip_tf"
    CHIP_HISTONE = "chip_histone"
    CONTACT_MAPS = "contact_maps"
    SPLICE_SITES_CLASSIFICATION = "splice_sites_classification"
    SPLICE_SITES_USAGE = "splice_sites_usage"
    SPLICE_SITES_JUNCTION = "splice_sites_junction"


@dataclasses.dataclass(frozen=True)
class HeadConfig:
    """Static description of a head.

    Attributes:
      resolutions: bp resolutions a genome-track head predicts (1 and/or 128).
      output_resolution: the resolution the API returns for this output type (2048 for pairs).
      prediction_key: key of the head's output dict that the API returns.
    """

    name: HeadName
    type: HeadType
    output_type: OutputType
    output_resolution: int
    prediction_key: str
    resolutions: tuple[int, ...] = ()
    apply_squashing: bool = False


def _tracks(
    name: HeadName, output: OutputType, resolutions: tuple[int, ...], squash: bool = False
) -> HeadConfig:
    res = min(resolutions)
    return HeadConfig(name, HeadType.GENOME_TRACKS, output, res, f"predictions_{res}bp", resolutions, squash)


HEAD_CONFIGS: dict[HeadName, HeadConfig] = {
    HeadName.ATAC: _tracks(HeadName.ATAC, OutputType.ATAC, (1, 128)),
    HeadName.DNASE: _tracks(HeadName.DNASE, OutputType.DNASE, (1, 128)),
    HeadName.PROCAP: _tracks(HeadName.PROCAP, OutputType.PROCAP, (1, 128)),
    HeadName.CAGE: _tracks(HeadName.CAGE, OutputType.CAGE, (1, 128)),
    HeadName.RNA_SEQ: _tracks(HeadName.RNA_SEQ, OutputType.RNA_SEQ, (1, 128), squash=True),
    HeadName.CHIP_TF: _tracks(HeadName.CHIP_TF, OutputType.CHIP_TF, (128,)),
    HeadName.CHIP_HISTONE: _tracks(HeadName.CHIP_HISTONE, OutputType.CHIP_HISTONE, (128,)),
    HeadName.CONTACT_MAPS: HeadConfig(
        HeadName.CONTACT_MAPS, HeadType.CONTACT_MAPS, OutputType.CONTACT_MAPS, 2048, "predictions"
    ),
    HeadName.SPLICE_SITES_CLASSIFICATION: HeadConfig(
        HeadName.SPLICE_SITES_CLASSIFICATION,
        HeadType.SPLICE_SITES_CLASSIFICATION,
        OutputType.SPLICE_SITES,
        1,
        "predictions",
    ),
    HeadName.SPLICE_SITES_USAGE: HeadConfig(
        HeadName.SPLICE_SITES_USAGE,
        HeadType.SPLICE_SITES_USAGE,
        OutputType.SPLICE_SITE_USAGE,
        1,
        "predictions",
    ),
    HeadName.SPLICE_SITES_JUNCTION: HeadConfig(
        HeadName.SPLICE_SITES_JUNCTION,
        HeadType.SPLICE_SITES_JUNCTION,
        OutputType.SPLICE_JUNCTIONS,
        1,
        "predictions",
    ),
}

HEAD_FOR_OUTPUT: dict[OutputType, HeadName] = {cfg.output_type: name for name, cfg in HEAD_CONFIGS.items()}


def predictions_scaling(
    x: Float[Array, "B S C"], track_means: Float[Array, "B C"], resolution: int, apply_squashing: bool
) -> Float[Array, "B S C"]:
    """Model space -> experimental units: undo the soft clip, the x^0.75 squash, the mean scaling."""
    x = jnp.where(x > SOFT_CLIP_VALUE, (x + SOFT_CLIP_VALUE) ** 2 / (4 * SOFT_CLIP_VALUE), x)
    if apply_squashing:
        x = jnp.power(x, 1.0 / 0.75)
    return x * (track_means[:, None, :] * resolution).astype(x.dtype)


def targets_scaling(
    y: Float[Array, "B S C"], track_means: Float[Array, "B C"], resolution: int, apply_squashing: bool
) -> Float[Array, "B S C"]:
    """Experimental units -> model space (inverse of `predictions_scaling`)."""
    y = y / (track_means[:, None, :] * resolution).astype(y.dtype)
    if apply_squashing:
        y = jnp.power(y, 0.75)
    return jnp.where(y > SOFT_CLIP_VALUE, 2.0 * jnp.sqrt(y * SOFT_CLIP_VALUE) - SOFT_CLIP_VALUE, y)


def _select(values: Array, track_index: TrackIndex | None) -> Array:
    return values if track_index is None else jnp.take(values, track_index, axis=-1)


def _per_organism(values: Array, organism: OrganismIndex, track_index: TrackIndex | None) -> Array:
    """`values[organism]` (`[org, ..., T] -> [B, ..., T]`), then the columns in `track_index`."""
    return _select(jnp.take(values, organism, axis=0), track_index)


class MultiOrganismLinear(nnx.Module):
    """Organism-specific dense layer: `x @ w[org] + b[org]`, accumulated in float32.

    A batch of one runs `model.kernels.dense` with its organism's weights (a width-1 convolution
    on CPUs); larger batches an einsum over per-example weights.

    Args:
      x: `Float[Array, "B ... I"]`; organism: `OrganismIndex`; track_index: optional `[T']`.
    Returns `Float[Array, "B ... O"]` (or `O = T'`) in float32.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        num_organisms: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        shape = (num_organisms, in_features, out_features)
        self.w = nnx.Param(truncated_normal(rngs, shape, 1.0 / math.sqrt(in_features)))
        self.b = nnx.Param(jnp.zeros((num_organisms, out_features), jnp.float32))
        self.kernels = kernels

    def __call__(
        self,
        x: Float[Array, "B ... I"],
        organism: OrganismIndex,
        track_index: TrackIndex | None = None,
    ) -> Float[Array, "B ... O"]:
        w = _per_organism(self.w[...], organism, track_index).astype(x.dtype)
        b = _per_organism(self.b[...], organism, track_index)
        if x.shape[0] == 1 and x.dtype == jnp.float32:
            y = dense(x, w[0], self.kernels)
        else:
            y = jnp.einsum("b...i,bij->b...j", x, w, preferred_element_type=jnp.float32)
        return y + b.reshape((b.shape[0],) + (1,) * (x.ndim - 2) + (b.shape[-1],))


class Head(nnx.Module):
    """Base class: a head maps `Embeddings` to a dict of arrays for one output type.

    By default a head is one organism-specific linear read-out (`multi_organism_linear`, one
    column per track) of the sequence embedding at its output resolution, or of the pair
    embedding (`pairwise`); subclasses say what the read-out returns (`read_out`). The
    genome-track head (a read-out per resolution) overrides `__init__` and `__call__`, the
    junction head (which reads gathered splice sites) `out_features` and `__call__`.
    """

    pairwise: ClassVar[bool] = False

    def __init__(self, config: HeadConfig, model_config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        self.config = config
        in_features = (
            model_config.pair_dim
            if self.pairwise
            else model_config.embedding_channels(config.output_resolution)
        )
        self.multi_organism_linear = MultiOrganismLinear(
            in_features,
            self.out_features(model_config),
            model_config.num_organisms,
            kernels=Kernels(model_config.kernels),
            rngs=rngs,
        )

    def out_features(self, model_config: AlphaGenomeConfig) -> int:
        """Columns of `multi_organism_linear`: the head's padded track count."""
        return model_config.tracks[self.config.name.value]

    def embedding(self, embeddings: Embeddings) -> Array:
        """The embedding the head reads."""
        if self.pairwise:
            return embeddings.embeddings_pair
        return embeddings.at_resolution(self.config.output_resolution)

    def __call__(
        self,
        embeddings: Embeddings,
        organism: OrganismIndex,
        track_index: TrackIndex | None = None,
        **kw: Array,
    ) -> dict[str, Array]:
        """`track_index` (`[T']`): compute only those output columns."""
        return self.read_out(self.embedding(embeddings), organism, track_index)

    def read_out(
        self, x: Float[Array, "B ... D"], organism: OrganismIndex, track_index: TrackIndex | None
    ) -> dict[str, Array]:
        """`{"predictions": multi_organism_linear(x)}`, no activation."""
        return {"predictions": self.multi_organism_linear(x, organism, track_index)}


class _TrackReadout(nnx.Module):
    """One resolution of a genome-track head: `softplus(MOLinear(x)) * softplus(learnt_scale[org])`."""

    def __init__(
        self,
        in_features: int,
        num_tracks: int,
        num_organisms: int,
        *,
        kernels: Kernels = Kernels.XLA,
        rngs: nnx.Rngs,
    ) -> None:
        self.multi_organism_linear = MultiOrganismLinear(
            in_features, num_tracks, num_organisms, kernels=kernels, rngs=rngs
        )
        self.learnt_scale = nnx.Param(jnp.ones((num_organisms, num_tracks), jnp.float32))

    def __call__(
        self, x: Float[Array, "B S D"], organism: OrganismIndex, track_index: TrackIndex | None
    ) -> Float[Array, "B S T"]:
        z = self.multi_organism_linear(x, organism, track_index)
        scale = _per_organism(self.learnt_scale[...], organism, track_index)
        return jax.nn.softplus(z) * jax.nn.softplus(scale)[:, None, :]


class GenomeTracksHead(Head):
    """ATAC, DNASE, PROCAP, CAGE, RNA_SEQ (1 and 128 bp) and CHIP_TF/CHIP_HISTONE (128 bp).

    Returns `scaled_predictions_{r}bp` (model space) and `predictions_{r}bp` (experimental units,
    using the per-track `nonzero_mean` of the metadata) for each resolution r: `Float[Array, "B S/r T"]`.
    """

    def __init__(self, config: HeadConfig, model_config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        # No head-level linear layer: each resolution has its own read-out.
        self.config = config
        tracks = model_config.tracks[config.name.value]
        for res in config.resolutions:
            setattr(
                self,
                f"resolution_{res}",
                _TrackReadout(
                    model_config.embedding_channels(res),
                    tracks,
                    model_config.num_organisms,
                    kernels=Kernels(model_config.kernels),
                    rngs=rngs,
                ),
            )
        self.track_means = HeadConstant(jnp.ones((model_config.num_organisms, tracks), jnp.float32))

    def __call__(
        self,
        embeddings: Embeddings,
        organism: OrganismIndex,
        track_index: TrackIndex | None = None,
        **kw: Array,
    ) -> dict[str, Array]:
        out = {}
        means = _per_organism(self.track_means[...], organism, track_index)
        for res in self.config.resolutions:
            scaled = getattr(self, f"resolution_{res}")(embeddings.at_resolution(res), organism, track_index)
            out[f"scaled_predictions_{res}bp"] = scaled
            out[f"predictions_{res}bp"] = predictions_scaling(scaled, means, res, self.config.apply_squashing)
        return out


class ContactMapsHead(Head):
    """Linear read-out of the pair embedding: `Float[Array, "B P P T"]` (no activation)."""

    pairwise = True


class SpliceSitesClassificationHead(Head):
    """Five-class splice-site softmax at 1 bp (donor+, acceptor+, donor-, acceptor-, other)."""

    def read_out(
        self, x: Float[Array, "B S D"], organism: OrganismIndex, track_index: TrackIndex | None
    ) -> dict[str, Array]:
        logits = self.multi_organism_linear(x, organism)  # the softmax needs all five classes
        probs = jax.nn.softmax(logits.astype(jnp.float32), axis=-1)
        return {"logits": _select(logits, track_index), "predictions": _select(probs, track_index)}


class SpliceSitesUsageHead(Head):
    """Sigmoid splice-site usage per tissue and strand at 1 bp, `Float[Array, "B S T"]`."""

    def read_out(
        self, x: Float[Array, "B S D"], organism: OrganismIndex, track_index: TrackIndex | None
    ) -> dict[str, Array]:
        logits = self.multi_organism_linear(x, organism, track_index)
        return {"logits": logits, "predictions": jax.nn.sigmoid(logits.astype(jnp.float32))}


def _swap_pairs(x: Float[Array, "... C"]) -> Float[Array, "... C"]:
    """`(x0, x1) -> (x1, x0)` for interleaved channel pairs."""
    return jnp.stack([x[..., 1::2], x[..., ::2]], axis=-1).reshape(x.shape)


class _JunctionSiteEmbedding(nnx.Module):
    """Per-tissue scale/offset of site embeddings, then RoPE by site position.

    Params `embeddings (org, 2*T*H)` (scale block, offset block). For site k and tissue t the
    official head computes `rope_k(scale_t * g_k + offset_t)`; RoPE is linear, so this equals
    `scale_t * (g_k cos_k) + offset_t * cos_k + swap(scale_t) * (rot(g_k) sin_k) + rot(offset_t) * sin_k`:
    four `[T, H]` tissue factors times four `[K, H]` site factors, summed. Formed as a product
    contracting those four terms (batched over H), so each factor is computed once; as a
    broadcast, XLA's CPU fusion recomputes cos and sin for every tissue (4x slower).
    """

    def __init__(self, tissues: int, hidden: int, num_organisms: int, *, rngs: nnx.Rngs) -> None:
        self.shape = (2, tissues, hidden)
        self.embeddings = nnx.Param(truncated_normal(rngs, (num_organisms, 2 * tissues * hidden), 0.1))

    def __call__(
        self,
        sites: Float[Array, "B K H"],
        positions: Int[Array, "B K"],
        organism: OrganismIndex,
        tissue_index: TrackIndex | None,
        rope_max: int,
    ) -> Float[Array, "B H T K"]:
        """`sites`: the projected 1 bp embeddings at `positions` (float32)."""
        params = jnp.take(self.embeddings[...], organism, axis=0).reshape(-1, *self.shape)
        if tissue_index is not None:
            params = jnp.take(params, tissue_index, axis=2)
        scale, offset = params[:, 0, :, None, :], params[:, 1, :, None, :]  # [B, T, 1, H]
        inv_freq = jnp.asarray(rope_inverse_frequencies(sites.shape[-1], rope_max))
        theta = jnp.repeat(positions.astype(jnp.float32)[..., None] * inv_freq, 2, axis=-1)[:, None]
        cos, sin = jnp.cos(theta), jnp.sin(theta)  # [B, 1, K, H]
        g = sites[:, None]
        site_terms = jnp.stack([g * cos, cos, rotate_pairs(g) * sin, sin], axis=-1)[:, 0]  # [B, K, H, 4]
        tissue_terms = jnp.stack([scale, offset, _swap_pairs(scale), rotate_pairs(offset)], axis=-1)[:, :, 0]
        return jnp.einsum("bthu,bkhu->bhtk", tissue_terms, site_terms)


class SpliceSitesJunctionHead(Head):
    """Donor x acceptor junction counts per tissue and strand.

    Args:
      splice_site_positions: `Int[Array, "B 4 K"]` bp indices ordered donor+, acceptor+, donor-,
        acceptor-; -1 is padding.
    Returns `predictions Float[Array, "B K K 2T"]` (+ strand block first), the positions and the mask.
    """

    def __init__(self, config: HeadConfig, model_config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        super().__init__(config, model_config, rngs=rngs)
        self.tissues = model_config.tracks[config.name.value]
        self.rope_max = model_config.junction_rope_max
        org, hidden = model_config.num_organisms, model_config.junction_hidden
        self.pos_acceptor_logits = _JunctionSiteEmbedding(self.tissues, hidden, org, rngs=rngs)
        self.pos_donor_logits = _JunctionSiteEmbedding(self.tissues, hidden, org, rngs=rngs)
        self.neg_acceptor_logits = _JunctionSiteEmbedding(self.tissues, hidden, org, rngs=rngs)
        self.neg_donor_logits = _JunctionSiteEmbedding(self.tissues, hidden, org, rngs=rngs)
        self.tissue_mask = HeadConstant(jnp.ones((org, self.tissues), jnp.float32))

    def out_features(self, model_config: AlphaGenomeConfig) -> int:
        """The sites are projected to `junction_hidden` channels, not to one column per tissue."""
        return model_config.junction_hidden

    def __call__(
        self,
        embeddings: Embeddings,
        organism: OrganismIndex,
        track_index: TrackIndex | None = None,
        *,
        splice_site_positions: Int[Array, "B 4 K"] | None = None,
        **kw: Array,
    ) -> dict[str, Array]:
        """`track_index` selects tissues (applied to both strand blocks); `splice_site_positions` is required.

        The linear projection is per position, so it runs on the 4K gathered site embeddings
        rather than on all S positions (the same values, S / 4K times less work).
        """
        if splice_site_positions is None:
            raise ValueError("the junction head needs splice_site_positions (see top_k_splice_sites)")
        sites = splice_site_positions
        batch, _, k = sites.shape
        emb = self.embedding(embeddings)
        gathered = jax.vmap(lambda e, i: jnp.take(e, i, axis=0, mode="clip"))(
            emb, sites.reshape(batch, 4 * k)
        )
        hidden = self.multi_organism_linear(gathered, organism).astype(jnp.float32).reshape(batch, 4, k, -1)
        args = (organism, track_index, self.rope_max)
        donor_p = self.pos_donor_logits(hidden[:, 0], sites[:, 0], *args)
        accept_p = self.pos_acceptor_logits(hidden[:, 1], sites[:, 1], *args)
        donor_n = self.neg_donor_logits(hidden[:, 2], sites[:, 2], *args)
        accept_n = self.neg_acceptor_logits(hidden[:, 3], sites[:, 3], *args)
        pos = jax.nn.softplus(
            jnp.einsum("bctd,bcta->bdat", donor_p, accept_p, preferred_element_type=jnp.float32)
        )
        neg = jax.nn.softplus(
            jnp.einsum("bctd,bcta->bdat", donor_n, accept_n, preferred_element_type=jnp.float32)
        )
        tissue_mask = _per_organism(self.tissue_mask[...], organism, track_index) > 0
        pos_mask = (sites[:, 0, :, None] >= 0) & (sites[:, 1, None, :] >= 0)
        neg_mask = (sites[:, 2, :, None] >= 0) & (sites[:, 3, None, :] >= 0)
        mask = jnp.concatenate(
            [
                pos_mask[..., None] & tissue_mask[:, None, None],
                neg_mask[..., None] & tissue_mask[:, None, None],
            ],
            -1,
        )
        counts = jnp.where(mask, jnp.concatenate([pos, neg], axis=-1), 0.0)
        return {"predictions": counts, "splice_site_positions": sites, "splice_junction_mask": mask}


def top_k_splice_sites(probs: Float[Array, "B S 5"], k: int, threshold: float) -> Int[Array, "B 4 K"]:
    """The k most probable sites per class (first four classes), ascending, -1 below threshold."""
    batch, length, _ = probs.shape
    per_class = jnp.swapaxes(probs[..., :4], 1, 2)  # [B, 4, S]
    take = min(k, length)
    values, positions = jax.lax.top_k(per_class, take)
    positions = jnp.where(values < threshold, jnp.inf, positions.astype(jnp.float32))
    positions = jnp.sort(positions, axis=-1)
    positions = jnp.where(jnp.isinf(positions), -1, positions).astype(jnp.int32)
    if take < k:
        positions = jnp.concatenate([positions, jnp.full((batch, 4, k - take), -1, jnp.int32)], axis=-1)
    return positions


_HEAD_CLASSES: dict[HeadType, type[Head]] = {
    HeadType.GENOME_TRACKS: GenomeTracksHead,
    HeadType.CONTACT_MAPS: ContactMapsHead,
    HeadType.SPLICE_SITES_CLASSIFICATION: SpliceSitesClassificationHead,
    HeadType.SPLICE_SITES_USAGE: SpliceSitesUsageHead,
    HeadType.SPLICE_SITES_JUNCTION: SpliceSitesJunctionHead,
}


def create_head(name: HeadName, model_config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> Head:
    """Factory: the head class of `name`'s type, sized from `model_config.head_tracks`."""
    config = HEAD_CONFIGS[name]
    return _HEAD_CLASSES[config.type](config, model_config, rngs=rngs)


class Heads(nnx.Module):
    """Container named `head` in the official tree; one attribute per head name."""

    def __init__(self, model_config: AlphaGenomeConfig, *, rngs: nnx.Rngs) -> None:
        for name in HeadName:
            setattr(self, name.value, create_head(name, model_config, rngs=rngs))

    def get(self, name: HeadName) -> Head:
        return getattr(self, name.value)

    def set_constants(
        self, track_means: Mapping[str, ArrayLike], tissue_mask: ArrayLike | None = None
    ) -> None:
        """Install metadata-derived constants: `{head: [org, T] nonzero means}`, junction `[org, T]` mask."""
        for head_name, means in track_means.items():
            head = getattr(self, head_name)
            head.track_means[...] = jnp.asarray(means, jnp.float32)
        if tissue_mask is not None:
            junction = getattr(self, HeadName.SPLICE_SITES_JUNCTION.value)
            junction.tissue_mask[...] = jnp.asarray(tissue_mask, jnp.float32)
