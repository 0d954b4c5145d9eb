"""genomeapp's sequence models: pure JAX/Flax, never imports Django.

Backends (the AlphaGenome architecture, SpliceAI-10k) implement `model.outputs.Backend`;
the Django side imports only `model.inference`.
"""
