from django.urls import path

from liaison import planner_views, views

app_name = "liaison"

urlpatterns = [
    path("stations/", views.station_list, name="station-list"),
    path("stations/export.xlsx", views.station_export, name="station-export"),
    path("stations/<int:pk>/", views.station_detail, name="station-detail"),
    path("stations/<int:pk>/assign/", views.station_assign, name="station-assign"),
    path("stations/<int:pk>/end-assignment/", views.assignment_end, name="assignment-end"),
    path("cadres/", views.cadre_list, name="cadre-list"),
    path("split/", views.split_report, name="split-report"),
    path("planner/", planner_views.planner, name="planner"),
]

# Compliance for bureaus and leaders (issue 3).
from liaison import compliance_views  # noqa: E402

urlpatterns += [
    path("compliance/", compliance_views.compliance_page, name="compliance"),
    path("compliance/export.xlsx", compliance_views.compliance_export, name="compliance-export"),
    path("compliance/status/", compliance_views.visit_status, name="visit-status"),
]

# Secondments 挂职 (Wuhan, issue 6).
from liaison.secondments import views as secondment_views  # noqa: E402

urlpatterns += secondment_views.urlpatterns
