"""The API's request parsers (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``); a module of its own
because DRF imports it while ``rest_framework.views`` is loading."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser


class ObjectJSONParser(JSONParser):
    """Every endpoint of this API takes a JSON object: a list, a string, a number or null at the
    top level is a 400 here, before a view could trip over it."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise exceptions.ParseError(
                _("The request body must be a JSON object ({...}), not %(kind)s.")
                % {"kind": _json_kind(data)}
            )
        return data


def _json_kind(value) -> str:
    if value is None:
        return "null"
    return {list: "array", str: "string", bool: "boolean"}.get(type(value), "number")
