from django.urls import path

from stations import views

app_name = "stations"

urlpatterns = [
    path("import/", views.import_stations, name="import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/template.csv", views.import_template_csv, name="import-template-csv"),
]
