"""A faster ``to_representation`` for wide read-only serializers, with the output DRF would give.

DRF walks every field of every row through ``get_attribute`` and ``to_representation``, with
attribute lookups, ``isinstance`` checks and a ``gettext`` per choice label: on a list page of 20
orders × 60 fields that is most of the request (profiled: ~40 of 60 ms at 1,000,000 orders; the SQL
is the rest). ``CompiledRepresentation`` looks at the serializer's declared fields once per class
and turns each into a small getter:

- a plain model attribute (char, choice, integer, boolean) → the attribute itself;
- a dotted source (``complaint.content``) → the attribute chain (``None`` past a missing link);
- ``get_<field>_display`` → the choice's label, translated once per language;
- a date-time → ``astimezone(current zone).isoformat()`` with DRF's ``Z`` for UTC;
- a primary-key relation → the ``<field>_id`` column, no query;
- anything else (nested serializers, method fields, …) → DRF's own field, unchanged.

The field names, their order and their values are DRF's: ``tests/workorders/test_representation.py``
compares the two representations field by field, so a new field type that the plan would get wrong
fails there (and the fallback keeps it correct meanwhile).
"""

import copy
from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework.settings import api_settings

_LABELS: dict[tuple, dict] = {}


def choice_labels(model_field: models.Field) -> dict:
    """``{value: label}`` of a model field's choices, in the active language (cached per language)."""
    key = (model_field.model, model_field.name, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in model_field.flatchoices}
    return labels


def _chain(attrs: list[str]) -> Callable[[Any], Any]:
    if len(attrs) == 1:
        name = attrs[0]
        return lambda obj: getattr(obj, name)

    def get(obj):
        for name in attrs:
            if obj is None:
                return None
            obj = getattr(obj, name)
        return obj

    return get


def _text(getter):
    def get(obj):
        value = getter(obj)
        return value if value is None or type(value) is str else str(value)

    return get


def _datetime(getter, field):
    def get(obj):
        value = getter(obj)
        if value is None:
            return None
        if isinstance(value, str) or not timezone.is_aware(value):
            return field.to_representation(value)
        text = value.astimezone(timezone.get_current_timezone()).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return get


def _display(model_field: models.Field):
    attname = model_field.attname

    def get(obj):
        value = getattr(obj, attname)
        return choice_labels(model_field).get(value, value)

    return get


