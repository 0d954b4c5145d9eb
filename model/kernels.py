"""The two contractions of the network, in the formulation that runs fastest where they run.

Most of AlphaGenome's arithmetic is in 5-wide 'SAME' convolutions over long 1-D sequences and in
dense layers applied at every base pair. On GPUs XLA's own kernels are the right choice. On CPUs
(XLA 0.10 dispatches both to YNNPACK) two reformulations of the *same* linear maps do less work
or run a faster kernel, and only change float rounding (relative differences ~1e-6 in float32):

* `winograd_conv1d` - Winograd's minimal filtering F(4, 5) (Lavin & Gray 2016): every 4
  outputs of a width-5 convolution come from 8 products instead of 20, so the channel mixing is
  8 matrix products over S/4 rows instead of one over S rows with 5x the depth: 2.5x fewer
  multiply-adds for the transform cost of a few elementwise passes.
* `dense` - `x @ w` over long sequences as a width-1 convolution, which XLA's CPU backend runs
  ~1.3x faster than the equivalent dot at these shapes (measured: 16,384 x 768 x 768).

`Kernels.AUTO` (the default of `AlphaGenomeConfig.kernels`) uses them when compiling for a CPU
in float32, on inputs long enough for them to pay off; `Kernels.XLA` always uses the plain ops.
"""

from __future__ import annotations

import enum
import functools
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import DTypeLike
from jaxtyping import Array, Float

_NWC = ("NWC", "WIO", "NWC")

# Winograd F(4, 5): 4 outputs per tile, filter width 5, tiles of 4 + 5 - 1 = 8 inputs.
WINOGRAD_OUTPUTS = 4
WINOGRAD_WIDTH = 5
# Interpolation points of the Toom-Cook construction (plus the point at infinity): small
# integers and their reciprocals keep the transforms' entries <= 16 and float32 error ~1e-6.
_POINTS = (0, 1, -1, 2, -2, Fraction(1, 2), Fraction(-1, 2))
# Below this many positions the 8 thin products lose to one direct convolution (measured on
# this 2-core CPU: 1.2x faster at 2,048 positions, 0.9x at 1,024).
WINOGRAD_MIN_LENGTH = 2048
# Dense layers over fewer rows stay plain dots (the width-1 convolution gains nothing there).
DENSE_AS_CONV_MIN_ROWS = 4096


class Kernels(enum.Enum):
    """Which formulation of convolutions and dense layers to trace."""

    AUTO = "auto"  # the CPU reformulations when compiling for a CPU in float32
    XLA = "xla"  # always lax.conv_general_dilated / dot


def cpu_float32(kernels: Kernels, dtype: DTypeLike) -> bool:
    """True when `kernels` asks for the CPU formulations and they apply to `dtype` here."""
    return kernels is Kernels.AUTO and dtype == jnp.float32 and jax.default_backend() == "cpu"


@functools.cache
def winograd_matrices(outputs: int = WINOGRAD_OUTPUTS, width: int = WINOGRAD_WIDTH) -> tuple[np.ndarray, ...]:
    """Toom-Cook matrices `(A^T [m, a], G [a, r], B^T [a, a])` of F(m, r), float64.

    A correlation `y[j] = sum_k g[k] d[j + k]` (j < m, k < r) of an input tile `d [a]` equals
    `A^T ((G g) * (B^T d))`. Derived as the transpose of polynomial multiplication evaluated at
    the points `_POINTS` and infinity: `A^T = V_m^T`, `G = V_r`, `B^T = V_a^{-T}`, where `V_n`
    evaluates polynomials with n coefficients at the a points.
    """
    tile = outputs + width - 1
    points = _POINTS[: tile - 1]
    if len(points) != tile - 1:
        raise ValueError(f"F({outputs}, {width}) needs {tile - 1} finite points, have {len(_POINTS)}")

    def vandermonde(columns: int) -> np.ndarray:
        rows = [[Fraction(p) ** k for k in range(columns)] for p in points]
        rows.append([Fraction(0)] * (columns - 1) + [Fraction(1)])  # the point at infinity
        return np.array(rows, dtype=object)

    a_t = vandermonde(outputs).T.astype(np.float64)
    g = vandermonde(width).astype(np.float64)
    b_t = np.linalg.inv(vandermonde(tile).astype(np.float64)).T
    return a_t, g, b_t


def _combine(coefficients: np.ndarray, terms: list[Array]) -> list[Array]:
    """`out[i] = sum_j coefficients[i, j] * terms[j]`, unrolled so XLA fuses it elementwise."""
    out = []
    for row in coefficients:
        total = None
        for c, term in zip(row, terms, strict=True):
            if abs(c) < 1e-12:
                continue
            scaled = term if c == 1.0 else (-term if c == -1.0 else jnp.asarray(c, term.dtype) * term)
            total = scaled if total is None else total + scaled
        out.append(total)
    return out


