"""Settings come from the environment, strictly parsed; production settings pass --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from liaison.env import env_int

ROOT = Path(__file__).resolve().parent.parent


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_like_environment():
    result = _run(
        {
            "DEBUG": "false",
            "SECRET_KEY": "k" * 20 + "-production-like-secret-key-0123456789-abcdefgh",
            "ALLOWED_HOSTS": "liaison.example.gov.cn",
            "SECURE_HSTS_SECONDS": "31536000",
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_COOKIES": "true",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_is_required_when_debug_is_off():
    result = _run({"DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("value", ["1", "yes", "True", "on"])
def test_booleans_are_only_true_or_false(value):
    result = _run({"DEBUG": value}, "check")
    assert result.returncode != 0
    assert "DEBUG must be 'true' or 'false'" in result.stderr


def test_embedded_default_uses_sqlite_and_runs_tasks_in_process():
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='liaison.settings';django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    )
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.split() == ["django.db.backends.sqlite3", "True", "memory://"]


@pytest.mark.parametrize("value", ["1", "0", "three", "-3", "2.5"])
def test_evaluation_min_raters_is_a_whole_number_of_at_least_two(value):
    result = _run({"DEBUG": "true", "LIAISON_EVALUATION_MIN_RATERS": value}, "check")
    assert result.returncode != 0
    assert "LIAISON_EVALUATION_MIN_RATERS must be a whole number of at least 2" in result.stderr


def test_evaluation_min_raters_is_read_from_the_environment():
    code = (
        "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='liaison.settings';django.setup();"
        "from django.conf import settings as s;print(s.LIAISON_EVALUATION_MIN_RATERS)"
    )
    base = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME"}}
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**base, "DEBUG": "true", **extra},
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout.strip()
        for extra in ({}, {"LIAISON_EVALUATION_MIN_RATERS": "5"})
    ]
    assert outputs == ["3", "5"]


def test_env_int_reads_a_whole_number_or_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("LIAISON_TEST_INT", raising=False)
    assert env_int("LIAISON_TEST_INT", default=7) == 7
    monkeypatch.setenv("LIAISON_TEST_INT", "0")
    assert env_int("LIAISON_TEST_INT", default=7) == 0
    monkeypatch.setenv("LIAISON_TEST_INT", "12")
    assert env_int("LIAISON_TEST_INT", default=7, minimum=12) == 12


@pytest.mark.parametrize("value", ["", " 5", "5 ", "+5", "-3", "2.5", "1e3", "three", "0x10"])
def test_env_int_refuses_anything_but_a_whole_number(monkeypatch, value):
    monkeypatch.setenv("LIAISON_TEST_INT", value)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int("LIAISON_TEST_INT", default=7)
    assert str(excinfo.value) == f"LIAISON_TEST_INT must be a whole number, not {value!r}."


@pytest.mark.parametrize("value", ["0", "1"])
def test_env_int_refuses_a_number_below_its_minimum(monkeypatch, value):
    monkeypatch.setenv("LIAISON_TEST_INT", value)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int("LIAISON_TEST_INT", default=7, minimum=2)
    assert str(excinfo.value) == (
        f"LIAISON_TEST_INT must be a whole number of at least 2, not {value!r}."
    )


@pytest.mark.parametrize("name", ["EMAIL_PORT", "SECURE_HSTS_SECONDS", "LIAISON_BACKDATE_DAYS"])
def test_whole_number_settings_refuse_a_bad_value_with_a_clear_message(name):
    env = {"DEBUG": "true", name: "seven"}
    if name == "EMAIL_PORT":
        env["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    result = _run(env, "check")
    assert result.returncode != 0
    assert f"{name} must be a whole number, not 'seven'." in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile_queries():
    """JIT compilation cost more than the short queries it compiled (docs/BENCHMARKS.md)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit')")
        assert cursor.fetchone()[0] == "off"
