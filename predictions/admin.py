from django.contrib import admin

from predictions.models import ApiKey, Assembly, Job, Score, ShareLink, TrackFile, Variant


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    list_display = ("name", "organism", "fasta_path", "annotation_path", "created")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "kind",
        "owner",
        "status",
        "progress_done",
        "progress_total",
        "created",
        "heartbeat",
    )
    list_filter = ("status", "kind")
    search_fields = ("code", "owner__username", "title")
    readonly_fields = ("code", "created", "started", "finished", "heartbeat", "celery_task_id")


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("job", "chrom", "pos", "ref", "alt", "status", "max_abs_score")
    list_filter = ("status",)
    raw_id_fields = ("job",)


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = (
        "variant",
        "scorer",
        "output_type",
        "track_name",
        "gene_name",
        "raw_score",
        "quantile_score",
    )
    raw_id_fields = ("job", "variant")


@admin.register(TrackFile)
class TrackFileAdmin(admin.ModelAdmin):
    list_display = ("job", "variant", "output_type", "track_name", "allele", "file_format", "path")
    raw_id_fields = ("job", "variant")


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ("job", "created_by", "created", "revoked")
    raw_id_fields = ("job",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created", "last_used", "request_count", "revoked")
    readonly_fields = ("prefix", "hashed_key", "last_used", "request_count")
