"""Shared fixtures: personas (owner, colleague with a share link, outsider) and the demo assembly."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Close every connection at the end of its request in tests.

    Production keeps connections for 60 s (`conn_max_age`); the live server's request threads
    would then still hold theirs when the test database is dropped ("being accessed by other users").
    """
    from django.db import connections

    for alias in connections:
        connections[alias].settings_dict["CONN_MAX_AGE"] = 0


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
