from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from predictions.api.views import AssemblyViewSet, BackendsView, JobViewSet

router = DefaultRouter()
router.register("jobs", JobViewSet, basename="api-job")
router.register("assemblies", AssemblyViewSet, basename="api-assembly")

urlpatterns = [
    path("backends/", BackendsView.as_view(), name="api-backends"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves Swagger UI's start-up script from a URL, and our template has no <style>: CSP
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="predictions/api_docs.html"),
        name="api-docs",
    ),
    *router.urls,
]
