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
import ast
import collections
import contextlib
import dataclasses
import importlib.util
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd

from model.checkpoints import model_from_official, name_mapping
from model.config import KERNELS, AlphaGenomeConfig, full, preset
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


# --- Reference: DeepMind's official JAX/Haiku code (alphagenome_research 0.2.0) ------------------

# Sizes the official modules write as literals (they take no size arguments). `official_modules`
# substitutes a reduced config's values for them; every other field must keep its official value.
# Key: (module, class) -> {(literal type, official value): (config field, occurrences)}. The
# occurrence counts pin the wheel's source: a different count fails loudly instead of half-patching.
OFFICIAL_LITERALS: dict[tuple[str, str], dict[tuple[type, object], tuple[str, int]]] = {
    ("convolutions", "DnaEmbedder"): {(int, 768): ("base_channels", 2)},
    ("convolutions", "DownResBlock"): {(int, 128): ("channel_increment", 2)},
    ("attention", "MHABlock"): {
        (int, 8): ("num_heads", 2),
        (int, 128): ("qk_dim", 4),
        (float, 128.0): ("qk_dim", 1),
        (int, 192): ("v_dim", 2),
    },
    ("attention", "AttentionBiasBlock"): {(int, 8): ("num_heads", 1)},
    ("attention", "RowAttentionBlock"): {(int, 128): ("pair_dim", 4)},
    # 32 is both the head count and the central-mask feature count, 128 both the head width and
    # the pair width: a reduced config must keep each pair equal (pos_features == s2p_heads,
    # s2p_dim == pair_dim), as `tiny()` does.
    ("attention", "SequenceToPairBlock"): {(int, 32): ("s2p_heads", 9), (int, 128): ("s2p_dim", 11)},
    ("embeddings", "OutputPair"): {(int, 128): ("pair_dim", 1)},
    ("heads", "SpliceSitesJunctionHead"): {(int, 768): ("junction_hidden", 1)},
}
# Fields the official code fixes with no substitution here (full() values).
OFFICIAL_FIXED = (
    "embed_kernel", "conv_kernel", "num_layers", "pair_every", "mlp_ratio", "logit_soft_cap",
    "rope_max_position", "pair_pool", "pos_seq_length", "junction_rope_max", "num_organisms",
)  # fmt: skip
OFFICIAL_TIED = (("pos_features", "s2p_heads"), ("s2p_dim", "pair_dim"))
# The four attention einsums and two junction einsums the official code pins to bf16 inputs
# (`precision=jax.lax.DotAlgorithmPreset.BF16_BF16_F32`, whatever the jmp policy). XLA's CPU backend
# ignores the pin (float32 products); GPUs honour it. `float32_dots=True` substitutes HIGHEST.
OFFICIAL_BF16_DOTS = {"attention": 4, "heads": 2}
# head name -> official OutputType name
HEAD_OUTPUT_TYPES = {
    "atac": "ATAC", "dnase": "DNASE", "procap": "PROCAP", "cage": "CAGE", "rna_seq": "RNA_SEQ",
    "chip_tf": "CHIP_TF", "chip_histone": "CHIP_HISTONE", "contact_maps": "CONTACT_MAPS",
    "splice_sites_classification": "SPLICE_SITES", "splice_sites_usage": "SPLICE_SITE_USAGE",
    "splice_sites_junction": "SPLICE_JUNCTIONS",
}  # fmt: skip
CHECKPOINT_INIT_LENGTH = 2048  # dna_model.create() builds its restore target at (1, 2048, 4)


class OfficialUnavailableError(RuntimeError):
    """The official `alphagenome_research` package (or one of its dependencies) is not installed."""


@contextlib.contextmanager
def _tensorflow_dtype_stand_in() -> Iterator[None]:
    """`alphagenome_research.io.bundles` imports TensorFlow only for dtype names (`tf.bfloat16`, ...,
    used by training data loaders). Without TensorFlow installed, a stand-in with those names is in
    `sys.modules` only while the official package is imported."""
    if "tensorflow" in sys.modules or importlib.util.find_spec("tensorflow") is not None:
        yield
        return
    stand_in = types.ModuleType("tensorflow")
    stand_in.DType = type("DType", (str,), {})
    for name in ("bfloat16", "float16", "float32", "bool", "int32"):
        setattr(stand_in, name, stand_in.DType(name))
    sys.modules["tensorflow"] = stand_in
    try:
        yield
    finally:
        sys.modules.pop("tensorflow", None)


