"""Words for the case vocabulary in the reader's language (templates call `case_label(value)`)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from config import feedback_rules as rules

LABELS: dict[str, Any] = {
    # types
    "feedback": _l("Feedback"),
    "question": _l("Question"),
    "complaint": _l("Complaint"),
    "billing_complaint": _l("Billing complaint"),
    "disconnection_complaint": _l("Complaint about disconnection"),
    # subject areas
    "heat_supply": _l("Heat supply"),
    "hot_water": _l("Hot water"),
    "billing": _l("Billing"),
    "connection": _l("Connection to the network"),
    "customer_service": _l("Customer service"),
    "other": _l("Other"),
    # channels
    "web": _l("Web form"),
    "phone": _l("Phone call"),
    "email": _l("E-mail message"),
    "letter": _l("Letter"),
    "in_person": _l("Visit in person"),
    "open311": _l("Open311 app"),
    "sms": _l("Text message"),
    # statuses
    "received": _l("Received"),
    "in_progress": _l("Being handled"),
    "waiting_for_customer": _l("Waiting for your reply"),
    "closed": _l("Answered and closed"),
    # outcomes
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "rejected": _l("Rejected"),
    "informational": _l("Information given"),
    # tracks
    "standard": _l("Feedback or question"),
    "phone_complaint": _l("Complaint by phone"),
    "explanatory": _l("Complaint with an explanatory procedure"),
    "disconnection": _l("Complaint about disconnection"),
    # timeline
    "acknowledged": _l("Receipt confirmed to the customer"),
    "assigned": _l("Assigned"),
    "note": _l("Internal note"),
    "info_requested": _l("More information requested"),
    "customer_replied": _l("Customer replied"),
    "track_changed": _l("Moved to the explanatory procedure"),
    "answered": _l("Answered"),
    "reopened": _l("Reopened"),
    "spam": _l("Marked as spam"),
    "not_spam": _l("Marked as not spam"),
    "deemed_accepted": _l("Deemed accepted: the deadline passed without an answer"),
    "surveyed": _l("Customer rated the answer"),
    # escalation levels
    "due_soon": _l("Due soon"),
    "overdue": _l("Overdue"),
}
# Where a word means something else for staff than for the customer.
STAFF_LABELS: dict[str, Any] = {
    "waiting_for_customer": _l("Waiting for the customer"),
    "received": _l("New"),
}


# The default rules' sources, for readers: a stored source that is not one of these (a utility's
# own setting) is shown as written. The keys are the exact strings in config/feedback_rules.py.
SOURCES: dict[str, Any] = {
    rules.SYSTEMOWE: _l(
        "§ 26 of the Polish regulation of 15 Jan 2007 on heat supply "
        "('systemowe'), as explained by the Energy Regulatory Office (URE)"
    ),
    rules.SYSTEMOWE_EXPLANATORY: _l(
        "§ 26 of the Polish regulation of 15 Jan 2007 on heat supply "
        "('systemowe'): complaint needing an explanatory procedure"
    ),
    rules.PL_STANDARD: _l(
        "Polish utilities' quality standards for written answers; policy "
        "default, as for a written complaint"
    ),
    rules.PL_DISCONNECTION: _l(
        "Polish Energy Law, art. 6c: a complaint about disconnection not "
        "answered in 14 days is deemed accepted"
    ),
    rules.REILU: _l(
        "Reilu kaukolämpö quality mark (Finnish Energy): customer feedback "
        "answered within 7 working days"
    ),
    rules.REKO: _l("Reko fjärrvärme: the customer's view acknowledged within 10 days"),
    rules.SE_ANSWER: _l("Reko fjärrvärme: answered as the utility's policy sets; policy default"),
}


def rule_source(text: str) -> str:
    """A rule's source in the reader's language where it is one of the defaults."""
    return str(SOURCES.get(text, text))


def case_label(value: Any, staff: bool = False) -> str:
    key = getattr(value, "value", value)
    if staff and key in STAFF_LABELS:
        return str(STAFF_LABELS[key])
    return str(LABELS.get(key, key))
