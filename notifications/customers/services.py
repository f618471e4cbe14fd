"""Changing the customer register: the API's bulk upsert, staff edits of a delivery point and
its contacts, and a building manager's own channel and language choices. Each function owns
its transaction and writes an audit entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from notifications.customers.importer import check_records
from notifications.customers.models import CustomerContact, DeliveryPoint, Role
from notifications.customers.register import UpsertCounts, cancel_queued_for_contacts, upsert_points
from notifications.customers.rows import RowRejected, check_email, check_phone
from service import audit
from service.errors import NotFound, ValidationFailed
from service.extensions import db
from service.settings import current_settings


def upsert_rows(rows: Sequence[Mapping[str, Any]], *, prune: bool = False) -> UpsertCounts:
    """The API's bulk upsert: every row checked as an import line; any refusal refuses all
    (422 naming each row by its index and reason), otherwise one commit."""
    records = [(index, {k: v for k, v in row.items()}) for index, row in enumerate(rows)]
    entries, rejected = check_records(records)  # type: ignore[arg-type]
    if rejected:
        raise ValidationFailed({"rows": {str(index): [reason] for index, reason in rejected}})
    counts = upsert_points(entries, prune=prune)
    audit.record(
        "customers.upserted",
        "customer_register",
        None,
        after={"added": counts.added, "updated": counts.updated, "removed": counts.removed},
    )
    db.session.commit()
    return counts


def _point(point_id: int) -> DeliveryPoint:
    point = db.session.get(DeliveryPoint, point_id)
    if point is None:
        raise NotFound(_("No such delivery point."))
    return point


def update_point(point_id: int, data: Mapping[str, Any]) -> DeliveryPoint:
    point = _point(point_id)
    before = {"name": point.name, "priority": point.priority, "dwellings": point.dwellings}
    for name in ("name", "priority", "dwellings"):
        setattr(point, name, data[name])
    audit.record("customers.point_updated", "delivery_point", point.id, before=before, after=data)
    db.session.commit()
    return point


def _contact_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """A contact's fields checked like an import row's; ValidationFailed names the field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, check in (("email", check_email), ("phone", check_phone)):
        try:
            values[name] = check({name: data.get(name)})
        except RowRejected as refusal:
            errors[name] = [refusal.reason]
    conf = current_settings()
    language = data.get("language") or conf.default_language
    if language not in conf.languages:
        errors["language"] = [_("Choose a language.")]
    role = data.get("role") or Role.MANAGER.value
    if role not in {r.value for r in Role}:
        errors["role"] = [_("Choose a role.")]
    if not errors and values.get("email") is None and values.get("phone") is None:
        errors["email"] = [_("Give an e-mail address or a mobile number.")]
    if errors:
        raise ValidationFailed(errors)
    values.update(
        language=language,
        role=Role(role),
        by_email=bool(data.get("by_email")) and values["email"] is not None,
        by_sms=bool(data.get("by_sms")) and values["phone"] is not None,
        contact_key=values["email"].lower() if values["email"] else values["phone"],
    )
    return values


def save_contact(point_id: int, contact_id: int | None, data: Mapping[str, Any]) -> CustomerContact:
    """Add a contact to a delivery point (contact_id None) or change one (staff)."""
    point = _point(point_id)
    values = _contact_values(data)
    with db.session.no_autoflush:
        clash = db.session.scalar(
            sa.select(CustomerContact.id).where(
                CustomerContact.delivery_point_id == point.id,
                CustomerContact.contact_key == values["contact_key"],
                CustomerContact.id != (contact_id or 0),
            )
        )
    if clash is not None:
        raise ValidationFailed({"email": [_("This building already has this contact.")]})
    if contact_id is None:
        contact = CustomerContact(delivery_point=point, **values)
        db.session.add(contact)
    else:
        contact = _contact_of(point, contact_id)
        for name, value in values.items():
            setattr(contact, name, value)
    db.session.flush()
    audit.record("customers.contact_saved", "customer_contact", contact.id, after=_logged(values))
    db.session.commit()
    return contact


def _logged(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a contact: the choices, not the address or number."""
    return {k: values[k] for k in ("language", "role", "by_email", "by_sms") if k in values}


def _contact_of(point: DeliveryPoint, contact_id: int) -> CustomerContact:
    contact = db.session.get(CustomerContact, contact_id)
    if contact is None or contact.delivery_point_id != point.id:
        raise NotFound(_("No such contact."))
    return contact


def delete_contact(point_id: int, contact_id: int) -> None:
    contact = _contact_of(_point(point_id), contact_id)
    cancel_queued_for_contacts([contact.id])
    db.session.delete(contact)
    audit.record("customers.contact_deleted", "customer_contact", contact_id)
    db.session.commit()


def set_own_choices(email: str, contact_id: int, data: Mapping[str, Any]) -> CustomerContact:
    """A signed-in manager changes the channels and language of one of their own contacts."""
    contact = db.session.get(CustomerContact, contact_id)
    if contact is None or (contact.email or "").lower() != email.lower():
        raise NotFound(_("No such contact."))
    conf = current_settings()
    language = data.get("language") or contact.language
    if language not in conf.languages:
        raise ValidationFailed({"language": [_("Choose a language.")]})
    by_email = bool(data.get("by_email"))
    by_sms = bool(data.get("by_sms")) and contact.phone is not None
    if not by_email and not by_sms:
        raise ValidationFailed(
            {"by_email": [_("Choose at least one way to be told: e-mail or SMS.")]}
        )
    contact.language, contact.by_email, contact.by_sms = language, by_email, by_sms
    audit.record(
        "customers.choices_changed",
        "customer_contact",
        contact.id,
        after=_logged(
            {"language": language, "by_email": contact.by_email, "by_sms": contact.by_sms}
        ),
        actor=f"manager:{contact.id}",
    )
    db.session.commit()
    return contact


def stop_sms_to(phone: str) -> None:
    """STOP from a contact's mobile: no more notice SMS to it (e-mail stays as chosen).

    Registered with the SMS inbound handler (notifications.sms.inbound.opt_out_handlers); runs
    in its transaction, which also cancels the queued messages to the number.
    """
    db.session.execute(
        sa.update(CustomerContact)
        .where(CustomerContact.phone == phone, CustomerContact.by_sms.is_(True))
        .values(by_sms=False)
    )


def install(app: object) -> None:
    """Register stop_sms_to with the SMS inbound handler (once, however many apps are made)."""
    from notifications.sms.inbound import opt_out_handlers

    if stop_sms_to not in opt_out_handlers:
        opt_out_handlers.append(stop_sms_to)
