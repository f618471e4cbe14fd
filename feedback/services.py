"""Where the feedback services were before they were split by concept; nothing lives here.

intake.py (submit_case), handling.py (staff actions on an open case and the customer's reply),
answering.py (answer, reopen, deemed accepted), survey.py, reply_templates.py, escalations.py;
transactions.py holds what every action writes and its commit. Other packages import from
`feedback` itself. This module stays only while tests/service/auth/test_roles.py imports these two
names from it; delete it when that test imports them from `feedback`.
"""

from feedback.intake import submit_case
from feedback.reply_templates import create_template

__all__ = ["create_template", "submit_case"]
