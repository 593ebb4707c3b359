from scoring.reports import secondment
from scoring.views import evaluations, points, rankings, reports

app_name = "scoring"

urlpatterns = [
    *rankings.urlpatterns,
    *points.urlpatterns,
    *reports.urlpatterns,
    *evaluations.urlpatterns,
    *secondment.urlpatterns,  # the secondment assessment form (issue 6)
]
