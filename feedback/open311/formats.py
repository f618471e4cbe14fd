"""The GeoReport v2 wire format: each document as the spec spells it, in JSON and in XML.

http://wiki.open311.org/GeoReport_v2 defines XML (schemaless, no namespace) and its JSON
"Spark" mapping, where a repeated element becomes an array. We build one plain structure per
document and write it either way, so the two formats cannot drift apart:

- an object is a sequence of child elements, in the spec's order;
- a list is a container element whose items carry the singular name in `ITEM_NAMES`
  (<services><service>, <service_requests><request>, <errors><error>, …);
- None is an empty element (<account_id/>) and null in JSON; booleans are true/false.

Like the outage feeds, the runtime uses only the standard library's ElementTree; the tests read
the XML back with lxml.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from werkzeug.wrappers import Response

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Container element → the element of each of its items.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry: free text loses them rather than breaking the document.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, list):
        for item in value:
            _fill(element, ITEM_NAMES[name], item)
    elif isinstance(value, dict):
        for key, child in value.items():
            _fill(element, key, child)
    else:
        element.text = _text(value)


def to_xml(root: str, document: dict[str, Any] | list[Any]) -> bytes:
    """`document` under the element `root`: a list's items, or an object's fields."""
    element = ET.Element(root)
    if isinstance(document, list):
        for item in document:
            _fill(element, ITEM_NAMES[root], item)
    else:
        for key, value in document.items():
            _fill(element, key, value)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode()


def render(
    fmt: str, root: str, document: dict[str, Any] | list[Any], status: int = 200
) -> Response:
    """The response in the format the path's extension asked for (.json or .xml)."""
    if fmt == "xml":
        return Response(to_xml(root, document), status=status, content_type=XML_TYPE)
    body = json.dumps(document, ensure_ascii=False)
    return Response(body, status=status, content_type=JSON_TYPE)


class Open311Error(Exception):
    """An answer in the spec's error format: the HTTP status and what went wrong."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def errors(fmt: str, status: int, descriptions: list[str]) -> Response:
    """The spec's error list: one {code, description} per problem, code the HTTP status."""
    document = [{"code": status, "description": text} for text in descriptions]
    return render(fmt, "errors", document, status)
