"""Numerical parity of our Flax AlphaGenome against code nobody here wrote, in float32.

Two references (`--reference`):

official (DeepMind's own JAX/Haiku code, `alphagenome_research` 0.2.0, the wheel in third_party/):
the official model gives its init tree, random values fill it (each RMSBatchNorm's `var_ema`
calibrated to its actual input, so activations stay O(1)), Orbax saves it as the released
checkpoints are saved and restores it as `dna_model.create()` does; `model.checkpoints.convert`
converts that directory; every output of every head of both models is compared on the same DNA,
human and mouse (`run_official_parity`). The official jmp policy (bfloat16 compute) is replaced by
float32. For a reduced preset the official modules' size literals are substituted
(`official_modules`, `OFFICIAL_LITERALS`); `full` runs the installed modules untouched.

    python -m model.parity --reference official --preset full --length 16384 [--organism 0|1]

runs the full 450 M-parameter model (CPU: ~8 GB RAM, minutes; a CUDA GPU unchanged, with
`--official-dots float32` to lift the official bf16 pin of six einsums that GPUs honour) and prints
per output the max relative error (max |ours - official| / max |official|), Pearson r, the scale
and the tolerance (`official_tolerance`). `--length 16384,131072` runs several lengths on one
checkpoint. The CI test is tests/model/test_official_parity.py (tiny preset).

port (alphagenome-pytorch 0.2.8, the default): random weights in the official layout are loaded
into our model through `model.checkpoints` and into the PyTorch port through the port's own
converter (`alphagenome_pytorch.convert.convert_checkpoint.convert_checkpoint`, which transposes,
fuses QKV and bakes the standardised convolutions); the same one-hot DNA goes through both on the
CPU; for every head output we report the max relative error and Pearson r. These random weights
give large activations (1 bp embeddings up to ~1e4), so float32 rounding (~1e-6 relative) shows
most in the sigmoid of `splice_sites_usage`, whose inputs are logits of magnitude ~1e3: its max
error (~3e-3) is an absolute sigmoid difference near logit 0. Known deviation of the port (0.2.8)
from the official code: the attention-bias block and the seq->pair outer-sum use
`torch.nn.GELU()` (exact erf) where the official code uses `jax.nn.gelu` (tanh approximation).
We follow the official code; `--port-tanh-gelu` patches the port's two GELUs to tanh to show the
residual difference is only that. `python -m model.parity --preset full --length 16384` (about
10 GB RAM, minutes on CPU); `--preset tiny` runs in seconds (CI).
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import jax
import jax.numpy as jnp
import numpy as np

from model.checkpoints import model_from_official, name_mapping
from model.config import KERNELS, AlphaGenomeConfig, preset
from model.convolutions import bake_kernels
from model.heads import HEAD_CONFIGS, HeadType
from model.model import AlphaGenome

GENOME_TRACK_HEADS = [n for n, c in HEAD_CONFIGS.items() if c.type is HeadType.GENOME_TRACKS]


def random_official_weights(
    config: AlphaGenomeConfig, seed: int = 0
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Random float32 weights for every official leaf (params and `var_ema` state).

    Scales keep activations O(1) through 9 blocks: weights ~ N(0, 1/fan_in), norm scales ~ 1,
    offsets and biases small, `var_ema` in [0.5, 1.5], junction scale/offset around 1/0.
    """
    rng = np.random.default_rng(seed)
    params, state = {}, {}
    for path, leaf in sorted(name_mapping(config).items()):
        value = random_leaf(rng, path, leaf.shape)
        (state if leaf.collection == "state" else params)[path] = value
    return params, state


