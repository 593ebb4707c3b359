"""Views of the scoring app, one module per page family; each module owns its
``urlpatterns`` and ``scoring/urls.py`` joins them."""
