"""The draft conditions (or the Finnish offer) as a PDF, in the applicant's language.

WeasyPrint renders the same Jinja template the staff print page shows
(connection_requests/conditions.html); DejaVu fonts carry Polish and Nordic letters.
"""

from __future__ import annotations

import io

from flask import render_template
from flask import request as http_request
from flask_babel import force_locale

from feedback.connection_requests.models import ConnectionRequest
from feedback.connection_requests.references import reference
from service.settings import current_settings


def conditions_html(request: ConnectionRequest) -> str:
    with force_locale(request.language):
        return render_template(
            "connection_requests/conditions.html",
            request=request,
            reference=reference(request),
            utility=current_settings().utility_name,
            lang=request.language,
        )


def conditions_pdf(request: ConnectionRequest) -> bytes:
    import weasyprint  # imported when a PDF is made: it loads Pango

    try:
        base_url = http_request.host_url
    except RuntimeError:
        base_url = current_settings().public_base_url
    pdf: bytes = weasyprint.HTML(string=conditions_html(request), base_url=base_url).write_pdf()
    return pdf


def conditions_stream(request: ConnectionRequest) -> io.BytesIO:
    return io.BytesIO(conditions_pdf(request))