def random_leaf(rng: np.random.Generator, path: str, shape: tuple[int, ...]) -> np.ndarray:
    """The random float32 value of one official leaf (`alphagenome/.../<parent>/<name>`), by its name."""
    parent, name = path.split("/")[-2:]
    normal = rng.standard_normal(shape).astype(np.float32)
    if name == "var_ema":
        value = rng.uniform(0.5, 1.5, shape).astype(np.float32)
    elif name in ("scale", "learnt_scale"):
        value = 1.0 + 0.1 * normal
    elif name == "residual_scale":
        value = np.float32(rng.uniform(0.8, 1.2)) * np.ones(shape, np.float32)
    elif name in ("offset", "b", "bias", "q_r_bias", "k_r_bias"):
        value = 0.1 * normal
    elif name == "embeddings" and parent.endswith("_logits"):
        halves = normal.reshape(shape[0], 2, -1)
        value = np.concatenate([1.0 + 0.1 * halves[:, :1], 0.1 * halves[:, 1:]], axis=1).reshape(shape)
    elif name == "embeddings":
        value = 0.5 * normal
    elif name == "w" and parent == "standardized_conv1_d":
        value = normal
    elif name == "w":
        fan_in = shape[1] if parent == "multi_organism_linear" else int(np.prod(shape[:-1]))
        value = normal / np.sqrt(fan_in)
    else:
        raise KeyError(f"no random rule for {path}")
    return np.asarray(value, np.float32)


def port_model(
    config: AlphaGenomeConfig,
    params: dict[str, np.ndarray],
    state: dict[str, np.ndarray],
    organisms: tuple[str, ...] = ("human", "mouse"),
) -> object:
    """alphagenome-pytorch 0.2.8 with the same sizes, loaded through its own converter.

    The port keeps one set of heads per organism; `organisms` chooses which it builds (the
    converter's tensors for the others are dropped).
    """
    import torch
    from alphagenome_pytorch.alphagenome import AlphaGenome as PortAlphaGenome
    from alphagenome_pytorch.alphagenome import set_update_running_var
    from alphagenome_pytorch.convert.convert_checkpoint import convert_checkpoint

    if config.pos_features != config.s2p_heads or config.s2p_dim != config.pair_dim:
        raise ValueError("the port ties pos_features to s2p_heads and s2p_dim to pair_dim")
    tracks = config.tracks
    model = PortAlphaGenome(
        dims=config.encoder_channels,
        dna_embed_width=config.embed_kernel,
        num_organisms=config.num_organisms,
        transformer_kwargs={
            "depth": config.num_layers,
            "heads": config.num_heads,
            "dim_head_qk": config.qk_dim,
            "dim_head_v": config.v_dim,
            "dropout": 0.0,
            "ff_expansion_factor": float(config.mlp_ratio),
            "max_positions": config.rope_max_position,
            "dim_pairwise": config.pair_dim,
            "pairwise_every_num_single_blocks": config.pair_every,
            "single_to_pairwise_heads": config.s2p_heads,
            "pool_size": config.pair_pool,
        },
    )
    genome_heads = {
        h.value: {"num_tracks": tracks[h.value], "resolutions": HEAD_CONFIGS[h].resolutions}
        for h in GENOME_TRACK_HEADS
    }
    for organism in organisms:
        model.add_reference_heads(
            organism,
            genome_track_heads=genome_heads,
            num_tracks_contacts=tracks["contact_maps"],
            num_splice_usage_tracks=tracks["splice_sites_usage"],
            splice_junction_hidden_dim=config.junction_hidden,
            splice_junction_max_tissues=tracks["splice_sites_junction"],
        )
    torch_params = {k: np.array(v) for k, v in params.items()}
    torch_state = {k: np.array(v) for k, v in state.items()}
    state_dict = convert_checkpoint(torch_params, torch_state, verbose=False)
    state_dict = {
        k: v for k, v in state_dict.items() if not k.startswith("heads.") or k.split(".")[1] in organisms
    }
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    # The port keeps RoPE frequencies etc. as buffers; every learned tensor must come from the checkpoint.
    learned_missing = [k for k in missing if not k.endswith(("inv_freq", "dummy"))]
    if learned_missing or unexpected:
        raise RuntimeError(f"port load: missing {learned_missing[:5]}, unexpected {unexpected[:5]}")
    model.eval()
    set_update_running_var(model, False)
    torch.set_grad_enabled(False)
    return model


