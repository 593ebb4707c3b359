"""The problem list filters shared by the public board (公开发布), its Excel export and the
work pages: one form for the GET parameters, one function from parameters to a scoped,
ordered queryset.

"Overdue" is computed from the facts (open and ``deadline < today``), not read from
``overdue_since``: that column is set by the daily sweep, so it lags by up to a day (and by
longer if a sweep failed), while the deadline comparison is always fresh and is served by
the partial index ``problem_open_deadline``. The counters use the same definition, so a
filtered list and its counter always agree.
"""

import datetime as dt

from django import forms
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from checklists.models import Problem, ProblemCategory, Task
from checklists.models.problems import CLOSED, OPEN_STATUSES, ProblemStatus
from liaison.models import User
from stations.access import has_role
from stations.models import Bureau, Station, Tier
from stations.scope import Scope, path_within, scope_of

# Roles that see every draft in their scope (others see only drafts they raised).
DRAFT_READERS = ("bureau", "admin")
# Roles whose lists put overdue problems first (bureau lists); others read newest first.
OVERDUE_FIRST = ("bureau", "leader", "admin")
# The longest search text accepted.
MAX_QUERY_LENGTH = 50


class RegionChoiceField(forms.ModelChoiceField):
    """A bureau by its division code; counties are indented under their city."""

    def label_from_instance(self, obj: Bureau) -> str:
        return "\u3000" * max(obj.path.count("/") - 1, 0) + obj.name