def import_official() -> types.SimpleNamespace:
    """The official modules used here: `model`, `metadata` (+ `haiku`, `jmp`, `ocp`, `Organism`)."""
    try:
        with _tensorflow_dtype_stand_in():
            import alphagenome_research.io.bundles  # noqa: F401  (the TensorFlow importer)
            from alphagenome_research.model import model as official_model
            from alphagenome_research.model.metadata import metadata as official_metadata
        import haiku
        import jmp
        import orbax.checkpoint as ocp
        from alphagenome.models import dna_model as sdk_dna_model
        from alphagenome.models import dna_output as sdk_dna_output
    except ImportError as error:
        raise OfficialUnavailableError(
            f"the official AlphaGenome code is not importable ({error}); install it with "
            "`pip install --no-deps third_party/alphagenome_research-0.2.0-py3-none-any.whl` "
            "and the `test` extra (scripts/setup.sh --test)"
        ) from error
    return types.SimpleNamespace(
        model=official_model,
        metadata=official_metadata,
        hk=haiku,
        jmp=jmp,
        ocp=ocp,
        Organism=sdk_dna_model.Organism,
        OutputType=sdk_dna_output.OutputType,
    )


def official_substitutions(
    config: AlphaGenomeConfig,
) -> dict[tuple[str, str], dict[tuple[type, object], object]]:
    """The literal substitutions that make the official modules `config`-sized ({} for `full()`)."""
    reference = full()
    for name in OFFICIAL_FIXED:
        if getattr(config, name) != getattr(reference, name):
            raise ValueError(f"the official code hard-codes {name}={getattr(reference, name)}")
    for a, b in OFFICIAL_TIED:
        if getattr(config, a) != getattr(config, b):
            raise ValueError(f"the official code shares one literal for {a} and {b}: they must be equal")
    out = {}
    for where, literals in OFFICIAL_LITERALS.items():
        changes = {}
        for (kind, value), (field, _) in literals.items():
            new = kind(getattr(config, field))
            if new != value:
                changes[(kind, value)] = new
        if changes:
            out[where] = changes
    return out


class _Substitute(ast.NodeTransformer):
    """Replace numeric literals inside given classes, and/or the bf16 dot-algorithm pin."""

    def __init__(self, literals: dict[str, dict[tuple[type, object], object]], dots: bool) -> None:
        self.literals, self.dots = literals, dots
        self.counts: collections.Counter[tuple[str, tuple[type, object]]] = collections.Counter()
        self.dot_count = 0
        self._class: str | None = None

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:  # noqa: N802
        outer, self._class = self._class, node.name
        self.generic_visit(node)
        self._class = outer
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:  # noqa: N802
        cls = self._class or ""
        table = self.literals.get(cls, {})
        key: tuple[type, object] = (type(node.value), node.value)
        if key in table:
            self.counts[(cls, key)] += 1
            return ast.copy_location(ast.Constant(table[key]), node)  # type: ignore[arg-type]  # an int or float
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:  # noqa: N802
        if self.dots and node.attr == "BF16_BF16_F32":
            self.dot_count += 1
            return ast.copy_location(ast.parse("jax.lax.Precision.HIGHEST", mode="eval").body, node)
        return self.generic_visit(node)


def _patched_copy(
    name: str, literals: Mapping[tuple[str, str], dict[tuple[type, object], object]], dots: bool
) -> types.ModuleType:
    """A private copy of official module `name` with substitutions (the installed module is untouched)."""
    short = name.rsplit(".", 1)[1]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise OfficialUnavailableError(f"{name} is not installed")
    origin = spec.origin
    source = Path(origin).read_text()
    transformer = _Substitute(
        {cls: dict(table) for (mod, cls), table in literals.items() if mod == short},
        dots and short in OFFICIAL_BF16_DOTS,
    )
    tree = ast.fix_missing_locations(transformer.visit(ast.parse(source, origin)))
    for (mod, cls), table in OFFICIAL_LITERALS.items():
        if mod != short:
            continue
        for key in literals.get((mod, cls), {}):
            expected = table[key][1]
            if transformer.counts[(cls, key)] != expected:
                raise RuntimeError(
                    f"{name}.{cls}: literal {key[1]!r} found {transformer.counts[(cls, key)]} times, "
                    f"expected {expected} (official source changed?)"
                )
    if transformer.dots and transformer.dot_count != OFFICIAL_BF16_DOTS[short]:
        raise RuntimeError(
            f"{name}: {transformer.dot_count} BF16_BF16_F32 pins, expected {OFFICIAL_BF16_DOTS[short]}"
        )
    module = types.ModuleType(name)
    module.__file__, module.__package__ = origin, name.rpartition(".")[0]
    exec(compile(tree, origin, "exec"), module.__dict__)  # noqa: S102 - the official source, patched above
    return module


