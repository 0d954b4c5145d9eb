"""Gene-name autocomplete on the start page: prefix matches from the assembly's annotation."""

from __future__ import annotations


def test_prefix_is_case_insensitive_and_gives_a_browser_locus(owner_client, demo_assembly):
    response = owner_client.get("/assemblies/GRCh37-chr20/genes", {"q": "snrp"})
    assert response.status_code == 200
    genes = response.json()["genes"]
    assert "SNRPB" in [g["name"] for g in genes]
    assert all(g["name"].upper().startswith("SNRP") for g in genes)
    snrpb = next(g for g in genes if g["name"] == "SNRPB")
    chrom, span = snrpb["locus"].split(":")
    start, end = (int(x) for x in span.split("-"))
    assert chrom == "20" and start < 2443281 < end  # the demo's donor variant lies in SNRPB
    assert snrpb["strand"] == "-"


def test_at_most_fifteen_suggestions(owner_client, demo_assembly):
    assert len(owner_client.get("/assemblies/GRCh37-chr20/genes", {"q": "C"}).json()["genes"]) == 15


def test_empty_or_unknown_prefix_gives_nothing(owner_client, demo_assembly):
    assert owner_client.get("/assemblies/GRCh37-chr20/genes").json() == {"genes": []}
    assert owner_client.get("/assemblies/GRCh37-chr20/genes", {"q": "  "}).json() == {"genes": []}
    assert owner_client.get("/assemblies/GRCh37-chr20/genes", {"q": "ZZZNOPE"}).json() == {"genes": []}


def test_unknown_assembly_is_404(owner_client, demo_assembly):
    assert owner_client.get("/assemblies/mm10/genes", {"q": "SNRP"}).status_code == 404
