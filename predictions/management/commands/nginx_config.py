from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from predictions.nginx_config import ProxySettings, render_server, render_standalone


class Command(BaseCommand):
    help = (
        "Print the nginx front proxy's configuration (docker/nginx/genomeapp.conf.template) for this "
        "installation: an http-level include, or with --standalone a whole nginx.conf. Django then "
        "needs GENOMEAPP_FRONT_PROXY_FILES=1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's host:port")
        parser.add_argument("--listen", default="80", help="nginx's listen address/port")
        parser.add_argument("--auth-cache-dir", default="/var/cache/nginx/genomeapp-auth")
        parser.add_argument(
            "--auth-cache-seconds",
            type=int,
            default=10,
            help="how long an authorisation is reused (a revoked link stops serving files after this)",
        )
        parser.add_argument("--media-root", help="MEDIA_ROOT as nginx sees it (default: Django's)")
        parser.add_argument(
            "--standalone",
            metavar="DIR",
            help="a whole nginx.conf for an unprivileged nginx with its pid, logs and temporary files in DIR",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        proxy = ProxySettings(
            upstream=options["upstream"],
            listen=options["listen"],
            auth_cache_dir=Path(options["auth_cache_dir"]),
            auth_cache_seconds=options["auth_cache_seconds"],
            media_root=Path(options["media_root"]) if options["media_root"] else None,
        )
        if options["standalone"]:
            self.stdout.write(render_standalone(proxy, Path(options["standalone"]).resolve()), ending="")
        else:
            self.stdout.write(render_server(proxy), ending="")
