from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from liaison import views

# The admin site (reference data, rules, users) is for administrators only: bureau staff
# work through the scoped pages, never the admin, even if someone ticks "staff status".
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = admin.site.site_title = _("235 Liaison administration")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("liaison.urls")),
    path("org/", include("stations.urls")),
    path("lists/", include("checklists.urls")),
    path("scoring/", include("scoring.urls")),
]
