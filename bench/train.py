"""Benchmark: the model.train step on this CPU, against the forward pass alone, float32 and bfloat16.

    nice -n 10 .venv/bin/python bench/train.py [--preset tiny] [--length 16384] [--batch 2] [--steps 3]
        [--kernels xla|auto]

Times the jitted train step of `model.train.loop.compiled_steps` (forward, the spec's losses on
ATAC (2 tracks, 1 bp + 128 bp), splice-site classification and usage (4 tracks), backward, AdamW)
on random batches, and as the baseline measured in the same run the jitted evaluation step of the
same model (forward and losses, no gradient, no update). Both are timed after compilation
(reported separately), as the best of `--steps` calls, for each compute dtype (parameters stay
float32, as the official jmp policy). Prints steps/s and examples/s, the ratio train / forward
and bfloat16 / float32. The data pipeline is not timed (a batch of 2 x 16 kb from a FASTA and
bigWigs takes ~10 ms, see tests/model/test_train_data.py's windows).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jax
import numpy as np
from flax import nnx

from model.config import preset
from model.heads import HeadName
from model.model import build_model
from model.train.config import OptimizerSection
from model.train.loop import TRAINING_KERNELS, compiled_steps, install_track_means, with_tracks

HEADS = (HeadName.ATAC, HeadName.SPLICE_SITES_CLASSIFICATION, HeadName.SPLICE_SITES_USAGE)
TRACKS = {HeadName.ATAC: 2, HeadName.SPLICE_SITES_USAGE: 4}


def random_batch(batch: int, length: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    labels = np.zeros((batch, length, 5), np.float32)
    labels[..., 4] = 1.0
    sites = rng.integers(0, length, (batch, 8))
    for b in range(batch):
        labels[b, sites[b]] = np.eye(5, dtype=np.float32)[rng.integers(0, 4, 8)]
    usage = np.zeros((batch, length, 4), np.float32)
    usage[np.arange(batch)[:, None], sites, 0] = rng.uniform(0, 1, (batch, 8))
    return {
        "dna": np.eye(4, dtype=np.float32)[rng.integers(0, 4, (batch, length))],
        "organism": np.zeros((batch,), np.int32),
        "tracks/atac": rng.poisson(1.0, (batch, length, 2)).astype(np.float32),
        "splice_sites": labels,
        "splice_site_usage": usage,
    }


def time_dtype(
    preset_name: str, dtype: str, length: int, batch: int, steps: int, kernels: str
) -> dict[str, float]:
    sizes = preset(preset_name, sequence_length=length, compute_dtype=dtype, kernels=kernels)
    config = with_tracks(sizes, TRACKS)
    model = build_model(config)
    install_track_means(model, {HeadName.ATAC: np.ones(2, np.float32)})
    graphdef, *states = nnx.split(model, nnx.Param, ...)
    params, rest = states
    params, rest = jax.device_put((params, rest), jax.devices()[0])
    model.train()
    train_graphdef = nnx.graphdef(model)  # batch statistics, as `fit`
    init, train_step, eval_step = compiled_steps(
        graphdef, train_graphdef, HEADS, OptimizerSection(), 1000, ()
    )
    opt_state = jax.device_put(init(params), jax.devices()[0])
    data = random_batch(batch, length, np.random.default_rng(0))

    start = time.perf_counter()
    jax.block_until_ready(train_step(params, rest, opt_state, data))
    train_compile = time.perf_counter() - start
    start = time.perf_counter()
    jax.block_until_ready(eval_step(params, rest, data))
    eval_compile = time.perf_counter() - start
    train_times, eval_times = [], []
    for _ in range(steps):
        start = time.perf_counter()
        params, rest, opt_state, loss, _ = train_step(params, rest, opt_state, data)
        jax.block_until_ready(loss)
        train_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        jax.block_until_ready(eval_step(params, rest, data))
        eval_times.append(time.perf_counter() - start)
    return {
        "train_s": min(train_times),
        "forward_s": min(eval_times),
        "train_compile_s": train_compile,
        "forward_compile_s": eval_compile,
        "loss": float(loss),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="tiny", choices=["tiny", "full"])
    parser.add_argument("--length", type=int, default=16384)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument(
        "--kernels",
        default=TRAINING_KERNELS,
        choices=["auto", "xla"],
        help="model.kernels (training uses xla)",
    )
    args = parser.parse_args(argv)
    print(
        f"preset {args.preset}, {args.length} bp, batch {args.batch}, heads {[h.value for h in HEADS]}, "
        f"kernels {args.kernels}, jax {jax.__version__} on {jax.devices()[0].platform}",
        flush=True,
    )
    results = {}
    for dtype in args.dtypes.split(","):
        r = results[dtype] = time_dtype(args.preset, dtype, args.length, args.batch, args.steps, args.kernels)
        print(
            f"{dtype:>9}: train step {r['train_s']:6.3f} s = {1 / r['train_s']:6.3f} steps/s, "
            f"{args.batch / r['train_s']:6.2f} examples/s (compile {r['train_compile_s']:5.1f} s); "
            f"forward + loss {r['forward_s']:6.3f} s = {args.batch / r['forward_s']:6.2f} examples/s "
            f"(compile {r['forward_compile_s']:5.1f} s); "
            f"train / forward {r['train_s'] / r['forward_s']:4.2f}x",
            flush=True,
        )
    if {"float32", "bfloat16"} <= set(results):
        f32, bf16 = results["float32"], results["bfloat16"]
        print(
            f"bfloat16 / float32 step time: train {bf16['train_s'] / f32['train_s']:4.2f}x, "
            f"forward {bf16['forward_s'] / f32['forward_s']:4.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
