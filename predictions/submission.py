"""Creating jobs from validated input, shared by the HTML form and the REST API."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from model.service import DEFAULT_SEQUENCE_LENGTH, MAX_ISM_WIDTH
from predictions import field_limits, inputs
from predictions.assemblies import gene_index_for, genome_for
from predictions.models import Assembly, Job, Variant


@dataclasses.dataclass(frozen=True)
class PredictionOptions:
    """What to predict and how to score it (stored in `Job.parameters`)."""

    sequence_length: int = DEFAULT_SEQUENCE_LENGTH
    output_types: tuple[str, ...] = ("SPLICE_SITES",)
    ontology_terms: tuple[str, ...] = ()
    spliceai_distance: int | None = 50  # None: no SpliceAI scores
    spliceai_mask: bool = False
    alphagenome_scorers: tuple[str, ...] = ()

    def as_parameters(self) -> dict[str, Any]:
        return {
            "sequence_length": self.sequence_length,
            "output_types": list(self.output_types),
            "ontology_terms": list(self.ontology_terms),
            "spliceai": None
            if self.spliceai_distance is None
            else {"distance": self.spliceai_distance, "mask": self.spliceai_mask},
            "alphagenome_scorers": list(self.alphagenome_scorers),
        }


def enqueue(job: Job) -> None:
    """Send the job to the inference queue once the transaction that created it commits.

    If the broker cannot be reached the job is deleted again (no worker would ever see it) and
    QueueUnavailable is raised from the commit, for the views to answer 503.
    """
    from predictions.tasks import run_job

    def send() -> None:
        try:
            result = run_job.apply_async(args=[str(job.code)], queue=settings.CELERY_INFERENCE_QUEUE_NAME)
        except (KombuOperationalError, OSError) as error:  # Celery has retried the publish meanwhile
            Job.objects.filter(pk=job.pk).delete()
            raise QueueUnavailable() from error
        Job.objects.filter(pk=job.pk, celery_task_id="").update(celery_task_id=result.id or "")

    transaction.on_commit(send)


@transaction.atomic
def create_variant_job(
    *,
    owner: Any,
    assembly: Assembly,
    accepted: list[Any],
    rejected: list[Any],
    options: PredictionOptions,
    title: str = "",
    input_name: str = "",
    notes: list[str] | None = None,
) -> Job:
    """A variants job with every accepted and rejected input line stored; queued if any were accepted."""
    job = Job.objects.create(
        owner=owner,
        kind=Job.Kind.VARIANTS,
        assembly=assembly,
        title=_fit_title(title or input_name or f"{len(accepted)} variants"),
        parameters={**options.as_parameters(), "input_name": input_name, "notes": notes or []},
    )
    Variant.objects.bulk_create(
        [
            Variant(
                job=job,
                chrom=v.chrom,
                pos=v.pos,
                ref=v.ref,
                alt=v.alt,
                variant_id=(v.variant_id or "")[: field_limits.VARIANT_ID],
                line=v.line,
                source_text=v.source_text[: field_limits.SOURCE_TEXT],
                status=Variant.Status.ACCEPTED,
                message=f"left-normalised from {v.normalised_from}" if v.normalised_from else "",
            )
            for v in accepted
        ]
        + [
            Variant(
                job=job,
                chrom=(r.chrom or "")[: field_limits.CONTIG_NAME],
                pos=max(r.pos or 0, 0),
                ref=r.ref or "",
                alt=r.alt or "",
                line=r.line,
                source_text=r.text[: field_limits.SOURCE_TEXT],
                status=Variant.Status.REJECTED,
                message=r.reason,
            )
            for r in rejected
        ],
        batch_size=2000,
    )
    job.progress_total = len(accepted)
    job.save(update_fields=["progress_total"])
    enqueue(job)
    return job


@transaction.atomic
def create_region_job(
    *,
    owner: Any,
    kind: str,
    assembly: Assembly | None,
    parameters: dict[str, Any],
    options: PredictionOptions,
    title: str,
) -> Job:
    """An interval, sequence or ISM job."""
    job = Job.objects.create(
        owner=owner,
        kind=kind,
        assembly=assembly,
        title=_fit_title(title),
        parameters={**options.as_parameters(), **parameters},
    )
    enqueue(job)
    return job


class SubmissionError(ValueError):
    """The input cannot become a job; the message says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    @property
    def status_code(self) -> int:
        return 413 if isinstance(self.__cause__, inputs.InputTooLargeError) else 400

    @property
    def headers(self) -> dict[str, str]:
        """Response headers that go with the status (Retry-After when trying again later helps)."""
        return {}


