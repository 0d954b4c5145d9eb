"""Shared fixtures: personas (owner, colleague with a share link, outsider) and the demo assembly."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no rate-limit counts: they live in the cache (predictions.rate_limits),
    keyed by user id and address, which the next test's users reuse."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("owner", password="owner-pass-123")


@pytest.fixture
def outsider(django_user_model):
    return django_user_model.objects.create_user("outsider", password="outsider-pass-123")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def demo_assembly(db):
    """The real GRCh37 chr20 demo assembly (vt-examples FASTA + SpliceAI's chr20 genes)."""
    from pathlib import Path

    from model import demo_assets
    from predictions.assemblies import register_assembly
    from predictions.demo_data import _write_chr20_gene_table

    fasta = demo_assets.demo_fasta_path()
    genes = demo_assets.demo_dir() / "genes.grch37.chr20.txt"
    if not genes.exists():
        _write_chr20_gene_table(demo_assets.spliceai_annotation_path("grch37"), genes)
    assembly, _ = register_assembly(name=demo_assets.DEMO_ASSEMBLY, fasta=Path(fasta), annotation=genes)
    return assembly
