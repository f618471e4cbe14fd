"""Connection requests (Ciepło Systemowe A5; the Finnish heat contract): the application with
its documents, the completeness check that starts the clock, conditions or refusal with their
letters, the agreement and the connection, every date kept as evidence.
"""

# The tables of the sub-domain, registered with the metadata whenever the package is imported.
import feedback.connection_requests.models  # noqa: F401
