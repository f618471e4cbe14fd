"""Words for the procedure's choices, in the reader's language (templates use `cr_label`)."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from feedback.connection_requests.models import (
    ApplicantKind,
    BuildingPurpose,
    DocumentKind,
    LegalTitle,
    LetterKind,
    RefusalCategory,
    Status,
    StepKind,
)
from feedback.connection_requests.procedure import status_label

LABELS: dict[enum.Enum, object] = {
    ApplicantKind.PERSON: _l("A private person"),
    ApplicantKind.COMPANY: _l("A company"),
    ApplicantKind.COOPERATIVE: _l("A housing cooperative or community"),
    ApplicantKind.MUNICIPALITY: _l("A municipality or public body"),
    LegalTitle.OWNER: _l("Owner"),
    LegalTitle.PERPETUAL_USUFRUCT: _l("Perpetual usufruct"),
    LegalTitle.MANAGER: _l("Manager of the property"),
    LegalTitle.NONE: _l("No legal title yet (preliminary conditions)"),
    BuildingPurpose.RESIDENTIAL: _l("Residential"),
    BuildingPurpose.PUBLIC: _l("Public services"),
    BuildingPurpose.COMMERCIAL: _l("Commercial or offices"),
    BuildingPurpose.INDUSTRIAL: _l("Industrial"),
    BuildingPurpose.OTHER: _l("Other"),
    DocumentKind.TITLE_PROOF: _l("Proof of legal title to the property"),
    DocumentKind.SITE_PLAN: _l("Site plan or map for design purposes"),
    DocumentKind.FLOOR_PLAN: _l("Floor plan with the substation room"),
    DocumentKind.POWER_OF_ATTORNEY: _l("Power of attorney"),
    DocumentKind.CONDITIONS: _l("Connection conditions"),
    DocumentKind.AGREEMENT: _l("Agreement"),
    DocumentKind.SUPPLY_PROTOCOL: _l("Start-of-supply protocol"),
    DocumentKind.LETTER: _l("Letter"),
    DocumentKind.OTHER: _l("Other document"),
    RefusalCategory.TECHNICAL: _l("No technical conditions"),
    RefusalCategory.ECONOMIC: _l("No economic conditions"),
    RefusalCategory.NO_LEGAL_TITLE: _l("No legal title to the property"),
    RefusalCategory.OTHER: _l("Other reason"),
    LetterKind.REFUSAL_TO_APPLICANT: _l("Refusal letter to the applicant"),
    LetterKind.REFUSAL_TO_URE: _l("Notice to the President of URE"),
    LetterKind.EXTENSION_NOTICE: _l("Notice of a later decision date"),
    LetterKind.CONDITIONS: _l("Connection conditions"),
    StepKind.NOTE: _l("Note"),
    StepKind.ITEM_REQUESTED: _l("Information requested"),
    StepKind.ITEM_RECEIVED: _l("Missing items received"),
    StepKind.DEADLINE_EXTENDED: _l("Decision date extended"),
    StepKind.CONDITIONS_DELIVERED: _l("Conditions delivered"),
    StepKind.LETTER_SENT: _l("Letter sent"),
    StepKind.EXPIRY_REMINDER: _l("Reminder of the expiry date sent"),
    StepKind.FEE_SUSPENDED: _l("Connection fee suspended: connection date missed"),
    StepKind.FEE_RESUMED: _l("Connection fee due again: supply started"),
    StepKind.ASSIGNED: _l("Handler assigned"),
}


def cr_label(value: enum.Enum | str | None, jurisdiction: str = "PL") -> str:
    """The label of a choice, a status or a step kind (a step stores its kind as text)."""
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, enum.Enum):
        for kind in (Status, StepKind):
            try:
                value = kind(value)
                break
            except ValueError:
                continue
        else:
            return value
    if isinstance(value, Status):
        return status_label(value, jurisdiction)
    return str(LABELS.get(value, value))
