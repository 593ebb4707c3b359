from scoring.views import points, rankings, reports

app_name = "scoring"

urlpatterns = [
    *rankings.urlpatterns,
    *points.urlpatterns,
    *reports.urlpatterns,
]
