from checklists.views import board, problems, standards, visits
from checklists.views import excel as excel_views

app_name = "checklists"

urlpatterns = [
    *visits.urlpatterns,
    *problems.urlpatterns,
    *board.urlpatterns,
    *excel_views.urlpatterns,
    *standards.urlpatterns,
]
