"""Contract customers: the register of delivery points and their contacts, notices to them by
e-mail and SMS, and the building managers' pages.

Other domains may call the functions exported here, never the models or internals.
"""

from notifications.customers.fanout import fan_out_to_customers
from notifications.customers.importer import ImportRefused, ImportSummary, import_customers
from notifications.customers.queries import served_postcodes

__all__ = [
    "ImportRefused",
    "ImportSummary",
    "fan_out_to_customers",
    "import_customers",
    "served_postcodes",
]
