# 235 Liaison — two commands: `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := uv
PY := $(UV) run --frozen python
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= hubei

# Test environment: the real PostgreSQL and Redis on 127.0.0.1.
TEST_ENV := DEBUG=false SECRET_KEY=test-secret-key-not-for-production \
	DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/liaison} \
	REDIS_URL=$${TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
	SECURE_COOKIES=false DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: install sysdeps pydeps messages run serve test lint format bench check-deploy

install: sysdeps pydeps messages

sysdeps:
	@bash .ci/system-packages.sh

pydeps:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

messages: pydeps
	@DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v 0

# Demo: embedded SQLite and in-process tasks unless DATABASE_URL / REDIS_URL are set.
run: install
	@mkdir -p var
	@DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput -v 0
	@DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo --scale demo --seed 235 --if-empty
	@DEBUG=$${DEBUG:-true} $(PY) manage.py demo_accounts --url http://$(HOST):$(PORT)
	@if [ -n "$$REDIS_URL" ]; then \
		echo "Starting Celery worker and beat against $$REDIS_URL"; \
		DEBUG=$${DEBUG:-true} $(UV) run --frozen celery -A liaison worker -l warning & \
		DEBUG=$${DEBUG:-true} $(UV) run --frozen celery -A liaison beat -l warning -s var/celerybeat-schedule & \
	fi; \
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	@$(TEST_ENV) $(UV) run --frozen pytest $(ARGS)

lint:
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .

format:
	@$(UV) run --frozen ruff format .
	@$(UV) run --frozen ruff check --fix .

# Scale benchmarks: never part of `make test`.
bench: install
	@$(TEST_ENV) $(UV) run --frozen pytest -m bench -s -p no:randomly tests/benchmarks --scale=$(SCALE) $(ARGS)

check-deploy: pydeps
	@DEBUG=false SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=liaison.example.gov.cn SECURE_HSTS_SECONDS=31536000 SECURE_SSL_REDIRECT=true \
		DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison \
		$(PY) manage.py check --deploy --fail-level WARNING
