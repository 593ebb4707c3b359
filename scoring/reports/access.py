"""Which reports a user may open. Out of scope answers 404 (the views look up through these
querysets); roles are checked by the views' decorators."""

from django.db.models import Exists, OuterRef, Q

from liaison.models import Assignment, Cadre
from scoring.reports.models import ReportJob
from stations.models import Bureau
from stations.querysets import subtree_q
from stations.scope import scope_of


def reportable_cadres(user):
    """A cadre: only themselves. Bureau staff and leaders: cadres whose home bureau lies in
    their subtree, or who cover or covered a station in it (a provincial cadre covering a
    Wuhan station is Wuhan's business too). Administrators: all. Anyone else: none."""
    cadres = Cadre.objects.all()
    if getattr(user, "role", None) == "cadre" and not user.is_superuser:
        return cadres.filter(user=user)
    scope = scope_of(user)
    if scope.everything:
        return cadres
    if scope.bureau_path is None:
        return cadres.none()
    covers = Assignment.objects.filter(cadre=OuterRef("pk")).filter(
        subtree_q(scope, "station__bureau__path")
    )
    return cadres.filter(Q(subtree_q(scope, "bureau__path")) | Q(Exists(covers)))


def reportable_bureaus(user):
    return Bureau.objects.in_scope(scope_of(user))


def visible_jobs(user):
    """Report jobs of bureaus in the user's scope: whoever may open the bureau's report may
    follow and download its job, not only the person who asked for it."""
    return ReportJob.objects.filter(bureau__in=reportable_bureaus(user))
