"""Shared, process-cached fixtures for the SpliceAI tests (real GRCh37 chr20, packaged weights)."""

from __future__ import annotations

import functools
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")


def _require_assets() -> None:
    from model.demo_assets import MissingSourceError, demo_fasta_path, spliceai_weight_paths

    try:
        spliceai_weight_paths()
        demo_fasta_path()
    except MissingSourceError as error:  # pragma: no cover - make test installs them
        pytest.fail(f"SpliceAI demo assets missing (scripts/setup.sh --test installs them): {error}")


@functools.cache
def genome():
    _require_assets()
    from model.demo_assets import demo_fasta_path
    from model.genome import Genome

    return Genome(demo_fasta_path())


@functools.cache
def gene_table():
    from model.demo_assets import spliceai_annotation_path
    from model.spliceai.scoring import load_annotation

    _require_assets()
    spliceai_annotation_path("grch37")
    return load_annotation("grch37")


@functools.cache
def ensemble():
    _require_assets()
    from model.spliceai.ensemble import default_ensemble

    return default_ensemble()


@functools.cache
def scorer(distance: int = 50, mask: bool = False):
    from model.spliceai.scoring import SpliceAIScorer

    return SpliceAIScorer(genome(), gene_table(), distance=distance, mask=mask, ensemble=ensemble())


@functools.cache
def keras_models() -> tuple:
    _require_assets()
    from model.spliceai.keras_reference import load_keras_models

    return tuple(load_keras_models())


def gene(name: str):
    table = gene_table()
    return table[table["gene_name"] == name].iloc[0]
