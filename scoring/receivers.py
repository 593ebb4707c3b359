"""What the scoring app does when a lower app reports a change (connected in
``ScoringConfig.ready``): after a close-out or a verified result, the incremental recompute
of the points, so the cadre sees them at once instead of at the next scheduled run.

Enqueued after commit, never for a change that was rolled back. Without ``REDIS_URL`` the
task runs in-process right there (eager). With Redis, enqueuing must not hold the request
when the broker is down: one attempt (``retry=False``, the short socket timeouts of
settings.py) and no result to subscribe to (``ignore_result=True``: the result backend's
subscription would retry for about 20 s). A failure is logged and nothing more: the
close-out is committed, and the scheduled run every 10 minutes picks the points up.
"""

import logging

from django.db import transaction

from scoring import tasks

logger = logging.getLogger(__name__)


def recompute_recent_points_after_commit(sender, **kwargs) -> None:
    transaction.on_commit(enqueue_recent_recompute)


def enqueue_recent_recompute() -> None:
    try:
        tasks.recompute_recent_points.apply_async(ignore_result=True, retry=False)
    except Exception:
        # Broker down (kombu's OperationalError), or the in-process run failed: the
        # scheduled recompute repairs either; the request that closed out must not fail.
        logger.exception("Could not recompute the points after a close-out; the next run will")
