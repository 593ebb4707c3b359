"""Writing secondments: create one, extend it for another year, record absences (counted in
Chinese working days), spot checks and the assessment. Every service is atomic, validates
before it writes and raises ``ValidationError`` with a Chinese message; bad input writes
nothing."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from liaison.models import (
    Absence,
    AbsenceKind,
    Secondment,
    SecondmentAssessment,
    SecondmentGrade,
    SpotCheck,
    User,
)
from liaison.secondments import rules
from liaison.secondments.permissions import may_manage, may_record_absence
from liaison.workdays import working_days
from stations.models import Bureau, Station


def _forbidden():
    return ValidationError(
        _("Only the liaison office in charge of this station can do this."), code="forbidden"
    )


def _create(model, obj, *, by, now):
    """Insert one row with its history row naming ``by``; a unique constraint that fails
    becomes its Chinese message."""
    try:
        with transaction.atomic():
            [row] = bulk_create_with_history([obj], model, default_user=by, default_date=now)
    except IntegrityError as exc:
        for constraint in model._meta.constraints:
            if constraint.name in str(exc):
                raise ValidationError(constraint.violation_error_message, code="unique") from exc
        raise
    return row


def _check_officer(officer_name: str, police_number: str) -> tuple[str, str]:
    name, number = officer_name.strip(), police_number.strip()
    if not name:
        raise ValidationError(_("Enter the officer's name."), code="name")
    if not number.isdigit() or not 6 <= len(number) <= 10:
        raise ValidationError(_("A police number is 6 to 10 digits."), code="police_number")
    return name, number


def _check_free(*, station: Station, police_number: str, year: int) -> None:
    """The friendly form of the two unique constraints (they still guard races)."""
    taken = Secondment.objects.filter(year=year)
    if taken.filter(station=station).exists():
        raise ValidationError(
            _("%(station)s already has a secondee in %(year)d.")
            % {"station": station.name, "year": year},
            code="station_taken",
        )
    if taken.filter(police_number=police_number).exists():
        raise ValidationError(
            _("The officer with police number %(number)s already has a secondment in %(year)d.")
            % {"number": police_number, "year": year},
            code="officer_taken",
        )


@transaction.atomic
def create_secondment(
    *,
    officer_name: str,
    police_number: str,
    home_bureau: Bureau,
    station: Station,
    start_date: dt.date,
    end_date: dt.date | None = None,
    by: User,
    now: dt.datetime,
) -> Secondment:
    """A secondment of one year (unless ``end_date`` says otherwise) in the batch of the year
    it starts."""
    if not may_manage(by, station):
        raise _forbidden()
    name, number = _check_officer(officer_name, police_number)
    if not station.active:
        raise ValidationError(_("This police station is no longer active."), code="station")
    earliest, latest = rules.entry_window(timezone.localdate(now))
    if not earliest <= start_date <= latest:
        raise ValidationError(
            _("The start date must lie within a year of today, %(start)s to %(end)s.")
            % {"start": earliest.isoformat(), "end": latest.isoformat()},
            code="start",
        )
    longest = rules.default_end(start_date)
    end_date = end_date or longest
    if end_date <= start_date:
        raise ValidationError(_("The end date must be after the start date."), code="dates")
    if end_date > longest:
        raise ValidationError(
            _(
                "A secondment lasts at most one year: the end date cannot be after %(day)s. "
                "Extend it for another year once it ends."
            )
            % {"day": longest.isoformat()},
            code="long",
        )
    _check_free(station=station, police_number=number, year=start_date.year)
    return _create(
        Secondment,
        Secondment(
            officer_name=name,
            police_number=number,
            home_bureau=home_bureau,
            station=station,
            year=start_date.year,
            start_date=start_date,
            end_date=end_date,
            created_by=by,
            created_at=now,
        ),
        by=by,
        now=now,
    )


@transaction.atomic
def extend_secondment(*, secondment: Secondment, by: User, now: dt.datetime) -> Secondment:
    """Another year at the same station, starting the day after this one ends (连任)."""
    if not may_manage(by, secondment.station):
        raise _forbidden()
    locked = Secondment.objects.select_for_update().get(pk=secondment.pk)
    if Secondment.objects.filter(extends=locked).exists():
        raise ValidationError(_("This secondment has already been extended."), code="extended")
    if not locked.recognised:
        raise ValidationError(
            _("A secondment that is not recognised cannot be extended."), code="not_recognised"
        )
    if not secondment.station.active:
        raise ValidationError(_("This police station is no longer active."), code="station")
    start = locked.end_date + dt.timedelta(days=1)
    _check_free(station=secondment.station, police_number=locked.police_number, year=start.year)
    return _create(
        Secondment,
        Secondment(
            officer_name=locked.officer_name,
            police_number=locked.police_number,
            home_bureau_id=locked.home_bureau_id,
            station_id=locked.station_id,
            year=start.year,
            start_date=start,
            end_date=rules.default_end(start),
            extends=locked,
            created_by=by,
            created_at=now,
        ),
        by=by,
        now=now,
    )


def _check_inside(secondment: Secondment, start: dt.date, end: dt.date, today: dt.date) -> None:
    if end < start:
        raise ValidationError(_("The last day cannot be before the first day."), code="dates")
    if start < secondment.start_date or end > secondment.end_date:
        raise ValidationError(
            _("The dates must lie within the secondment, %(start)s to %(end)s.")
            % {
                "start": secondment.start_date.isoformat(),
                "end": secondment.end_date.isoformat(),
            },
            code="outside",
        )
    if end > today:
        raise ValidationError(_("An absence cannot be recorded ahead of time."), code="future")


@transaction.atomic
def record_absence(
    *,
    secondment: Secondment,
    start_date: dt.date,
    end_date: dt.date,
    kind: str,
    note: str = "",
    by: User,
    today: dt.date,
    now: dt.datetime,
) -> Absence:
    """An absence counted in Chinese working days; the secondment's total follows. Absences
    of one secondment never overlap (checked under a lock of the secondment), so no day
    counts twice."""
    if not may_record_absence(by, secondment):
        raise ValidationError(
            _("Only the host station's staff record the secondee's attendance."),
            code="forbidden",
        )
    if kind not in AbsenceKind.values:
        raise ValidationError(_("Choose the kind of absence."), code="kind")
    locked = Secondment.objects.select_for_update().get(pk=secondment.pk)
    _check_not_assessed(locked)
    _check_inside(locked, start_date, end_date, today)
    clash = (
        locked.absences.filter(start_date__lte=end_date, end_date__gte=start_date)
        .order_by("start_date")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _(
                "These dates overlap the absence already recorded from %(start)s to %(end)s; "
                "a day is counted only once."
            )
            % {"start": clash.start_date.isoformat(), "end": clash.end_date.isoformat()},
            code="overlap",
        )
    days = working_days(start_date, end_date)
    if days == 0:
        raise ValidationError(
            _("These dates are all rest days or public holidays: there is nothing to count."),
            code="no_working_day",
        )
    absence = _create(
        Absence,
        Absence(
            secondment=locked,
            start_date=start_date,
            end_date=end_date,
            kind=kind,
            note=note.strip(),
            working_days=days,
            recorded_by=by,
            recorded_at=now,
        ),
        by=by,
        now=now,
    )
    refresh_absent_days([locked.pk])
    return absence


def _check_not_assessed(secondment: Secondment) -> None:
    if SecondmentAssessment.objects.filter(secondment=secondment).exists():
        raise ValidationError(
            _("The secondment has been assessed: its attendance can no longer change."),
            code="assessed",
        )


@transaction.atomic
def withdraw_absence(*, absence: Absence, by: User, now: dt.datetime) -> None:
    """Take back an absence recorded by mistake (its history keeps it); the total follows.
    Only before the assessment."""
    if not may_record_absence(by, absence.secondment):
        raise ValidationError(
            _("Only the host station's staff record the secondee's attendance."),
            code="forbidden",
        )
    locked = Secondment.objects.select_for_update().get(pk=absence.secondment_id)
    _check_not_assessed(locked)
    row = Absence.objects.filter(pk=absence.pk).first()
    if row is None:
        return  # already withdrawn: nothing to do
    row._history_user = by
    row._history_date = now
    row.delete()
    refresh_absent_days([locked.pk])


def refresh_absent_days(secondment_ids) -> None:
    """Derive ``absent_days`` from the absences: one set-based update (also the repair)."""
    total = (
        Absence.objects.filter(secondment=OuterRef("pk"))
        .order_by()
        .values("secondment")
        .annotate(n=Sum("working_days"))
        .values("n")
    )
    Secondment.objects.filter(pk__in=secondment_ids).update(
        absent_days=Coalesce(Subquery(total), 0)
    )


@transaction.atomic
def recount_absences(*, secondment_ids=None) -> int:
    """Count every absence's working days again with the calendar as it is now, then the
    totals: the repair after the ``chinese-calendar`` package learns a year's holidays and
    adjusted workdays (absences recorded before were counted Monday to Friday). Idempotent;
    returns how many absences changed. One pass over the absences, one batched update."""
    rows = Absence.objects.order_by("pk").only(
        "pk", "secondment_id", "start_date", "end_date", "working_days"
    )
    if secondment_ids is not None:
        rows = rows.filter(secondment_id__in=list(secondment_ids))
    changed = []
    for row in rows.iterator(chunk_size=2000):
        days = working_days(row.start_date, row.end_date)
        if days != row.working_days:
            row.working_days = days
            changed.append(row)
    Absence.objects.bulk_update(changed, ["working_days"], batch_size=500)
    refresh_absent_days(sorted({row.secondment_id for row in changed}))
    return len(changed)


@transaction.atomic
def record_spot_check(
    *,
    secondment: Secondment,
    checked_on: dt.date,
    present: bool,
    findings: str = "",
    by: User,
    today: dt.date,
    now: dt.datetime,
) -> SpotCheck:
    """The bureau's unannounced check; an officer found away needs findings."""
    if not may_manage(by, secondment.station):
        raise _forbidden()
    if checked_on > today:
        raise ValidationError(_("The check date cannot be in the future."), code="future")
    if not secondment.start_date <= checked_on <= secondment.end_date:
        raise ValidationError(
            _("The check date must lie within the secondment, %(start)s to %(end)s.")
            % {
                "start": secondment.start_date.isoformat(),
                "end": secondment.end_date.isoformat(),
            },
            code="outside",
        )
    findings = findings.strip()
    if not present and not findings:
        raise ValidationError(
            _("Say what was found when the secondee was not at the post."), code="findings"
        )
    return _create(
        SpotCheck,
        SpotCheck(
            secondment=secondment,
            checked_on=checked_on,
            present=present,
            findings=findings,
            checked_by=by,
            created_at=now,
        ),
        by=by,
        now=now,
    )