def _fallback(field: drf_fields.Field):
    def get(obj):
        attribute = field.get_attribute(obj)
        check = attribute.pk if isinstance(attribute, relations.PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    get.needs_instance = True  # DRF's field, bound to this serializer and its context
    return get


def _model_field(model, name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # not a model field (a property, a method)
        return None


def compile_field(field: drf_fields.Field, model) -> Callable[[Any], Any]:
    """The getter of one declared field (see the module docstring)."""
    source = field.source
    attrs = field.source_attrs
    if isinstance(field, drf_fields.SerializerMethodField):
        return MethodGetter(field.method_name)
    represent = getattr(type(field), "represent", None)
    if represent is not None and not getattr(field, "many", False) and source != "*":
        getter = _chain(attrs)  # a nested serializer that needs no context (see ``represent``)

        def nested(obj):
            value = getter(obj)
            return None if value is None else represent(value)

        return nested
    if source == "*" or isinstance(field, drf_fields.HiddenField):
        return _fallback(field)
    if len(attrs) == 1 and attrs[0].startswith("get_") and attrs[0].endswith("_display"):
        model_field = _model_field(model, attrs[0][4:-8])
        if model_field is not None and model_field.choices:
            return _display(model_field)
        return _fallback(field)
    if isinstance(field, relations.PrimaryKeyRelatedField) and len(attrs) == 1:
        model_field = _model_field(model, attrs[0])
        if isinstance(model_field, models.ForeignKey) and model_field.target_field.primary_key:
            attname = model_field.attname
            return lambda obj: getattr(obj, attname)
        return _fallback(field)
    if len(attrs) == 1 and not isinstance(_model_field(model, attrs[0]), models.Field):
        return _fallback(field)  # a property or method: DRF calls it
    getter = _chain(attrs)
    if type(field) in (drf_fields.CharField, drf_fields.ChoiceField):
        return _text(getter)
    big_as_text = getattr(field, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING)
    if type(field) in (drf_fields.IntegerField, drf_fields.BooleanField) or (
        type(field) is drf_fields.BigIntegerField and not big_as_text
    ):
        return getter
    if type(field) is drf_fields.DateTimeField:
        output = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if output is None:
            return getter
        if output == drf_fields.ISO_8601:
            return _datetime(getter, field)
    return _fallback(field)


class MethodGetter(str):
    """A plan entry for a ``SerializerMethodField``: the method's name, bound per serializer."""


class DeclaredField(str):
    """A plan entry for a declared field that keeps DRF's code (a nested ``many=True`` serializer):
    its name. Each serializer binds its own copy of that one field, as DRF's ``fields`` would,
    without building every other field (the detail page's serializer: ~80 fields, ~20 ms)."""

    def bind(self, serializer):
        field = copy.deepcopy(serializer._declared_fields[self])
        field.bind(field_name=str(self), parent=serializer)
        return _fallback(field)


_PLANS: dict[type, list] = {}


class CompiledRepresentation:
    """Mixin for a read-only ``ModelSerializer``: ``to_representation`` by a plan of getters.

    The plan is compiled from the serializer's fields once per class (building a ModelSerializer's
    fields is itself ~3 ms for 60 fields) and bound once per serializer instance (a list's child
    serializer is one instance for every row). A nested serializer joins the plan when its class
    has ``represent(obj)``, a context-free function giving what its ``to_representation`` gives;
    a field the plan cannot take keeps DRF's own code, and then the plan is per instance."""

    def _representation_plan(self) -> list[tuple[str, Callable]]:
        plan = self.__dict__.get("_plan")
        if plan is None:
            compiled = _PLANS.get(type(self))
            if compiled is None:
                model = self.Meta.model
                compiled = [
                    (field.field_name, compile_field(field, model)) for field in self._readable_fields
                ]
                # A field DRF keeps is bound to this serializer: the plan is per instance, unless the
                # field is declared on the class (then each instance binds a copy of it alone).
                shared = [
                    (name, DeclaredField(name) if self._binds_alone(name, get) else get)
                    for name, get in compiled
                ]
                if not any(getattr(get, "needs_instance", False) for _name, get in shared):
                    _PLANS[type(self)] = shared
            plan = self._plan = [(name, self._bound(get)) for name, get in compiled]
        return plan

    def _binds_alone(self, name, get) -> bool:
        """True for a field that keeps DRF's code and can be bound without the other fields: declared
        on the class, readable, with its own name as its source, and no context of its own."""
        if not getattr(get, "needs_instance", False):
            return False
        declared = self._declared_fields.get(name)
        return (
            declared is not None
            and not declared.write_only
            and declared.source in (None, name)
            and type(self).get_fields is CompiledRepresentation._model_get_fields(type(self))
        )

    @staticmethod
    def _model_get_fields(cls):
        """The ``get_fields`` this serializer class inherits from DRF (not overridden)."""
        from rest_framework.serializers import ModelSerializer, Serializer  # noqa: PLC0415

        return ModelSerializer.get_fields if issubclass(cls, ModelSerializer) else Serializer.get_fields

    def _bound(self, get):
        if isinstance(get, MethodGetter):
            return getattr(self, get)
        if isinstance(get, DeclaredField):
            return get.bind(self)
        return get

    def to_representation(self, instance):
        return {name: get(instance) for name, get in self._representation_plan()}

    def drf_representation(self, instance):
        """DRF's own representation (the reference the compiled one is tested against)."""
        return super().to_representation(instance)
