"""The contract-customer evidence: points and dwellings affected, notices per channel, the
delivered share, bounces, the first notice's delay, and the points nobody could be told."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.customers.evidence import CustomerEvidence
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, restore_outage
from service.db import utcnow
from service.evidence import Period
from service.mail.dispatcher import send_due_emails_for
from tests.notifications.customers.conftest import load
from tests.notifications.customers.test_notices import (  # noqa: F401
    STREET,  # noqa: F401 (fixtures below)
    settings_env,
    smtp,
    smtp_server,
)
from tests.support.factories import outage_payload

UNREACHABLE = "2005;Ilman yhteystietoa;00100;Kalevankatu;9;;;fi;;;8"


@pytest.fixture
def figures_after_an_outage(app, smtp):  # noqa: F811
    load([*STREET, UNREACHABLE])
    smtp.refuse("disponent@forvaltning.example", "550 5.1.1 No such user")
    payload = outage_payload(areas=[{"postcode": "00100", "street": "Kalevankatu"}])
    outage = create_outage(OutageInputSchema().load({**payload, "publish": True}))
    send_due_emails_for(seconds=5)
    restore_outage(outage.id)
    evidence = CustomerEvidence()
    today = utcnow().date()
    period = Period(today - dt.timedelta(days=1), today + dt.timedelta(days=1))
    return outage, {f.id: f.value for f in evidence.figures(period)}, evidence, period


def test_figures_count_points_dwellings_notices_and_the_unreachable(figures_after_an_outage):
    outage, figures, _, _ = figures_after_an_outage
    assert figures["customer_delivery_points_affected"] == 4  # three managed + one without
    assert figures["customer_dwellings_affected"] == 12 + 30 + 40 + 8
    assert figures["customer_delivery_points_unreachable"] == 1
    assert figures["customer_notice_emails"] == 6  # published and restored, three contacts
    assert figures["email_delivered_share"] == pytest.approx(2 / 3)
    assert figures["customer_notice_emails_bounced"] == 1
    assert figures["customer_notice_sms"] == 2  # the Polish care home chose SMS too
    assert figures["customer_first_email_hours"] is not None
    assert figures["customer_interruption_hours"] == pytest.approx(90 * 1.0, rel=0.05)


def test_registers_stream_rows_and_flag_personal_columns(figures_after_an_outage):
    outage, _, evidence, period = figures_after_an_outage
    registers = {r.name: r for r in evidence.registers(period)}
    assert {
        "delivery_points",
        "customer_notices",
        "customer_outages",
        "customers_unreachable",
    } <= set(registers)
    assert [c.name for c in registers["delivery_points"].columns if c.personal] == ["name"]
    notices = list(registers["customer_notices"].rows())
    assert [(r[0], r[1], r[2]) for r in notices] == [(outage.id, "email", 6), (outage.id, "sms", 2)]
    assert [r[1] for r in registers["customers_unreachable"].rows()] == ["2005"]
    assert len(list(registers["delivery_points"].rows())) == 5
