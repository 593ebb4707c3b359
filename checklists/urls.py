from checklists.views import board, opinions, problems, residency, standards, support, visits
from checklists.views import excel as excel_views

app_name = "checklists"

urlpatterns = [
    *visits.urlpatterns,
    *problems.urlpatterns,
    *board.urlpatterns,
    *excel_views.urlpatterns,
    *standards.urlpatterns,
    *support.urlpatterns,
    *opinions.urlpatterns,
    *residency.urlpatterns,
]
