"""SpliceAI-10k as a Flax NNX module (Jaganathan et al., Cell 2019).

Architecture, read off the `model_config` of the packaged Keras files:

    one-hot [B, L + 10000, 4]
      → 1×1 conv (4 → 32)                          ─┐ skip 1×1 conv, summed into an accumulator
      → 4 stages × 4 residual units                 │ another skip conv after each stage
          unit: BN → ReLU → conv(K, d) → BN → ReLU → conv(K, d) → + shortcut
          stages (K, d): (11, 1), (11, 4), (21, 10), (41, 25)
      → accumulator → crop 5000 each side → 1×1 conv (32 → 3) → softmax [neither, acceptor, donor]

Keras pads every conv `same` and crops 5,000 bp at the end. The receptive field of an
output base is exactly ±5,000 bp, so no cropped output ever sees that zero padding: this
port convolves `valid` instead, cropping the shortcut and the accumulator as the sequence
shrinks. Outputs are identical, intermediate layers are shorter, and an output base depends
only on the 10,001 input bases around it, which makes padding, tiling and batching of
windows of any length exact.
"""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
from flax import nnx
from jaxtyping import Array, Float


@dataclasses.dataclass(frozen=True)
class SpliceAIConfig:
    """Channel width, stage schedule and BatchNorm epsilon of a SpliceAI network.

    Attributes:
      channels: width of the residual stream (32 in SpliceAI).
      stages: `(kernel_size, dilation)` per stage, each with `units_per_stage` residual units.
      units_per_stage: residual units per stage.
      in_channels: one-hot alphabet size (A, C, G, T).
      num_classes: output classes (neither, acceptor, donor).
      bn_epsilon: BatchNorm epsilon (Keras 2 default 1e-3).
    """

    channels: int = 32
    stages: tuple[tuple[int, int], ...] = ((11, 1), (11, 4), (21, 10), (41, 25))
    units_per_stage: int = 4
    in_channels: int = 4
    num_classes: int = 3
    bn_epsilon: float = 1e-3

    def __post_init__(self) -> None:
        if self.channels <= 0 or self.units_per_stage <= 0 or not self.stages:
            raise ValueError(f"invalid SpliceAI config {self}")
        for kernel, dilation in self.stages:
            if kernel % 2 != 1 or dilation <= 0:
                raise ValueError(f"stage (kernel={kernel}, dilation={dilation}) must have an odd kernel")

    @property
    def flank(self) -> int:
        """Context bases needed on each side of an output base (5,000 for SpliceAI-10k)."""
        return sum(2 * self.units_per_stage * d * (k - 1) // 2 for k, d in self.stages)

    @classmethod
    def spliceai_10k(cls) -> SpliceAIConfig:
        """The published SpliceAI-10k (698,787 parameters, 10,000 bp of context)."""
        return cls()

    @classmethod
    def tiny(cls) -> SpliceAIConfig:
        """A small network for shape tests (flank 12 bp)."""
        return cls(channels=8, stages=((3, 1), (5, 2)), units_per_stage=2)


def _crop(x: Float[Array, "B L C"], each_side: int) -> Float[Array, "B L2 C"]:
    return x[:, each_side : x.shape[1] - each_side] if each_side else x


class ResidualUnit(nnx.Module):
    """BN → ReLU → dilated conv → BN → ReLU → dilated conv, plus the (cropped) shortcut.

    Maps `[B, L, C]` to `[B, L - 2 * dilation * (kernel - 1), C]`.
    """

    def __init__(self, channels: int, kernel: int, dilation: int, epsilon: float, rngs: nnx.Rngs) -> None:
        self.trim = dilation * (kernel - 1)  # bases lost on each side by the two valid convs
        self.norm_a = nnx.BatchNorm(channels, epsilon=epsilon, use_running_average=True, rngs=rngs)
        self.conv_a = nnx.Conv(
            channels, channels, (kernel,), kernel_dilation=(dilation,), padding="VALID", rngs=rngs
        )
        self.norm_b = nnx.BatchNorm(channels, epsilon=epsilon, use_running_average=True, rngs=rngs)
        self.conv_b = nnx.Conv(
            channels, channels, (kernel,), kernel_dilation=(dilation,), padding="VALID", rngs=rngs
        )

    def __call__(self, x: Float[Array, "B L C"]) -> Float[Array, "B L2 C"]:
        h = self.conv_a(jax.nn.relu(self.norm_a(x)))
        h = self.conv_b(jax.nn.relu(self.norm_b(h)))
        return _crop(x, self.trim) + h


class SpliceAI(nnx.Module):
    """One SpliceAI network.

    Call with one-hot DNA `[B, L + 2 * flank, 4]` (A, C, G, T; N all zeros); returns class
    probabilities `[B, L, 3]` (neither, acceptor, donor) for the central `L` bases.
    """

    def __init__(self, config: SpliceAIConfig, rngs: nnx.Rngs) -> None:
        self.config = config
        c = config.channels
        self.stem = nnx.Conv(config.in_channels, c, (1,), rngs=rngs)
        self.skips = nnx.List([nnx.Conv(c, c, (1,), rngs=rngs) for _ in range(len(config.stages) + 1)])
        self.stages = nnx.List(
            [
                nnx.List(
                    [
                        ResidualUnit(c, kernel, dilation, config.bn_epsilon, rngs)
                        for _ in range(config.units_per_stage)
                    ]
                )
                for kernel, dilation in config.stages
            ]
        )
        self.head = nnx.Conv(c, config.num_classes, (1,), rngs=rngs)

    def logits(self, x: Float[Array, "B L4 4"]) -> Float[Array, "B L 3"]:
        """Pre-softmax scores for the central `L = L4 - 2 * flank` bases."""
        x = self.stem(x)
        skip = self.skips[0](x)
        for stage, skip_conv in zip(self.stages, self.skips[1:], strict=True):
            for unit in stage:
                x = unit(x)
                skip = _crop(skip, unit.trim)
            skip = skip + skip_conv(x)
        return self.head(skip)

    def __call__(self, x: Float[Array, "B L4 4"]) -> Float[Array, "B L 3"]:
        return jax.nn.softmax(self.logits(x), axis=-1)


def count_parameters(model: nnx.Module) -> int:
    """Trainable parameters plus BatchNorm statistics, as Keras counts them (698,787 for 10k)."""
    state = nnx.state(model)
    return sum(int(np.prod(leaf.shape)) for leaf in jax.tree.leaves(state))
