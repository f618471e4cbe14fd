"""Every SMS the service sends, rendered with long stand-in values, and what each one costs.

The SMS budget test (tests/notifications/sms/test_sms_budget.py) asserts each sample's segment
count, and bench/sms_segments.py adds them up per language, with and without Polish
transliteration: the figures behind FAIRHEAT_SMS_TRANSLITERATE_POLISH in docs/operator-guide.md.
Stand-ins are the longest a real message meets: each weekday's name, two-digit hours, a
several-day interruption, a 38-character street and whatever utility name and public
URL the app is configured with (the test uses a 20-character name). Needs an app context.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from notifications.models import Impact, OutageKind, OutageStatus
from notifications.sms import codes, keywords
from notifications.sms.encoding import PreparedSms, prepare_sms
from notifications.sms.texts import SmsEvent, sms_text
from service.settings import current_settings

OUTAGE_ID = 123456
LONG_STREET = "Pohjoinen Rautatiekatu Kaivopuistontie"  # 38 characters


@dataclass(frozen=True)
class Sample:
    name: str  # event or reply, e.g. "published planned several days"
    notice: bool  # an outage notice (budget: one segment) rather than a reply or case message
    text: str


def _stand_in(
    kind: OutageKind, status: OutageStatus, start: dt.datetime, hours: float, impact: Impact
) -> Any:
    return SimpleNamespace(
        id=OUTAGE_ID,
        kind=kind,
        status=status,
        impact=impact,
        starts_at=start,
        expected_end_at=start + dt.timedelta(hours=hours) if hours else None,
        ended_at=None,
    )


def _notices(lang: str, start: dt.datetime, impact: Impact) -> Iterator[Sample]:
    planned, unplanned = OutageKind.PLANNED, OutageKind.UNPLANNED
    cases = (
        ("published planned one day", planned, OutageStatus.SCHEDULED, 8.5, SmsEvent.PUBLISHED),
        ("published planned several days", planned, OutageStatus.SCHEDULED, 30, SmsEvent.PUBLISHED),
        ("published planned no end", planned, OutageStatus.SCHEDULED, 0, SmsEvent.PUBLISHED),
        ("published fault", unplanned, OutageStatus.INVESTIGATING, 0, SmsEvent.PUBLISHED),
        ("published fault estimate", unplanned, OutageStatus.REPAIRING, 30, SmsEvent.PUBLISHED),
        ("estimate planned", planned, OutageStatus.IN_PROGRESS, 30, SmsEvent.ESTIMATE),
        ("estimate fault", unplanned, OutageStatus.REPAIRING, 30, SmsEvent.ESTIMATE),
        ("ended planned", planned, OutageStatus.COMPLETED, 8, SmsEvent.ENDED),
        ("ended fault", unplanned, OutageStatus.RESTORED, 8, SmsEvent.ENDED),
        ("cancelled", planned, OutageStatus.CANCELLED, 8, SmsEvent.CANCELLED),
        ("reminder one day", planned, OutageStatus.SCHEDULED, 8.5, SmsEvent.REMINDER),
        ("reminder several days", planned, OutageStatus.SCHEDULED, 30, SmsEvent.REMINDER),
    )  # fmt: skip
    for name, kind, status, hours, event in cases:
        outage = _stand_in(kind, status, start, hours, impact)
        yield Sample(name, True, sms_text(outage, event, lang))


def _replies(lang: str, start: dt.datetime) -> Iterator[Sample]:
    conf = current_settings()
    yield Sample("help", False, keywords.help_reply(lang))
    yield Sample(
        "subscribed street",
        False,
        keywords.subscribed_reply(lang, conf.jurisdiction.postcode_example, LONG_STREET, "123 B"),
    )
    yield Sample(
        "subscribed postcode",
        False,
        keywords.subscribed_reply(lang, conf.jurisdiction.postcode_example, None, None),
    )
    yield Sample("address format", False, keywords.address_format_reply(lang))
    yield Sample("too many addresses", False, keywords.too_many_addresses_reply(lang, 10))
    yield Sample("number not accepted", False, keywords.number_not_accepted_reply(lang))
    yield Sample("opted out", False, keywords.opted_out_reply(lang))
    yield Sample("opted in", False, keywords.opted_in_reply(lang))
    yield Sample("not subscribed", False, keywords.not_subscribed_reply(lang))
    yield Sample("code subscribe", False, codes.code_text(codes.SUBSCRIBE, "123456", lang))
    yield Sample("code manage", False, codes.code_text(codes.MANAGE, "123456", lang))


def every_sms(
    lang: str, start: dt.datetime, impact: Impact = Impact.HEATING_AND_HOT_WATER
) -> list[Sample]:
    """Every notice, reply and case SMS in `lang`, for an interruption starting at `start`.

    The notices are about `impact`: heating and hot water by default (the common case, and the
    longest wording in fi/sv/en); the budget test renders every impact.
    """
    return [*_notices(lang, start, impact), *_replies(lang, start)]


def cost(sample: Sample, *, transliterate: bool) -> PreparedSms:
    return prepare_sms(sample.text, transliterate_polish=transliterate)
