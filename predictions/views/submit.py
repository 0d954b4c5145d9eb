"""The start page: pick an assembly and an input, choose what to predict, submit a job."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from model.service import describe_backends
from predictions.forms import PredictionForm
from predictions.models import Assembly
from predictions.rate_limits import job_creation_rate_limited
from predictions.submission import SubmissionError, submission_messages, submit
from predictions.upload_limits import reject_oversized


@login_required
@job_creation_rate_limited
@reject_oversized
def home(request: HttpRequest) -> HttpResponse:
    form = PredictionForm(request.POST or None, request.FILES or None)
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            job = submit(form.cleaned_data, form.options(), request.user)
        except SubmissionError as error:
            for message in submission_messages(error):
                form.add_error(error.field if error.field in form.fields else None, message)
            status = error.status_code  # 413 too large, 503 the job queue is down, else 400
            headers = error.headers
        else:
            return redirect("job", code=job.code)
    elif request.method == "POST":
        status = 413 if "vcf_file" in form.errors and "limit is" in str(form.errors["vcf_file"]) else 400
    context = {
        "form": form,
        "backends": describe_backends(),
        "assemblies": Assembly.objects.all(),
        "example_vcf": _example_vcf(),
    }
    response = render(request, "predictions/home.html", context, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _example_vcf() -> str:
    from model.assets import demo_dir

    path = demo_dir() / "demo_variants.vcf"
    return path.read_text() if path.exists() else ""
