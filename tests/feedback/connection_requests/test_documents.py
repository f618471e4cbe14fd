"""Documents are served to staff with the permission and through the applicant's own link,
never from a public path, and never another request's document."""

from __future__ import annotations

from feedback.connection_requests.references import reference, tracking_path
from tests.feedback.connection_requests.conftest import make_request, pdf


def test_staff_and_the_applicant_get_the_document(app, client, login):
    request = make_request()
    document = request.documents[0]
    link = f"{tracking_path(request)}/documents/{document.id}"
    response = client.get(link)
    assert response.status_code == 200
    assert response.data == pdf()
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    login("customer_service")
    staff = client.get(f"/staff/connection-requests/{request.id}/documents/{document.id}")
    assert staff.status_code == 200 and staff.data == pdf()
    staff.close()


def test_nobody_else_gets_it(app, client, login):
    request = make_request()
    other = make_request()
    document = request.documents[0]
    wrong = "A" * 24
    wrong_token = f"/pl/connection-request/{reference(request)}/{wrong}/documents/{document.id}"
    assert client.get(wrong_token).status_code == 404
    # the other applicant's link does not open this request's document
    assert client.get(f"{tracking_path(other)}/documents/{document.id}").status_code == 404
    # signed out: the staff path sends to the sign-in page
    staff_path = f"/staff/connection-requests/{request.id}/documents/{document.id}"
    assert client.get(staff_path).status_code == 302
    login("viewer")
    assert client.get(staff_path).status_code == 403


def test_no_public_path_serves_stored_files(app, client):
    request = make_request()
    key = request.documents[0].file_key
    for path in (f"/files/{key}", f"/static/{key}", f"/pl/files/{key}", f"/instance/files/{key}"):
        assert client.get(path).status_code == 404


def test_staff_pages_show_the_checklist_and_documents(app, client, login):
    request = make_request()
    login("customer_service")
    html = client.get(f"/staff/connection-requests/{request.id}").get_data(as_text=True)
    assert "akt.pdf" in html and "mapa.pdf" in html
    assert 'class="missing"' in html  # no floor plan yet
    inbox = client.get("/staff/connection-requests/").get_data(as_text=True)
    assert reference(request) in inbox
