"""The app served as in production, for benchmarks: gunicorn, optionally behind the nginx front
proxy of docker/nginx/, on free loopback ports. Imported after `django.setup()`."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_served(port: int, url: str, expect: int = 206, headers: dict[str, str] | None = None) -> None:
    """Until `url` on `port` answers `expect` (default: a one-byte range of a file)."""
    headers = {"Range": "bytes=0-1"} if headers is None else headers
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", url, headers=headers)
            if conn.getresponse().status == expect:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"port {port} never served {url}")


@dataclass
class Served:
    """Ports of a running gunicorn and (when nginx is installed) the front proxy before it."""

    gunicorn_port: int
    proxy_port: int | None

    @property
    def port(self) -> int:
        """Where clients connect: the proxy when there is one."""
        return self.proxy_port or self.gunicorn_port


@contextmanager
def served(workers: int = 4, threads: int = 8, proxy: bool = True) -> Iterator[Served]:
    """gunicorn (DEBUG off, front-proxy files on) and nginx in front of it when `proxy` and nginx
    is installed; both stopped on exit."""
    from predictions.nginx_config import ProxySettings, find_nginx, render_standalone

    port = free_port()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "genomeapp.wsgi", "-b", f"127.0.0.1:{port}"]
            + ["-w", str(workers), "--threads", str(threads), "--log-level", "warning"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_DEBUG": "0",
                "ALLOWED_HOSTS": "127.0.0.1",
                "GENOMEAPP_FRONT_PROXY_FILES": "1",
            },
        )
    ]
    try:
        proxy_port = None
        nginx = find_nginx() if proxy else None
        if proxy and nginx is None:
            print("nginx is not installed: serving from gunicorn alone (apt-get install nginx-core)")
        if nginx is not None:
            workdir = Path(tempfile.mkdtemp(prefix="genomeapp-bench-nginx-"))
            proxy_port = free_port()
            conf = workdir / "nginx.conf"
            conf.write_text(
                render_standalone(
                    ProxySettings(
                        upstream=f"127.0.0.1:{port}",
                        listen=f"127.0.0.1:{proxy_port}",
                        auth_cache_dir=workdir / "cache",
                    ),
                    workdir,
                )
            )
            processes.append(subprocess.Popen([nginx, "-c", str(conf), "-p", str(workdir)]))
        yield Served(gunicorn_port=port, proxy_port=proxy_port)
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=20)
