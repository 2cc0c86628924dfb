from django.urls import path

from . import views

app_name = "workorders"

urlpatterns = [
    path("orders/", views.workorder_list_view, name="list"),
    path("orders/assign/", views.workorder_bulk_assign_view, name="bulk-assign"),
    path("orders/queues/", views.queue_nav_view, name="queue-nav"),
    path("orders/<int:pk>/", views.workorder_detail_view, name="detail"),
    path("orders/<int:pk>/act/<slug:code>/", views.workorder_action_view, name="act"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment-download"),
]
