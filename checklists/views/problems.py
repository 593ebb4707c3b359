"""The problem page: a problem with its tasks, results and full history, and the forms to
work it through its lifecycle (publish → rectify → verify → close out → reopen).

Each action posts to its own URL. Without JavaScript it answers with a redirect to the
page (or the page with the form's errors, 400); with htmx it answers with the section it
changed plus the other sections out of band. When someone else acted first the answer
says so and shows the fresh state.
"""

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from checklists import forms_lists as forms
from checklists import permissions, photos, rules
from checklists.filters import visible_problems
from checklists.list_history import problem_history
from checklists.models import Problem, ProblemCategory, ResultEvidence
from checklists.permissions import WORKERS
from checklists.services import lists as services
from stations.access import EVERYONE, MANAGERS, role_required
from stations.models import Station
from stations.scope import scope_of

TEMPLATE = "checklists/problem_detail.html"
# Section ids of the page = names of its partials.
SUMMARY = "problem-summary"
TASKS = "problem-tasks"
RESULTS = "problem-results"
HISTORY = "problem-history"
SECTIONS = (SUMMARY, TASKS, RESULTS, HISTORY)


def _problem(request, pk) -> Problem:
    problems = visible_problems(request.user).select_related(
        "station__bureau", "category", "raised_by", "responsible", "published_by", "closed_by"
    )
    return get_object_or_404(problems, pk=pk)


def _context(request, problem, bound=None) -> dict:
    """Everything the page shows, in a fixed number of queries. ``bound``: forms with
    the user's input (and errors) to show instead of fresh ones, by name."""
    bound = bound or {}
    user, today = request.user, timezone.localdate()
    tasks = list(problem.tasks.select_related("assignee", "done_by"))
    results = list(
        problem.results.select_related("submitted_by", "verified_by").prefetch_related("evidence")
    )
    manage = permissions.may_manage(user, problem)
    people = list(permissions.people_for(problem.station)) if manage else []
    for task in tasks:
        task.can_update = (
            problem.is_open
            and not task.is_done
            and permissions.may_work_on(user, problem, [task.assignee_id])
        )
        task.done_form = bound.get(("done", task.pk))
        task.form = bound.get(("task", task.pk)) or forms.ProgressForm(
            prefix=f"task-{task.pk}",
            initial={
                "progress": task.progress,
                "note": task.progress_note,
                "version": task.version,
            },
        )
    for result in results:
        result.can_verify = (
            manage
            and problem.is_open
            and not result.is_verified
            and result.submitted_by_id != user.pk
        )
        result.form = bound.get(("result", result.pk)) or forms.VerifyForm(
            prefix=f"result-{result.pk}", initial={"version": result.version}
        )
    owner_initial = {
        "responsible": problem.responsible_id,
        "deadline": problem.deadline,
        "version": problem.version,
    }
    return {
        "problem": problem,
        "tasks": tasks,
        "results": results,
        "history": problem_history(problem),
        "can_manage": manage,
        "can_submit": problem.is_open
        and permissions.may_work_on(user, problem, {t.assignee_id for t in tasks}),
        "close_blocker": _close_blocker(user, problem, tasks, results) if manage else None,
        "close_form": bound.get("close"),
        "owner_form": bound.get("owner")
        or forms.OwnerForm(people=people, today=today, initial=owner_initial),
        "task_formset": bound.get("tasks") or _task_formset(problem, people, today),
        "planning": bound.get("planning", False),
        "result_form": bound.get("result") or forms.ResultForm(),
        "reopen_form": bound.get("reopen")
        or forms.ReopenForm(initial={"version": problem.version}),
        "today": today,
    }


def _close_blocker(user, problem, tasks, results) -> str | None:
    """Why ``user`` cannot close the problem out yet, from the rows already loaded (the
    service checks the same with queries)."""
    if not problem.is_open:
        return None
    since = services.reopened_at(problem)
    return services.close_out_refusal_from(
        open_tasks=sum(1 for t in tasks if not t.is_done),
        results=[r for r in results if since is None or r.submitted_at >= since],
        by=user,
    )


def _task_formset(problem, people, today, data=None):
    return forms.TaskFormSet(
        data,
        prefix="tasks",
        form_kwargs={
            "people": people,
            "today": today,
            "deadline": problem.deadline,
            "default_assignee": problem.responsible_id,
        },
    )


def _sections(request, context, section, status=200) -> HttpResponse:
    """htmx: the changed section, and the others out of band; otherwise the whole page."""
    context = {**context, "active_section": section}
    if not request.htmx:
        response = render(request, TEMPLATE, context, status=status)
    else:
        parts = [render_to_string(f"{TEMPLATE}#{section}", context, request)]
        parts += [
            render_to_string(f"{TEMPLATE}#{other}", {**context, "oob": True}, request)
            for other in SECTIONS
            if other != section
        ]
        response = HttpResponse("".join(parts), status=status)
    response["Vary"] = "HX-Request"
    return response


def _done(request, pk, section) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("checklists:problem-detail", args=[pk]) + f"#{section}")
    problem = _problem(request, pk)
    return _sections(request, _context(request, problem), section)


