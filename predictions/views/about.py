from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from model.service import describe_backends
from predictions.models import Assembly


def about(request: HttpRequest) -> HttpResponse:
    """Backends, their weights and licences; assemblies and their sources."""
    return render(
        request,
        "predictions/about.html",
        {"backends": describe_backends(), "assemblies": Assembly.objects.all()},
    )
