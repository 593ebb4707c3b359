"""Two-way evaluation pages (双向评议): station staff evaluate their cadre and the cadre
evaluates the station, once a quarter, on one form; bureaus read a station's evaluations.

Scope: an evaluation form opens only for the station's own staff (rating its cadre) or the
assignment's own cadre (rating the station); anybody else of those roles gets 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.models import Assignment, Role
from scoring import rules
from scoring.evaluations import selectors, services
from scoring.evaluations.forms import SCORE_LABELS, EvaluationForm
from scoring.evaluations.models import Direction
from stations.access import OVERSEERS, role_required
from stations.models import Station
from stations.scope import scope_of

HISTORY_QUARTERS = 8
ASSIGNMENTS = Assignment.objects.select_related("station__bureau", "cadre__user", "cadre__bureau")


def _evaluate(request, assignment: Assignment, direction: str):
    now = timezone.now()
    today = timezone.localdate(now)
    quarter = rules.quarter_start(today)
    mine = selectors.own_evaluation(
        assignment=assignment, direction=direction, rater=request.user, quarter=quarter
    )
    open_now = services.covers_quarter(assignment, today=today)
    form = EvaluationForm(
        request.POST if request.method == "POST" else None,
        dimensions=selectors.active_dimensions(direction),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if mine is not None:
            form.add_error(None, _("You have already evaluated this quarter."))
        elif form.is_valid():
            try:
                services.submit_evaluation(
                    assignment=assignment,
                    rater=request.user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    now=now,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Thank you: your evaluation has been submitted."))
                return redirect(request.path)
    context = {
        "assignment": assignment,
        "direction": direction,
        "of_cadre": direction == Direction.OF_CADRE,
        "quarter_label": rules.quarter_label(quarter),
        "quarter_end": rules.quarter_end(quarter),
        "open_now": open_now,
        "mine": mine,
        "form": form,
        "score_labels": SCORE_LABELS.items(),
        "min_raters": settings.LIAISON_EVALUATION_MIN_RATERS,
    }
    return render(request, "scoring/evaluate.html", context, status=status)


@role_required(Role.STATION)
@require_http_methods(["GET", "POST"])
def evaluate_cadre(request, pk: int):
    """The station's staff rate the cadre of one of the station's assignments."""
    if request.user.role != Role.STATION:
        raise PermissionDenied  # administrators pass role checks but rate nobody
    assignment = get_object_or_404(ASSIGNMENTS, pk=pk, station_id=request.user.station_id)
    return _evaluate(request, assignment, Direction.OF_CADRE)


@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
def evaluate_station(request, pk: int):
    """The cadre rates the station of one of their own assignments."""
    if request.user.role != Role.CADRE:
        raise PermissionDenied
    assignment = get_object_or_404(ASSIGNMENTS, pk=pk, cadre__user=request.user)
    return _evaluate(request, assignment, Direction.OF_STATION)


@role_required(*OVERSEERS)
def station_evaluations(request, pk: int):
    """A station's two-way evaluation for its bureaus: what its cadres said of it, and what
    its staff said of its cadres (the anonymous aggregate only)."""
    stations = Station.objects.in_scope(scope_of(request.user)).select_related("bureau")
    station = get_object_or_404(stations, pk=pk)
    today = timezone.localdate()
    assignments = list(
        Assignment.objects.filter(station=station, start_date__lte=today)
        .select_related("cadre__user")
        .order_by("start_date", "pk")
    )
    quarters = []
    if assignments:
        # The last two years of its cadres' assignments.
        quarters = rules.quarters_between(assignments[0].start_date, today)[-HISTORY_QUARTERS:]
    context = {
        "station": station,
        "of_station": selectors.station_ratings(assignments=assignments, quarters=quarters),
        "of_cadre": selectors.cadre_ratings(
            assignments=assignments,
            quarters=quarters,
            today=today,
            min_raters=settings.LIAISON_EVALUATION_MIN_RATERS,
        ),
    }
    return render(request, "scoring/station_evaluations.html", context)


urlpatterns = [
    path("evaluations/<int:pk>/cadre/", evaluate_cadre, name="evaluate-cadre"),
    path("evaluations/<int:pk>/station/", evaluate_station, name="evaluate-station"),
    path("stations/<int:pk>/evaluations/", station_evaluations, name="station-evaluations"),
]
