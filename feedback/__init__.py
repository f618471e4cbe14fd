"""What residents send in: feedback and complaints (emergency calls and connection requests join
here as their own modules).

Other domains may call the functions exported here, never the models or internals.
"""

import feedback.models  # noqa: F401  (registers the tables with the metadata)
import feedback.open311.models  # noqa: F401
