"""Open311's XML answers, built with the standard library's ElementTree.

The spec's shapes: ``<services><service>…</service></services>``,
``<service_requests><request>…</request></service_requests>``, ``<service_definition>…``,
``<errors><error><code/><description/></error></errors>``. Each key of an item is an element;
``None`` is an empty element, booleans are ``true``/``false``, a list is one child per entry
(``<attributes><attribute>…``). Characters XML 1.0 cannot carry (control characters a complaint
text might hold) are left out, so the document always parses.
"""

import re
import xml.etree.ElementTree as ET

# Not allowed in XML 1.0: C0 controls other than tab, LF and CR; lone surrogates; U+FFFE/U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# The element of each entry of a list-valued key.
LIST_ITEMS = {"attributes": "attribute", "values": "value"}


def text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, item: dict) -> None:
    for key, value in item.items():
        child = ET.SubElement(element, key)
        if isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, (list, tuple)):
            for entry in value:
                sub = ET.SubElement(child, LIST_ITEMS.get(key, "item"))
                if isinstance(entry, dict):
                    _fill(sub, entry)
                else:
                    sub.text = text(entry)
        else:
            child.text = text(value)


def document(root: str, item: str | None, items) -> bytes:
    """``<root><item>…</item>…</root>`` for a list of dicts, or ``<root>…</root>`` for one dict
    (``item`` None), as UTF-8 with an XML declaration."""
    element = ET.Element(root)
    if item is None:
        _fill(element, items)
    else:
        for entry in items:
            _fill(ET.SubElement(element, item), entry)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)