def official_modules(config: AlphaGenomeConfig, *, float32_dots: bool = False) -> types.ModuleType:
    """The official `alphagenome_research.model.model` module, sized for `config`.

    For `full()` (and `float32_dots=False`) it is the installed module itself. Otherwise private
    copies of `convolutions`, `attention`, `embeddings`, `heads` and `model` are compiled from the
    installed sources with only the literals of `OFFICIAL_LITERALS` replaced by `config`'s values
    (and, with `float32_dots`, the bf16 dot pins by HIGHEST); every operation is the official one.
    """
    official = import_official()
    literals = official_substitutions(config)
    if not literals and not float32_dots:
        return official.model
    package = "alphagenome_research.model"
    copies = {
        short: _patched_copy(f"{package}.{short}", literals, float32_dots)
        for short in ("convolutions", "attention", "embeddings", "heads", "model")
    }
    copies["heads"].attention = copies["attention"]
    copies["heads"].embeddings_module = copies["embeddings"]
    model_copy = copies["model"]
    model_copy.attention = copies["attention"]
    model_copy.convolutions = copies["convolutions"]
    model_copy.embeddings_module = copies["embeddings"]
    model_copy.heads_module = copies["heads"]
    return model_copy


def official_metadata(config: AlphaGenomeConfig) -> dict[object, object]:
    """Official output metadata per organism (human, mouse), cut to `config`'s track counts.

    `full()` gets the package's own metadata unchanged. A reduced config gets, per output type,
    the first real tracks of each organism (padding rows where an organism has too few, e.g. mouse
    PRO-cap), and mouse one splice-junction tissue fewer than human, so the official tissue mask
    is exercised.
    """
    official = import_official()
    organisms = (official.Organism.HOMO_SAPIENS, official.Organism.MUS_MUSCULUS)
    loaded = {organism: official.metadata.load(organism) for organism in organisms}
    if config.head_tracks == full().head_tracks:
        return loaded
    out = {}
    for organism in organisms:
        fields = {}
        for head, type_name in HEAD_OUTPUT_TYPES.items():
            output_type = official.OutputType[type_name]
            frame = loaded[organism].get(output_type)
            n = config.tracks[head]
            if head == "splice_sites_junction" and organism is official.Organism.MUS_MUSCULUS:
                n = max(1, n - 1)
            if head == "splice_sites_classification":
                rows = frame
            else:
                padding = frame["name"].str.lower() == "padding"
                rows = pd.concat(
                    [frame[~padding].iloc[:n], frame[padding].iloc[: max(0, n - int((~padding).sum()))]]
                )
            fields[output_type.name.lower()] = rows.reset_index(drop=True)
        out[organism] = official.metadata.AlphaGenomeOutputMetadata(**fields)
    return out


def metadata_constants(
    config: AlphaGenomeConfig, metadata: Mapping[object, object]
) -> tuple[dict, np.ndarray]:
    """Our model's metadata constants: `{head: [org, T] nonzero means}`, junction `[org, T]` mask.

    As the official heads: track means from `nonzero_mean` (ones without that column; padding rows
    keep NaN there, as the official unscaled predictions do); tissue t of an organism is valid iff
    t < its number of junction-metadata rows.
    """
    official = import_official()
    means = {}
    for name, head in HEAD_CONFIGS.items():
        if not head.resolutions:
            continue
        rows = []
        for frame_set in metadata.values():
            frame = frame_set.get(official.OutputType[HEAD_OUTPUT_TYPES[name.value]])
            if "nonzero_mean" in frame.columns:
                rows.append(frame["nonzero_mean"].to_numpy(np.float32))
            else:
                rows.append(np.ones(len(frame), np.float32))
        means[name.value] = np.stack(rows)
    tissues = config.tracks["splice_sites_junction"]
    mask = np.zeros((len(metadata), tissues), np.float32)
    for i, frame_set in enumerate(metadata.values()):
        mask[i, : len(frame_set.get(official.OutputType.SPLICE_JUNCTIONS))] = 1.0
    return means, mask


