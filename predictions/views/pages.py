from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from predictions.models import Assembly, Job


@login_required
def home(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.owned_by(request.user)[:20]
    return render(request, "predictions/home.html", {"jobs": jobs, "assemblies": Assembly.objects.all()})
