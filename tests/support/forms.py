"""Submit forms the way a browser does, so tests send what residents and staff really send.

A browser submits every successful control of a form: each text field, even when empty (as ""),
hidden inputs such as the CSRF token, the selected option of each select (the first one when none
is marked), checkboxes and radios only when checked, and no buttons except the one clicked.
Tests that hand-write a dict of only the filled fields never meet the empty strings a real
submission carries; these helpers read the page's real <form> instead.

    page = client.get("/fi/").get_data(as_text=True)
    data = browser_form(page, "/fi/lookup", postcode="00100")   # street="", number=""
    response = submit(client, "/fi/", "/fi/lookup", postcode="00100")   # the same, sent

For the JSON API, `api_query` sends every query parameter the endpoint documents in its OpenAPI
description, the ones not given as empty strings, as a client built on a form does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

FormData = dict[str, str | list[str]]

_BUTTON_TYPES = frozenset({"submit", "button", "reset", "image"})
_NOT_SUBMITTED = frozenset({"file"})  # no test uploads files through these helpers


class BrowserForm:
    """One <form> of a page, read as a browser reads it."""

    def __init__(self, html: str, form: str | None = None) -> None:
        self.document = lxml.html.document_fromstring(html)
        self.element = _find_form(self.document, form)
        self.method = (self.element.get("method") or "get").strip().lower()
        self.action = self.element.get("action") or ""

    def controls(self) -> Iterator[lxml.html.HtmlElement]:
        """The form's controls in document order: its descendants and those naming it by id."""
        form_id = self.element.get("id")
        for element in self.document.iter("input", "select", "textarea", "button"):
            owner = element.get("form")
            if owner is not None:
                if form_id is not None and owner == form_id:
                    yield element
            elif _inside(element, self.element):
                yield element

    def defaults(self, submitter: str | None = None) -> dict[str, list[str]]:
        """What a browser sends, by name in document order, when the button named `submitter`
        is clicked (None: Enter pressed in a field, which sends no button)."""
        sent: dict[str, list[str]] = {}
        clicked = False
        for control in self.controls():
            name = control.get("name")
            if not name or _disabled(control):
                continue
            tag = control.tag
            kind = (control.get("type") or ("submit" if tag == "button" else "text")).lower()
            if tag == "button" or (tag == "input" and kind in _BUTTON_TYPES):
                if submitter == name and not clicked and kind == "submit":
                    sent.setdefault(name, []).append(control.get("value") or "")
                    clicked = True
            elif tag == "select":
                sent.setdefault(name, []).extend(_selected(control))
            elif tag == "textarea":
                sent.setdefault(name, []).append(_textarea_value(control))
            elif kind == "radio":
                if control.get("checked") is not None:  # one per group: the last one marked
                    sent[name] = [control.get("value", "on")]
            elif kind == "checkbox":
                if control.get("checked") is not None:
                    sent.setdefault(name, []).append(control.get("value", "on"))
            elif kind not in _NOT_SUBMITTED:
                sent.setdefault(name, []).append(control.get("value") or "")
        if submitter is not None and not clicked:
            raise AssertionError(f"the form has no submit button named {submitter!r}")
        return {name: values for name, values in sent.items() if values}

    def names(self) -> list[str]:
        """Every control name, in document order."""
        return list(dict.fromkeys(c.get("name") for c in self.controls() if c.get("name")))

    def fill(self, submitter: str | None = None, **values: Any) -> FormData:
        """The submission with `values` typed in, in document order: a string replaces the
        field's value, a list gives several values, True checks a checkbox, None or False leaves
        the name out (an unchecked box, an option not chosen; a field the form lacks may be None).
        Only the form's own fields can be filled: a test cannot send what the page does not have."""
        names = self.names()
        unknown = sorted({name for name, value in values.items() if value is not None} - set(names))
        if unknown:
            raise AssertionError(
                f"the form has no field {', '.join(unknown)}; it has {', '.join(names)}"
            )
        defaults = self.defaults(submitter)
        data: FormData = {}
        for name in names:
            if name not in values:
                sent = defaults.get(name)
                if sent:
                    data[name] = sent[0] if len(sent) == 1 else sent
                continue
            value = values[name]
            if value is None or value is False:
                continue
            if value is True:
                data[name] = self._checkbox_value(name)
            elif isinstance(value, list | tuple):
                data[name] = [str(v) for v in value]
            else:
                data[name] = str(value)
        return data

    def _checkbox_value(self, name: str) -> str:
        for control in self.controls():
            if control.get("name") == name and (control.get("type") or "").lower() == "checkbox":
                return str(control.get("value", "on"))
        raise AssertionError(f"{name!r} is not a checkbox; give its value as a string")