def official_transform(
    config: AlphaGenomeConfig, metadata: Mapping[object, object], model_module: object
) -> object:
    """`dna_model.create_model`'s `_forward`, with the jmp policy set to float32 compute and output.

    (The official policy is `params=float32,compute=bfloat16,output=bfloat16`.)
    """
    official = import_official()
    hk, policy = official.hk, official.jmp.get_policy("params=float32,compute=float32,output=float32")

    @hk.transform_with_state
    def _forward(dna_sequence: jax.Array, organism_index: jax.Array) -> object:
        with hk.mixed_precision.push_policy(model_module.AlphaGenome, policy):
            return model_module.AlphaGenome(
                metadata,
                num_splice_sites=config.num_splice_sites,
                splice_site_threshold=config.splice_site_threshold,
            )(dna_sequence, organism_index)

    return _forward


def calibrate_var_ema(
    config: AlphaGenomeConfig,
    metadata: Mapping[object, object],
    model_module: object,
    params: object,
    state: object,
    dna: np.ndarray,
) -> dict[str, dict[str, np.ndarray]]:
    """`var_ema` for every RMSBatchNorm: the mean square of its input on `dna` (human), layer by layer.

    With independent random `var_ema` values the normalisations do not normalise and activations
    grow through the residual stacks (to ~1e3-1e7 at the heads), saturating the softmax and
    sigmoid outputs. Here, as a trained model's running statistics would, each norm's `var_ema`
    is the statistic of its actual input. One forward of the official model computes them all:
    a method interceptor records each RMSBatchNorm's input mean square and a state getter hands it
    to that same norm as `var_ema` (later layers see already-normalised inputs).
    """
    official = import_official()
    hk = official.hk
    policy = official.jmp.get_policy("params=float32,compute=float32,output=float32")

    @hk.transform_with_state
    def _calibrate(dna_sequence: jax.Array, organism_index: jax.Array) -> dict[str, jax.Array]:
        stats: dict[str, jax.Array] = {}

        def interceptor(next_f: Callable, args: tuple, kwargs: dict, context: object) -> object:
            if type(context.module).__name__ == "RMSBatchNorm" and context.method_name == "__call__":
                x = args[0].astype(jnp.float32)
                stats[context.module.module_name] = jnp.mean(
                    jnp.square(x), axis=tuple(range(x.ndim - 1)), keepdims=True
                )
            return next_f(*args, **kwargs)

        def getter(next_getter: Callable, value: jax.Array, context: object) -> jax.Array:
            if context.name == "var_ema" and context.module_name in stats:
                return next_getter(stats[context.module_name])
            return next_getter(value)

        with (
            hk.intercept_methods(interceptor),
            hk.custom_getter(getter, params=False, state=True),
            hk.mixed_precision.push_policy(model_module.AlphaGenome, policy),
        ):
            model_module.AlphaGenome(
                metadata,
                num_splice_sites=config.num_splice_sites,
                splice_site_threshold=config.splice_site_threshold,
            )(dna_sequence, organism_index)
        return stats

    stats, _ = jax.jit(_calibrate.apply)(params, state, None, jnp.asarray(dna), jnp.zeros((1,), jnp.int32))
    stats = jax.device_get(stats)
    missing = {module for module, leaves in state.items() if "var_ema" in leaves} - set(stats)
    if missing:
        raise RuntimeError(f"no calibration statistic for {sorted(missing)[:3]}")
    return {module: {"var_ema": np.asarray(stats[module], np.float32)} for module in state}


def official_target(forward: object) -> object:
    """The restore target `dna_model.create()` builds: `eval_shape(init)` at `(1, 2048, 4)`."""
    return jax.eval_shape(
        forward.init,
        jax.random.PRNGKey(0),
        jax.ShapeDtypeStruct((1, CHECKPOINT_INIT_LENGTH, 4), jnp.float32),
        jax.ShapeDtypeStruct((1,), jnp.int32),
    )


