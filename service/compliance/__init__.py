"""The compliance evidence export (issue 13): the signed bundle a utility submits to IGCP
(Ciepło Systemowe) and to Finnish Energy (Reilu kaukolämpö), and its verification.

It reads the domains only through `service.domains.load_domains()` and each domain's
`evidence` provider (service/evidence.py): figures and registers, nothing else.
"""

from service.compliance import models  # noqa: F401  (the tables register with the metadata)
