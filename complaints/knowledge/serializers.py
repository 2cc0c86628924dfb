from rest_framework import serializers

from .models import Article, ReplyTemplate


class _EntrySerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)


class ArticleSerializer(_EntrySerializer):
    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "body",
            "category",
            "category_code",
            "kind",
            "version",
            "effective_from",
            "effective_to",
            "read_count",
            "updated_at",
        ]
        read_only_fields = fields


class ReplyTemplateSerializer(_EntrySerializer):
    class Meta:
        model = ReplyTemplate
        fields = [
            "id",
            "title",
            "body",
            "category",
            "category_code",
            "stage",
            "version",
            "effective_from",
            "effective_to",
            "use_count",
            "updated_at",
        ]
        read_only_fields = fields
