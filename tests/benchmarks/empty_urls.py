"""The floor for page benchmarks: a logged-in request to a view that does nothing."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def empty(request):
    return HttpResponse("ok")


urlpatterns = [
    path("empty/", empty, name="bench-empty"),
    path("", include("liaison.root_urls")),
]