def browser_form(
    html: str, form: str | None = None, *, submitter: str | None = None, **values: Any
) -> FormData:
    """What a browser sends from the page's form `form` (its action, or "#id"; None when the page
    has one form) with `values` typed in; see BrowserForm.fill."""
    return BrowserForm(html, form).fill(submitter, **values)


def submit(
    client: FlaskClient,
    page_url: str,
    form: str | None = None,
    *,
    submitter: str | None = None,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    **values: Any,
) -> TestResponse:
    """Open `page_url`, fill in its form and send it to the form's action with its method."""
    page = client.get(page_url, headers=headers)
    assert page.status_code == 200, f"{page_url} answered {page.status_code}"
    parsed = BrowserForm(page.get_data(as_text=True), form)
    data = parsed.fill(submitter, **values)
    target = urlsplit(urljoin(page_url, parsed.action or page_url))
    path = target.path
    if parsed.method == "post":
        if target.query:
            path = f"{path}?{target.query}"
        return client.post(path, data=data, headers=headers, follow_redirects=follow_redirects)
    # A GET form's fields replace the query of its action.
    return client.get(path, query_string=data, headers=headers, follow_redirects=follow_redirects)


def api_query(client: FlaskClient, path: str, **values: Any) -> list[tuple[str, str]]:
    """The query string of GET `path` with every parameter its OpenAPI description lists, in
    that order: the given values, and "" for the others (as a form-based client sends them)."""
    spec = client.get("/api/openapi.json").json
    assert spec is not None
    operation = spec["paths"][path]["get"]
    names = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise AssertionError(f"GET {path} has no query parameter {', '.join(unknown)}")
    return [(name, "" if values.get(name) is None else str(values[name])) for name in names]


# ---- reading the document --------------------------------------------------------------------


def _find_form(document: lxml.html.HtmlElement, form: str | None) -> lxml.html.HtmlElement:
    forms = document.forms
    if form is None:
        if len(forms) != 1:
            raise AssertionError(f"the page has {len(forms)} forms: name one by action or #id")
        return forms[0]
    if form.startswith("#"):
        found = [f for f in forms if f.get("id") == form[1:]]
    else:
        found = [f for f in forms if urlsplit(f.get("action") or "").path == form]
    if len(found) != 1:
        actions = ", ".join(repr(f.get("action")) for f in forms)
        raise AssertionError(f"{len(found)} forms match {form!r}; the page's actions: {actions}")
    return found[0]


def _inside(element: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement) -> bool:
    return any(parent is ancestor for parent in element.iterancestors())


def _disabled(control: lxml.html.HtmlElement) -> bool:
    if control.get("disabled") is not None:
        return True
    for fieldset in control.iterancestors("fieldset"):
        if fieldset.get("disabled") is not None:
            legend = next(iter(fieldset.iterchildren("legend")), None)
            if legend is None or not _inside(control, legend):
                return True
    return False


def _option_value(option: lxml.html.HtmlElement) -> str:
    value = option.get("value")
    return value if value is not None else " ".join(option.text_content().split())


def _selected(select: lxml.html.HtmlElement) -> list[str]:
    """The submitted values: the selected options; in a single select the last one marked, or
    else the first option that is not disabled."""
    options = [o for o in select.iter("option") if o.get("disabled") is None]
    marked = [o for o in options if o.get("selected") is not None]
    if select.get("multiple") is not None:
        return [_option_value(o) for o in marked]
    if marked:
        return [_option_value(marked[-1])]
    return [_option_value(options[0])] if options else []


def _textarea_value(textarea: lxml.html.HtmlElement) -> str:
    text = textarea.text or ""
    return text[1:] if text.startswith("\n") else text  # the parser drops one leading newline
