from django.urls import path

from stations import views

app_name = "stations"

urlpatterns = [
    path("import/", views.import_stations, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/template.csv", views.import_template_csv, name="import-template-csv"),
]

# The staffing ratios 两个40% (issue 6).
from stations.staffing import views as staffing_views  # noqa: E402

urlpatterns += staffing_views.urlpatterns
