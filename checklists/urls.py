from checklists.views import visits

app_name = "checklists"

urlpatterns = [
    *visits.urlpatterns,
]
