"""Training and fine-tuning of the AlphaGenome network, framework-free (no Django).

Modules: `config` (the TOML run config), `data` (examples from a FASTA, bigWigs and splice
tables; folds; augmentation), `losses` (per head, as the architecture spec), `metrics`
(validation metrics per head), `checkpointing` (Orbax checkpoints for exact resume, the export),
`loop` (jitted train step, evaluation, `fit`/`finetune`). CLI: `python -m model.train fit
--config RUN.toml` and `python -m model.train finetune --config RUN.toml`.
"""
