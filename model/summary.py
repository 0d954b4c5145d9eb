"""Parameter count and output shapes of a preset, via `nnx.eval_shape` (nothing is allocated).

Usage: `python -m model.summary --preset full` prints `params: 450452613`.
"""

from __future__ import annotations

import argparse
import functools
from collections import defaultdict

import jax
import jax.numpy as jnp
from flax import nnx

from model.config import AlphaGenomeConfig, preset
from model.model import abstract_model


def parameter_counts(config: AlphaGenomeConfig) -> tuple[int, int, dict[str, int]]:
    """(trainable params, `var_ema` state elements, params per top-level module)."""
    total, state_total, per_module = _parameter_counts(config)
    return total, state_total, dict(per_module)


@functools.lru_cache(maxsize=8)
def _parameter_counts(config: AlphaGenomeConfig) -> tuple[int, int, dict[str, int]]:
    model = abstract_model(config)
    params = nnx.state(model, nnx.Param)
    stats = nnx.state(model, nnx.BatchStat)
    per_module: dict[str, int] = defaultdict(int)
    for path, leaf in nnx.to_flat_state(params):
        per_module[str(path[0]) if path[0] != "head" else f"head/{path[1]}"] += int(leaf.size)
    total = sum(per_module.values())
    state_total = sum(int(leaf.size) for _, leaf in nnx.to_flat_state(stats))
    return total, state_total, dict(per_module)


def output_shapes(config: AlphaGenomeConfig, length: int | None = None) -> dict[str, tuple[int, ...]]:
    """Shapes of every prediction and embedding for a batch of one `length` bp sequence."""
    length = length or config.sequence_length
    graphdef, state = nnx.split(abstract_model(config))

    def forward(state: nnx.State, dna: jax.Array, organism: jax.Array) -> tuple[dict, object]:
        return nnx.merge(graphdef, state)(dna, organism)

    dna = jax.ShapeDtypeStruct((1, length, 4), jnp.float32)
    organism = jax.ShapeDtypeStruct((1,), jnp.int32)
    predictions, emb = jax.eval_shape(forward, state, dna, organism)
    shapes = {f"{h}/{k}": tuple(v.shape) for h, d in predictions.items() for k, v in d.items()}
    shapes.update({name: tuple(getattr(emb, name).shape) for name in ("embeddings_1bp", "embeddings_128bp")})
    shapes["embeddings_pair"] = tuple(emb.embeddings_pair.shape)
    return shapes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="tiny", choices=["tiny", "full"])
    parser.add_argument("--shapes", action="store_true", help="also print output shapes (eval_shape)")
    parser.add_argument("--length", type=int, default=None, help="input length for --shapes")
    args = parser.parse_args(argv)
    config = preset(args.preset)
    total, state_total, per_module = parameter_counts(config)
    for name, count in sorted(per_module.items()):
        print(f"  {name:40s} {count:>12,d}")
    print(f"state (var_ema): {state_total}")
    print(f"params: {total}")
    if args.shapes:
        for name, shape in output_shapes(config, args.length).items():
            print(f"  {name:50s} {shape}")


if __name__ == "__main__":
    main()
