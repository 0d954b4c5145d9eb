"""SpliceAI-10k in Flax NNX with the packaged Keras weights (CC BY-NC 4.0, non-commercial).

Public surface (import from the submodules; this package imports nothing heavy):

- `network.SpliceAI`, `network.SpliceAIConfig`: one network, valid convolutions.
- `weights.load_spliceai_models()`: the five packaged `.h5` files read with h5py.
- `ensemble.default_ensemble()`: the five-model ensemble, loaded once per process;
  `predict_windows`, `predict_sequence`, `predict_region` (any length, tiled, exact) and
  `predict_with_snvs` (one REF pass shared by many SNVs, incremental ALT).
- `backend.SpliceAIBackend`: `model.outputs.Backend` for SPLICE_SITES.
- `scoring.SpliceAIScorer` / `scoring.score_variants`: SpliceAI's VCF-annotation semantics
  (DS/DP per gene, `distance`, `mask`), structured results plus the INFO strings.
- `vcf.annotate_vcf` and `python -m model.spliceai score ...`: the command line.
- `evaluation.top_k_accuracy`: the SpliceAI paper's top-k metric on annotated transcripts.
"""