@transaction.atomic
def assess_secondment(
    *,
    secondment: Secondment,
    grade: str,
    comments: str,
    by: User,
    today: dt.date,
    now: dt.datetime,
) -> SecondmentAssessment:
    """The final assessment, once, from the last month of the secondment. A secondment not
    recognised keeps its grade on record but shows 不予认定 (see ``outcome_label``)."""
    if not may_manage(by, secondment.station):
        raise _forbidden()
    if grade not in SecondmentGrade.values:
        raise ValidationError(_("Choose a grade."), code="grade")
    comments = comments.strip()
    if not comments:
        raise ValidationError(_("Write the assessment comments."), code="comments")
    # Under a lock of the secondment: two assessors at once give one assessment and a clear
    # message, and no absence is recorded while it is being assessed.
    secondment = Secondment.objects.select_for_update().get(pk=secondment.pk)
    opens = rules.assessment_opens(secondment.end_date)
    if today < opens:
        raise ValidationError(
            _("The assessment can be recorded from %(day)s, in the last month of the secondment.")
            % {"day": opens.isoformat()},
            code="early",
        )
    if SecondmentAssessment.objects.filter(secondment=secondment).exists():
        raise ValidationError(_("This secondment has already been assessed."), code="assessed")
    return _create(
        SecondmentAssessment,
        SecondmentAssessment(
            secondment=secondment,
            grade=grade,
            comments=comments,
            assessed_by=by,
            assessed_at=now,
        ),
        by=by,
        now=now,
    )
