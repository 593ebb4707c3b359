from django.urls import path

from checklists import views

app_name = "checklists"

urlpatterns = [
    path("visits/", views.visit_list, name="visit-list"),
    path("visits/new/", views.visit_new, name="visit-new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit-edit"),
    path("visits/photos/<int:pk>/", views.visit_photo, name="visit-photo"),
]
