"""Where the feedback services were before they were split by concept; nothing lives here.

intake.py (submit_case), handling.py (staff actions on an open case and the customer's reply),
answering.py (answer, reopen, deemed accepted), survey.py, reply_templates.py, escalations.py;
transactions.py holds what every action writes and its commit. Other packages import from
`feedback` itself, feedback's own modules and tests from the module of the concept.

The old names stay importable from here only for code written against this module while the
split landed (tests/service/auth/test_roles.py, tests/feedback/test_blank_fields.py); delete this
module once nothing imports it.
"""

from feedback.answering import answer_case, mark_deemed_accepted, reopen_case
from feedback.escalations import escalate, mark_escalations_read
from feedback.handling import (
    add_note,
    assign_case,
    customer_reply,
    mark_spam,
    request_information,
    switch_to_explanatory,
)
from feedback.intake import Receipt, submit_case
from feedback.reply_templates import create_template, delete_template
from feedback.survey import record_survey

__all__ = [
    "Receipt",
    "add_note",
    "answer_case",
    "assign_case",
    "create_template",
    "customer_reply",
    "delete_template",
    "escalate",
    "mark_deemed_accepted",
    "mark_escalations_read",
    "mark_spam",
    "reopen_case",
    "record_survey",
    "request_information",
    "submit_case",
    "switch_to_explanatory",
]