class QueueUnavailable(SubmissionError):  # noqa: N818 - named for what the user is told
    """The job queue (the Celery broker) cannot be reached: nothing was saved; try again later."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self) -> None:
        super().__init__(
            "detail",
            "the job queue is unavailable at the moment, so the job was not created; "
            f"please submit it again in {self.RETRY_AFTER_SECONDS} seconds",
        )

    @property
    def status_code(self) -> int:
        return 503

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.RETRY_AFTER_SECONDS)}


def submission_messages(error: SubmissionError, limit: int = 20) -> list[str]:
    """The error, then (when every record was rejected) the first `limit` lines and why."""
    messages = [str(error)]
    cause = error.__cause__
    if isinstance(cause, inputs.NoVariantsError):
        rejected = cause.result.rejected
        messages += [str(rejection) for rejection in rejected[:limit]]
        if len(rejected) > limit:
            messages.append(f"… and {len(rejected) - limit:,} more")
    return messages


def submit(data: dict[str, Any], options: PredictionOptions, owner: Any) -> Job:
    """Validate the chosen input (`data`: the start form's cleaned fields) and create the job."""
    mode = data["mode"]
    if mode == "sequence":
        return _submit_sequence(data["sequence"], options, owner)
    assembly: Assembly | None = data.get("assembly")
    if assembly is None:
        raise SubmissionError("assembly", "choose an assembly")
    genome = genome_for(assembly)
    limit = settings.GENOMEAPP_MAX_VARIANTS_PER_JOB
    try:
        if mode in ("variants", "vcf"):
            if mode == "vcf":
                upload = data.get("vcf_file")
                if upload is None:
                    raise SubmissionError("vcf_file", "choose a VCF file to upload")
                parsed = inputs.parse_vcf_file(
                    upload,
                    genome,
                    limit,
                    settings.GENOMEAPP_MAX_UPLOAD_BYTES,
                    max_decompressed_bytes=settings.GENOMEAPP_MAX_DECOMPRESSED_BYTES,
                    max_gzip_members=settings.GENOMEAPP_MAX_GZIP_MEMBERS,
                    max_lines=settings.GENOMEAPP_MAX_INPUT_LINES,
                    max_line_chars=settings.GENOMEAPP_MAX_LINE_CHARS,
                    max_records=settings.GENOMEAPP_MAX_INPUT_RECORDS,
                )
                name = upload.name or ""
            else:
                parsed = inputs.parse_variant_text(
                    data["variants_text"],
                    genome,
                    limit,
                    max_lines=settings.GENOMEAPP_MAX_INPUT_LINES,
                    max_line_chars=settings.GENOMEAPP_MAX_LINE_CHARS,
                    max_records=settings.GENOMEAPP_MAX_INPUT_RECORDS,
                )
                name = ""
            return create_variant_job(
                owner=owner,
                assembly=assembly,
                accepted=parsed.accepted,
                rejected=parsed.rejected,
                options=options,
                input_name=name,
                notes=parsed.notes,
            )
        if mode in ("locus", "gene"):
            if mode == "gene":
                gene = inputs.find_gene(data["gene"], gene_index_for(assembly))
                locus = inputs.parse_locus(f"{gene.chrom}:{gene.start + 1}-{gene.end}", genome)
                title = f"{gene.gene_name} ({assembly.name})"
            else:
                locus = inputs.parse_locus(data["locus"], genome)
                title = f"{locus} ({assembly.name})"
            window = inputs.centered_window(locus, options.sequence_length, genome)
            return create_region_job(
                owner=owner,
                kind=Job.Kind.INTERVAL,
                assembly=assembly,
                parameters={
                    "chrom": window.chrom,
                    "start": window.start,
                    "end": window.end,
                    "locus": f"{locus.chrom}:{locus.start + 1}-{locus.end}",
                },
                options=options,
                title=title,
            )
        if mode == "ism":
            locus = inputs.parse_locus(data["ism_locus"], genome)
            if locus.width > MAX_ISM_WIDTH:
                raise SubmissionError(
                    "ism_locus", f"ISM covers at most {MAX_ISM_WIDTH} bp; {locus} is {locus.width} bp"
                )
            return create_region_job(
                owner=owner,
                kind=Job.Kind.ISM,
                assembly=assembly,
                parameters={
                    "chrom": locus.chrom,
                    "start": locus.start,
                    "end": locus.end,
                    "locus": f"{locus.chrom}:{locus.start + 1}-{locus.end}",
                    "ism_scorers": ["SPLICE_SITES"],
                    "ism_backend": "spliceai",
                },
                options=options,
                title=f"ISM {locus}",
            )
        raise SubmissionError("mode", f"unknown input mode {mode!r}")
    except inputs.InputError as error:
        raise SubmissionError(
            {
                "variants": "variants_text",
                "vcf": "vcf_file",
                "gene": "gene",
                "locus": "locus",
                "ism": "ism_locus",
            }.get(mode, "__all__"),
            str(error),
        ) from error


def _fit_title(title: str) -> str:
    """A title the column holds: an upload's file name may be up to 255 characters."""
    limit = field_limits.JOB_TITLE
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _submit_sequence(text: str, options: PredictionOptions, owner: Any) -> Job:
    """A pasted sequence: no assembly, the whole sequence is the window."""
    limit = settings.GENOMEAPP_MAX_SEQUENCE_LENGTH
    sequence = "".join(text.split()).upper()
    if len(sequence) > limit:
        raise SubmissionError(
            "sequence",
            f"the sequence is {len(sequence):,} bp; the limit is {limit:,} bp "
            "(GENOMEAPP_MAX_SEQUENCE_LENGTH)",
        )
    bad = sorted(set(sequence) - set("ACGTN"))
    if not sequence or bad:
        raise SubmissionError(
            "sequence", f"the sequence must be ACGTN only (found {', '.join(bad) or 'nothing'})"
        )
    return create_region_job(
        owner=owner,
        kind=Job.Kind.SEQUENCE,
        assembly=None,
        parameters={"sequence": sequence, "locus": f"sequence:1-{len(sequence)}"},
        options=options,
        title=f"{len(sequence):,} bp sequence",
    )
