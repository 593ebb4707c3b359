"""The public board (公开发布), the headline counters and the "my work" pages.

The board and the counters read ``checklists.filters.filter_problems`` (the Excel export
reads it too, so a download is exactly the list on screen). The headline block is a partial
of the board: other pages (the overview, a station's page) load it with htmx from the board
URL and its filters, so they show the same numbers without importing this app.
"""

from django.db.models import Q
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.vary import vary_on_headers

from checklists import counters
from checklists.filters import filter_problems, visible_problems, with_task_progress
from checklists.models import Task
from checklists.models.problems import OPEN_STATUSES, ProblemStatus
from liaison import compliance
from liaison.views import page_template, paginate, querystring_without_page
from stations.access import EVERYONE, MANAGERS, OVERSEERS, has_role, role_required
from stations.scope import scope_of

# The counters page reads only these filters: a region to drill into and a category.
COUNTER_PARAMS = ("region", "category")


@role_required(*EVERYONE)
@vary_on_headers("HX-Request")
def board(request):
    today = timezone.localdate()
    form, problems = filter_problems(request.GET, user=request.user, today=today)
    context = {
        "form": form,
        "headline": counters.problem_counters(problems, today=today),
        "querystring": request.GET.urlencode(),
        "today": today,
    }
    if request.htmx and request.htmx.target == "board-headline":
        context["standalone"] = True
        return render(request, "checklists/board.html#board-headline", context)
    form.narrow_choices()
    context |= {
        "page_obj": paginate(request, problems),
        "querystring_base": querystring_without_page(request),
    }
    return render(
        request, page_template(request, "checklists/board.html", "board-results"), context
    )


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def counters_page(request):
    today = timezone.localdate()
    scope = scope_of(request.user)
    params = request.GET.copy()
    for key in list(params):
        if key not in COUNTER_PARAMS:
            del params[key]
    form, problems = filter_problems(params, user=request.user, today=today)
    region = form.cleaned_data.get("region") if form.is_valid() else None
    context = {
        "form": form,
        "region": region,
        "headline": counters.problem_counters(problems, today=today),
        "by_region": counters.counters_by_region(problems, scope=scope, today=today, unit=region),
        "by_category": counters.counters_by_category(problems, today=today),
        "breadcrumb": compliance.breadcrumb(scope, region),
        "category": form.cleaned_data.get("category") if form.is_valid() else None,
    }
    return render(
        request, page_template(request, "checklists/board_counters.html", "counters-body"), context
    )


# --- My work -------------------------------------------------------------------------------

# The tabs of the work pages: (url name, label msgid in the template, roles that see it).
TAB_ROLES = {
    "my-work": EVERYONE,
    "my-problems": EVERYONE,
    "station-work": ("station", "cadre"),
    "bureau-work": OVERSEERS,
}


def _tabs(user) -> list[str]:
    return [name for name, roles in TAB_ROLES.items() if has_role(user, *roles)]


def _open_problems(user):
    """Open problems the user may see, deadline first (so overdue ones lead)."""
    return with_task_progress(
        visible_problems(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("station__bureau__parent", "category", "responsible")
        .order_by("deadline", "-created_at", "-pk")
    )


def _work(request, tab: str, items, **extra):
    context = {
        "tab": tab,
        "tabs": _tabs(request.user),
        "today": timezone.localdate(),
        "page_obj": paginate(request, items),
        "querystring_base": querystring_without_page(request),
        **extra,
    }
    return render(request, page_template(request, "checklists/my_work.html", "work-list"), context)


@role_required(*EVERYONE)
@vary_on_headers("HX-Request")
def my_work(request):
    """The user's open tasks as assignee, by due date: overdue ones come first."""
    tasks = (
        Task.objects.in_scope(scope_of(request.user))
        .open()
        .filter(assignee=request.user, problem__status__in=OPEN_STATUSES)
        .select_related("problem__station", "problem__category")
        .order_by("due_date", "problem__deadline", "order", "pk")
    )
    return _work(request, "my-work", tasks)


@role_required(*EVERYONE)
@vary_on_headers("HX-Request")
def my_problems(request):
    """Open problems the user is responsible for (责任人), by deadline."""
    return _work(
        request, "my-problems", _open_problems(request.user).filter(responsible=request.user)
    )


@role_required("station", "cadre")
@vary_on_headers("HX-Request")
def station_work(request):
    """The open problems of the user's station (station staff, or the cadre covering it)."""
    return _work(request, "station-work", _open_problems(request.user))


@role_required(*OVERSEERS)
@vary_on_headers("HX-Request")
def bureau_work(request):
    """The open problems of the user's bureau subtree, overdue first; managers also see how
    many drafts await publication."""
    drafts = None
    if has_role(request.user, *MANAGERS):
        drafts = (
            visible_problems(request.user).filter(Q(status=ProblemStatus.DRAFT)).order_by().count()
        )
    return _work(request, "bureau-work", _open_problems(request.user), drafts=drafts)


urlpatterns = [
    path("board/", board, name="board"),
    path("counters/", counters_page, name="counters"),
    path("work/", my_work, name="my-work"),
    path("work/responsible/", my_problems, name="my-problems"),
    path("work/station/", station_work, name="station-work"),
    path("work/bureau/", bureau_work, name="bureau-work"),
]