def _act(request, problem, *, form, name, section, run, success) -> HttpResponse:
    """Validate the form, call the service, answer. ``name``: the form's key in the
    context, to show it again with its errors."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except services.StaleState as exc:
            messages.error(request, exc.messages[0])
            return _done(request, problem.pk, section)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return _done(request, problem.pk, section)
    context = _context(request, problem, bound={name: form})
    return _sections(request, context, section, status=200 if request.htmx else 400)


def _managed(request, pk) -> Problem:
    problem = _problem(request, pk)
    if not permissions.may_manage(request.user, problem):
        raise PermissionDenied
    return problem


# --- pages ----------------------------------------------------------------------------------


@role_required(*EVERYONE)
@vary_on_headers("HX-Request")
@never_cache  # Back after an htmx action must show the state now, not a cached page
def problem_detail(request, pk):
    problem = _problem(request, pk)
    return render(request, TEMPLATE, _context(request, problem))


@role_required("bureau", "admin", "cadre")
def problem_new(request):
    stations = list(
        Station.objects.in_scope(scope_of(request.user))
        .active()
        .select_related("bureau")
        .order_by("bureau__path", "code")
    )
    categories = list(ProblemCategory.objects.active())
    only = stations[0].pk if len(stations) == 1 else ""
    initial = {"station": request.GET.get("station") or only}
    form = forms.RaiseProblemForm(
        request.POST or None, stations=stations, categories=categories, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.raise_problem(
                station=form.cleaned_data["station"],
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                by=request.user,
                now=timezone.now(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The problem was saved as a draft."))
            return redirect("checklists:problem-detail", problem.pk)
    status = 400 if form.is_bound else 200
    return render(request, "checklists/problem_new.html", {"form": form}, status=status)


# --- managers: publish, edit, tasks, verify, close out, reopen ------------------------------


def _owner_form(request, problem):
    people = list(permissions.people_for(problem.station))
    return forms.OwnerForm(request.POST, people=people, today=timezone.localdate())


@role_required(*MANAGERS)
@require_POST
def problem_publish(request, pk):
    problem = _managed(request, pk)
    return _act(
        request,
        problem,
        form=_owner_form(request, problem),
        name="owner",
        section=SUMMARY,
        run=lambda data: services.publish_problem(
            problem=problem,
            by=request.user,
            responsible=data["responsible"],
            deadline=data["deadline"],
            version=data["version"],
            now=timezone.now(),
        ),
        success=_("The problem was published."),
    )


@role_required(*MANAGERS)
@require_POST
def problem_edit(request, pk):
    problem = _managed(request, pk)
    return _act(
        request,
        problem,
        form=_owner_form(request, problem),
        name="owner",
        section=SUMMARY,
        run=lambda data: services.update_problem(
            problem=problem,
            by=request.user,
            version=data["version"],
            responsible=data["responsible"],
            deadline=data["deadline"],
            now=timezone.now(),
        ),
        success=_("The problem was changed."),
    )


@role_required(*MANAGERS)
@require_POST
def problem_tasks(request, pk):
    """Add tasks; or, with the "plan backwards" button, propose their due dates."""
    problem = _managed(request, pk)
    today = timezone.localdate()
    people = list(permissions.people_for(problem.station))
    formset = _task_formset(problem, people, today, request.POST)
    if "plan" in request.POST:
        return _plan(request, problem, formset, today)
    status = 200 if request.htmx else 400
    if formset.is_valid():
        drafts = forms.task_drafts(formset)
        try:
            if not drafts:
                raise ValidationError(_("Enter at least one task."))
            services.add_tasks(problem=problem, by=request.user, tasks=drafts, now=timezone.now())
        except ValidationError as exc:
            formset.forms[0].add_error(None, exc)
        else:
            messages.success(request, _("The tasks were added."))
            return _done(request, problem.pk, TASKS)
    context = _context(request, problem, bound={"tasks": formset})
    return _sections(request, context, TASKS, status=status)


def _plan(request, problem, formset, today) -> HttpResponse:
    """Fill in due dates worked back from the deadline for the rows with a title (or all
    rows when none has one yet); nothing is saved."""
    data = request.POST.copy()
    rows = [i for i in range(forms.TASK_ROWS) if data.get(f"tasks-{i}-title", "").strip()]
    rows = rows or list(range(forms.TASK_ROWS))
    if problem.deadline is None or problem.deadline < today:
        messages.error(request, _("The deadline has passed: move it before planning tasks."))
    else:
        dates = rules.plan_backwards(deadline=problem.deadline, today=today, steps=len(rows))
        for i, day in zip(rows, dates, strict=True):
            data[f"tasks-{i}-due_date"] = day.isoformat()
        messages.info(request, _("Due dates proposed from the deadline: check them and save."))
    formset = _task_formset(problem, formset.form_kwargs["people"], today, data)
    context = _context(request, problem, bound={"tasks": formset, "planning": True})
    return _sections(request, context, TASKS)


@role_required(*MANAGERS)
@require_POST
def result_verify(request, pk, result_pk):
    problem = _managed(request, pk)
    result = get_object_or_404(problem.results.all(), pk=result_pk)
    return _act(
        request,
        problem,
        form=forms.VerifyForm(request.POST, prefix=f"result-{result.pk}"),
        name=("result", result.pk),
        section=RESULTS,
        run=lambda data: services.verify_result(
            result=result,
            by=request.user,
            version=data["version"],
            rating=data["rating"],
            note=data["note"],
            now=timezone.now(),
        ),
        success=_("The result was verified."),
    )


@role_required(*MANAGERS)
@require_POST
def problem_close(request, pk):
    problem = _managed(request, pk)
    return _act(
        request,
        problem,
        form=forms.VersionForm(request.POST),
        name="close",
        section=SUMMARY,
        run=lambda data: services.close_out(
            problem=problem, by=request.user, version=data["version"], now=timezone.now()
        ),
        success=_("The problem was closed out."),
    )


@role_required(*MANAGERS)
@require_POST
def problem_reopen(request, pk):
    problem = _managed(request, pk)
    return _act(
        request,
        problem,
        form=forms.ReopenForm(request.POST),
        name="reopen",
        section=SUMMARY,
        run=lambda data: services.reopen_problem(
            problem=problem,
            by=request.user,
            version=data["version"],
            reason=data["reason"],
            now=timezone.now(),
        ),
        success=_("The problem was reopened."),
    )


# --- the station, the responsible person and assignees: progress, done, results -----------


def _task_for_work(request, pk, task_pk):
    problem = _problem(request, pk)
    task = get_object_or_404(problem.tasks.all(), pk=task_pk)
    if not permissions.may_work_on(request.user, problem, [task.assignee_id]):
        raise PermissionDenied
    return problem, task


@role_required(*WORKERS)
@require_POST
def task_progress(request, pk, task_pk):
    problem, task = _task_for_work(request, pk, task_pk)
    return _act(
        request,
        problem,
        form=forms.ProgressForm(request.POST, prefix=f"task-{task.pk}"),
        name=("task", task.pk),
        section=TASKS,
        run=lambda data: services.update_task(
            task=task,
            by=request.user,
            version=data["version"],
            progress=data["progress"],
            note=data["note"],
            now=timezone.now(),
        ),
        success=_("The progress was saved."),
    )


@role_required(*WORKERS)
@require_POST
def task_done(request, pk, task_pk):
    problem, task = _task_for_work(request, pk, task_pk)
    return _act(
        request,
        problem,
        form=forms.VersionForm(request.POST, prefix=f"done-{task.pk}"),
        name=("done", task.pk),
        section=TASKS,
        run=lambda data: services.complete_task(
            task=task, by=request.user, version=data["version"], now=timezone.now()
        ),
        success=_("The task was marked done."),
    )


@role_required(*WORKERS)
@require_POST
def result_submit(request, pk):
    problem = _problem(request, pk)
    assignee_ids = problem.tasks.values_list("assignee_id", flat=True)
    if not permissions.may_work_on(request.user, problem, assignee_ids):
        raise PermissionDenied
    return _act(
        request,
        problem,
        form=forms.ResultForm(request.POST, request.FILES),
        name="result",
        section=RESULTS,
        run=lambda data: services.submit_result(
            problem=problem,
            by=request.user,
            what_changed=data["what_changed"],
            files=data["files"],
            now=timezone.now(),
        ),
        success=_("The result was submitted for verification."),
    )


@role_required(*EVERYONE)
def evidence(request, pk):
    """An evidence file, to those who may see its problem only (never a public media
    URL). Photos are served re-encoded without EXIF: the position stays on the server."""
    files = ResultEvidence.objects.filter(result__problem__in=visible_problems(request.user))
    item = get_object_or_404(files, pk=pk)
    try:
        if item.content_type.startswith("image/"):
            response = photos.stripped_response(item.file)
        else:
            response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    except OSError:  # the file is gone from storage
        raise Http404 from None
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(item.original_name)}"
    response["Cache-Control"] = "private, max-age=3600"
    return response


urlpatterns = [
    path("problems/new/", problem_new, name="problem-new"),
    path("problems/<int:pk>/", problem_detail, name="problem-detail"),
    path("problems/<int:pk>/publish/", problem_publish, name="problem-publish"),
    path("problems/<int:pk>/edit/", problem_edit, name="problem-edit"),
    path("problems/<int:pk>/tasks/", problem_tasks, name="problem-tasks"),
    path("problems/<int:pk>/close/", problem_close, name="problem-close"),
    path("problems/<int:pk>/reopen/", problem_reopen, name="problem-reopen"),
    path("problems/<int:pk>/results/", result_submit, name="result-submit"),
    path("problems/<int:pk>/results/<int:result_pk>/verify/", result_verify, name="result-verify"),
    path("problems/<int:pk>/tasks/<int:task_pk>/progress/", task_progress, name="task-progress"),
    path("problems/<int:pk>/tasks/<int:task_pk>/done/", task_done, name="task-done"),
    path("problems/evidence/<int:pk>/", evidence, name="evidence"),
]
