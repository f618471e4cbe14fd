"""The contract between the shell's retention job and data-subject requests and each domain.

A domain says, in its `include(domain)`, what personal data it keeps and how it lets it go:

    from service.retention import RecordRetention, PersonalData

    domain.retention.append(RecordRetention("emergency_call", expire_calls))
    domain.personal_data.append(PersonalData("emergency_calls", find_calls, erase_calls))

- `RecordRetention(record_type, apply, default=None)`: `apply(cutoff, held)` deletes or
  anonymises every record of the type whose reference time (closed, sent, left …) is before
  `cutoff`, except the ids in `held` (legal holds), in the caller's transaction (no commit), and
  returns how many it changed. It keeps what the compliance figures count (timestamps, kinds,
  outcomes) and removes what identifies a person. The period comes from
  `settings.security.retention[record_type]` (FAIRHEAT_RETENTION_<RECORD_TYPE>), else `default`.
- `PersonalData(name, find, erase)`: `find(subject)` returns every record held about a person as
  JSON-ready dicts (GDPR art. 15); `erase(subject)` erases or anonymises them in the caller's
  transaction (art. 17) and returns an `Erasure` saying how many and what it had to keep, and
  why (a record under legal hold, a complaint inside its statutory period …).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from config.security_settings import RetentionRule


@dataclass(frozen=True)
class Subject:
    """Whose data: a phone number (E.164) and/or an e-mail address (lower case)."""

    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Kept:
    record: str  # "feedback_case 12"
    reason: str  # said to the person: why the law makes us keep it, and until when


@dataclass
class Erasure:
    erased: int = 0
    kept: list[Kept] = field(default_factory=list)


@dataclass(frozen=True)
class RecordRetention:
    record_type: str
    apply: Callable[[dt.datetime, frozenset[int]], int]
    default: RetentionRule | None = None


@dataclass(frozen=True)
class PersonalData:
    name: str
    find: Callable[[Subject], Sequence[dict[str, Any]]]
    erase: Callable[[Subject], Erasure]


UNDER_HOLD = "under a legal hold (a claim or proceedings)"


def why_kept(
    closed_at: dt.datetime | None,
    *,
    held: bool,
    still_open: str,
    rule: RetentionRule | None,
    now: dt.datetime,
) -> str | None:
    """Why an erasure request must leave a record be, said to the person; None when it can go.

    A record under a legal hold is kept; an open one (`closed_at` None) for the reason
    `still_open` gives; a closed one until its period under `rule` ends, with the date and the
    rule's source.
    """
    if held:
        return UNDER_HOLD
    if closed_at is None:
        return still_open
    if rule is not None and closed_at >= rule.cutoff(now):
        until = rule.kept_until(closed_at).isoformat()
        return f"kept by law until {until}" + (f" ({rule.source})" if rule.source else "")
    return None
