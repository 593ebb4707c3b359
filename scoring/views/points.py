"""A cadre's own points page (我的积分): this month's provisional score, the latest frozen
rank, the trend of the last twelve months, points by rule and every entry with the fact that
earned it. Bureau staff and leaders open the same page for a cadre in their scope."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.vary import vary_on_headers

from liaison import charts
from liaison.models import Cadre
from liaison.views import paginate
from scoring import statement
from scoring.evaluations import selectors as evaluations
from stations.access import OVERSEERS, role_required
from stations.scope import scope_of

TEMPLATE = "scoring/my_points.html"
ENTRY_TABLE = "entry-table"


def _page(request, cadre: Cadre, *, own: bool):
    today = timezone.localdate()
    summary = statement.summary(cadre, today=today)
    page = paginate(request, statement.entries(cadre))
    context = {
        "cadre": cadre,
        "own": own,
        "summary": summary,
        "chart": charts.points_bar_svg(
            x_labels=[f"{month:%Y-%m}" for month in summary.months],
            values=summary.monthly_points,
            title=_("Points by month, last twelve months"),
            y_title=pgettext("ranking", "Points"),
            provisional_label=pgettext("ranking", "provisional"),
        ),
        "rows": statement.entry_rows(page.object_list),
        "page_obj": page,
        "hx_target": ENTRY_TABLE,
    }
    partial = request.htmx and request.htmx.target == ENTRY_TABLE
    if not partial:
        # The quarters of the twelve months the chart shows, newest first.
        context["evaluations"] = evaluations.ratings_of_cadre(
            cadre_id=cadre.pk,
            first=summary.months[0],
            last=today,
            today=today,
            min_raters=settings.LIAISON_EVALUATION_MIN_RATERS,
        )
    return render(request, f"{TEMPLATE}#{ENTRY_TABLE}" if partial else TEMPLATE, context)


@role_required("cadre")
@vary_on_headers("HX-Request")
def my_points(request):
    if request.user.role != "cadre":
        # Administrators pass every role check but have no points of their own.
        raise PermissionDenied
    cadre = get_object_or_404(Cadre.objects.select_related("user", "bureau"), user=request.user)
    return _page(request, cadre, own=True)


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def cadre_points(request, pk: int):
    cadres = Cadre.objects.in_scope(scope_of(request.user)).select_related("user", "bureau")
    cadre = get_object_or_404(cadres, pk=pk)
    return _page(request, cadre, own=False)


urlpatterns = [
    path("points/", my_points, name="my-points"),
    path("cadres/<int:pk>/points/", cadre_points, name="cadre-points"),
]
