"""What the utility sends out: interruption notices on the web, in feeds and (later) by SMS.

Other domains may call the functions exported here, never the models or internals.
"""

from notifications.channels import (
    Channel,
    Contact,
    PersonMessage,
    notify_person,
    reachable_channels,
)
from notifications.queries import get_outage, list_outages, lookup_address
from notifications.services import (
    cancel_outage,
    create_outage,
    publish_outage,
    restore_outage,
    update_outage,
)
from notifications.sms.outbox import send_text_message

__all__ = [
    "Channel",
    "Contact",
    "PersonMessage",
    "cancel_outage",
    "create_outage",
    "get_outage",
    "list_outages",
    "lookup_address",
    "notify_person",
    "publish_outage",
    "reachable_channels",
    "restore_outage",
    "send_text_message",
    "update_outage",
]

# The SMS tables belong to this domain; importing their models registers them with the metadata.
import notifications.customers.models  # noqa: E402,F401  (contract customers, issue 12)
import notifications.sms.models  # noqa: E402,F401
