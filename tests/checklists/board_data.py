"""Problems in a given state for the board, counters and work-page tests."""

import datetime as dt
from zoneinfo import ZoneInfo

from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
# The day of checklists/conftest.py's frozen clock (Wednesday 18 November 2026).
TODAY = dt.date(2026, 11, 18)


def problem(
    station,
    *,
    status="published",
    deadline=TODAY + dt.timedelta(days=10),
    closed_on=None,
    responsible=None,
    created=None,
    **extra,
):
    """A problem of ``station``: published (by default), in rectification, closed (closed
    out on ``closed_on``, default the deadline) or a draft."""
    if status == "draft":
        return f.ProblemFactory(station=station, status="draft", **extra)
    publisher = f.UserFactory(role="bureau", bureau=station.bureau)
    created = created or dt.datetime(2026, 10, 1, 9, 0, tzinfo=SH)
    fields = {
        "status": status,
        "deadline": deadline,
        "responsible": responsible or publisher,
        "published_at": created,
        "published_by": publisher,
        "created_at": created,
        "raised_by": publisher,
    }
    if status == "closed":
        closed_on = closed_on or deadline
        fields |= {
            "closed_on": closed_on,
            "closed_by": publisher,
            "closed_at": dt.datetime.combine(closed_on, dt.time(12), tzinfo=SH),
        }
    return f.ProblemFactory(station=station, **(fields | extra))
