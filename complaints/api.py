"""The category tree. Intake and customer lookup open and show work orders: they live with them."""

from rest_framework import generics

from .models import Category
from .serializers import CategorySerializer


class CategoryListApi(generics.ListAPIView):
    """The category tree, flat (``parent`` links); choose leaves (``is_leaf``) for orders."""

    serializer_class = CategorySerializer
    pagination_class = None
    queryset = Category.objects.filter(is_active=True).order_by("code")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["parents"] = set(
            Category.objects.filter(is_active=True, parent__isnull=False).values_list("parent_id", flat=True)
        )
        return context
