from django.urls import path

from . import api
from .lifecycle import ACTIONS

urlpatterns = [
    path("workorders/", api.WorkOrderListApi.as_view(), name="api-workorders"),
    path("workorders/<int:pk>/", api.WorkOrderDetailApi.as_view(), name="api-workorder"),
    path("workorders/<int:pk>/events/", api.WorkOrderEventsApi.as_view(), name="api-workorder-events"),
    path(
        "attachments/<int:pk>/download/", api.AttachmentDownloadApi.as_view(), name="api-attachment-download"
    ),
] + [
    path(f"workorders/<int:pk>/{code}/", api.action_view(code), name=f"api-workorder-{code}")
    for code in ACTIONS
]
