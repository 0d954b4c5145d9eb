"""Configuration of the AlphaGenome network: frozen dataclasses and size presets.

`full()` reproduces the official model exactly (450,452,613 parameters, the parameter tree in
`shared/reference/alphagenome-param-tree.tsv`); `tiny()` keeps every structural feature (six
encoder stages, nine transformer blocks, five pair updates, all eleven heads, two organisms)
with narrow channels and few tracks, so a 16,384 bp input runs in seconds on a CPU and the
parameter names stay identical to the official ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from model.constants import DEFAULT_SEQUENCE_LENGTH, SEQUENCE_LENGTHS

# Padded track counts of the official heads (max over human and mouse metadata). For the junction
# head the count is the number of tissues T; its output has 2T channels (one block per strand).
OFFICIAL_HEAD_TRACKS: dict[str, int] = {
    "atac": 256,
    "dnase": 384,
    "procap": 128,
    "cage": 640,
    "rna_seq": 768,
    "chip_tf": 1664,
    "chip_histone": 1152,
    "contact_maps": 28,
    "splice_sites_classification": 5,
    "splice_sites_usage": 734,
    "splice_sites_junction": 367,
}

TINY_HEAD_TRACKS: dict[str, int] = {
    "atac": 8,
    "dnase": 8,
    "procap": 4,
    "cage": 8,
    "rna_seq": 8,
    "chip_tf": 8,
    "chip_histone": 8,
    "contact_maps": 4,
    "splice_sites_classification": 5,
    "splice_sites_usage": 8,
    "splice_sites_junction": 4,
}

COMPUTE_DTYPES = ("float32", "bfloat16")
KERNELS = ("auto", "xla")  # values of model.kernels.Kernels
NUM_DOWN_STAGES = 6  # 1 bp -> 128 bp in six max-pools after the embedder; 128 bp is hard-wired.


@dataclasses.dataclass(frozen=True)
class AlphaGenomeConfig:
    """Sizes of every block of the network.

    Attributes:
      sequence_length: default input length in bp used by summaries and demos; any multiple of
        2048 works at call time.
      base_channels: width of the DNA embedder output (1 bp), official 768.
      channel_increment: channels added by each of the six down-resolution blocks, official 128.
      embed_kernel, conv_kernel: widths of the embedder conv and of every ConvBlock conv.
      num_layers: transformer blocks; a pair update runs before every `pair_every`-th block.
      num_heads, qk_dim, v_dim: multi-query attention (num_heads queries, one shared K/V head).
      mlp_ratio: hidden width multiplier of the sequence and pair MLPs.
      logit_soft_cap: attention logits are soft-capped to +-this value.
      rope_max_position: RoPE frequency schedule length, in 128 bp bins (keep 8192 for weights).
      pair_dim: channels of the pairwise representation (2048 bp bins).
      pair_pool: 128 bp bins per pair bin (16).
      s2p_heads, s2p_dim: heads and head width of the sequence-to-pair logits.
      pos_features: central-mask relative position features (doubled by the sign).
      pos_seq_length: `seq_length` of the central mask, fixed to 8192 // 16 in the official code.
      junction_hidden: hidden width of the splice-junction head.
      junction_rope_max: RoPE max position of the junction head (bp).
      num_splice_sites: splice sites per class passed to the junction head.
      splice_site_threshold: probability below which a top-k site is treated as padding.
      num_organisms: 2 (human, mouse); keep 2 to load official weights.
      head_tracks: padded track count per head (tissues for `splice_sites_junction`).
      compute_dtype: "float32" or "bfloat16" (params always float32, as the official jmp policy).
      kernels: "auto" (Winograd convolutions and dense-as-convolution when compiling for a CPU in
        float32, see `model.kernels`) or "xla" (XLA's plain convolution and dot everywhere).
    """

    sequence_length: int = max(SEQUENCE_LENGTHS)  # 1 Mb, the official input
    base_channels: int = 768
    channel_increment: int = 128
    embed_kernel: int = 15
    conv_kernel: int = 5
    num_layers: int = 9
    pair_every: int = 2
    num_heads: int = 8
    qk_dim: int = 128
    v_dim: int = 192
    mlp_ratio: int = 2
    logit_soft_cap: float = 5.0
    rope_max_position: int = 8192
    pair_dim: int = 128
    pair_pool: int = 16
    s2p_heads: int = 32
    s2p_dim: int = 128
    pos_features: int = 32
    pos_seq_length: int = 512
    junction_hidden: int = 768
    junction_rope_max: int = 2**20
    num_splice_sites: int = 512
    splice_site_threshold: float = 0.1
    num_organisms: int = 2
    head_tracks: tuple[tuple[str, int], ...] = tuple(OFFICIAL_HEAD_TRACKS.items())
    compute_dtype: str = "float32"
    kernels: str = "auto"

    def __post_init__(self) -> None:
        positive = {
            "base_channels": self.base_channels,
            "channel_increment": self.channel_increment,
            "num_layers": self.num_layers,
            "pair_every": self.pair_every,
            "num_heads": self.num_heads,
            "qk_dim": self.qk_dim,
            "v_dim": self.v_dim,
            "mlp_ratio": self.mlp_ratio,
            "pair_dim": self.pair_dim,
            "pair_pool": self.pair_pool,
            "s2p_heads": self.s2p_heads,
            "s2p_dim": self.s2p_dim,
            "pos_features": self.pos_features,
            "junction_hidden": self.junction_hidden,
            "num_splice_sites": self.num_splice_sites,
            "num_organisms": self.num_organisms,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        for name in ("embed_kernel", "conv_kernel"):
            if getattr(self, name) % 2 == 0:
                raise ValueError(f"{name} must be odd for 'SAME' padding, got {getattr(self, name)}")
        for name in ("qk_dim", "junction_hidden"):
            if getattr(self, name) % 2:
                raise ValueError(f"{name} must be even (RoPE rotates channel pairs)")
        if self.pos_features > self.pos_seq_length:
            raise ValueError("pos_features must be <= pos_seq_length")
        if self.rope_max_position <= self.qk_dim // 2:
            raise ValueError("rope_max_position must exceed qk_dim // 2")
        if self.compute_dtype not in COMPUTE_DTYPES:
            raise ValueError(f"compute_dtype must be one of {COMPUTE_DTYPES}, got {self.compute_dtype!r}")
        if self.kernels not in KERNELS:
            raise ValueError(f"kernels must be one of {KERNELS}, got {self.kernels!r}")
        self.validate_sequence_length(self.sequence_length)
        tracks = dict(self.head_tracks)
        missing = set(OFFICIAL_HEAD_TRACKS) - set(tracks)
        unknown = set(tracks) - set(OFFICIAL_HEAD_TRACKS)
        if missing or unknown:
            raise ValueError(f"head_tracks: missing {sorted(missing)}, unknown {sorted(unknown)}")
        if tracks["splice_sites_classification"] != 5:
            raise ValueError("splice_sites_classification has exactly 5 classes")
        if any(count <= 0 for count in tracks.values()):
            raise ValueError(f"every head needs at least one track: {tracks}")

    # Derived sizes -------------------------------------------------------------------------

    @property
    def encoder_channels(self) -> tuple[int, ...]:
        """Channels at 1, 2, 4, ..., 64 bp (the U-Net skips); the last is the trunk width."""
        return tuple(self.base_channels + i * self.channel_increment for i in range(NUM_DOWN_STAGES + 1))

    @property
    def trunk_channels(self) -> int:
        """Width of the 128 bp trunk and transformer tower (official 1536)."""
        return self.encoder_channels[-1]

    @property
    def embedding_1bp_channels(self) -> int:
        return 2 * self.base_channels

    @property
    def embedding_128bp_channels(self) -> int:
        return 2 * self.trunk_channels

    def embedding_channels(self, resolution: int) -> int:
        """Channels of the sequence output embedding at `resolution` bp (1 or 128; else KeyError)."""
        return {1: self.embedding_1bp_channels, 128: self.embedding_128bp_channels}[resolution]

    @property
    def tracks(self) -> Mapping[str, int]:
        """Padded track count per head name."""
        return dict(self.head_tracks)

    @property
    def pair_resolution(self) -> int:
        return 128 * self.pair_pool

    def validate_sequence_length(self, length: int) -> None:
        """Raise ValueError unless `length` bp can go through the network."""
        if length <= 0 or length % self.pair_resolution:
            raise ValueError(
                f"sequence length must be a positive multiple of {self.pair_resolution}, got {length}"
            )

    def replace(self, **changes: object) -> AlphaGenomeConfig:
        """A copy with `changes` applied (validated again)."""
        return dataclasses.replace(self, **changes)


def full(**changes: object) -> AlphaGenomeConfig:
    """The official AlphaGenome sizes: 450,452,613 parameters, 1 Mb input."""
    return AlphaGenomeConfig().replace(**changes) if changes else AlphaGenomeConfig()


def tiny(**changes: object) -> AlphaGenomeConfig:
    """Same structure and parameter names as `full()`, narrow and few-track; 16,384 bp input."""
    config = AlphaGenomeConfig(
        sequence_length=DEFAULT_SEQUENCE_LENGTH,
        base_channels=96,
        channel_increment=16,
        num_heads=2,
        qk_dim=16,
        v_dim=24,
        pair_dim=16,
        s2p_heads=8,
        s2p_dim=16,
        pos_features=8,
        junction_hidden=16,
        num_splice_sites=32,
        head_tracks=tuple(TINY_HEAD_TRACKS.items()),
    )
    return config.replace(**changes) if changes else config


PRESETS = {"tiny": tiny, "full": full}


def preset(name: str, **changes: object) -> AlphaGenomeConfig:
    """Look a preset up by name (`tiny`, `full`)."""
    try:
        factory = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}") from None
    return factory(**changes)
