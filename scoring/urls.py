from scoring.views import evaluations, points, rankings, reports

app_name = "scoring"

urlpatterns = [
    *rankings.urlpatterns,
    *points.urlpatterns,
    *reports.urlpatterns,
    *evaluations.urlpatterns,
]
