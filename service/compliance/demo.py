"""Demo data for the compliance export: the utility's declarations for the current year (in
the jurisdiction's language), a signing key outside production, and the audit log chained, so
`fairheat compliance export --mark all --period <this year> --lang fi --out /tmp` reads well
right after `make run`."""

from __future__ import annotations

from service.audit import chain_pending
from service.compliance import keys
from service.compliance.declarations import declarations_for, declare
from service.db import utcnow
from service.evidence import Period
from service.i18n import to_local
from service.settings import current_settings

DECLARATIONS = {
    "FI": {
        "a1_office_hours": "Asiakaspalvelu ma–pe 8–16, puh. 09 123 4567.",
        "b1_website": "Laatuvaatimukset ja asiakastiedot osoitteessa https://lampo.example/reilu.",
        "b3_marketing_plan": "Markkinointisuunnitelma hyväksytty hallituksessa 15.1.",
        "c_plant_efficiency": "Lämmöntuotannon hyötysuhde 89 % (lämpökeskukset ja CHP).",
        "c_network_losses": "Verkon lämpöhäviöt 8,5 % toimitetusta lämmöstä.",
        "c_ecological_limits": "Ympäristöluvan päästörajat alittuivat kaikkina kuukausina.",
        "reilu_contracts": "Lämpösopimukset Energiateollisuuden yleisin toimitusehdoin.",
        "reilu_prices": "Hinnat verkkosivuilla; hinnanmuutokset perusteltu asiakastiedotteessa.",
        "reilu_consumption_reports": "Kulutusraportti kuukausittain verkkopalvelussa.",
        "reilu_feedback_channel": "Palautelomake verkkosivuilla, vastaus 7 arkipäivässä.",
    },
    "PL": {
        "a1_office_hours": "Biuro Obsługi Klienta pn.–pt. 7:30–15:30, tel. 22 123 45 67.",
        "b1_website": "Standardy i informacje dla klientów na https://cieplo.example/standardy.",
        "b3_marketing_plan": "Plan marketingowy przyjęty przez zarząd 15 stycznia.",
        "c_plant_efficiency": "Sprawność wytwarzania ciepła 88 % (kotłownie i kogeneracja).",
        "c_network_losses": "Straty ciepła w sieci 9,1 % ciepła dostarczonego.",
        "c_ecological_limits": "Limity emisji z pozwolenia zintegrowanego dotrzymane.",
        "reilu_contracts": "Umowy kompleksowe według taryfy zatwierdzonej przez Prezesa URE.",
        "reilu_prices": "Taryfa opublikowana na stronie; zmiany cen wyjaśnione klientom.",
        "reilu_consumption_reports": "Raport zużycia co miesiąc w e-BOK.",
        "reilu_feedback_channel": "Formularz zgłoszeń na stronie internetowej.",
    },
}


def load_declarations(only_if_empty: bool = False) -> str:
    settings = current_settings()
    period = Period.year(to_local(utcnow()).year)
    made = []
    if settings.env != "production" and not keys.has_key():
        keys.create_key()
        made.append("a signing key")
    if not (only_if_empty and declarations_for(period)):
        texts = DECLARATIONS.get(settings.jurisdiction.code, DECLARATIONS["FI"])
        for item, text in texts.items():
            declare(period, item, text)
        made.append(f"{len(texts)} declarations for {period}")
    chain_pending()
    return "compliance: " + (", ".join(made) or "nothing new")
