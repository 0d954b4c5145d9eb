"""The nginx front proxy's configuration, from the one template in docker/nginx/.

The nginx image renders that template itself (envsubst); hosts without Docker, the tests and
`bench/web.py` render it here, with values taken from Django's settings where nginx must agree
with them (MEDIA_ROOT, the upload limit).
"""

from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
import string
from pathlib import Path

from django.conf import settings

TEMPLATE = Path(__file__).resolve().parent.parent / "docker" / "nginx" / "genomeapp.conf.template"
UPLOAD_MARGIN_BYTES = 1024 * 1024  # multipart framing around the largest accepted VCF
SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")  # searched after PATH


@dataclasses.dataclass(frozen=True)
class ProxySettings:
    upstream: str  # gunicorn's host:port
    listen: str  # e.g. "80" or "127.0.0.1:8080"
    auth_cache_dir: Path
    auth_cache_seconds: int = 10
    media_root: Path | None = None  # None: Django's MEDIA_ROOT

    def variables(self) -> dict[str, str]:
        return {
            "GENOMEAPP_UPSTREAM": self.upstream,
            "GENOMEAPP_LISTEN": self.listen,
            "GENOMEAPP_MEDIA_ROOT": str(self.media_root or Path(settings.MEDIA_ROOT).resolve()),
            "GENOMEAPP_AUTH_CACHE_DIR": str(self.auth_cache_dir),
            "GENOMEAPP_AUTH_CACHE_SECONDS": str(self.auth_cache_seconds),
            "GENOMEAPP_MAX_BODY": str(settings.GENOMEAPP_MAX_UPLOAD_BYTES + UPLOAD_MARGIN_BYTES),
        }


def find_nginx() -> str | None:
    """The nginx binary: `GENOMEAPP_NGINX` when set, else `nginx` on PATH or in the sbin folders
    (Debian installs it in /usr/sbin, which is not on a non-root user's PATH)."""
    if settings.GENOMEAPP_NGINX:
        return settings.GENOMEAPP_NGINX
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *SBIN_DIRS])
    return shutil.which("nginx", path=search)


def render_server(proxy: ProxySettings) -> str:
    """The http-level include (upstream, cache, server) with every ${GENOMEAPP_…} filled in;
    nginx's own $variables are left as they are, as envsubst does with a variable list."""
    variables = proxy.variables()
    text = string.Template(TEMPLATE.read_text()).safe_substitute(variables)
    left = sorted(name for name in variables if "${" + name + "}" in text)
    if left:
        raise ValueError(f"{TEMPLATE.name}: unfilled {', '.join(left)}")
    return text


def render_standalone(proxy: ProxySettings, workdir: Path, *, workers: int = 2) -> str:
    """A complete nginx.conf for an unprivileged nginx in the foreground (`nginx -c FILE -p DIR`):
    pid, logs and temporary files under `workdir`. For tests, benchmarks and a laptop."""
    workdir.mkdir(parents=True, exist_ok=True)
    temp = workdir / "tmp"
    temp.mkdir(exist_ok=True)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {temp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Started by root, nginx's workers would drop to `nobody`, who cannot read a private workdir.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    return f"""daemon off;
{user}worker_processes {workers};
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
{temp_paths}
{render_server(proxy)}
}}
"""
