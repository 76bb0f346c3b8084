"""The smallest Django project that answers a page: one view, no database, no middleware.

Served by the same gunicorn configuration as the app (safetyplan/gunicorn_conf.py), so the load
benchmark's ratios show what the app costs over Django and gunicorn themselves.
"""

import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = [host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1").split(",")]
ROOT_URLCONF = "hello.urls"
WSGI_APPLICATION = "hello.wsgi.application"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
