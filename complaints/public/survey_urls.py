"""``/survey/<token>/``: the customer's satisfaction survey page (issue 15, item 3)."""

app_name = "survey"

urlpatterns = []
