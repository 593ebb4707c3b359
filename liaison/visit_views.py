"""Read-only visit pages of the liaison app: the cadre's home (their current period).

Only the cadre sees their current period, deadline and due status; station staff never
do (the visit must stay unannounced).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from liaison import rules
from liaison.models import Assignment, Visit
from liaison.periods import next_period, period_containing

RECENT_VISITS = 5


@dataclass(frozen=True)
class CurrentPeriod:
    start: dt.date
    end: dt.date
    required: bool  # the assignment is active on every day of it
    first_required_start: dt.date  # this period's start, or the next one's when not required
    visits: int
    unannounced: int
    days_left: int  # including today
    due_soon: bool

    @property
    def met(self) -> bool:
        return self.unannounced > 0


def current_period(assignment: Assignment, today: dt.date) -> CurrentPeriod:
    """The period containing ``today`` and whether an unannounced visit fills it (asked of
    the visits themselves, not of the nightly ``period_*`` columns). One query."""
    tier = assignment.cadre.tier
    start, end = period_containing(tier, today)
    counts = Visit.objects.filter(
        assignment=assignment, visited_on__gte=start, visited_on__lte=end
    ).aggregate(visits=Count("pk"), unannounced=Count("pk", filter=Q(unannounced=True)))
    required = assignment.start_date <= start
    met = counts["unannounced"] > 0
    return CurrentPeriod(
        start=start,
        end=end,
        required=required,
        first_required_start=start if required else next_period(tier, (start, end))[0],
        visits=counts["visits"],
        unannounced=counts["unannounced"],
        days_left=(end - today).days + 1,
        due_soon=required and rules.is_due_soon(tier=tier, period_end=end, today=today, met=met),
    )


def cadre_home(request):
    """The cadre's phone home: station, current period, last visits, "log a visit"."""
    assignment = (
        Assignment.objects.active()
        .filter(cadre__user=request.user)
        .select_related("station__bureau", "cadre")
        .first()
    )
    period = current_period(assignment, timezone.localdate()) if assignment else None
    recent = (
        Visit.objects.filter(cadre__user=request.user)
        .select_related("station")
        .order_by("-visited_at", "-pk")[:RECENT_VISITS]
    )
    context = {"assignment": assignment, "period": period, "recent_visits": recent}
    return render(request, "liaison/cadre_home.html", context)
