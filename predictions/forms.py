"""The start page's form: one assembly, one kind of input, and what to predict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings

from model.service import (
    DEFAULT_SEQUENCE_LENGTH_NAME,
    MAX_ISM_WIDTH,
    RECOMMENDED_VARIANT_SCORERS,
    SEQUENCE_LENGTHS_BY_NAME,
)
from predictions import field_limits
from predictions.models import Assembly
from predictions.strict_fields import StrictIntegerFormField
from predictions.submission import PredictionOptions

OUTPUT_TYPE_CHOICES = [
    (name, name.replace("_", " ").title())
    for name in (
        "SPLICE_SITES",
        "ATAC",
        "CAGE",
        "DNASE",
        "RNA_SEQ",
        "PROCAP",
        "CHIP_HISTONE",
        "CHIP_TF",
        "SPLICE_SITE_USAGE",
        "SPLICE_JUNCTIONS",
        "CONTACT_MAPS",
    )
]


def _length_label(length: int) -> str:
    """`16 kb`, `128 kb`, `512 kb`, `1 Mb`."""
    return f"{length // 2**20} Mb" if length >= 2**20 else f"{length // 2**10} kb"


SEQUENCE_LENGTH_CHOICES = [(name, _length_label(length)) for name, length in SEQUENCE_LENGTHS_BY_NAME.items()]


def prediction_options(data: Mapping[str, Any]) -> PredictionOptions:
    """The options of the start form's or the REST API's validated fields."""
    return PredictionOptions(
        sequence_length=SEQUENCE_LENGTHS_BY_NAME[data["sequence_length"]],
        output_types=tuple(data["output_types"] or ["SPLICE_SITES"]),
        ontology_terms=tuple(data["ontology_terms"]),
        spliceai_distance=data["spliceai_distance"] if data["spliceai"] else None,
        spliceai_mask=bool(data["spliceai_mask"]),
        alphagenome_scorers=tuple(data["alphagenome_scorers"]),
    )


class PredictionForm(forms.Form):
    MODES = [
        ("variants", "Variants (text)"),
        ("vcf", "VCF upload"),
        ("locus", "Locus"),
        ("gene", "Gene"),
        ("sequence", "DNA sequence"),
        ("ism", "In-silico mutagenesis"),
    ]

    assembly = forms.ModelChoiceField(queryset=Assembly.objects.all(), to_field_name="name", empty_label=None)
    mode = forms.ChoiceField(choices=MODES, initial="variants", widget=forms.RadioSelect)
    variants_text = forms.CharField(
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "chr20:2443281:C>A\n20-2443280-A-G\n20_31022441_G_A_b37"}
        ),
        label="Variants, one per line",
    )
    vcf_file = forms.FileField(required=False, label="VCF (plain, gzip or bgzip)")
    locus = forms.CharField(
        required=False,
        max_length=field_limits.LOCUS,
        widget=forms.TextInput(attrs={"placeholder": "chr20:2,440,000-2,460,000"}),
    )
    gene = forms.CharField(
        required=False,
        max_length=field_limits.GENE_NAME,
        widget=forms.TextInput(
            attrs={"placeholder": "SNRPB", "list": "gene-suggestions", "autocomplete": "off"}
        ),
    )
    sequence = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="DNA sequence (ACGTN)"
    )
    ism_locus = forms.CharField(
        required=False,
        max_length=field_limits.LOCUS,
        label=f"ISM interval (at most {MAX_ISM_WIDTH} bp)",
        widget=forms.TextInput(attrs={"placeholder": "chr20:2443260-2443300"}),
    )
    sequence_length = forms.ChoiceField(
        choices=SEQUENCE_LENGTH_CHOICES,
        initial=DEFAULT_SEQUENCE_LENGTH_NAME,
        label="Sequence length (centred)",
    )
    output_types = forms.MultipleChoiceField(
        choices=OUTPUT_TYPE_CHOICES,
        initial=["SPLICE_SITES"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ontology_terms = forms.CharField(
        required=False,
        max_length=field_limits.ONTOLOGY_TERMS_TEXT,
        label="Tissues / cell types (ontology CURIEs, comma-separated)",
        widget=forms.TextInput(attrs={"placeholder": "UBERON:0002048, CL:0000182"}),
    )
    spliceai = forms.BooleanField(required=False, initial=True, label="SpliceAI delta scores")
    spliceai_distance = StrictIntegerFormField(
        min_value=0, max_value=field_limits.SPLICEAI_MAX_DISTANCE, initial=50, label="SpliceAI distance (bp)"
    )
    spliceai_mask = forms.BooleanField(required=False, label="Mask (SpliceAI -M)")
    alphagenome_scorers = forms.MultipleChoiceField(
        choices=[(key, key) for key in RECOMMENDED_VARIANT_SCORERS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="AlphaGenome scorers",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = Assembly.objects.filter(name=settings.GENOMEAPP_DEFAULT_ASSEMBLY).first()
        if default is not None:
            self.fields["assembly"].initial = default.name

    def clean_ontology_terms(self) -> list[str]:
        terms = [t.strip() for t in self.cleaned_data["ontology_terms"].split(",") if t.strip()]
        bad = [t for t in terms if ":" not in t]
        if bad:
            raise forms.ValidationError(f"not an ontology CURIE (PREFIX:ID): {', '.join(bad[:5])}")
        long = [t for t in terms if len(t) > field_limits.ONTOLOGY_CURIE]
        if long:
            raise forms.ValidationError(
                f"an ontology CURIE has at most {field_limits.ONTOLOGY_CURIE} characters: {long[0][:40]}…"
            )
        if len(terms) > field_limits.ONTOLOGY_TERMS:
            raise forms.ValidationError(
                f"at most {field_limits.ONTOLOGY_TERMS} ontology terms per job; {len(terms):,} were given"
            )
        return terms

    def clean_vcf_file(self) -> Any:
        upload = self.cleaned_data.get("vcf_file")
        limit = settings.GENOMEAPP_MAX_UPLOAD_BYTES
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(f"{upload.name} is {upload.size:,} bytes; the limit is {limit:,}")
        return upload

    def options(self) -> PredictionOptions:
        return prediction_options(self.cleaned_data)
