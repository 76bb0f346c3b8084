"""gunicorn settings for `make serve` (gunicorn -c safetyplan/gunicorn_conf.py).

The access log names the path only, never the query string: search text and anything else a
browser might put after "?" stays out of logs (the app's own URLs carry IDs only).

Workers: sync, WEB_CONCURRENCY processes (3 by default, for 2 cores). The app's requests are mostly CPU
(Python), so threads in one process wait on each other for Python's lock: gthread workers (GUNICORN_THREADS
above 1, 3 x 4) cost about 50% more CPU a request in the load benchmark and served fewer requests a second
(benchmarks/README.md). Sync workers want a proxy in front that buffers slow clients, as production has.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # above 1: gunicorn's gthread worker
worker_class = "gthread" if threads > 1 else "sync"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# %(U)s is the path without its query string; no referer or user agent (they can carry it too).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# gunicorn's control socket (gunicornc) is not used; one fixed path would clash between servers on one host.
control_socket_disable = True
