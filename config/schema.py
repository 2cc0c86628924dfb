"""drf-spectacular post-processing for this API's schema."""

TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"


def local_times(result, generator, request, public):
    """DRF writes a time of day as "HH:MM[:SS]", the clock time of the centre (no UTC offset);
    OpenAPI's ``format: time`` is RFC 3339's full-time, which requires one. Say what is sent."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                del node["format"]
                node["pattern"] = TIME_PATTERN
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
