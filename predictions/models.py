"""Jobs, their inputs and results, share links and API keys.

A Job is the unit of work: its UUID `code` is its public identity (integer keys never reach a
URL), its status moves queued → running → one of FINAL_STATES, and a running job proves it is
alive with `heartbeat`. State transitions are conditional UPDATEs so two workers can never both
run a job.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Abs
from django.utils import timezone

from predictions import field_limits, front_proxy


class Assembly(models.Model):
    """A reference genome the app can predict on: FASTA (+ .fai/.gzi) and a gene annotation."""

    class Organism(models.TextChoices):
        HUMAN = "HOMO_SAPIENS", "Homo sapiens"
        MOUSE = "MUS_MUSCULUS", "Mus musculus"

    class AnnotationFormat(models.TextChoices):
        SPLICEAI = "spliceai", "SpliceAI canonical-transcript table"
        GTF = "gtf", "GENCODE/Ensembl GTF"

    name = models.SlugField(max_length=field_limits.ASSEMBLY_NAME, unique=True)
    organism = models.CharField(max_length=16, choices=Organism.choices, default=Organism.HUMAN)
    description = models.CharField(max_length=200, blank=True)
    fasta_path = models.CharField(max_length=500)
    annotation_path = models.CharField(max_length=500, blank=True)
    annotation_format = models.CharField(
        max_length=16, choices=AnnotationFormat.choices, default=AnnotationFormat.SPLICEAI
    )
    common_variants_path = models.CharField(max_length=500, blank=True)
    quantiles_path = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "assemblies"

    def __str__(self) -> str:
        return self.name


class JobQuerySet(models.QuerySet["Job"]):
    def owned_by(self, user: Any) -> JobQuerySet:
        return self.filter(owner=user) if user.is_authenticated else self.none()

    def stale(self, now: Any = None) -> JobQuerySet:
        """Running jobs whose heartbeat is older than GENOMEAPP_STALE_AFTER_SECONDS."""
        now = now or timezone.now()
        cutoff = now - timedelta(seconds=settings.GENOMEAPP_STALE_AFTER_SECONDS)
        return self.filter(status=Job.RUNNING).filter(Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True))

    def unsent(self, now: Any = None) -> JobQuerySet:
        """Submitted jobs (no heartbeat yet) queued longer than GENOMEAPP_RESEND_QUEUED_AFTER_SECONDS and
        not re-sent within that time: their broker message may be lost (Redis restarted without its
        append-only file, or the web server died between commit and send)."""
        now = now or timezone.now()
        cutoff = now - timedelta(seconds=settings.GENOMEAPP_RESEND_QUEUED_AFTER_SECONDS)
        waiting = self.filter(status=Job.QUEUED, heartbeat__isnull=True, created__lt=cutoff)
        return waiting.filter(Q(resent__isnull=True) | Q(resent__lt=cutoff))

    def abandoned(self, now: Any = None) -> JobQuerySet:
        """Jobs re-queued (`Job.requeue` stamps the heartbeat) that no worker took up within
        GENOMEAPP_STALE_AFTER_SECONDS; a job queued by a submission has no heartbeat. None while any
        job runs with a fresh heartbeat: a worker is alive, and the job waits behind a backlog."""
        now = now or timezone.now()
        cutoff = now - timedelta(seconds=settings.GENOMEAPP_STALE_AFTER_SECONDS)
        if self.model.objects.filter(status=Job.RUNNING, heartbeat__gte=cutoff).exists():
            return self.none()
        return self.filter(status=Job.QUEUED, heartbeat__lt=cutoff)


class Job(models.Model):
    """One request for predictions: an interval, a set of variants, a sequence or an ISM scan."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    STATUS_CHOICES = [
        (QUEUED, "Queued"),
        (RUNNING, "Running"),
        (SUCCEEDED, "Succeeded"),
        (FAILED, "Failed"),
        (CANCELLED, "Cancelled"),
    ]
    FINAL_STATES = (SUCCEEDED, FAILED, CANCELLED)

    class Kind(models.TextChoices):
        INTERVAL = "interval", "Interval"
        VARIANTS = "variants", "Variants"
        SEQUENCE = "sequence", "Sequence"
        ISM = "ism", "In-silico mutagenesis"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=field_limits.JOB_TITLE, blank=True)
    assembly = models.ForeignKey(Assembly, null=True, blank=True, on_delete=models.PROTECT)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=STATUS_CHOICES, default=QUEUED, db_index=True)
    step = models.CharField(max_length=field_limits.STEP, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    celery_task_id = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)
    # how many times a worker claimed it: a re-queued job (its worker died, or lost the database)
    # resumes, up to GENOMEAPP_MAX_JOB_ATTEMPTS
    attempts = models.PositiveSmallIntegerField(default=0)
    # when the reaper last sent a long-queued job's message again (see JobQuerySet.unsent)
    resent = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["owner", "-created"], name="job_owner_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} job {self.code}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATES

    @property
    def progress_fraction(self) -> float | None:
        return self.progress_done / self.progress_total if self.progress_total else None

    def set_parameter(self, name: str, value: Any) -> None:
        """Record one result note (e.g. report status) without touching other fields."""
        self.parameters = {**self.parameters, name: value}
        Job.objects.filter(pk=self.pk).update(parameters=self.parameters)

    def results_dir(self) -> Path:
        return Path(settings.MEDIA_ROOT) / "results" / str(self.code)

    def require_assembly(self) -> Assembly:
        """The job's assembly: every kind but a bare-sequence job has one."""
        if self.assembly is None:
            raise ValueError(f"{self.get_kind_display()} job {self.code} has no assembly")
        return self.assembly

    # --- transitions: each is one conditional UPDATE, so racing processes cannot both win ---

    def claim(self, task_id: str = "") -> bool:
        """queued → running; False if another worker (or a cancel) got there first."""
        now = timezone.now()
        won = Job.objects.filter(pk=self.pk, status=Job.QUEUED).update(
            status=Job.RUNNING,
            started=now,
            heartbeat=now,
            celery_task_id=task_id or F("celery_task_id"),
            attempts=F("attempts") + 1,
        )
        self.refresh_from_db()
        return won == 1

    def requeue(self, reason: str) -> bool:
        """running → queued, to be resumed by the next worker that claims it; the heartbeat marks
        when, so that the reaper can fail it if no worker takes it up (`abandoned`)."""
        changed = Job.objects.filter(pk=self.pk, status=Job.RUNNING).update(
            status=Job.QUEUED, heartbeat=timezone.now(), step=reason[:200]
        )
        self.refresh_from_db()
        return changed == 1

    def beat(self, *, done: int | None = None, total: int | None = None, step: str | None = None) -> bool:
        """Record liveness and progress; False when the job is no longer running (e.g. cancelled)."""
        fields: dict[str, Any] = {"heartbeat": timezone.now()}
        if done is not None:
            fields["progress_done"] = done
        if total is not None:
            fields["progress_total"] = total
        if step is not None:
            fields["step"] = step[:200]
        # the attempt too: a worker presumed dead whose job was re-queued and claimed again stops
        alive = (
            Job.objects.filter(pk=self.pk, status=Job.RUNNING, attempts=self.attempts).update(**fields) == 1
        )
        for name, value in fields.items():
            setattr(self, name, value)
        return alive

    def finish(self) -> bool:
        return self._close(Job.SUCCEEDED, step="done")

    def fail(self, message: str, *, from_states: tuple[str, ...] = (RUNNING,)) -> bool:
        return self._close(Job.FAILED, from_states=from_states, error=message)

    def cancel(self) -> bool:
        """Cancel a queued or running job; a running task notices at its next heartbeat."""
        return self._close(Job.CANCELLED, from_states=(Job.QUEUED, Job.RUNNING), step="cancelled")

    def _close(self, status: str, *, from_states: tuple[str, ...] = (RUNNING,), **fields: Any) -> bool:
        changed = Job.objects.filter(pk=self.pk, status__in=from_states).update(
            status=status, finished=timezone.now(), **fields
        )
        self.refresh_from_db()
        return changed == 1