def patch_port_gelu_to_tanh(model: object) -> int:
    """Replace the port's exact-erf `nn.GELU` modules by tanh-approximate ones; returns how many."""
    import torch

    count = 0
    for module in model.modules():
        for name, child in list(module.named_children()):
            if type(child) is torch.nn.GELU:
                setattr(module, name, torch.nn.GELU(approximate="tanh"))
                count += 1
    return count


def random_splice_sites(length: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """`[1, 4, k]` sorted distinct site positions with a few -1 paddings at the end."""
    sites = np.stack([np.sort(rng.choice(length, size=k, replace=False)) for _ in range(4)])
    sites[:, -max(1, k // 8) :] = -1
    return sites[None].astype(np.int32)


def our_outputs(
    model: AlphaGenome, dna: np.ndarray, organism: int, sites: np.ndarray
) -> dict[str, np.ndarray]:
    from flax import nnx

    graphdef, state = nnx.split(model)

    @jax.jit
    def forward(
        state: nnx.State, dna: jax.Array, organism: jax.Array, sites: jax.Array
    ) -> dict[str, jax.Array]:
        predictions, _ = nnx.merge(graphdef, state)(dna, organism, splice_site_positions=sites)
        out = {}
        for head in GENOME_TRACK_HEADS:
            for res in HEAD_CONFIGS[head].resolutions:
                out[f"{head.value}/{res}bp"] = predictions[head.value][f"scaled_predictions_{res}bp"]
        out["contact_maps"] = predictions["contact_maps"]["predictions"]
        out["splice_sites_classification"] = predictions["splice_sites_classification"]["logits"]
        out["splice_sites_usage"] = predictions["splice_sites_usage"]["predictions"]
        out["splice_sites_junction"] = predictions["splice_sites_junction"]["predictions"]
        return out

    result = forward(
        state, jnp.asarray(dna), jnp.full((dna.shape[0],), organism, jnp.int32), jnp.asarray(sites)
    )
    return {k: np.asarray(v, np.float64) for k, v in result.items()}


def port_outputs(port: object, dna: np.ndarray, organism: int, sites: np.ndarray) -> dict[str, np.ndarray]:
    import torch

    tokens = torch.from_numpy(dna.argmax(-1).astype(np.int64))
    out = port(tokens, organism, splice_site_positions=torch.from_numpy(sites.astype(np.int64)))
    heads = out["human" if organism == 0 else "mouse"]
    result = {}
    for head in GENOME_TRACK_HEADS:
        for res in HEAD_CONFIGS[head].resolutions:
            result[f"{head.value}/{res}bp"] = heads[head.value][f"scaled_predictions_{res}bp"]
    result["contact_maps"] = heads["contact_maps"]
    result["splice_sites_classification"] = heads["splice_sites_classification"]
    result["splice_sites_usage"] = heads["splice_sites_usage"]
    result["splice_sites_junction"] = heads["splice_sites_junction"]["predictions"]
    return {k: v.detach().double().numpy() for k, v in result.items()}


@dataclasses.dataclass(frozen=True)
class HeadParity:
    output: str
    shape: tuple[int, ...]
    max_rel_err: float  # max |ours - port| / max |port|
    pearson_r: float

    def ok(self, r_min: float = 0.9999, rel_max: float = 1e-2) -> bool:
        return self.pearson_r > r_min and self.max_rel_err < rel_max


def compare(ours: np.ndarray, theirs: np.ndarray) -> tuple[float, float]:
    """(max |a - b| / max |b|, Pearson r) over all elements."""
    if ours.shape != theirs.shape:
        raise ValueError(f"shape mismatch {ours.shape} vs {theirs.shape}")
    a, b = ours.ravel(), theirs.ravel()
    rel = float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-12))
    r = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else float(np.array_equal(a, b))
    return rel, r


def run_parity(
    config: AlphaGenomeConfig,
    length: int,
    *,
    seed: int = 0,
    organism: int = 0,
    port_tanh_gelu: bool = False,
    num_sites: int = 64,
    verbose: bool = False,
) -> list[HeadParity]:
    """Random official-layout weights -> both models -> per-output comparison."""
    config = config.replace(compute_dtype="float32")
    t0 = time.time()
    params, state = random_official_weights(config, seed)
    rng = np.random.default_rng(seed + 1)
    dna = np.eye(4, dtype=np.float32)[rng.integers(0, 4, length)][None]
    sites = random_splice_sites(length, num_sites, rng)
    ours_model = model_from_official(params, state, config)
    bake_kernels(ours_model, jnp.float32)  # as the serving backend does
    ours = our_outputs(ours_model, dna, organism, sites)
    del ours_model
    if verbose:
        print(f"ours done in {time.time() - t0:.1f}s", flush=True)
    port = port_model(config, params, state)
    del params, state
    if port_tanh_gelu:
        patch_port_gelu_to_tanh(port)
    theirs = port_outputs(port, dna, organism, sites)
    if verbose:
        print(f"port done in {time.time() - t0:.1f}s", flush=True)
    rows = []
    for key in ours:
        rel, r = compare(ours[key], theirs[key])
        rows.append(HeadParity(key, ours[key].shape, rel, r))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model.parity", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--reference",
        default="port",
        choices=["port", "official"],
        help="port: alphagenome-pytorch 0.2.8; official: DeepMind's alphagenome_research (JAX/Haiku)",
    )
    parser.add_argument("--preset", default="tiny", choices=["tiny", "full"])
    parser.add_argument(
        "--length", default="16384", help="input bp; with --reference official, a comma-separated list"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--organism",
        type=int,
        default=None,
        choices=[0, 1],
        help="0 human, 1 mouse (official: both by default)",
    )
    parser.add_argument("--port-tanh-gelu", action="store_true", help="patch the port's erf GELUs to tanh")
    parser.add_argument(
        "--kernels", default="auto", choices=list(KERNELS), help="our convolution/dense formulation"
    )
    parser.add_argument(
        "--official-dots",
        default="as-written",
        choices=["as-written", "float32"],
        help="official: keep its bf16 pins on six einsums (CPUs ignore them) or run them in float32",
    )
    parser.add_argument(
        "--workdir", default=None, help="official: keep the checkpoints here (default: a temp dir)"
    )
    parser.add_argument("--no-calibrate", action="store_true", help="official: random var_ema, uncalibrated")
    args = parser.parse_args(argv)
    config = preset(args.preset, kernels=args.kernels)
    if args.reference == "official":
        from model.parity_official import print_official, run_official_parity

        # float32 products on GPUs too (XLA's default there for float32 matmuls is TF32-like).
        jax.config.update("jax_default_matmul_precision", "highest")
        print(f"devices: {jax.devices()}; official dots: {args.official_dots}", flush=True)
        result = run_official_parity(
            config,
            [int(x) for x in args.length.split(",")],
            organisms=(0, 1) if args.organism is None else (args.organism,),
            seed=args.seed,
            workdir=args.workdir,
            float32_dots=args.official_dots == "float32",
            calibrate=not args.no_calibrate,
            verbose=True,
        )
        ok = print_official(result.rows)
        print(f"total {result.seconds:.0f} s")
        raise SystemExit(0 if ok else 1)
    rows = run_parity(
        config,
        int(args.length),
        seed=args.seed,
        organism=args.organism or 0,
        port_tanh_gelu=args.port_tanh_gelu,
        verbose=True,
    )
    print(f"{'output':36s} {'shape':>22s} {'max_rel_err':>12s} {'pearson_r':>12s} {'1 - r':>10s}")
    for row in rows:
        flag = "ok" if row.ok() else "FAIL"
        print(
            f"{row.output:36s} {str(row.shape):>22s} {row.max_rel_err:12.3e} {row.pearson_r:12.9f} "
            f"{1 - row.pearson_r:10.2e} {flag}"
        )
    print("all heads within target" if all(r.ok() for r in rows) else "some heads outside target")


if __name__ == "__main__":
    main()
