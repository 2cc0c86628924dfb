"""``/open311/v2/``: services, requests (JSON and XML)."""

app_name = "open311"

urlpatterns = []
