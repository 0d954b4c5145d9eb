from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from predictions.api.views import AssemblyViewSet, BackendsView, JobViewSet

router = DefaultRouter()
router.register("jobs", JobViewSet, basename="api-job")
router.register("assemblies", AssemblyViewSet, basename="api-assembly")

urlpatterns = [
    path("backends/", BackendsView.as_view(), name="api-backends"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
