"""gunicorn settings for the `web` service; each can be changed through the environment."""

import os

bind = f"0.0.0.0:{os.environ.get('WEB_PORT_INTERNAL', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))  # large VCF uploads
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))  # SIGTERM: finish requests in flight
keepalive = 5
max_requests = 1000  # recycle workers now and then
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()
# The TLS proxy in front sets X-Forwarded-Proto; trust it from any address on the compose network.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
worker_tmp_dir = "/dev/shm"
