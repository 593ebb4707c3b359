"""Celery talks to the real Redis broker in the test environment."""

from django.conf import settings

from liaison.celery import app


def test_celery_is_configured_for_the_real_redis_broker():
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        assert conn.connected
