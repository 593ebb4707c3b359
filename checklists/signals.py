"""Signals the checklists app sends, so that a higher app can react without this app
importing it (scoring → checklists: the scoring app recomputes the points after a close-out).

They are sent by the services, inside their transaction, after the change is written: a
receiver that starts work elsewhere (a Celery task) must do so with
``transaction.on_commit``, so it never sees, or acts on, a change that was rolled back.
"""

from django.dispatch import Signal

# A problem was closed out (销号). Sent with sender=Problem, problem=<the fresh Problem>.
problem_closed_out = Signal()

# A result was verified and rated (核验). Sent with sender=Result, result=<the fresh Result>.
result_verified = Signal()
