"""The application form, public or staff: what it shows and reading its fields for the schema
(the staff's paper form adds two)."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from feedback.connection_requests import identifiers
from feedback.connection_requests.intake import APPLICATION_COLUMNS
from feedback.connection_requests.models import (
    APPLICANT_DOCUMENTS,
    ApplicantKind,
    BuildingPurpose,
    LegalTitle,
)
from service.settings import current_settings

# The application's columns and the language the applicant reads (a select on the form).
FIELDS = (*APPLICATION_COLUMNS, "language")


def form_fields(extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The submitted fields the schema knows (a browser sends empty ones as "": not given)."""
    return {name: request.form[name] for name in (*FIELDS, *extra) if name in request.form}


def render_application_form(template: str, **context: Any) -> str:
    """The application form's page with the jurisdiction's fields and choices."""
    settings = current_settings()
    code = settings.jurisdiction.code
    return render_template(
        template,
        jurisdiction=code,
        identifier_fields=identifiers.fields_for(code),
        applicant_kinds=list(ApplicantKind),
        titles=list(LegalTitle),
        purposes=list(BuildingPurpose),
        document_kinds=list(APPLICANT_DOCUMENTS),
        conf=settings.connection_requests,
        postcode_example=settings.jurisdiction.postcode_example,
        **context,
    )
