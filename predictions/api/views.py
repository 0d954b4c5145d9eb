"""REST API views: every queryset is scoped to the requesting user (others get 404)."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.db.models.functions import Abs
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from model.service import describe_backends
from predictions import job_status
from predictions.api.parsers import BoundedJSONParser
from predictions.api.serializers import (
    AssemblySerializer,
    JobCreateSerializer,
    JobSerializer,
    ScoreSerializer,
    ShareLinkSerializer,
    TrackFileSerializer,
    VariantSerializer,
)
from predictions.models import Assembly, Job, Score, ShareLink
from predictions.rate_limits import RateLimited, check_job_creation
from predictions.submission import SubmissionError, submission_messages, submit
from predictions.upload_limits import too_large


class JobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Jobs of the authenticated user: create (JSON, or multipart with a VCF), status, cancel, delete."""

    serializer_class = JobSerializer
    lookup_field = "code"
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Job]:
        jobs: QuerySet[Job] = Job.objects.owned_by(self.request.user).select_related("assembly")
        if self.action != "list":  # ?status= on /variants/ filters variants, not the job
            return jobs
        jobs = job_status.with_variant_counts(jobs)
        if status_filter := self.request.query_params.get("status"):
            jobs = jobs.filter(status=status_filter)
        if kind := self.request.query_params.get("kind"):
            jobs = jobs.filter(kind=kind)
        return jobs

    @extend_schema(request=JobCreateSerializer, responses={201: JobSerializer})
    def create(self, request: Request) -> Response:
        try:
            check_job_creation(request.user.pk)
        except RateLimited as error:  # DRF answers 429 with Retry-After
            raise Throttled(wait=error.retry_after, detail=error.message) from None
        if message := too_large(request._request):
            return Response({"vcf_file": [message]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        serializer = JobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = submit(serializer.validated_data, serializer.options(), request.user)
        except SubmissionError as error:  # 413 too large, 503 the job queue is down, else 400
            return Response(
                {error.field: submission_messages(error)}, status=error.status_code, headers=error.headers
            )
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Job) -> None:
        job_status.delete_job(instance)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, code: str | None = None) -> Response:
        job = self.get_object()
        job.cancel()
        return Response(JobSerializer(job).data)

    @extend_schema(
        responses=VariantSerializer(many=True),
        parameters=[OpenApiParameter("status", str), OpenApiParameter("gene", str)],
    )
    @action(detail=True)
    def variants(self, request: Request, code: str | None = None) -> Response:
        job = self.get_object()
        # nulls_last: Postgres would list unscored (rejected, skipped) variants first
        variants = job.variants.order_by(F("max_abs_score").desc(nulls_last=True), "id")
        if value := request.query_params.get("status"):
            variants = variants.filter(status=value)
        if value := request.query_params.get("gene"):
            variants = variants.filter(top_gene__iexact=value)
        page = self.paginate_queryset(variants)
        return self.get_paginated_response(VariantSerializer(page, many=True).data)

    @extend_schema(
        responses=ScoreSerializer(many=True),
        parameters=[
            OpenApiParameter("gene", str),
            OpenApiParameter("output_type", str),
            OpenApiParameter("scorer", str),
            OpenApiParameter("min_abs_score", float),
        ],
    )
    @action(detail=True)
    def scores(self, request: Request, code: str | None = None) -> Response:
        """Tidy scores, largest |raw score| first."""
        job = self.get_object()
        scores = Score.objects.filter(job=job).select_related("variant")
        params = request.query_params
        if value := params.get("gene"):
            scores = scores.filter(gene_name__iexact=value)
        if value := params.get("output_type"):
            scores = scores.filter(output_type=value)
        if value := params.get("scorer"):
            scores = scores.filter(scorer=value)
        if value := params.get("min_abs_score"):
            try:
                threshold = float(value)
            except ValueError:
                raise ValidationError({"min_abs_score": f"not a number: {value!r}"}) from None
            scores = scores.alias(magnitude=Abs("raw_score")).filter(magnitude__gte=threshold)
        scores = scores.order_by(Abs("raw_score").desc(), "id")
        page = self.paginate_queryset(scores)
        return self.get_paginated_response(ScoreSerializer(page, many=True).data)

    @extend_schema(responses=TrackFileSerializer(many=True))
    @action(detail=True)
    def tracks(self, request: Request, code: str | None = None) -> Response:
        job = self.get_object()
        tracks = job.track_files.select_related("variant", "job").order_by("id")
        page = self.paginate_queryset(tracks)
        return self.get_paginated_response(
            TrackFileSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=None, responses=ShareLinkSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="share-links")
    def share_links(self, request: Request, code: str | None = None) -> Response:
        job = self.get_object()
        if request.method == "POST":
            # get_object() looks in the user's own jobs: the owner is the signed-in user
            link = ShareLink.objects.create(job=job, created_by=job.owner)
            return Response(ShareLinkSerializer(link, context={"request": request}).data, status=201)
        links = job.share_links.order_by("-created")
        return Response(ShareLinkSerializer(links, many=True, context={"request": request}).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"share-links/(?P<token>[\w-]+)")
    def revoke_share_link(self, request: Request, code: str | None = None, token: str = "") -> Response:
        job = self.get_object()
        link = get_object_or_404(job.share_links.active().for_token(token))
        link.revoke()
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssemblyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssemblySerializer
    queryset = Assembly.objects.all()
    lookup_field = "name"


class BackendsView(APIView):
    """Model backends: output types, provenance of the weights, licence, availability."""

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response({"backends": describe_backends()})
