"""``/survey/<token>/``: the customer's satisfaction survey page."""

app_name = "survey"

urlpatterns = []
