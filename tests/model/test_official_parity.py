"""Exactness against DeepMind's official AlphaGenome code itself (alphagenome_research 0.2.0, JAX/Haiku).

The official package is the unmodified wheel `third_party/alphagenome_research-0.2.0-py3-none-any.whl`
(`scripts/setup.sh --test` installs it with `--no-deps`, and its runtime dependencies through the
`test` extra). Missing, this module FAILS: it is not skipped.

Pipeline (`model.parity_official.run_official_parity`), human and mouse, float32 throughout:

1. The official `AlphaGenome` Haiku module, under `dna_model.create_model`'s forward with the jmp
   policy set to float32 compute and output (the official policy computes in bfloat16), gives the
   init tree at (1, 2048, 4): exactly the restore target of `dna_model.create()`. Random values fill
   it; each RMSBatchNorm's `var_ema` is then set to the mean square of its actual input (one
   official forward), as a trained model's statistics would be, so activations stay O(1) instead
   of growing to 1e3-1e7 and saturating the softmax/sigmoid outputs.
2. `(params, state)` is saved with Orbax's `StandardCheckpointer` (the released layout) and restored
   as `create()` restores it (against the init tree, `strict=True`); the official model runs from it.
3. `python -m model.checkpoints convert --preset tiny` converts the checkpoint directory; our model
   is loaded from the result with `model.checkpoints.load`, gets the metadata constants of the same
   metadata (track `nonzero_mean`s, junction tissue mask) and baked kernels, as in serving.
4. Every output of every head is compared on the same sequence: max |ours - official| / max
   |official| (the "scale") within `model.parity_official.official_tolerance`, plus our own top-k splice
   sites against the official ones (exact) and our junction head on the official sites.

What is reduced, and how. The official modules take no size arguments: widths are literals in
their source. `model.parity_official.official_modules` compiles private copies of the official
`convolutions`, `attention`, `embeddings`, `heads` and `model` modules from the installed files
with only these literals replaced by the `tiny()` preset's values (table `OFFICIAL_LITERALS`, each
occurrence counted so a different wheel fails loudly): DnaEmbedder 768 -> 96 channels;
DownResBlock +128 -> +16 per stage (trunk 1536 -> 192); MHABlock 8 heads x 128 q/k, 192 v -> 2 x 16,
24; AttentionBiasBlock 8 heads -> 2; RowAttentionBlock / OutputPair / pair width 128 -> 16;
SequenceToPairBlock 32 heads x 128 and 32 central-mask features -> 8 x 16 and 8; junction head
hidden 768 -> 16. Every operation, depth (6 encoder stages, 9 transformer blocks, 5 pair updates),
kernel width, RoPE schedule, soft cap, pooling and all eleven heads are the official code as
installed. Track counts are reduced through the official metadata itself (the first real tracks
of each output type, e.g. 8 ATAC tracks; mouse PRO-cap keeps its padding rows; mouse gets one
junction tissue fewer than human so the official tissue mask is exercised). Input: 8,192 bp
(64 tokens at 128 bp, a 4 x 4 pair map), 32 splice sites per class.

Measured here (CPU, float32, kernels "auto", seed 0, 8,192 bp), max rel error over both organisms:
track heads (scaled and unscaled, 1 and 128 bp) <= 1.2e-5; contact maps 2.7e-6; splice-site
classification logits 3.7e-6 and probabilities 5e-6; splice-site-usage logits 4.2e-6, its float16
probabilities 2.48e-4 (= float16 half-ulp 2.44e-4 + float32 noise); junction counts 6.9e-5 (a
bilinear donor x acceptor form of two 1 bp embeddings); top-k splice sites and junction masks
identical. Pearson r >= 0.999999999 (0.99999994 for the float16 output). One pipeline for all
checks (module fixture): ~110 s on a loaded 2-core machine. Full size: `python -m model.parity
--reference official --preset full` (docstring of model/parity.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from model import parity_official as parity
from model.config import tiny

LENGTH = 8192
ORGANISMS = (0, 1)
# One converted leaf, scaled by 1 + 1e-3: the comparison must see it far above its tolerance.
PERTURBED_LEAVES = {
    "decoder residual_scale": ("params", "alphagenome/sequence_decoder/up_res_block_3/residual_scale"),
    "one tower var_ema": ("state", "alphagenome/transformer_tower/mlp_block_4/rms_batch_norm/var_ema"),
}


def _scale_leaf(collection: str, path: str):
    def perturb(params: dict, state: dict) -> None:
        arrays = params if collection == "params" else state
        assert path in arrays, path
        arrays[path] = np.asarray(arrays[path], np.float32) * np.float32(1.0 + 1e-3)

    return perturb


@pytest.fixture(scope="module")
def result() -> parity.OfficialParity:
    # Fails (ImportError -> OfficialUnavailableError) when the official package is not installed.
    parity.import_official()
    perturbations = {name: _scale_leaf(*leaf) for name, leaf in PERTURBED_LEAVES.items()}
    return parity.run_official_parity(
        tiny(), [LENGTH], organisms=ORGANISMS, seed=0, perturbations=perturbations, verbose=True
    )


def test_official_package_is_the_vendored_wheel():
    official = parity.import_official()
    assert official.model.__file__.endswith("alphagenome_research/model/model.py")
    from importlib.metadata import version

    assert version("alphagenome_research") == "0.2.0"


def test_reduced_modules_only_change_sizes():
    """The literal table applies to tiny() and is the identity for full() (the installed module itself)."""
    from model.config import full

    assert parity.official_substitutions(full()) == {}
    assert parity.official_modules(full()) is parity.import_official().model
    changed = parity.official_substitutions(tiny())
    assert set(changed) == set(parity.OFFICIAL_LITERALS)
    with pytest.raises(ValueError, match="hard-codes num_layers"):
        parity.official_substitutions(tiny(num_layers=3))
    with pytest.raises(ValueError, match="pos_features and s2p_heads"):
        parity.official_substitutions(tiny(pos_features=4))


def test_every_head_matches_official(result):
    rows = result.rows[LENGTH]
    parity.print_official(result.rows)
    heads = {row.output.split("/")[0] for row in rows}
    assert len(heads) == 11, heads
    assert {row.organism for row in rows} == set(ORGANISMS)
    assert len(rows) == 2 * 32  # 7 track heads (24 outputs) + contact maps + 2 + 2 splice + 3 junction
    failures = [
        f"org {r.organism} {r.output}: {r.max_rel_err:.3e} > {r.tolerance:.1e}" for r in rows if not r.ok()
    ]
    assert not failures, failures
    assert all(r.pearson_r > 0.9999999 for r in rows)
    # O(1) activations (calibrated var_ema): the comparison is not on saturated outputs.
    scales = {r.output: r.scale for r in rows if r.organism == 0}
    assert scales["splice_sites_classification/logits"] < 100
    assert scales["atac/scaled_predictions_1bp"] < 100


def test_splice_site_usage_differs_only_by_official_float16_rounding(result):
    rows = {(r.organism, r.output): r for r in result.rows[LENGTH]}
    for organism in ORGANISMS:
        logits = rows[(organism, "splice_sites_usage/logits")]
        probs = rows[(organism, "splice_sites_usage/predictions")]
        assert logits.max_rel_err <= parity.OFFICIAL_TOLERANCE
        # sigmoid is 1/4-Lipschitz: beyond that, only the float16 rounding of the official output.
        assert probs.max_rel_err <= 2.0**-12 + logits.max_rel_err * logits.scale / 4 + 1e-6


def test_comparison_is_sharp(result):
    """A 1e-3 relative change of one converted leaf is seen far above the tolerance."""
    assert set(result.perturbed) == set(PERTURBED_LEAVES)
    for name, by_length in result.perturbed.items():
        rows = by_length[LENGTH]
        worst = max(r.max_rel_err / r.tolerance for r in rows if r.tolerance > 0)
        print(f"perturbed {name}: worst output at {worst:.0f} x its tolerance")
        assert worst > 10, f"{name}: worst error only {worst:.1f} x tolerance"
        assert not all(r.ok() for r in rows), name


def test_wall_time(result):
    print(f"official parity pipeline: {result.seconds:.0f} s")
    assert result.seconds < 600
