"""Where a customer can turn when unhappy with our answer, per country (page and e-mail).

Finland: the consumer advice service and the Consumer Disputes Board (Kuluttajariitalautakunta);
Poland: the municipal or district consumer ombudsman and the Energy Regulatory Office (URE,
Prawo energetyczne art. 8); Sweden: the municipal consumer adviser and ARN. The bodies' own
names stay in their language inside every translation, so a customer can look them up.
"""

from __future__ import annotations

from flask_babel import gettext as _


def heading() -> str:
    return _("Not satisfied with our answer?")


def rights_paragraphs(country: str) -> list[str]:
    """The paragraphs in the current language: ask us again first, then the outside bodies."""
    first = _("Tell us first: reply on your case page and we will look at your case again.")
    if country == "FI":
        return [
            first,
            _(
                "You can also ask the consumer advice service (Kilpailu- ja kuluttajavirasto, "
                "kuluttajaneuvonta) for free advice, and take the dispute to the Consumer "
                "Disputes Board (Kuluttajariitalautakunta). Both are free of charge for consumers."
            ),
        ]
    if country == "PL":
        return [
            first,
            _(
                "You can also ask your municipal or district consumer ombudsman (miejski or "
                "powiatowy rzecznik konsumentów) for free help, or turn to the Energy Regulatory "
                "Office (Urząd Regulacji Energetyki, URE), which resolves disputes about heat "
                "supply."
            ),
        ]
    if country == "SE":
        return [
            first,
            _(
                "You can also ask your municipality's consumer adviser for free help, or take "
                "the dispute to the National Board for Consumer Disputes (Allmänna "
                "reklamationsnämnden, ARN)."
            ),
        ]
    return [first]
