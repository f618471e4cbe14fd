"""The e-mail channel: an outbox written in the caller's transaction, sent by a dispatcher
through a gateway chosen by settings (console in development, SMTP in production).

Other packages call `enqueue_email` and nothing else; the scheduler runs the dispatcher
(service/mail/jobs.py).
"""

from service.mail.bounces import record_bounce
from service.mail.outbox import enqueue_email

__all__ = ["enqueue_email", "record_bounce"]

# Importing the models registers the outbox table with the metadata.
import service.mail.models  # noqa: E402,F401
