# The README's commands. CI runs `make test` (on SQLite, then on PostgreSQL via DATABASE_URL) and `make check`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python
# Tests run with production-like settings (DEBUG off) and throwaway keys made for each run.
TEST_SECRET_KEY := $(shell python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
TEST_AUDIT_CHECKPOINT_KEY := $(shell python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$(TEST_SECRET_KEY) SAFETYPLAN_AUDIT_CHECKPOINT_KEY=$(TEST_AUDIT_CHECKPOINT_KEY) \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver DJANGO_STATIC_MANIFEST=0 DJANGO_SECURE_COOKIES=0 \
	SAFETYPLAN_MFA_REQUIRED=0

.PHONY: deploy-check run setup test-setup system-packages test-packages venv assets messages migrate demo test check bench bench-load serve clean

run: setup migrate demo  ## Set everything up and serve on http://localhost:8000 (SQLite, development)
	DJANGO_DEBUG=1 $(PY) manage.py runserver localhost:8000

setup: system-packages venv assets messages

test-setup: test-packages venv assets messages

# Debian packages, installed only when missing. Running needs the Noto fonts (printing any script, emoji in colour)
# and gettext (compiling our translations);
# the tests also need Chromium (browser tests) and poppler-utils (PDF pages to PNG).
RUN_DEBS := fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji gettext
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils
define install_debs
	@missing=""; for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

system-packages:
	$(call install_debs,$(RUN_DEBS))

test-packages:
	$(call install_debs,$(TEST_DEBS))

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

# Our translations (locale/<language>/LC_MESSAGES/django.po), compiled for Django; the .mo files are not committed.
messages: venv
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

migrate: venv
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput -v0

demo: migrate
	DJANGO_DEBUG=1 $(PY) manage.py create_demo_clinician

# pytest-django creates its own test database; the development database is not touched.
test: test-setup  ## Run the whole test suite (set DATABASE_URL to run it on PostgreSQL)
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

check: venv  ## Linters, house rules (.ci/house_rules.py), types, migrations
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) .ci/house_rules.py
	$(TEST_ENV) $(VENV)/bin/mypy
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory deploy-check

# `check --deploy` under production settings (throwaway keys and database): must print no warnings.
deploy-check: venv
	env DJANGO_DEBUG=0 SAFETYPLAN_PRODUCTION=1 DJANGO_ALLOWED_HOSTS=plans.example.org \
		DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		SAFETYPLAN_AUDIT_CHECKPOINT_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		DATABASE_URL=sqlite:///$$(mktemp -d)/deploy-check.sqlite3 \
		$(PY) manage.py check --deploy --fail-level WARNING

bench: setup  ## Every benchmark under benchmarks/ (the load benchmark included), one after the other
	$(TEST_ENV) $(PY) benchmarks/run.py

# The load benchmark alone (benchmarks/README.md); LOAD_ARGS="--clinicians 20 --seconds 10" and so on.
bench-load: setup
	$(TEST_ENV) $(PY) benchmarks/load.py $(LOAD_ARGS)

# Production: gunicorn + WhiteNoise; needs DJANGO_SECRET_KEY, SAFETYPLAN_AUDIT_CHECKPOINT_KEY, DJANGO_ALLOWED_HOSTS
# and DATABASE_URL.
serve: venv assets messages
	SAFETYPLAN_PRODUCTION=1 $(PY) manage.py check --deploy --fail-level WARNING
	SAFETYPLAN_PRODUCTION=1 $(PY) manage.py collectstatic --noinput -v0
	SAFETYPLAN_PRODUCTION=1 $(PY) manage.py migrate --noinput
	SAFETYPLAN_PRODUCTION=1 $(VENV)/bin/gunicorn safetyplan.wsgi -c safetyplan/gunicorn_conf.py

clean:
	rm -rf $(VENV) node_modules staticfiles
