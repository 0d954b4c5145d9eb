"""Parity with DeepMind's official JAX/Haiku AlphaGenome code itself (alphagenome_research 0.2.0).

`python -m model.parity --reference official` runs `run_official_parity`: the official model
with random weights, saved as `dna_model.create` restores a checkpoint, converted by
`model.checkpoints`, compared output by output with ours (see model/parity.py's docstring).
"""

from __future__ import annotations

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

from model.config import AlphaGenomeConfig, full
from model.convolutions import bake_kernels
from model.heads import HEAD_CONFIGS
from model.model import AlphaGenome
from model.parity import compare, random_leaf

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
