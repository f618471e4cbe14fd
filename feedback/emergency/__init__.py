"""The emergency line log: calls from Twilio Voice and by hand, callbacks, the duty roster."""

import feedback.emergency.models  # noqa: F401
