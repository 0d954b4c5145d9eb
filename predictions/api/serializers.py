"""REST representations. Jobs are addressed by their UUID `code`; integer ids never appear."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import exceptions, serializers, status

from model.service import DEFAULT_SEQUENCE_LENGTH_NAME, RECOMMENDED_VARIANT_SCORERS, SEQUENCE_LENGTHS_BY_NAME
from predictions import field_limits, job_status
from predictions.forms import OUTPUT_TYPE_CHOICES, prediction_options
from predictions.models import Assembly, Job, Score, ShareLink, TrackFile, Variant
from predictions.strict_fields import BoundedListField, NamedSlugRelatedField, StrictIntegerSerializerField
from predictions.submission import PredictionOptions


class AssemblySerializer(serializers.ModelSerializer):
    class Meta:
        model = Assembly
        fields = ["name", "organism", "description", "annotation_format"]


class JobSerializer(serializers.ModelSerializer):
    assembly: serializers.SlugRelatedField[Assembly] = serializers.SlugRelatedField(
        slug_field="name", read_only=True
    )
    progress = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "code",
            "kind",
            "title",
            "assembly",
            "status",
            "step",
            "progress",
            "error",
            "parameters",
            "created",
            "started",
            "finished",
            "url",
        ]

    def get_progress(self, job: Job) -> dict[str, Any]:
        status = job_status.as_dict(job)
        return {key: status[key] for key in ("done", "total", "fraction", "eta_seconds", "variants")}

    def get_url(self, job: Job) -> str:
        return f"/jobs/{job.code}/"


class UploadTooLarge(exceptions.APIException):
    """An upload over GENOMEAPP_MAX_UPLOAD_BYTES: 413, not the 400 of a ValidationError."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "upload_too_large"


