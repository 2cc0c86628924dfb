"""``/survey/<token>/``: the customer's satisfaction survey page (issue 15, item 3)."""

from django.urls import path

from .survey import survey_page

app_name = "survey"

urlpatterns = [
    path("survey/<str:token>/", survey_page, name="answer"),
]