class PersonChoiceField(forms.ModelChoiceField):
    """A person with their unit: names repeat across a province."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj} · {obj.unit}" if obj.unit else str(obj)


class ProblemFilterForm(forms.Form):
    """GET parameters of a problem list. Every choice is limited to the user's scope: a
    region, station or person outside it is an invalid choice (a message, never a 500).

    The station and responsible-person selects offer the stations and people of the chosen
    region (or of the user's own county or station); higher up they offer only the current
    choice, since a province holds thousands of them (the table links filter by them)."""

    region = RegionChoiceField(
        label=_("Region"),
        queryset=Bureau.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All regions"),
        error_messages={"invalid_choice": _("That region is not within your scope.")},
    )
    station = forms.ModelChoiceField(
        label=_("Police station"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=_("All stations"),
        error_messages={"invalid_choice": _("That police station is not within your scope.")},
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ProblemCategory.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All categories"),
        error_messages={"invalid_choice": _("Choose a category from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All published")), *ProblemStatus.choices],
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    responsible = PersonChoiceField(
        label=_("Responsible person"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Anyone"),
        error_messages={"invalid_choice": _("Choose a responsible person from the list.")},
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters.")},
    )

    def __init__(self, data=None, *, scope: Scope, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        regions = Bureau.objects.in_scope(scope)
        if not scope.everything:
            regions = regions.exclude(tier=Tier.PROVINCE)
        self.fields["region"].queryset = regions.order_by("path")
        self.fields["station"].queryset = Station.objects.in_scope(scope).select_related("bureau")
        self.fields["category"].queryset = ProblemCategory.objects.order_by("order", "pk")
        self.fields["responsible"].queryset = User.objects.filter(
            pk__in=Problem.objects.in_scope(scope).values("responsible_id")
        )
        self.fields["q"].widget.attrs["placeholder"] = _("Description, number or station")

    def clean(self):
        data = super().clean()
        region, station = data.get("region"), data.get("station")
        if region and station and not path_within(station.bureau.path, region.path):
            self.add_error("station", _("That police station is not in the chosen region."))
        return data

    def narrow_choices(self) -> None:
        """Limit the station and person selects to the chosen region (or the user's own
        county or station), keeping the current choice. Call after ``is_valid()``."""
        data = getattr(self, "cleaned_data", {})
        stations = _listable_stations(data.get("region"), self.scope)
        station_field, person_field = self.fields["station"], self.fields["responsible"]
        self.narrowed = stations is not None
        if stations is None:
            current_station, current_person = data.get("station"), data.get("responsible")
            station_field.queryset = station_field.queryset.filter(
                pk=getattr(current_station, "pk", None)
            )
            person_field.queryset = person_field.queryset.filter(
                pk=getattr(current_person, "pk", None)
            ).select_related("station", "bureau")
            return
        station_field.queryset = station_field.queryset.filter(stations).order_by("code")
        person_field.queryset = (
            User.objects.filter(
                pk__in=Problem.objects.in_scope(self.scope)
                .public()
                .filter(station__in=Station.objects.filter(stations))
                .values("responsible_id")
            )
            .select_related("station", "bureau")
            .order_by("last_name", "first_name", "pk")
        )


# A bureau path with this many codes is a county ("420000/420100/420102").
COUNTY_DEPTH = 3


def _listable_stations(region: Bureau | None, scope: Scope) -> Q | None:
    """A Q on stations few enough to offer in a select: those of the chosen station-holding
    region, or of the user's own county or station; None when the unit is larger."""
    if region is not None:
        return Q(bureau=region) if region.holds_stations else None
    if scope.station_id is not None:
        return Q(pk=scope.station_id)
    if scope.bureau_path is not None and scope.bureau_path.count("/") + 1 >= COUNTY_DEPTH:
        return Q(bureau__path=scope.bureau_path)
    return None


def with_task_progress(problems: QuerySet) -> QuerySet:
    """Annotate ``tasks_total`` and ``tasks_done``: correlated subqueries, so only the rows
    actually fetched (one page) are counted, and ``count()`` ignores them."""
    tasks = Task.objects.filter(problem=OuterRef("pk")).order_by().values("problem")
    total = tasks.annotate(n=Count("pk")).values("n")
    done = tasks.filter(done_on__isnull=False).annotate(n=Count("pk")).values("n")
    return problems.annotate(
        tasks_total=Coalesce(Subquery(total, output_field=IntegerField()), 0),
        tasks_done=Coalesce(Subquery(done, output_field=IntegerField()), 0),
    )


def overdue_q(today: dt.date) -> Q:
    """Open problems past their deadline (fresh; see the module docstring)."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=today)


def visible_problems(user) -> QuerySet:
    """Problems ``user`` may see: published ones in scope; drafts in scope for bureau staff
    and administrators; drafts they raised themselves (still within scope)."""
    scope = scope_of(user)
    problems = Problem.objects.in_scope(scope)
    if has_role(user, *DRAFT_READERS):
        return problems
    return problems.filter(~Q(status=ProblemStatus.DRAFT) | Q(raised_by=user))


def filter_problems(params, *, user, today: dt.date) -> tuple[ProblemFilterForm, QuerySet]:
    """The problems matching the GET ``params`` that ``user`` may see, ordered overdue first
    (oldest deadline first) for bureau staff, leaders and administrators, else newest first.

    Without a status, drafts are left out (the list is the public board); ``status=draft``
    lists the drafts the user may see. Invalid parameters: the form carries the messages
    and the list is empty (showing everything under a filter that did not apply would
    mislead). Annotated with ``is_overdue`` and the task progress."""
    scope = scope_of(user)
    form = ProblemFilterForm(params, scope=scope)
    problems = visible_problems(user)
    if not form.is_valid():
        problems = problems.none()
    else:
        problems = _apply(problems, form.cleaned_data, today=today)
    problems = with_task_progress(
        problems.annotate(
            is_overdue=Case(
                When(overdue_q(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    ).select_related("station__bureau__parent", "category", "responsible")
    if has_role(user, *OVERDUE_FIRST):
        # Overdue first, then what is still open by deadline, closed-out problems last: open
        # problems by deadline put the overdue ones first (their deadline is before today;
        # a list holds drafts only when it lists nothing else). Read in the order of the
        # index ``problem_board_order``: a page costs the same however many problems exist.
        problems = problems.annotate(is_closed=CLOSED).order_by(
            "is_closed", F("deadline").asc(nulls_last=True), "-created_at", "-pk"
        )
    else:
        problems = problems.order_by("-created_at", "-pk")
    return form, problems


def _apply(problems: QuerySet, data: dict, *, today: dt.date) -> QuerySet:
    if region := data.get("region"):
        problems = problems.filter(
            Q(station__bureau__path=region.path)
            | Q(station__bureau__path__startswith=region.path + "/")
        )
    if station := data.get("station"):
        problems = problems.filter(station=station)
    if category := data.get("category"):
        problems = problems.filter(category=category)
    if status := data.get("status"):
        problems = problems.filter(status=status)
    else:
        problems = problems.exclude(status=ProblemStatus.DRAFT)
    if data.get("overdue"):
        problems = problems.filter(overdue_q(today))
    if responsible := data.get("responsible"):
        problems = problems.filter(responsible=responsible)
    if text := (data.get("q") or "").strip():
        problems = problems.filter(
            Q(description__icontains=text)
            | Q(reference__icontains=text)
            | Q(station__name__icontains=text)
        )
    return problems
