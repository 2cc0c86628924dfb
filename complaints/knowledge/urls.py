"""The knowledge pages, mounted at /knowledge/ (config/urls.py)."""

from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.entry_list, {"kind": "article"}, name="index"),
    path("panel/", views.intake_panel, name="panel"),
    path("articles/new/", views.entry_edit, {"kind": "article"}, name="article-new"),
    path("articles/<int:pk>/", views.entry_detail, {"kind": "article"}, name="article"),
    path("articles/<int:pk>/edit/", views.entry_edit, {"kind": "article"}, name="article-edit"),
    path("articles/<int:pk>/retire/", views.entry_retire, {"kind": "article"}, name="article-retire"),
    path(
        "articles/<int:pk>/v<int:version>/", views.entry_version, {"kind": "article"}, name="article-version"
    ),
    path("templates/", views.entry_list, {"kind": "template"}, name="templates"),
    path("templates/new/", views.entry_edit, {"kind": "template"}, name="template-new"),
    path("templates/<int:pk>/", views.entry_detail, {"kind": "template"}, name="template"),
    path("templates/<int:pk>/edit/", views.entry_edit, {"kind": "template"}, name="template-edit"),
    path("templates/<int:pk>/retire/", views.entry_retire, {"kind": "template"}, name="template-retire"),
    path(
        "templates/<int:pk>/v<int:version>/",
        views.entry_version,
        {"kind": "template"},
        name="template-version",
    ),
    path("templates/<int:pk>/use/", views.template_use, name="template-use"),
]
