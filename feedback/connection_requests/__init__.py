"""Connection requests (Ciepło Systemowe A5; the Finnish heat contract): the application with
its documents, the completeness check that starts the clock, conditions or refusal with their
letters, the agreement and the connection, every date kept as evidence.

Other domains (and the shell's demo) may call what is exported here, never the models or
internals: an application is received with
`submit_request(ApplicationSchema().load(...), uploads)`, which returns its Receipt (reference
and tracking token); `period_figures(period)` gives the evidence figures as plain values.
"""

# The tables of the sub-domain, registered with the metadata whenever the package is imported.
import feedback.connection_requests.models  # noqa: F401
from feedback.connection_requests.evidence import period_figures
from feedback.connection_requests.intake import Receipt, submit_request
from feedback.connection_requests.schemas import ApplicationSchema
from feedback.connection_requests.uploads import Upload

__all__ = ["ApplicationSchema", "Receipt", "Upload", "period_figures", "submit_request"]