def pointwise(x: Float[Array, "N I"], w: Float[Array, "I O"]) -> Float[Array, "N O"]:
    """`x @ w` as a width-1 convolution (a faster kernel than the dot on XLA's CPU backend)."""
    y = jax.lax.conv_general_dilated(x[None], w[None], (1,), "VALID", dimension_numbers=_NWC)
    return y[0]


def direct_conv1d(x: Float[Array, "B S I"], w: Float[Array, "W I O"]) -> Float[Array, "B S O"]:
    """'SAME' 1-D convolution (cross-correlation, as `hk.Conv1D`), XLA's own kernel."""
    return jax.lax.conv_general_dilated(x, w, window_strides=(1,), padding="SAME", dimension_numbers=_NWC)


def winograd_kernel(w: Float[Array, "5 I O"]) -> Float[Array, "8 I O"]:
    """`G w`: a width-5 kernel in Winograd's domain (compute it once when the weights are fixed)."""
    _, g, _ = winograd_matrices()
    return jnp.stack(_combine(g, list(w)))


def winograd_conv1d(
    x: Float[Array, "B S I"],
    w: Float[Array, "W I O"] | None = None,
    *,
    transformed: Float[Array, "8 I O"] | None = None,
) -> Float[Array, "B S O"]:
    """The same 'SAME' width-5 convolution as `direct_conv1d`, by Winograd F(4, 5) (needs W = 5).

    Tiles of 8 inputs (stride 4) are transformed by `B^T`, the kernel by `G` (`[8, I, O]`, or
    `transformed = winograd_kernel(w)` when given), channels are mixed by 8 products
    `[B*S/4, I] @ [I, O]`, and `A^T` folds each tile back to 4 outputs. Requires `S % 4 == 0`.
    """
    batch, length, channels = x.shape
    m = WINOGRAD_OUTPUTS
    if transformed is None:
        if w is None or w.shape[0] != WINOGRAD_WIDTH:
            raise ValueError(f"F(4, 5) needs a width-5 kernel, got {None if w is None else w.shape}")
        transformed = winograd_kernel(w)
    if length % m:
        raise ValueError(f"F(4, 5) needs S % 4 == 0, got S = {length}")
    a_t, _, b_t = winograd_matrices()
    tiles = length // m
    half = WINOGRAD_WIDTH // 2
    # Padded input as [B, T+1, 4, I]: tile t reads rows t (inputs 0-3) and t+1 (inputs 4-7).
    blocks = jnp.pad(x, ((0, 0), (half, half), (0, 0))).reshape(batch, tiles + 1, m, channels)
    inputs = [
        (blocks[:, :tiles, n] if n < m else blocks[:, 1:, n - m]).reshape(batch * tiles, channels)
        for n in range(b_t.shape[1])
    ]
    products = [pointwise(v, transformed[a]) for a, v in enumerate(_combine(b_t, inputs))]
    outputs = _combine(a_t, products)  # m arrays [B*T, O]
    return jnp.stack(outputs, axis=1).reshape(batch, length, transformed.shape[2])


def use_winograd(kernels: Kernels, x: Float[Array, "B S I"], width: int) -> bool:
    """Whether `conv1d` takes the Winograd path for this input and kernel width."""
    return (
        cpu_float32(kernels, x.dtype)
        and width == WINOGRAD_WIDTH
        and x.shape[1] >= WINOGRAD_MIN_LENGTH
        and x.shape[1] % WINOGRAD_OUTPUTS == 0
    )


def conv1d(
    x: Float[Array, "B S I"],
    w: Float[Array, "W I O"],
    kernels: Kernels,
    *,
    transformed: Float[Array, "8 I O"] | None = None,
) -> Float[Array, "B S O"]:
    """'SAME' 1-D convolution, by Winograd where `kernels` and the shapes allow it.

    `transformed`: `winograd_kernel(w)`, precomputed for fixed weights (else computed here).
    """
    if use_winograd(kernels, x, w.shape[0]):
        return winograd_conv1d(x, w, transformed=transformed)
    return direct_conv1d(x, w)


def dense(x: Float[Array, "... I"], w: Float[Array, "I O"], kernels: Kernels) -> Float[Array, "... O"]:
    """`x @ w`, as a width-1 convolution over long inputs where `kernels` allows it."""
    rows = int(np.prod(x.shape[:-1]))
    if cpu_float32(kernels, x.dtype) and rows >= DENSE_AS_CONV_MIN_ROWS:
        return pointwise(x.reshape(rows, x.shape[-1]), w).reshape(*x.shape[:-1], w.shape[-1])
    return x @ w
