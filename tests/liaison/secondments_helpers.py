"""Factories and fixtures of the secondment tests (tests/liaison/test_secondments*.py)."""

import datetime as dt

import factory

from liaison.models import Absence, Secondment, SecondmentAssessment, SpotCheck
from liaison.secondments.services import refresh_absent_days
from liaison.workdays import working_days

D = dt.date
NOW = dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC)
TODAY = D(2026, 12, 4)


class SecondmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Secondment

    officer_name = factory.Sequence(lambda n: f"李{n}明")
    police_number = factory.Sequence(lambda n: f"{420100 + n:06d}")
    home_bureau = factory.LazyAttribute(lambda o: o.station.bureau.parent or o.station.bureau)
    station = None
    start_date = D(2026, 3, 1)
    end_date = D(2027, 2, 28)
    year = factory.LazyAttribute(lambda o: o.start_date.year)


def absence(secondment, start, end, kind="personal", note=""):
    """An absence written directly (the service is tested on its own), total refreshed."""
    row = Absence.objects.create(
        secondment=secondment,
        start_date=start,
        end_date=end,
        kind=kind,
        note=note,
        working_days=working_days(start, end),
    )
    refresh_absent_days([secondment.pk])
    secondment.refresh_from_db()
    return row


def spot_check(secondment, day, present=True, findings=""):
    return SpotCheck.objects.create(
        secondment=secondment, checked_on=day, present=present, findings=findings
    )


def assessment(secondment, grade="competent", comments="能够履行挂职职责。"):
    return SecondmentAssessment.objects.create(
        secondment=secondment, grade=grade, comments=comments
    )
