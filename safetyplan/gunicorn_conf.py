"""gunicorn settings for `make serve` (gunicorn -c safetyplan/gunicorn_conf.py).

The access log names the path only, never the query string: search text and anything else a
browser might put after "?" stays out of logs (the app's own URLs carry IDs only).

Workers: gthread, 3 processes of 4 threads each by default (WEB_CONCURRENCY, GUNICORN_THREADS). A request
here spends a good part of its time waiting on PostgreSQL (queries, and the commit of every audited page),
and a sign-in waits on Argon2 (which runs outside Python's lock): a sync worker idles through those waits
with the whole process, a thread lets the process's other requests use the CPU meanwhile. Threads also keep
a browser's connection open between its requests and let a slow client (or the static files WhiteNoise
serves) hold one thread, not a whole process. Printing takes its engine's lock (printing/engine.py), so
a process renders one PDF at a time. Each thread holds its own database connection (CONN_MAX_AGE):
3 x 4 = 12 per server. The load benchmark (benchmarks/README.md) measures the choice.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))  # 1: gunicorn's sync worker
worker_class = "gthread" if threads > 1 else "sync"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# %(U)s is the path without its query string; no referer or user agent (they can carry it too).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# gunicorn's control socket (gunicornc) is not used; one fixed path would clash between servers on one host.
control_socket_disable = True
