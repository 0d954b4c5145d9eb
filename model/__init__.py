"""genomeapp's sequence models: pure JAX/Flax, never imports Django.

Backends (the AlphaGenome architecture, SpliceAI-10k) implement `model.outputs.Backend`. The
Django side imports only the public surface: `model.service` (predictions, scores and their
types) and `model.assets` (genomes, annotations, demo data, quantile backgrounds); import-linter
enforces it (pyproject.toml).
"""