class JobCreateSerializer(serializers.Serializer):
    """Create any kind of job; `mode` picks the input field that must be filled."""

    mode = serializers.ChoiceField(choices=["variants", "vcf", "locus", "gene", "sequence", "ism"])
    assembly = NamedSlugRelatedField(
        slug_field="name",
        queryset=Assembly.objects.all(),
        required=False,
        max_length=field_limits.ASSEMBLY_NAME,
    )
    variants_text = serializers.CharField(required=False, allow_blank=True, default="")
    vcf_file = serializers.FileField(required=False)
    locus = serializers.CharField(required=False, allow_blank=True, default="", max_length=field_limits.LOCUS)
    gene = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=field_limits.GENE_NAME
    )
    sequence = serializers.CharField(required=False, allow_blank=True, default="")
    ism_locus = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=field_limits.LOCUS
    )
    sequence_length = serializers.ChoiceField(
        choices=list(SEQUENCE_LENGTHS_BY_NAME), default=DEFAULT_SEQUENCE_LENGTH_NAME
    )
    output_types = BoundedListField(
        child=serializers.ChoiceField(choices=[c for c, _ in OUTPUT_TYPE_CHOICES]),
        default=["SPLICE_SITES"],
        max_length=len(OUTPUT_TYPE_CHOICES),
    )
    ontology_terms = BoundedListField(
        child=serializers.RegexField(r"^[A-Za-z_]+:\S+$", max_length=field_limits.ONTOLOGY_CURIE),
        default=list,
        max_length=field_limits.ONTOLOGY_TERMS,
    )
    spliceai = serializers.BooleanField(default=True)
    spliceai_distance = StrictIntegerSerializerField(
        min_value=0, max_value=field_limits.SPLICEAI_MAX_DISTANCE, default=50
    )
    spliceai_mask = serializers.BooleanField(default=False)
    alphagenome_scorers = BoundedListField(
        child=serializers.ChoiceField(choices=list(RECOMMENDED_VARIANT_SCORERS)),
        default=list,
        max_length=len(RECOMMENDED_VARIANT_SCORERS),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Every mode needs one: submit() loads the genome even for a sequence job (the form requires it too).
        if "assembly" not in attrs:
            default = Assembly.objects.filter(name=settings.GENOMEAPP_DEFAULT_ASSEMBLY).first()
            if default is None:
                raise serializers.ValidationError({"assembly": "name an assembly (no default is registered)"})
            attrs["assembly"] = default
        upload = attrs.get("vcf_file")
        if upload is not None and upload.size > settings.GENOMEAPP_MAX_UPLOAD_BYTES:
            raise UploadTooLarge(
                {
                    "vcf_file": [
                        f"{upload.name} is {upload.size:,} bytes; "
                        f"the limit is {settings.GENOMEAPP_MAX_UPLOAD_BYTES:,}"
                    ]
                }
            )
        return attrs

    def options(self) -> PredictionOptions:
        return prediction_options(self.validated_data)


class MotifChangeSerializer(serializers.Serializer):
    """A transcription-factor motif site the variant creates (gain) or destroys (loss)."""

    effect = serializers.ChoiceField(choices=["gain", "loss"])
    matrix_id = serializers.CharField(help_text="JASPAR matrix, e.g. MA0140.3")
    name = serializers.CharField(help_text="the factor(s), e.g. GATA1::TAL1")
    strand = serializers.ChoiceField(choices=["+", "-"])
    start = serializers.IntegerField(help_text="1-based first base of the site (REF coordinates)")
    end = serializers.IntegerField(help_text="1-based last base of the site")
    ref_score = serializers.FloatField(allow_null=True, help_text="PWM score in bits on REF")
    alt_score = serializers.FloatField(allow_null=True, help_text="PWM score in bits on ALT")
    ref_pvalue = serializers.FloatField(help_text="P(score ≥ REF's) on background sequence")
    alt_pvalue = serializers.FloatField(help_text="P(score ≥ ALT's) on background sequence")
    ref_site = serializers.CharField(help_text="the site's bases on REF, read on its strand")
    alt_site = serializers.CharField(help_text="the site's bases on ALT, read on its strand")


class VariantSerializer(serializers.ModelSerializer):
    max_abs_score = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="largest |raw score| over scores from trained weights (random-weight scores never count); "
        "null when the variant has none",
    )
    motif_changes = MotifChangeSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        help_text="JASPAR CORE vertebrate motifs gained or lost (p ≤ 1e-4 on one allele only, ≥ 10× change), "
        "strongest first; null when the variant was not scanned",
    )

    class Meta:
        model = Variant
        fields = [
            "chrom",
            "pos",
            "ref",
            "alt",
            "variant_id",
            "line",
            "status",
            "message",
            "max_abs_score",
            "top_gene",
            "motif_changes",
        ]


class ScoreSerializer(serializers.ModelSerializer):
    variant = serializers.SerializerMethodField()
    variant_scorer = serializers.CharField(source="scorer")
    trained = serializers.BooleanField(
        read_only=True,
        help_text="false: computed with random, untrained weights (not biology); "
        "such scores never rank variants",
    )

    class Meta:
        model = Score
        fields = [
            "variant",
            "variant_scorer",
            "output_type",
            "track_name",
            "track_strand",
            "ontology_curie",
            "biosample_name",
            "gene_id",
            "gene_name",
            "raw_score",
            "quantile_score",
            "offset",
            "backend",
            "trained",
        ]

    def get_variant(self, score: Score) -> str:
        v = score.variant
        return f"{v.chrom}:{v.pos}:{v.ref}>{v.alt}"


class TrackFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    variant = serializers.SerializerMethodField()

    class Meta:
        model = TrackFile
        fields = [
            "url",
            "variant",
            "interval",
            "output_type",
            "track_name",
            "allele",
            "file_format",
            "backend",
            "provenance",
        ]

    def get_url(self, track: TrackFile) -> str:
        request = self.context["request"]
        relative = track.path.removeprefix(f"results/{track.job.code}/")
        return request.build_absolute_uri(f"/jobs/{track.job.code}/files/{relative}")

    def get_variant(self, track: TrackFile) -> str | None:
        v = track.variant
        return None if v is None else f"{v.chrom}:{v.pos}:{v.ref}>{v.alt}"


class ShareLinkSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = ["token", "url", "created", "revoked"]

    def get_url(self, link: ShareLink) -> str:
        return self.context["request"].build_absolute_uri(f"/s/{link.token}/")
