"""Assemblies and backends: what a script can choose from."""

from __future__ import annotations


def test_assemblies(owner_api, demo_assembly):
    body = owner_api.get("/api/v1/assemblies/").json()
    assert body["results"] == [
        {
            "name": "GRCh37-chr20",
            "organism": "HOMO_SAPIENS",
            "description": demo_assembly.description,
            "annotation_format": "spliceai",
        }
    ]
    one = owner_api.get("/api/v1/assemblies/GRCh37-chr20/")
    assert one.status_code == 200 and one.json()["name"] == "GRCh37-chr20"
    assert owner_api.get("/api/v1/assemblies/hg38/").status_code == 404


def test_assemblies_are_read_only(owner_api, demo_assembly):
    assert owner_api.post("/api/v1/assemblies/", {"name": "x"}, format="json").status_code == 405
    assert owner_api.delete("/api/v1/assemblies/GRCh37-chr20/").status_code == 405


def test_backends_name_licences(owner_api):
    backends = {b["name"]: b for b in owner_api.get("/api/v1/backends/").json()["backends"]}
    assert "CC BY-NC 4.0" in backends["spliceai"]["licence"]
    assert backends["alphagenome"]["weights_trained"] is False