class Variant(models.Model):
    """One input variant, accepted or rejected, with the line it came from."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SKIPPED = "skipped", "Skipped by the model"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="variants")
    chrom = models.CharField(max_length=field_limits.CONTIG_NAME)
    pos = models.PositiveBigIntegerField(help_text="1-based position, as in VCF")
    ref = models.TextField()
    alt = models.TextField()
    variant_id = models.CharField(max_length=field_limits.VARIANT_ID, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True, help_text="input line number")
    source_text = models.TextField(blank=True, help_text="the input line as submitted (shortened)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACCEPTED)
    message = models.TextField(blank=True)
    max_abs_score = models.FloatField(null=True, blank=True)
    # largest |quantile score| (against the assembly's common-variant background); None without one
    max_abs_quantile = models.FloatField(null=True, blank=True)
    top_gene = models.CharField(max_length=field_limits.GENE_NAME, blank=True)
    # transcription-factor motifs gained or lost (predictions.runners.motifs): None = not scanned
    motif_changes = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["chrom", "pos", "ref", "alt"]
        indexes = [
            models.Index(fields=["job", "status"], name="variant_job_status"),
            models.Index(fields=["job", "-max_abs_score"], name="variant_job_maxabs"),
        ]

    def __str__(self) -> str:
        return f"{self.chrom}:{self.pos}:{self.ref}>{self.alt}"


class Score(models.Model):
    """One row of the tidy scores: (variant, scorer, track, gene) → raw and quantile score."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="scores")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="scores")
    scorer = models.CharField(max_length=200)
    output_type = models.CharField(max_length=32)
    track_name = models.CharField(max_length=300)
    track_strand = models.CharField(max_length=1, blank=True)
    ontology_curie = models.CharField(max_length=field_limits.ONTOLOGY_CURIE, blank=True)
    biosample_name = models.CharField(max_length=200, blank=True)
    gene_id = models.CharField(max_length=64, blank=True)
    gene_name = models.CharField(max_length=field_limits.GENE_NAME, blank=True)
    raw_score = models.FloatField()
    offset = models.IntegerField(
        null=True, blank=True, help_text="bp from the variant to the effect (SpliceAI DP)"
    )
    quantile_score = models.FloatField(null=True, blank=True)
    backend = models.CharField(max_length=32, blank=True)
    # False: the backend's weights are random (an architecture demo, not biology). Such scores are
    # labelled wherever they are read and never feed a variant's max |score| or its rank.
    trained = models.BooleanField(default=True)

    class Meta:
        indexes = [
            models.Index(F("job"), Abs("raw_score").desc(), name="score_job_absraw"),
            models.Index(fields=["variant", "scorer"], name="score_variant_scorer"),
            models.Index(fields=["job", "gene_name"], name="score_job_gene"),
            models.Index(fields=["job", "output_type"], name="score_job_output"),
        ]
        constraints = [
            # A resumed job must not score a variant twice. SpliceAI VCF rows are one per (variant,
            # scorer, gene, delta); AlphaGenome's are not unique in these columns (junction scores
            # repeat a gene and track), and its runner deletes and rewrites them instead.
            models.UniqueConstraint(
                fields=["variant", "scorer", "track_name", "track_strand", "gene_id"],
                condition=Q(scorer__startswith="SpliceAI("),
                name="score_spliceai_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorer} {self.track_name} {self.raw_score:.4g}"


class TrackFile(models.Model):
    """A result file (bigWig, BED, bedpe, PNG) for a variant or an interval."""

    class Allele(models.TextChoices):
        REF = "REF", "Reference"
        ALT = "ALT", "Alternative"
        DELTA = "DELTA", "ALT − REF"
        NONE = "", "Interval prediction"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="track_files")
    variant = models.ForeignKey(
        Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="tracks"
    )
    interval = models.CharField(max_length=100, blank=True, help_text="chrom:start-end, 1-based")
    output_type = models.CharField(max_length=32)
    track_name = models.CharField(max_length=300)
    allele = models.CharField(max_length=8, choices=Allele.choices, blank=True)
    file_format = models.CharField(max_length=16)
    path = models.CharField(max_length=500, help_text="relative to MEDIA_ROOT")
    backend = models.CharField(max_length=32, blank=True)
    provenance = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "variant"], name="trackfile_job_variant")]

    def __str__(self) -> str:
        return self.path


