"""Result files sent by the front proxy (nginx) after Django has authorised the request.

Django's own per-request cost caps how fast it can stream byte ranges to igv.js. Behind nginx
(`docker/nginx/genomeapp.conf.template`, or `manage.py nginx_config`), a request for a job's file
goes first to Django as an `auth_request` subrequest marked with `X-Genomeapp-Authorise: 1`.
Django answers it without reading the file:

- 200, empty, with `X-Genomeapp-File: /_genomeapp_media/<path under MEDIA_ROOT>`: nginx then
  sends the bytes (ranges included) from that internal location;
- 403 when the visitor may not see the job or the file does not exist: nginx answers 404, the
  same answer Django gives, so nothing tells a private job from a missing one.

nginx caches a 200 for a few seconds per URL and cookie/authorization header: igv.js reads a
bigWig in hundreds of ranges, and only the first reaches Django. So that a revoked share link
stops serving files at once all the same, revoking it first writes an empty marker file named
after its token under `MEDIA_ROOT/.revoked-share-links/` (`stop_serving_share_link`), and nginx
answers 404 for `/s/<token>/files/...` whenever that file exists, before it looks at its cache.
(A revocation generation in the cache key would need nginx to learn the generation per request,
that is, to ask Django: the very round trip the cache saves. nginx cannot purge its cache without
a commercial or third-party module.) A revoked token grants nothing, so naming a file after it
gives nothing away.

The marker is honoured only with `GENOMEAPP_FRONT_PROXY_FILES` on (the proxy then owns the
header: it overwrites whatever a client sends); without it Django serves the bytes itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

REVOKED_SHARE_LINKS_DIR = ".revoked-share-links"  # under MEDIA_ROOT; nginx reads it (its template)
AUTHORISE_HEADER = "X-Genomeapp-Authorise"
FILE_HEADER = "X-Genomeapp-File"
INTERNAL_MEDIA_PREFIX = "/_genomeapp_media/"


def is_authorisation_request(request: HttpRequest) -> bool:
    return bool(settings.GENOMEAPP_FRONT_PROXY_FILES) and request.headers.get(AUTHORISE_HEADER) == "1"


def internal_uri(path: Path) -> str:
    """The proxy's internal URI for a file under MEDIA_ROOT (the only files it may send).

    Not percent-encoded: nginx's `try_files` redirects to this text as it is (a `%20` would be
    looked up literally), and would cut it at a `?`, so such a name cannot be sent this way.
    """
    relative = path.resolve().relative_to(Path(settings.MEDIA_ROOT).resolve()).as_posix()
    if "?" in relative:
        raise Http404("no such file")
    return INTERNAL_MEDIA_PREFIX + relative


def authorised(path: Path) -> HttpResponse:
    """The answer to an authorisation subrequest for an existing file under MEDIA_ROOT."""
    if not path.is_file():
        raise Http404("no such file")
    response = HttpResponse(status=200)
    response[FILE_HEADER] = internal_uri(path)
    return response


def stop_serving_share_link(token: str) -> None:
    """Tell the front proxy that this share link is revoked (see the module docstring); raises when
    the marker cannot be written, so that the caller does not report a revocation nginx ignores."""
    if not settings.GENOMEAPP_FRONT_PROXY_FILES:
        return
    if not token or not all(c.isascii() and (c.isalnum() or c in "-_") for c in token):
        raise ValueError("a share token is URL-safe base64")
    markers = Path(settings.MEDIA_ROOT) / REVOKED_SHARE_LINKS_DIR
    markers.mkdir(parents=True, exist_ok=True)
    (markers / token).touch()


def answers_front_proxy(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Turn a file view's 404 into the 403 that nginx's `auth_request` understands as "deny"
    (any other status would be a 500 there) when the request is an authorisation subrequest."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except Http404:
            if is_authorisation_request(request):
                return HttpResponse(status=403)
            raise

    return wrapper
