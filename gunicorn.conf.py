"""Gunicorn's settings for the web process (Procfile: `gunicorn -c gunicorn.conf.py wsgi:app`).

Environment: PORT (5000), WEB_CONCURRENCY (2 processes), WEB_THREADS (4 threads each), WEB_TIMEOUT (30 s),
PIBLINELL_ENV (production unless set).
"""

import os

# The web process is production unless told otherwise (make run says development): then the app refuses to
# start without SECRET_KEY and PUBLIC_BASE_URL (portal.config.check).
os.environ.setdefault("PIBLINELL_ENV", "production")
bind = f"127.0.0.1:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads, so a slow client or a long CSV export holds one thread and the pages keep answering.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# 0 lets gunicorn read a request line up to its own 1 MiB bound, so the portal answers an over-long address
# with its own bilingual 414 page (portal.web.frontend.MAX_URL_BYTES) rather than gunicorn's bare one; the
# longest search the OpenAPI allows (2,000 characters of Welsh, percent-encoded) is far inside it.
limit_request_line = 0
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