def random_official_tree(target: Any, seed: int = 0) -> tuple[dict, dict]:
    """Random `(params, state)` shaped as the official init tree `target` (rules of `random_leaf`).

    Leaves are drawn in sorted official-path order, so a tree equal to `name_mapping(config)` gets
    exactly `random_official_weights(config, seed)`.
    """
    shapes = {}
    for collection, tree in zip(("params", "state"), target, strict=True):
        for module, leaves in tree.items():
            for name, leaf in leaves.items():
                shapes[f"{module}/{name}"] = (collection, tuple(leaf.shape))
    rng = np.random.default_rng(seed)
    params: dict[str, dict[str, np.ndarray]] = {}
    state: dict[str, dict[str, np.ndarray]] = {}
    for path in sorted(shapes):
        collection, shape = shapes[path]
        module, name = path.rsplit("/", 1)
        (state if collection == "state" else params).setdefault(module, {})[name] = random_leaf(
            rng, path, shape
        )
    return params, state


def save_official_checkpoint(directory: Path, params: object, state: object) -> None:
    """Orbax `StandardCheckpointer` save of the pytree `(params, state)`: the released layout."""
    ocp = import_official().ocp
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(Path(directory).resolve(), (params, state))
    checkpointer.wait_until_finished()


def restore_official_checkpoint(directory: Path, target: object) -> tuple[object, object]:
    """As `dna_model.create()` restores a checkpoint: against the init tree, `strict=True`."""
    ocp = import_official().ocp
    params, state = ocp.StandardCheckpointer().restore(Path(directory).resolve(), target=target, strict=True)
    return params, state


def _flatten_outputs(predictions: Mapping[str, Mapping[str, object]]) -> dict[str, np.ndarray]:
    out = {}
    for head, values in predictions.items():
        if not isinstance(values, Mapping):
            continue  # embeddings_1bp
        for key, value in values.items():
            out[f"{head}/{key}"] = np.asarray(value)
    return out


def official_outputs(
    forward: object, params: object, state: object, dna: np.ndarray, organisms: Sequence[int]
) -> dict[int, dict[str, np.ndarray]]:
    """Every head's outputs of the official model (junctions on its own top-k splice sites)."""

    @jax.jit
    def apply(params: object, state: object, dna: jax.Array, organism: jax.Array) -> object:
        (predictions, _), _ = forward.apply(params, state, None, dna, organism)
        predictions = dict(predictions)
        predictions.pop("embeddings_1bp", None)
        return predictions

    result = {}
    for organism in organisms:
        out = apply(params, state, jnp.asarray(dna), jnp.full((dna.shape[0],), organism, jnp.int32))
        result[organism] = _flatten_outputs(jax.device_get(out))
    return result


def our_apply(model: AlphaGenome) -> Callable:
    """Jitted `(weights, dna, organism, sites) -> (predictions, our own top-k sites)` for `model`'s graph."""
    from flax import nnx

    from model.heads import top_k_splice_sites

    graphdef, _ = nnx.split(model)
    config = model.config

    @jax.jit
    def apply(weights: nnx.State, dna: jax.Array, organism: jax.Array, sites: jax.Array) -> object:
        predictions, _ = nnx.merge(graphdef, weights)(dna, organism, splice_site_positions=sites)
        own_sites = top_k_splice_sites(
            predictions["splice_sites_classification"]["predictions"],
            config.num_splice_sites,
            config.splice_site_threshold,
        )
        return predictions, own_sites

    return apply


def our_all_outputs(
    model: AlphaGenome,
    dna: np.ndarray,
    organisms: Sequence[int],
    sites: Mapping[int, np.ndarray],
    apply: Callable | None = None,
) -> dict[int, dict[str, np.ndarray]]:
    """Every head's outputs of our model; the junction head on the given sites; plus our own top-k sites."""
    from flax import nnx

    apply = apply or our_apply(model)
    weights = nnx.state(model)
    result = {}
    for organism in organisms:
        organism_index = jnp.full((dna.shape[0],), organism, jnp.int32)
        predictions, own_sites = apply(
            weights, jnp.asarray(dna), organism_index, jnp.asarray(sites[organism])
        )
        flat = _flatten_outputs(jax.device_get(predictions))
        flat["splice_sites_junction/splice_site_positions"] = np.asarray(own_sites)
        result[organism] = flat
    return result


