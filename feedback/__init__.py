"""What residents send in: feedback and complaints, and Open311 over the same cases (emergency
calls and connection requests join here as their own modules).

Other domains (and the shell's demo) may call what is exported here, never the models or
internals: a case is received with `submit_case(CaseInputSchema().load(...))`, which returns its
Receipt (reference and tracking token).
"""

# The tables of the domain, registered with the metadata whenever the package is imported.
import feedback.models  # noqa: F401
import feedback.open311.models  # noqa: F401
from feedback.intake import Receipt, submit_case
from feedback.schemas import CaseInputSchema

__all__ = ["CaseInputSchema", "Receipt", "submit_case"]
