"""Benchmark: AlphaGenome forward pass, our Flax port vs alphagenome-pytorch 0.2.8, same config and weights.

    nice -n 10 .venv/bin/python bench/model_forward.py [--preset full] [--lengths 16384,131072] [--repeats 2]

Both models get the same random weights in the official layout (each through its own
converter, as in `model.parity`), the same one-hot input (batch 1, human) and the same 64
splice sites per class for the junction head; each runs in its own process (the port first), so
neither framework's idle threads or heap touch the other; both compute every head for one organism
(the port is given human heads only, as our organism-indexed heads run one organism per
example). float32 on the CPU. Each model is prepared for inference as its own converter or
serving path does: the port's converter bakes the standardised convolution kernels into its
weights, ours bakes them once when the backend loads (`model.convolutions.bake_kernels`), and ours
uses its CPU kernels (`model.kernels`: Winograd F(4, 5) convolutions, dense layers as width-1
convolutions). Ours is timed after its jit compilation (reported separately), the port after one
warm-up call. Prints sequences/s and the ratio ours / port per length, and,
marked as not the same work, ours computing only the RNA_SEQ head (output selection, which the
port lacks) against the port's full forward.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from model.checkpoints import model_from_official
from model.config import preset
from model.constants import SEQUENCE_LENGTHS
from model.convolutions import bake_kernels
from model.heads import HeadName
from model.parity import GENOME_TRACK_HEADS, port_model, random_official_weights, random_splice_sites


def time_ours(
    config: object, params: dict, state: dict, dna: np.ndarray, sites: np.ndarray, repeats: int
) -> tuple:
    model = model_from_official(params, state, config)
    bake_kernels(model, jnp.float32)
    graphdef, weights = nnx.split(model)

    @jax.jit
    def forward(weights: nnx.State, dna: jax.Array, organism: jax.Array, sites: jax.Array) -> list[jax.Array]:
        predictions, _ = nnx.merge(graphdef, weights)(dna, organism, splice_site_positions=sites)
        out = [
            predictions[h.value][k] for h in GENOME_TRACK_HEADS for k in predictions[h.value] if "scaled" in k
        ]
        out += [
            predictions["contact_maps"]["predictions"],
            predictions["splice_sites_classification"]["logits"],
        ]
        out += [
            predictions["splice_sites_usage"]["predictions"],
            predictions["splice_sites_junction"]["predictions"],
        ]
        return out

    @jax.jit
    def rna_seq_only(weights: nnx.State, dna: jax.Array, organism: jax.Array) -> dict[str, jax.Array]:
        predictions, _ = nnx.merge(graphdef, weights)(dna, organism, heads=[HeadName.RNA_SEQ])
        return predictions[HeadName.RNA_SEQ.value]

    args = (weights, jnp.asarray(dna), jnp.zeros((1,), jnp.int32), jnp.asarray(sites))
    start = time.perf_counter()
    jax.block_until_ready(forward(*args))
    compile_s = time.perf_counter() - start
    jax.block_until_ready(rna_seq_only(*args[:3]))
    times, selected = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(forward(*args))
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        jax.block_until_ready(rna_seq_only(*args[:3]))
        selected.append(time.perf_counter() - start)
    return compile_s, min(times), min(selected)


def time_port(
    config: object, params: dict, state: dict, dna: np.ndarray, sites: np.ndarray, repeats: int
) -> tuple:
    import torch

    port = port_model(config, params, state, organisms=("human",))
    tokens = torch.from_numpy(dna.argmax(-1).astype(np.int64))
    positions = torch.from_numpy(sites.astype(np.int64))
    with torch.inference_mode():
        start = time.perf_counter()
        port(tokens, 0, splice_site_positions=positions)
        warm_s = time.perf_counter() - start
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            port(tokens, 0, splice_site_positions=positions)
            times.append(time.perf_counter() - start)
    return warm_s, min(times)


def run_side(side: str, preset_name: str, lengths: list[int], repeats: int, seed: int) -> dict[int, tuple]:
    """Time one model on every length (this process runs nothing of the other framework)."""
    config = preset(preset_name, compute_dtype="float32")
    params, state = random_official_weights(config, seed)
    results = {}
    for length in lengths:
        rng = np.random.default_rng(length)
        dna = np.eye(4, dtype=np.float32)[rng.integers(0, 4, length)][None]
        sites = random_splice_sites(length, 64, rng)
        timer = time_ours if side == "ours" else time_port
        results[length] = timer(config, params, state, dna, sites, repeats)
        gc.collect()
    return results


def in_subprocess(side: str, args: argparse.Namespace) -> dict[int, tuple]:
    """`run_side` in a fresh interpreter, so neither framework's idle threads or heap affect the other."""
    command = [sys.executable, __file__, "--side", side, "--preset", args.preset, "--lengths", args.lengths]
    command += ["--repeats", str(args.repeats), "--seed", str(args.seed)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return {int(k): tuple(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="full", choices=["tiny", "full"])
    parser.add_argument("--lengths", default=",".join(map(str, SEQUENCE_LENGTHS[:2])))  # 16 kb, 128 kb
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--side", choices=["ours", "port"], help=argparse.SUPPRESS)  # one side, JSON out
    args = parser.parse_args(argv)
    lengths = [int(x) for x in args.lengths.split(",")]
    if args.side:
        print(json.dumps(run_side(args.side, args.preset, lengths, args.repeats, args.seed)))
        return None
    import torch

    print(
        f"preset {args.preset}, float32, batch 1, CPU: jax {jax.__version__}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads); each side in its own process, the port first",
        flush=True,
    )
    port = in_subprocess("port", args)
    ours = in_subprocess("ours", args)
    for length in lengths:
        (compile_s, ours_s, selected_s), (warm_s, port_s) = ours[length], port[length]
        print(
            f"{length:>8d} bp  ours {1 / ours_s:8.3f} seq/s ({ours_s:7.2f} s/forward, "
            f"compile {compile_s:6.1f} s)  port {1 / port_s:8.3f} seq/s ({port_s:7.2f} s/forward, "
            f"first call {warm_s:6.1f} s)  "
            f"ratio ours/port {port_s / ours_s:5.2f}x",
            flush=True,
        )
        print(
            f"{length:>8d} bp  not the same work: ours with only the RNA_SEQ head (what an RNA_SEQ scorer "
            f"requests; the port has no head selection) {selected_s:7.2f} s/forward, "
            f"{port_s / selected_s:5.2f}x the port's full forward",
            flush=True,
        )
    return None


if __name__ == "__main__":
    main()
