from django.urls import include, path

from predictions.views import about, files, jobs, submit

# Every job sub-page exists twice: for the owner (/jobs/<uuid>/...) and for a share link (/s/<token>/...).
job_pages = [
    path("status", jobs.job_status_json, name="status"),
    path("variants.bed", files.variants_bed, name="variants-bed"),
    path("motifs.bed", files.motifs_bed, name="motifs-bed"),
    path("files/<path:path>", files.job_file, name="file"),
    path("download/<str:name>", files.download, name="download"),
]

urlpatterns = [
    path("", submit.home, name="home"),
    path("about", about.about, name="about"),
    path("jobs/", jobs.job_list, name="job-list"),
    path("jobs/<uuid:code>/", jobs.job_detail, name="job"),
    path("jobs/<uuid:code>/", include((job_pages, "owner"))),
    path("jobs/<uuid:code>/cancel", jobs.job_cancel, name="job-cancel"),
    path("jobs/<uuid:code>/delete", jobs.job_delete, name="job-delete"),
    path("jobs/<uuid:code>/share", jobs.share_create, name="share-create"),
    path("jobs/<uuid:code>/share/<str:token>/revoke", jobs.share_revoke, name="share-revoke"),
    path("s/<str:token>/", jobs.job_detail, name="shared-job"),
    path("s/<str:token>/", include((job_pages, "shared"))),
    path("assemblies/<slug:name>/reference/<str:filename>", files.assembly_file, name="assembly-file"),
    path("assemblies/<slug:name>/genes.bed", files.assembly_genes_bed, name="assembly-genes-bed"),
    path("assemblies/<slug:name>/genes", files.gene_suggestions, name="assembly-genes"),
    path("api/v1/", include("predictions.api.urls")),
]
