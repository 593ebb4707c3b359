"""The daily reminder mails: one to each cadre whose current period is due soon, and one
digest to each bureau liaison office user of the missed periods flagged in their scope since
the previous digest. ``ReminderLog`` (unique per user and day) makes the job idempotent."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison.compliance import due_soon_assignments
from liaison.models import PeriodEvent, PeriodStatus, Role, User
from liaison.models.visits import ReminderLog
from stations.models import Tier
from stations.scope import Scope

# The digest goes out at 08:00 local time and covers the day before it.
DIGEST_HOUR = 8


@dataclass(frozen=True)
class ReminderResult:
    cadres: int
    bureaus: int
    already_sent: int


def digest_window(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Missed-period events flagged from yesterday 08:00 up to today 08:00 (local)."""
    until = timezone.make_aware(dt.datetime.combine(today, dt.time(DIGEST_HOUR)))
    return until - dt.timedelta(days=1), until


def _signature() -> str:
    return _("235 Liaison")


def _due_soon_mails(today: dt.date, skip: set[int]) -> list[tuple[User, EmailMessage, int]]:
    assignments = (
        due_soon_assignments(scope=Scope(everything=True), today=today, include_unknown=False)
        .filter(cadre__user__is_active=True)
        .exclude(cadre__user__email="")
        .exclude(cadre__user_id__in=skip)
    )
    mails = []
    for a in assignments:
        user = a.cadre.user
        values = {
            "name": user.get_full_name() or user.username,
            "station": a.station.name,
            "start": a.period_start.isoformat(),
            "end": a.period_end.isoformat(),
            "days": a.days_left.days,
        }
        subject = _("Visit reminder: %(station)s, deadline %(end)s") % values
        body = "\n\n".join(
            [
                _("Dear %(name)s,") % values,
                ngettext(
                    "Your current visit period at %(station)s (%(start)s to %(end)s) has no "
                    "unannounced visit yet, and %(days)d day is left.",
                    "Your current visit period at %(station)s (%(start)s to %(end)s) has no "
                    "unannounced visit yet, and %(days)d days are left.",
                    values["days"],
                )
                % values,
                _("Please visit the station unannounced and log the visit by %(end)s.") % values,
                _signature(),
            ]
        )
        mails.append((user, EmailMessage(subject=subject, body=body, to=[user.email]), 1))
    return mails


def _missed_by_unit(today: dt.date) -> dict[str, list[dict]]:
    """The still-missed periods flagged in the digest window, under every bureau path
    prefix of their station (so a user's items are one dictionary lookup)."""
    since, until = digest_window(today)
    rows = (
        PeriodEvent.objects.filter(
            kind=PeriodEvent.Kind.MISSED,
            at__gte=since,
            at__lt=until,
            record__status=PeriodStatus.MISSED,
        )
        .values(
            "record__assignment__station__bureau__path",
            "record__assignment__station__code",
            "record__assignment__station__name",
            "record__assignment__cadre__user__last_name",
            "record__assignment__cadre__user__first_name",
            "record__tier",
            "record__period_start",
            "record__period_end",
        )
        .order_by(
            "record__assignment__station__bureau__path",
            "record__assignment__station__code",
            "record__period_start",
        )
    )
    by_prefix: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        parts = row["record__assignment__station__bureau__path"].split("/")
        for depth in range(1, len(parts) + 1):
            by_prefix["/".join(parts[:depth])].append(row)
    return by_prefix


def _missed_line(row: dict) -> str:
    return _("%(station)s, cadre %(cadre)s (%(tier)s): %(start)s to %(end)s") % {
        "station": row["record__assignment__station__name"],
        "cadre": row["record__assignment__cadre__user__last_name"]
        + row["record__assignment__cadre__user__first_name"],
        "tier": Tier(row["record__tier"]).label,
        "start": row["record__period_start"].isoformat(),
        "end": row["record__period_end"].isoformat(),
    }


def _missed_digest_mails(today: dt.date, skip: set[int]) -> list[tuple[User, EmailMessage, int]]:
    by_prefix = _missed_by_unit(today)
    if not by_prefix:
        return []
    users = (
        User.objects.filter(role=Role.BUREAU, is_active=True, bureau__isnull=False)
        .exclude(email="")
        .exclude(pk__in=skip)
        .select_related("bureau")
        .order_by("pk")
    )
    since, until = digest_window(today)
    mails = []
    for user in users:
        items = by_prefix.get(user.bureau.path)
        if not items:
            continue
        values = {
            "name": user.get_full_name() or user.username,
            "unit": user.bureau.name,
            "count": len(items),
            "since": timezone.localtime(since).strftime("%Y-%m-%d %H:%M"),
            "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"),
        }
        subject = (
            ngettext(
                "%(unit)s: %(count)d new missed visit period",
                "%(unit)s: %(count)d new missed visit periods",
                len(items),
            )
            % values
        )
        body = "\n\n".join(
            [
                _("Dear %(name)s,") % values,
                ngettext(
                    "Between %(since)s and %(until)s, %(count)d visit period in %(unit)s "
                    "ended without an unannounced visit:",
                    "Between %(since)s and %(until)s, %(count)d visit periods in %(unit)s "
                    "ended without an unannounced visit:",
                    len(items),
                )
                % values,
                "\n".join(f"- {_missed_line(row)}" for row in items),
                _("A visit logged late within the back-dating window still counts for its period."),
                _signature(),
            ]
        )
        mails.append((user, EmailMessage(subject=subject, body=body, to=[user.email]), len(items)))
    return mails


@transaction.atomic
def send_visit_reminders(*, today: dt.date, now: dt.datetime | None = None) -> ReminderResult:
    """The daily job. A user gets at most one reminder a day: running the job twice on the
    same day sends nothing new. The log rows are written before the mails go out; should
    two runs race, the unique constraint rolls the second back before it sends anything."""
    now = now or timezone.now()
    already = set(ReminderLog.objects.filter(day=today).values_list("user_id", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        cadre_mails = _due_soon_mails(today, already)
        bureau_mails = _missed_digest_mails(today, already)
    logs = [
        ReminderLog(user=user, day=today, kind=kind, items=items, sent_at=now)
        for kind, mails in (
            (ReminderLog.Kind.DUE_SOON, cadre_mails),
            (ReminderLog.Kind.MISSED_DIGEST, bureau_mails),
        )
        for user, _mail, items in mails
    ]
    ReminderLog.objects.bulk_create(logs)
    messages = [mail for _user, mail, _items in cadre_mails + bureau_mails]
    if messages:
        mailers.default.send_messages(messages)
    return ReminderResult(
        cadres=len(cadre_mails), bureaus=len(bureau_mails), already_sent=len(already)
    )
