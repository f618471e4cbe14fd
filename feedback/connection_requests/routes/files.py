"""Serving a stored document: only through the staff pages and the applicant's private link.

There is no public path to a file: both routes first find the request (by staff sign-in, or
by the tracking link's HMAC) and then only one of its own documents. The file is sent as an
attachment, never rendered by the browser as a page of this site.
"""

from __future__ import annotations

from flask import Response, send_file

from feedback.connection_requests.models import ConnectionDocument
from service.files import file_storage


def document_response(document: ConnectionDocument) -> Response:
    stream = file_storage().open(document.file_key)
    response = send_file(
        stream,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