@dataclasses.dataclass(frozen=True)
class OutputParity:
    """One output of one organism: ours vs the official code."""

    organism: int
    output: str  # "<head>/<key>"
    shape: tuple[int, ...]
    max_rel_err: float  # max |ours - official| / max |official| over official-finite entries
    pearson_r: float
    nonfinite: int  # official entries that are NaN (padding tracks without nonzero_mean)
    scale: float  # max |official|

    @property
    def tolerance(self) -> float:
        return official_tolerance(self.output)

    def ok(self) -> bool:
        return self.max_rel_err <= self.tolerance


# max |ours - official| / max |official| (float32 both), from measurements (see the test module):
# the trunk's float32 rounding differs (our Winograd / dense-as-convolution kernels, summation order).
OFFICIAL_TOLERANCE = 3e-5
# The junction head is bilinear in two such 1 bp embeddings (donor x acceptor, then softplus).
OFFICIAL_TOLERANCE_JUNCTION = 1.5e-4
# The official splice-site-usage head returns float16 (`sigmoid(logits).astype(float16)`): one
# float16 half-ulp on [0.5, 1) is 2**-12. Its float32 logits are held to OFFICIAL_TOLERANCE.
OFFICIAL_TOLERANCE_FLOAT16 = 2.0**-12 + OFFICIAL_TOLERANCE
EXACT_OUTPUTS = ("splice_sites_junction/splice_site_positions", "splice_sites_junction/splice_junction_mask")


def official_tolerance(output: str) -> float:
    if output in EXACT_OUTPUTS:
        return 0.0
    if output == "splice_sites_usage/predictions":
        return OFFICIAL_TOLERANCE_FLOAT16
    if output == "splice_sites_junction/predictions":
        return OFFICIAL_TOLERANCE_JUNCTION
    return OFFICIAL_TOLERANCE


def compare_official(
    ours: Mapping[int, Mapping[str, np.ndarray]], theirs: Mapping[int, Mapping[str, np.ndarray]]
) -> list[OutputParity]:
    rows = []
    for organism, official in theirs.items():
        missing = sorted(set(official) - set(ours[organism]))
        if missing:
            raise KeyError(f"our model lacks official outputs {missing}")
        for key in sorted(official):
            a = np.asarray(ours[organism][key], np.float64)
            b = np.asarray(official[key], np.float64)
            if a.shape != b.shape:
                raise ValueError(f"{key}: shape {a.shape} vs official {b.shape}")
            finite = np.isfinite(b)
            rel, r = compare(a[finite], b[finite])
            if not np.isfinite(a[finite]).all():
                rel, r = float("inf"), float("nan")
            scale = float(np.max(np.abs(b[finite]))) if finite.any() else 0.0
            rows.append(OutputParity(organism, key, b.shape, rel, r, int((~finite).sum()), scale))
    return rows


Perturbation = Callable[[dict[str, np.ndarray], dict[str, np.ndarray]], None]


@dataclasses.dataclass(frozen=True)
class OfficialParity:
    rows: dict[int, list[OutputParity]]  # {length: rows}, the converted checkpoint
    perturbed: dict[str, dict[int, list[OutputParity]]]  # {perturbation name: {length: rows}}
    seconds: float


