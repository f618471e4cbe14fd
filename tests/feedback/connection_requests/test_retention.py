"""Connection requests over time: the nightly retention run anonymises requests closed before
their period (PL: 5 years), deletes their documents from the file storage, keeps every evidence
figure, leaves open, recent and held requests alone; data-subject requests export and erase."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from feedback.connection_requests import document_removal, jobs, steps
from feedback.connection_requests.evidence import ConnectionEvidence, period_figures
from feedback.connection_requests.models import (
    ConnectionDocument,
    ConnectionLetter,
    ConnectionRequest,
    ConnectionStep,
    LetterKind,
    MissingItem,
    PendingFile,
    Status,
)
from feedback.connection_requests.procedure import CLOSED
from feedback.connection_requests.references import reference, tracking_path
from feedback.connection_requests.retention import CLOSED_AT, expire_requests
from service.audit import AuditEntry
from service.db import utcnow
from service.evidence import Period
from service.extensions import db
from service.files import file_storage
from tests.feedback.connection_requests.conftest import make_request

NOW = utcnow()
OLD = dt.datetime(NOW.year - 8, 3, 2, 9, tzinfo=dt.UTC)  # past the 5 years (PL)
RECENTLY = NOW - dt.timedelta(days=20)
PERSON = {
    "applicant_kind": "person",
    "applicant_name": "Jan Nowak",
    "pesel": "44051401359",
    "signatory": "",
    "email": "Jan.Nowak@Example.PL",
    "phone": "+48 602 111 222",
    "postal_address": "ul. Leśna 3, 00-950 Warszawa",
}
EMAIL = "jan.nowak@example.pl"
PHONE = "+48602111222"


def refresh(request_id: int) -> ConnectionRequest:
    db.session.expire_all()
    found = db.session.get(ConnectionRequest, request_id)
    assert found is not None
    return found


def set_dates(request_id: int, **values: Any) -> None:
    """Move the service's own timestamps (it stamps now) back in time."""
    db.session.execute(
        sa.update(ConnectionRequest).where(ConnectionRequest.id == request_id).values(**values)
    )
    db.session.commit()


def person_request(**values: Any) -> ConnectionRequest:
    """Jan Nowak's request, with his wife as his proxy (her power of attorney among the
    documents is not needed here)."""
    request = make_request(**{**PERSON, **values})
    set_dates(request.id, proxy_name="Ewa Nowak")
    return request


def withdrawn(at: dt.datetime, **values: Any) -> int:
    request = person_request(received_at=at - dt.timedelta(days=30), **values)
    steps.add_note(request.id, "Pan Nowak dzwonił, sprzedaje dom przy Leśnej")
    steps.advance(request.id, None, Status.WITHDRAWN, text="Sprzedaję dom, rezygnuję")
    set_dates(request.id, withdrawn_at=at)
    return request.id


def refused_long_ago() -> int:
    """A cooperative's request, complete, refused and notified to URE, all 8 years ago."""
    request = make_request(received_at=OLD)
    steps.mark_complete(request.id, None)
    steps.refuse(request.id, None, {"category": "technical", "text": "Brak rezerwy mocy"})
    set_dates(request.id, decided_at=OLD + dt.timedelta(days=12))
    steps.record_letter_sent(request.id, LetterKind.REFUSAL_TO_URE, OLD.date())
    return request.id


def left_incomplete_long_ago() -> int:
    request = person_request(received_at=OLD)
    steps.request_item(request.id, None, {"description": "Pełnomocnictwo Ewy Nowak"})
    db.session.execute(
        sa.update(MissingItem)
        .where(MissingItem.request_id == request.id)
        .values(requested_at=OLD, due_at=OLD + dt.timedelta(days=14))
    )
    db.session.commit()
    return request.id


def file_keys(request_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(ConnectionDocument.file_key).where(
                ConnectionDocument.request_id == request_id
            )
        )
    )


def figures(period: Period) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    return (
        period_figures(period, NOW),
        [(f.id, f.value) for f in ConnectionEvidence().figures(period)],
    )


def test_every_final_status_has_its_closing_date():
    assert set(CLOSED_AT) == CLOSED
    assert all(hasattr(ConnectionRequest, column) for column in CLOSED_AT.values())