def hash_share_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def active(self) -> ShareLinkQuerySet:
        return self.filter(revoked__isnull=True)

    def for_token(self, token: str) -> ShareLinkQuerySet:
        """The link with this token, found by the token's SHA-256: how long the database takes to
        compare tells nothing about the secret (only about its hash), unlike `token=` would."""
        return self.filter(token_hash=hash_share_token(token))


class ShareLink(models.Model):
    """A revocable, unguessable (256-bit) read-only link to one job.

    `token` is kept so that the owner can see the link again; lookups go by `token_hash`."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=64, unique=True, default="", editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created = models.DateTimeField(auto_now_add=True)
    revoked = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    def __str__(self) -> str:
        return f"share link for {self.job.code}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        self.token_hash = hash_share_token(self.token)
        super().save(*args, **kwargs)

    def revoke(self) -> None:
        """Revoke at once, pages and files: the front proxy is told first (its grant cache would
        otherwise keep serving the link's files), so a failure there leaves the link as it was."""
        front_proxy.stop_serving_share_link(self.token)
        ShareLink.objects.filter(pk=self.pk, revoked__isnull=True).update(revoked=timezone.now())
        self.refresh_from_db()


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked__isnull=True, user__is_active=True)

    def authenticate(self, raw_key: str) -> ApiKey | None:
        """The active key matching `raw_key`, with its usage recorded; None when unknown or revoked."""
        key = self.active().select_related("user").filter(hashed_key=hash_api_key(raw_key)).first()
        if key is not None:
            ApiKey.objects.filter(pk=key.pk).update(
                last_used=timezone.now(), request_count=F("request_count") + 1
            )
        return key


class ApiKey(models.Model):
    """A secret for scripts (REST and gRPC). Only its SHA-256 is stored; the key is shown once."""

    PREFIX = "ga_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=field_limits.API_KEY_NAME)
    prefix = models.CharField(max_length=12, help_text="first characters, to recognise a key")
    hashed_key = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    request_count = models.PositiveBigIntegerField(default=0)
    revoked = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: Any, name: str) -> tuple[ApiKey, str]:
        """Create a key; returns the row and the raw key, which is never stored."""
        raw_key = cls.PREFIX + secrets.token_urlsafe(32)
        key = cls.objects.create(user=user, name=name, prefix=raw_key[:10], hashed_key=hash_api_key(raw_key))
        return key, raw_key

    def revoke(self) -> None:
        ApiKey.objects.filter(pk=self.pk, revoked__isnull=True).update(revoked=timezone.now())
        self.refresh_from_db()
