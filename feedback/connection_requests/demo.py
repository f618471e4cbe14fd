"""Demo data: a connection request in every state of the procedure, applicants writing in
Polish and in Finnish, identifiers valid in the configured jurisdiction."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import sqlalchemy as sa

from feedback.connection_requests import intake, jobs, steps
from feedback.connection_requests.models import (
    ConnectionRequest,
    DocumentKind,
    LetterKind,
    Status,
)
from feedback.connection_requests.schemas import ApplicationSchema
from feedback.connection_requests.uploads import Upload
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings
from service.validation import load_or_fail

S = Status
PDF = b"%PDF-1.4\n% fairheat demo document\n%%EOF\n"
CONDITIONS = {
    "connection_point": "K-12, DN100",
    "capacity_kw": 240,
    "heat_carrier": "121/60 °C; 70/35 °C",
    "boundary": "zawory odcinające w węźle / lämmönjakokeskuksen sulkuventtiilit",
    "metering": "ciepłomierz / energiamittari",
}
PEOPLE = {
    "pl": ("Spółdzielnia Mieszkaniowa „Słoneczna”", "biuro@sloneczna.example.pl", "Anna Kowalska"),
    "fi": ("Asunto Oy Aurinkorinne", "isannoitsija@aurinkorinne.example.fi", "Matti Virtanen"),
}
# (language, street, legal title, the steps after receipt)
PATH = (
    "complete",
    "conditions",
    "agreement_offered",
    "agreement_signed",
    "works",
    "supply_started",
    "connected",
)
PLAN: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("pl", "Słoneczna 1", "owner", ()),
    ("fi", "Aurinkotie 2", "owner", ("item",)),
    ("pl", "Słoneczna 3", "owner", PATH[:1]),
    ("fi", "Aurinkotie 4", "owner", PATH[:2]),
    ("pl", "Słoneczna 5", "none", ("complete", "preliminary")),
    ("fi", "Aurinkotie 6", "owner", ("complete", "refuse")),
    ("pl", "Słoneczna 7", "owner", PATH[:3]),
    ("fi", "Aurinkotie 8", "owner", PATH[:4]),
    ("pl", "Słoneczna 9", "owner", PATH[:5]),
    ("fi", "Aurinkotie 10", "owner", PATH[:6]),
    ("pl", "Słoneczna 11", "owner", PATH),
    ("fi", "Aurinkotie 12", "owner", ("withdrawn",)),
    ("pl", "Słoneczna 13", "owner", ("item", "cancelled")),
    ("fi", "Aurinkotie 14", "owner", ("complete", "old_conditions", "expire")),
]


def _data(lang: str, street: str, title: str) -> dict[str, Any]:
    settings = current_settings()
    code = settings.jurisdiction.code
    name, email, signatory = PEOPLE[lang]
    street_name, number = street.rsplit(" ", 1)
    data: dict[str, Any] = {
        "applicant_kind": "cooperative",
        "applicant_name": name,
        "email": email,
        "signatory": signatory,
        "language": lang if lang in settings.languages else settings.default_language,
        "street": street_name,
        "house_number": number,
        "postcode": settings.jurisdiction.postcode_example,
        "city": "Warszawa" if code == "PL" else "Helsinki",
        "legal_title": title,
        "purpose": "residential",
        "new_building": "new",
        "heated_area_m2": "2400",
        "heating_kw": "180",
        "hot_water_kw": "60",
        "desired_start": (utcnow() + dt.timedelta(days=300)).date().isoformat(),
    }
    if code == "PL":
        data.update(nip="8567346215", plot_number="123/4")
    elif code == "FI":
        data.update(business_id="2077474-0")
    return data


def _apply(request_id: int, action: str) -> None:
    today = utcnow().date()
    if action == "item":
        steps.request_item(
            request_id,
            None,
            {"description": "Floor plan / rzut / pohjapiirros", "document_kind": "floor_plan"},
        )
    elif action == "complete":
        steps.mark_complete(request_id, None)
    elif action in {"conditions", "preliminary"}:
        steps.issue_conditions(
            request_id,
            None,
            {**CONDITIONS, "delivered_on": today},
            preliminary=action == "preliminary",
        )
    elif action == "old_conditions":
        long_ago = today - dt.timedelta(days=3 * 365)
        steps.issue_conditions(
            request_id, None, {**CONDITIONS, "set_on": long_ago, "delivered_on": long_ago}
        )
    elif action == "expire":
        jobs.expire_conditions()
    elif action == "refuse":
        steps.refuse(
            request_id, None, {"category": "technical", "text": "No spare capacity in the main."}
        )
        request = db.session.get(ConnectionRequest, request_id)
        if request is not None and request.letters:
            steps.record_letter_sent(request_id, LetterKind.REFUSAL_TO_URE, today)
    else:
        target = Status(action)
        agreement = {
            "agreed_connection_on": today + dt.timedelta(days=90),
            "connection_fee": 9000,
            "instalments": 2,
        }
        steps.advance(
            request_id,
            None,
            target,
            text="Demo" if target in {S.WITHDRAWN, S.CANCELLED} else None,
            agreement=agreement if target is S.AGREEMENT_SIGNED else None,
        )


def load_requests(only_if_empty: bool = False) -> str:
    if only_if_empty and db.session.scalar(sa.select(ConnectionRequest.id).limit(1)) is not None:
        return "connection requests already exist; nothing loaded"
    finnish = current_settings().jurisdiction.code == "FI"
    loaded = 0
    for lang, street, title, actions in PLAN:
        data = load_or_fail(ApplicationSchema(), _data(lang, street, title))
        files = [Upload("title_proof", DocumentKind.TITLE_PROOF, "title.pdf", io.BytesIO(PDF))]
        receipt = intake.submit_request(data, files)
        for action in actions:
            if finnish and action == "agreement_offered":
                continue  # one heat contract: the offer is followed by the signed contract
            if not finnish and action == "agreement_signed" and "agreement_offered" not in actions:
                continue
            _apply(receipt.request_id, action)
        loaded += 1
    return f"{loaded} connection requests"
