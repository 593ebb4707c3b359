"""One factory per model, minimal defaults; tests set what they assert on."""

import datetime as dt

import factory
from django.contrib.auth.hashers import make_password

from checklists.models import Problem, ProblemCategory, Result, Task
from liaison.models import Assignment, Cadre, User
from stations.models import Bureau, Station, Tier

PASSWORD = "Passw0rd!235"
_PASSWORD_HASH = make_password(PASSWORD)


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bureau

    tier = Tier.PROVINCE
    parent = None
    code = factory.Sequence(lambda n: f"{11 + n % 80:02d}{n // 80 % 100:02d}{n % 100:02d}")
    name = factory.Sequence(lambda n: f"测试公安局{n}")
    path = factory.LazyAttribute(
        lambda o: o.code if o.parent is None else f"{o.parent.path}/{o.code}"
    )


def province(code="420000", name="湖北省公安厅"):
    return BureauFactory(code=code, name=name, tier=Tier.PROVINCE, parent=None)


def city(parent, code, name=None, directly_administered=False):
    return BureauFactory(
        code=code,
        name=name or f"{code}市公安局",
        tier=Tier.CITY,
        parent=parent,
        directly_administered=directly_administered,
    )


def county(parent, code, name=None):
    return BureauFactory(
        code=code, name=name or f"{code}区公安分局", tier=Tier.COUNTY, parent=parent
    )


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    code = factory.Sequence(lambda n: f"S{n:06d}")
    name = factory.Sequence(lambda n: f"第{n}派出所")
    bureau = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"三{n}")
    password = _PASSWORD_HASH
    role = "bureau"


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    bureau = None
    tier = factory.LazyAttribute(lambda o: o.bureau.tier)
    user = factory.LazyAttribute(lambda o: UserFactory(role="cadre", bureau=o.bureau))
    position = "民警"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    cadre = None
    station = None
    start_date = dt.date(2026, 1, 1)
    end_date = None


def _category():
    # The defaults are seeded by a data migration; tests that flush them create one.
    return ProblemCategory.objects.filter(
        code="fire-safety"
    ).first() or ProblemCategory.objects.create(code="fire-safety", name="消防和安全隐患")


class ProblemFactory(factory.django.DjangoModelFactory):
    """A draft problem; pass status, responsible, deadline, published_* to publish it."""

    class Meta:
        model = Problem

    station = None
    category = factory.LazyFunction(_category)
    description = factory.Sequence(lambda n: f"问题描述{n}")
    raised_by = factory.LazyAttribute(lambda o: UserFactory(role="bureau", bureau=o.station.bureau))


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    problem = None
    title = factory.Sequence(lambda n: f"整改任务{n}")
    assignee = factory.LazyAttribute(
        lambda o: UserFactory(role="station", bureau=None, station=o.problem.station)
    )
    due_date = factory.LazyAttribute(lambda o: o.problem.deadline)
    created_by = factory.LazyAttribute(lambda o: o.problem.published_by or o.problem.raised_by)


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    problem = None
    what_changed = factory.Sequence(lambda n: f"整改效果{n}")
    submitted_by = factory.LazyAttribute(
        lambda o: UserFactory(role="station", bureau=None, station=o.problem.station)
    )


class PointRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scoring.PointRule"
        django_get_or_create = ("code", "effective_from")

    code = "visit_in_period"
    description = factory.LazyAttribute(lambda o: o.code)
    points = 2
    effective_from = dt.date(2020, 1, 1)


class PointEntryFactory(factory.django.DjangoModelFactory):
    """A live ledger entry; pass cadre, points and fact_day (booked in the fact's month)."""

    class Meta:
        model = "scoring.PointEntry"

    cadre = None
    rule = factory.LazyAttribute(lambda o: PointRuleFactory(code=o.code))
    code = "visit_in_period"
    source_kind = "visit"
    source_id = factory.Sequence(lambda n: n + 1)
    points = 2
    fact_day = dt.date(2026, 10, 15)
    booked_month = factory.LazyAttribute(lambda o: o.fact_day.replace(day=1))


class EvaluationDimensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scoring.EvaluationDimension"
        django_get_or_create = ("direction", "name")

    direction = "of_cadre"
    name = factory.Sequence(lambda n: f"评议项目{n}")
    position = factory.Sequence(lambda n: n)


class EvaluationFactory(factory.django.DjangoModelFactory):
    """One rater's evaluation; pass assignment, rater, quarter and direction. Submitted on the
    quarter's first day unless told."""

    class Meta:
        model = "scoring.Evaluation"

    assignment = None
    rater = None
    direction = "of_cadre"
    quarter = dt.date(2026, 7, 1)
    submitted_on = factory.LazyAttribute(lambda o: o.quarter)
    submitted_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.submitted_on, dt.time(2), tzinfo=dt.UTC)
    )


class EvaluationScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "scoring.EvaluationScore"

    evaluation = None
    dimension = None
    score = 4


class StaffingReturnFactory(factory.django.DjangoModelFactory):
    """A county-level bureau's staffing figures; pass bureau and the three counts."""

    class Meta:
        model = "stations.StaffingReturn"

    bureau = None
    as_of = dt.date(2026, 6, 30)
    police_total = 200
    station_police = 100
    community_police = 50
    recorded_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.as_of, dt.time(9), tzinfo=dt.UTC)
    )
