"""Views of the checklists app, one module per page family; each module owns its
``urlpatterns`` and ``checklists/urls.py`` joins them."""
