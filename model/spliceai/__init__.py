"""SpliceAI-10k in Flax NNX with the packaged (CC BY-NC 4.0) Keras weights."""
