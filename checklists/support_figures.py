"""Read side of station support and the opinion list for the bureau report: a period's
requests by status, officers sent, hours and incidents, and the opinions received and what
became of them. Three aggregate queries, however many stations."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, DurationField, F, Q, Sum
from django.db.models.functions import TruncDate

from checklists.models import Opinion, OpinionStatus, SupportCover, SupportRequest, SupportStatus
from stations.scope import Scope

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Requests whose officers actually went (or are there now).
SENT = (SupportStatus.CONFIRMED, SupportStatus.COMPLETED)


@dataclass(frozen=True)
class SupportFigures:
    requests: int = 0
    submitted: int = 0  # still waiting for officers (submitted or partly assigned)
    confirmed: int = 0  # confirmed or completed
    completed: int = 0
    cancelled: int = 0
    declined: int = 0
    officers_sent: int = 0
    officer_days: int = 0
    hours: object = 0
    incidents: int = 0
    opinions: int = 0
    anonymous: int = 0
    accepted: int = 0
    dismissed: int = 0

    @property
    def pending_opinions(self) -> int:
        return self.opinions - self.accepted - self.dismissed


def support_figures(*, scope: Scope, start: dt.date, end: dt.date) -> SupportFigures:
    """Requests starting in [start, end] at stations in scope; opinions submitted then."""
    requests = SupportRequest.objects.in_scope(scope).filter(
        start_date__gte=start, start_date__lte=end
    )
    by_status = requests.aggregate(
        requests=Count("pk"),
        submitted=Count("pk", filter=Q(status__in=["submitted", "assigned"])),
        confirmed=Count("pk", filter=Q(status__in=SENT)),
        completed=Count("pk", filter=Q(status=SupportStatus.COMPLETED)),
        cancelled=Count("pk", filter=Q(status=SupportStatus.CANCELLED)),
        declined=Count("pk", filter=Q(status=SupportStatus.DECLINED)),
    )
    sent = SupportCover.objects.filter(
        request__in=requests.filter(status__in=SENT).values("pk")
    ).aggregate(
        covers=Count("pk"),
        officers_sent=Count("officer", distinct=True),
        spans=Sum(F("end_date") - F("start_date"), output_field=DurationField()),
        hours=Sum("hours"),
        incidents=Sum("incidents"),
    )
    # Each cover lasts (end - start) + 1 days.
    days = (sent["spans"] or dt.timedelta()).days + sent["covers"]
    opinions = (
        Opinion.objects.in_scope(scope)
        .annotate(day=TruncDate("submitted_at", tzinfo=SHANGHAI))
        .filter(day__gte=start, day__lte=end)
        .aggregate(
            opinions=Count("pk"),
            anonymous=Count("pk", filter=Q(anonymous=True)),
            accepted=Count("pk", filter=Q(status=OpinionStatus.ACCEPTED)),
            dismissed=Count("pk", filter=Q(status=OpinionStatus.DISMISSED)),
        )
    )
    return SupportFigures(
        **by_status,
        officers_sent=sent["officers_sent"],
        officer_days=days,
        hours=sent["hours"] or 0,
        incidents=sent["incidents"] or 0,
        **opinions,
    )
