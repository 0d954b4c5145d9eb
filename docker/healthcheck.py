#!/usr/bin/env python
"""Container health checks for docker/compose.yml; exit 0 when healthy, 1 (with a reason) when not.

healthcheck.py web [PORT]       GET /healthz (database and broker answer) -> 200
healthcheck.py worker NODENAME  the Celery worker NODENAME (e.g. gpu@%h) answers a ping
healthcheck.py beat [SECONDS]   the broker answers and beat's schedule file was written lately
healthcheck.py tcp PORT         something listens on 127.0.0.1:PORT (the gRPC server)
"""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def check_web(port: int = 8000) -> str:
    """/healthz as a browser behind the TLS proxy would reach it: a Host from ALLOWED_HOSTS and
    X-Forwarded-Proto https (so the production HTTPS redirect does not answer instead)."""
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
    host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return f"healthz {response.status}: {response.read(300).decode(errors='replace')}"
    except urllib.error.HTTPError as error:  # 503 carries the reason in its JSON body
        raise SystemExit(f"healthz {error.code}: {error.read(500).decode(errors='replace')}") from error


def check_worker(nodename: str) -> str:
    from celery.utils.nodenames import host_format

    from genomeapp.celery import app

    name = host_format(nodename)
    replies = app.control.ping(destination=[name], timeout=5.0, limit=1)
    if not any(name in reply for reply in replies):
        raise SystemExit(f"worker {name} did not answer a ping (replies: {replies})")
    return f"worker {name} answered"


def check_beat(max_age: float = 900.0) -> str:
    from kombu import Connection

    from genomeapp.celery import app

    with Connection(app.conf.broker_url, connect_timeout=5) as connection:
        connection.ensure_connection(max_retries=1, timeout=5)
    var_dir = Path(os.environ.get("GENOMEAPP_VAR_DIR", "/srv/genomeapp/var"))
    schedules = list(var_dir.glob("celerybeat-schedule*"))
    if not schedules:
        raise SystemExit(f"no beat schedule file in {var_dir}")
    age = time.time() - max(p.stat().st_mtime for p in schedules)
    if age > max_age:
        raise SystemExit(f"beat schedule not written for {age:.0f} s (limit {max_age:.0f} s)")
    return f"broker answers; schedule written {age:.0f} s ago"


def check_tcp(port: int) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        return f"port {port} accepts connections"


def main(argv: list[str]) -> int:
    if not argv:
        raise SystemExit(__doc__)
    mode, args = argv[0], argv[1:]
    if mode == "web":
        message = check_web(int(args[0]) if args else 8000)
    elif mode == "worker" and args:
        message = check_worker(args[0])
    elif mode == "beat":
        message = check_beat(float(args[0]) if args else 900.0)
    elif mode == "tcp" and args:
        message = check_tcp(int(args[0]))
    else:
        raise SystemExit(__doc__)
    print(message)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except OSError as error:
        raise SystemExit(f"{type(error).__name__}: {error}") from error