def test_nightly_run_anonymises_old_closed_requests_and_keeps_the_evidence(app, runner):
    old_person = withdrawn(OLD + dt.timedelta(days=30))
    old_refused = refused_long_ago()
    incomplete = left_incomplete_long_ago()
    held = withdrawn(OLD + dt.timedelta(days=40))
    recent = withdrawn(RECENTLY)
    still_open = person_request(received_at=OLD)
    steps.mark_complete(still_open.id, None)
    keys = file_keys(old_person)
    assert len(keys) == 2 and all(file_storage().exists(key) for key in keys)
    kept_keys = file_keys(held) + file_keys(recent) + file_keys(still_open.id)
    period = Period.year(OLD.year)
    before = figures(period)
    assert before[0]["received"] == 5 and before[0]["refused_ure_notified"] == 1
    assert before[0]["withdrawn"] == 2

    hold = runner.invoke(
        args=["retention", "hold", "connection_request", str(held), "--reason", "spór 3/2027"]
    )
    assert hold.exit_code == 0, hold.output
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "connection_request\t3" in result.output

    person = refresh(old_person)
    assert (person.applicant_name, person.pesel, person.nip, person.regon) == ("", None, None, None)
    assert (person.email, person.phone, person.postal_address) == (None, None, "")
    assert (person.proxy_name, person.signatory, person.closing_reason) == (None, None, None)
    assert (person.street, person.house_number, person.plot_number) == ("", "", None)
    assert (person.postcode, person.city) == ("00-950", "Warszawa")  # the area stays
    assert person.status is Status.WITHDRAWN and person.withdrawn_at is not None
    assert person.documents == [] and not any(file_storage().exists(key) for key in keys)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingFile)) == 0
    texts = db.session.scalars(
        sa.select(ConnectionStep.text).where(ConnectionStep.request_id == old_person)
    ).all()
    assert not any("Nowak" in (text or "") or "dom" in (text or "") for text in texts)

    cooperative = refresh(old_refused)
    # A cooperative is not a natural person: its name and NIP stay; its contacts do not.
    assert cooperative.applicant_name == "Spółdzielnia Mieszkaniowa Słoneczna"
    assert cooperative.nip == "8567346215"
    assert (cooperative.email, cooperative.signatory, cooperative.refusal_text) == (
        None,
        None,
        None,
    )
    assert cooperative.refusal_category is not None and cooperative.complete_at is not None
    letters = db.session.scalars(
        sa.select(ConnectionLetter).where(ConnectionLetter.request_id == old_refused)
    ).all()
    assert {letter.text for letter in letters} == {None}
    assert any(letter.sent_on == OLD.date() for letter in letters)

    left = refresh(incomplete)
    assert left.applicant_name == "" and left.status is Status.INFO_REQUESTED
    assert left.missing_items[0].description == "" and left.missing_items[0].due_at is not None

    for kept in (held, recent, still_open.id):
        assert refresh(kept).applicant_name == "Jan Nowak"
    assert all(file_storage().exists(key) for key in kept_keys)
    assert figures(period) == before

    (entry,) = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "retention.run")
    ).all()
    assert entry.after["changed"]["connection_request"] == 3
    assert entry.after["held"]["connection_request"] == 1
    assert "Nowak" not in json.dumps(entry.after, ensure_ascii=False)

    again = runner.invoke(args=["retention", "run"])
    assert "connection_request\t0" in again.output


def test_an_anonymised_request_still_opens_for_staff_and_on_its_link(app, client, login):
    request_id = withdrawn(OLD)
    expire_requests(NOW - dt.timedelta(days=365), frozenset())
    db.session.commit()
    request = refresh(request_id)
    assert client.get(tracking_path(request)).status_code == 200
    login("customer_service")
    page = client.get(f"/staff/connection-requests/{request_id}")
    assert page.status_code == 200
    assert "Nowak" not in page.get_data(as_text=True)


def test_files_left_by_a_failed_deletion_go_with_the_orphan_job(app, monkeypatch):
    request_id = withdrawn(OLD)
    keys = file_keys(request_id)

    def broken() -> Any:
        raise OSError("storage unreachable")

    monkeypatch.setattr(document_removal, "file_storage", broken)
    expire_requests(NOW - dt.timedelta(days=365), frozenset())
    db.session.commit()  # the anonymisation stands
    assert refresh(request_id).documents == []
    assert all(file_storage().exists(key) for key in keys)
    monkeypatch.undo()
    assert jobs.remove_orphan_files(NOW + dt.timedelta(days=1)) == 2
    assert not any(file_storage().exists(key) for key in keys)


def test_a_rolled_back_run_keeps_the_documents_and_their_files(app):
    request_id = withdrawn(OLD)
    keys = file_keys(request_id)
    assert expire_requests(NOW - dt.timedelta(days=365), frozenset()) == 1
    db.session.rollback()
    assert file_keys(request_id) == keys
    assert all(file_storage().exists(key) for key in keys)
    assert refresh(request_id).applicant_name == "Jan Nowak"
    db.session.commit()  # a later commit of the same session deletes nothing
    assert all(file_storage().exists(key) for key in keys)
    assert expire_requests(NOW - dt.timedelta(days=365), frozenset({request_id})) == 0


