"""The public pages of the customer's side (``/track/``, ``/complain/``)."""

app_name = "public"

urlpatterns = []
