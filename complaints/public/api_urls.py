"""The public API of the customer's side (``/api/v1/public/``)."""

urlpatterns = []