def test_finland_keeps_six_years_from_the_end_of_the_year(app, monkeypatch):
    settings = app.config["FAIRHEAT"]
    from config.security_settings import DEFAULT_RETENTION

    security = dataclasses.replace(settings.security, retention=DEFAULT_RETENTION["FI"])
    monkeypatch.setitem(app.config, "FAIRHEAT", dataclasses.replace(settings, security=security))
    from service.retention.job import run_retention

    six_years = withdrawn(dt.datetime(NOW.year - 6, 1, 10, tzinfo=dt.UTC))
    seven_years = withdrawn(dt.datetime(NOW.year - 7, 12, 20, tzinfo=dt.UTC))
    assert run_retention()["connection_request"] == 1
    assert refresh(seven_years).applicant_name == ""
    assert refresh(six_years).applicant_name == "Jan Nowak"


@pytest.fixture
def requests_of_one_person(app) -> dict[str, int]:
    old = withdrawn(OLD + dt.timedelta(days=30))
    recent = withdrawn(RECENTLY)
    still_open = person_request().id
    incomplete = left_incomplete_long_ago()
    waiting = person_request()  # an item asked for and not yet due: open
    steps.request_item(waiting.id, None, {"description": "Mapa zasadnicza"})
    return {
        "old": old,
        "recent": recent,
        "open": still_open,
        "incomplete": incomplete,
        "waiting": waiting.id,
    }


def test_a_data_subject_gets_every_request_with_its_documents(requests_of_one_person, runner):
    exported = runner.invoke(args=["subject", "export", "--email", "JAN.NOWAK@example.pl"])
    assert exported.exit_code == 0, exported.output
    records = json.loads(exported.output)["records"]["connection_requests"]
    ids = requests_of_one_person
    assert [r["reference"] for r in records] == [reference(refresh(i)) for i in ids.values()]
    first = records[0]
    assert first["applicant"]["name"] == "Jan Nowak"
    assert first["applicant"]["pesel"] == "44051401359"
    assert first["applicant"]["proxy"] == "Ewa Nowak"
    assert first["procedure"]["closing_reason"] == "Sprzedaję dom, rezygnuję"
    assert {d["name"] for d in first["documents"]} == {"akt.pdf", "mapa.pdf"}
    document = first["documents"][0]
    assert document["type"] == "application/pdf" and document["size"] > 0
    assert dt.datetime.fromisoformat(document["uploaded_at"])
    assert any("Pan Nowak" in (step["text"] or "") for step in first["history"])
    assert records[2]["closed_at"] is None and records[4]["closed_at"] is None
    assert records[3]["closed_at"] == (OLD + dt.timedelta(days=14)).isoformat()
    assert records[4]["missing_items"][0]["description"] == "Mapa zasadnicza"
    by_phone = runner.invoke(args=["subject", "export", "--phone", "602 111 222"])
    assert by_phone.exit_code == 0, by_phone.output
    assert len(json.loads(by_phone.output)["records"]["connection_requests"]) == 5


def test_erasure_anonymises_an_old_request_and_says_what_the_law_keeps(
    requests_of_one_person, runner
):
    ids = requests_of_one_person
    keys = file_keys(ids["old"])
    erased = runner.invoke(args=["subject", "erase", "--phone", PHONE, "--yes"])
    assert erased.exit_code == 0, erased.output
    outcome = json.loads(erased.output)
    assert outcome["erased"]["connection_requests"] == 2  # the old one and the abandoned one
    reasons = {k["record"]: k["reason"] for k in outcome["kept"]}
    recent = refresh(ids["recent"])
    assert recent.withdrawn_at is not None
    until = (recent.withdrawn_at.date().replace(year=recent.withdrawn_at.year + 5)).isoformat()
    assert reasons[f"connection_request {reference(recent)}"] == (
        f"kept by law until {until} (Accounting Act art. 74 ust. 2)"
    )
    for still_open in ("open", "waiting"):
        assert reasons[f"connection_request {reference(refresh(ids[still_open]))}"].startswith(
            "still open"
        )
    assert len(reasons) == 3
    assert refresh(ids["incomplete"]).applicant_name == ""
    old = refresh(ids["old"])
    assert (old.applicant_name, old.email, old.phone, old.pesel) == ("", None, None, None)
    assert old.documents == [] and not any(file_storage().exists(key) for key in keys)
    assert refresh(ids["recent"]).phone == PHONE
    assert refresh(ids["open"]).phone == PHONE
