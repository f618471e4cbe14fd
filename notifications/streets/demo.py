"""Demo street names: the demo notices' streets in both languages (FI) and other spellings (PL).

The Swedish names are the official ones of Helsinki and Espoo (Mannerheimintie /
Mannerheimvägen). Loaded through the same import as an operator's file.
"""

from __future__ import annotations

import sqlalchemy as sa

from notifications.streets.models import StreetAlias
from notifications.streets.services import import_streets
from service.extensions import db
from service.settings import current_settings

DEMO_FILES = {
    "FI": """postcode,name_fi,name_sv
00100,Mannerheimintie,Mannerheimvägen
00100,Kalevankatu,Kalevagatan
00100,Annankatu,Annegatan
00120,Bulevardi,Bulevarden
00100,Aleksanterinkatu,Alexandersgatan
00120,Fredrikinkatu,Fredriksgatan
00120,Uudenmaankatu,Nylandsgatan
00180,Lapinlahdenkatu,Lappviksgatan
00250,Töölönkatu,Tölögatan
00260,Runeberginkatu,Runebergsgatan
00510,Sturenkatu,Sturegatan
00530,Hämeentie,Tavastvägen
00530,Kaikukatu,Ekogatan
00550,Mäkelänkatu,Backasgatan
02100,Tapiolantie,Hagalundsvägen
02150,Otakaari,Otsvängen
""",
    "PL": """postcode,name,alias
00-624,ul. Marszałkowska,Marszałkowska
02-001,Aleje Jerozolimskie,al. Jerozolimskie
00-697,Aleje Jerozolimskie,al. Jerozolimskie
31-070,ul. Dietla,ul. Józefa Dietla
00-029,ul. Nowy Świat,Nowy Świat
02-512,ul. Puławska,Puławska
""",
}


def load_streets(only_if_empty: bool = False) -> str:
    """Load the jurisdiction's demo street names; one line saying what was loaded."""
    if only_if_empty and db.session.scalar(sa.select(StreetAlias.id).limit(1)) is not None:
        return "street names already exist; nothing loaded"
    text = DEMO_FILES.get(current_settings().jurisdiction.code)
    if text is None:
        return "no demo street names for this jurisdiction"
    done = import_streets(text.encode())
    return f"loaded {done.names} street names of {done.streets} streets"
