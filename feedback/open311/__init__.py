"""Open311 GeoReport v2 over the feedback cases (http://wiki.open311.org/GeoReport_v2).

/open311/discovery.{json,xml}                    Service Discovery: where v2 is, in which formats
/open311/v2/services.{json,xml}                  the case types, named in the client's language
/open311/v2/services/<code>.{json,xml}           a type's attributes (area, customer number, …)
POST /open311/v2/requests.{json,xml}             submit a case (api_key required)
GET  /open311/v2/requests.{json,xml}             cases by reference list, type, status, time
GET  /open311/v2/requests/<reference>.{json,xml} one case

Standard clients must work unchanged, so the spec decides where it differs from the JSON API
(docs/decisions/0005-open311.md): the format is the extension; errors are the spec's list, 403
for a missing or wrong api_key, 404 for an unknown service_code, 400 for any other bad input; a
created request answers 200; the language is the spec's `locale` parameter, then
Accept-Language, then the utility's default. GET shows no personal data and never the
description.

routes.py      the endpoints                    documents.py   what each document says
parameters.py  what a client sends, read        formats.py     the JSON and XML wire format
queries.py     cases as service requests        keys.py        clients' api_keys
models.py      the api_key table                cli.py         `fairheat open311 keys …`
"""

from feedback.open311.keys import create_key, list_keys, revoke_key
from feedback.open311.routes import register

__all__ = ["create_key", "list_keys", "revoke_key", "register"]