def run_official_parity(
    config: AlphaGenomeConfig,
    lengths: Sequence[int],
    *,
    organisms: Sequence[int] = (0, 1),
    seed: int = 0,
    workdir: str | Path | None = None,
    float32_dots: bool = False,
    calibrate: bool = True,
    perturbations: Mapping[str, Perturbation] | None = None,
    verbose: bool = False,
) -> OfficialParity:
    """Official code vs ours through an official checkpoint and our converter.

    1. The official model (`official_modules`, float32 policy) gives the init tree, exactly the
       restore target of `dna_model.create()`; random values (`random_official_tree`, `var_ema`
       calibrated by `calibrate_var_ema`) are saved with Orbax as the released checkpoints are,
       and restored as `create()` restores them (against that tree, strict).
    2. `model.checkpoints.convert` (the code of `python -m model.checkpoints convert`) converts
       the checkpoint directory to our format; `model.checkpoints.load` reads it back; the
       metadata constants (track means, tissue mask) are installed and kernels baked as in serving.
    3. The same one-hot DNA through both, per organism; every output of every head is compared
       (our junction head on the official model's splice sites; our own top-k sites vs theirs).

    `perturbations` `{name: f(flat_params, flat_state)}` each edit a fresh copy of our converted
    weights (official paths) before step 3 and are compared too (sharpness checks).
    """
    from model import checkpoints

    config = config.replace(compute_dtype="float32")
    t0 = time.time()

    def log(message: str) -> None:
        if verbose:
            print(f"[{time.time() - t0:7.1f}s] {message}", flush=True)

    model_module = official_modules(config, float32_dots=float32_dots)
    metadata = official_metadata(config)
    forward = official_transform(config, metadata, model_module)
    target = official_target(forward)
    rng = np.random.default_rng(seed + 1)
    dnas = {length: np.eye(4, dtype=np.float32)[rng.integers(0, 4, length)][None] for length in lengths}
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="official-parity-"))
        workdir = Path(workdir)
        official_dir, ours_dir = workdir / "official", workdir / "converted"
        params, state = random_official_tree(target, seed)
        if calibrate:
            calibration_dna = np.eye(4, dtype=np.float32)[
                np.random.default_rng(seed + 2).integers(0, 4, lengths[0])
            ][None]
            state = calibrate_var_ema(config, metadata, model_module, params, state, calibration_dna)
            log("var_ema calibrated")
        save_official_checkpoint(official_dir, params, state)
        del params, state
        log(f"official checkpoint written: {official_dir}")
        restored_params, restored_state = restore_official_checkpoint(official_dir, target)
        theirs = {}
        for length, dna in dnas.items():
            theirs[length] = official_outputs(forward, restored_params, restored_state, dna, organisms)
            log(f"official model done at {length} bp")
        del restored_params, restored_state
        checkpoints.convert(official_dir, ours_dir, config)
        log(f"converted: {ours_dir}")
        means, tissue_mask = metadata_constants(config, metadata)

        def ours_model(perturb: Perturbation | None = None) -> AlphaGenome:
            model = checkpoints.load(ours_dir).model
            model.head.set_constants(means, jnp.asarray(tissue_mask))
            if perturb is not None:
                flat_params, flat_state = checkpoints.model_arrays(model)
                perturb(flat_params, flat_state)
                checkpoints.load_into(model, flat_params, flat_state)
            bake_kernels(model, jnp.float32)
            return model

        def evaluate(model: AlphaGenome, apply: Callable) -> dict[int, list[OutputParity]]:
            rows = {}
            for length, dna in dnas.items():
                sites = {
                    org: theirs[length][org]["splice_sites_junction/splice_site_positions"]
                    for org in organisms
                }
                rows[length] = compare_official(
                    our_all_outputs(model, dna, organisms, sites, apply), theirs[length]
                )
            return rows

        model = ours_model()
        apply = our_apply(model)
        rows = evaluate(model, apply)
        del model
        log("ours done")
        perturbed = {}
        for name, perturb in (perturbations or {}).items():
            perturbed[name] = evaluate(ours_model(perturb), apply)
            log(f"ours done with perturbation {name!r}")
    return OfficialParity(rows, perturbed, time.time() - t0)


def print_official(rows_by_length: Mapping[int, Sequence[OutputParity]], title: str = "") -> bool:
    ok = True
    for length, rows in rows_by_length.items():
        print(f"\n== {length} bp: ours vs DeepMind's official code (float32){title} ==")
        print(
            f"{'org':>3s} {'output':48s} {'shape':>18s} {'max_rel_err':>11s} {'pearson_r':>14s} "
            f"{'scale':>9s} {'tol':>8s}"
        )
        for row in rows:
            ok &= row.ok()
            note = f" ({row.nonfinite} official NaN: padding tracks)" if row.nonfinite else ""
            print(
                f"{row.organism:3d} {row.output:48s} {str(row.shape):>18s} {row.max_rel_err:11.3e} "
                f"{row.pearson_r:14.11f} {row.scale:9.3g} {row.tolerance:8.1e} "
                f"{'ok' if row.ok() else 'FAIL'}{note}"
            )
        worst = max(
            rows, key=lambda r: r.max_rel_err / max(r.tolerance, 1e-30) if r.tolerance else r.max_rel_err
        )
        print(
            f"worst against its tolerance: {worst.output} (organism {worst.organism}) {worst.max_rel_err:.3e}"
        )
    print("all outputs within tolerance" if ok else "SOME OUTPUTS OUTSIDE TOLERANCE")
    return ok


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
