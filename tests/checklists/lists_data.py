"""Problems moved through their lifecycle by the real services, for the lists tests."""

import datetime as dt
import io

from checklists.models import Problem, ProblemCategory, Rating, Result, Task
from checklists.services import lists as services
from tests.checklists.conftest import NOW, SH

TODAY = NOW.astimezone(SH).date()  # Wednesday 18 November 2026
DEADLINE = dt.date(2026, 12, 18)
EARLIER = NOW - dt.timedelta(days=1)


def category():
    return ProblemCategory.objects.get(code="fire-safety")


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def draft(org, personas, *, station=None, description="灭火器过期未更换") -> Problem:
    return services.raise_problem(
        station=station or org.s_jiangan,
        category=category(),
        description=description,
        by=personas.cadre if station is None else personas.admin,
        now=EARLIER,
    )


def published(org, personas, *, responsible=None, deadline=DEADLINE, tasks=(), by=None):
    problem = draft(org, personas)
    return services.publish_problem(
        problem=problem,
        by=by or personas.county_bureau,
        responsible=responsible or personas.station,
        deadline=deadline,
        version=problem.version,
        now=EARLIER,
        tasks=tasks,
    )


def task(problem, by, *, assignee, due=None, title="更换灭火器", now=NOW) -> Task:
    return services.add_task(
        problem=problem, by=by, title=title, assignee=assignee, due_date=due or DEADLINE, now=now
    )


def submitted(problem, by, what="已全部更换灭火器", files=(), now=NOW) -> Result:
    return services.submit_result(problem=problem, by=by, what_changed=what, files=files, now=now)


def verified(result, by, rating=Rating.GOOD, now=NOW) -> Result:
    return services.verify_result(
        result=result, by=by, version=fresh(result).version, rating=rating, note="", now=now
    )


def ready_to_close(org, personas) -> Problem:
    """Published, its one task done, a result verified good by the county office, a
    minute apart each."""
    problem = published(org, personas)
    minute = dt.timedelta(minutes=1)
    t = task(problem, personas.county_bureau, assignee=personas.station, now=NOW - 4 * minute)
    services.complete_task(task=t, by=personas.station, version=t.version, now=NOW - 3 * minute)
    result = submitted(problem, personas.station, now=NOW - 2 * minute)
    verified(result, personas.county_bureau, now=NOW - minute)
    return fresh(problem)


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def big_file(size: int) -> io.BytesIO:
    return io.BytesIO(b"%PDF-" + b"0" * (size - 5))
