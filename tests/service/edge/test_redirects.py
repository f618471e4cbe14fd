"""A `next=` goes to a page of this site and nowhere else (review D2, D12): the language switch
and the staff sign-in, with the encodings the review used."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import PASSWORD

# Each was sent by the review or is one step from it: TAB, CR, LF, backslash, encoded slashes,
# another scheme, a protocol-relative URL, a direction override.
HOSTILE = [
    "/%09/evil.example",
    "/%09%09/evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "%5C%5Cevil.example",
    "javascript:alert(1)",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%0a/x",
    "/%0d/evil.example",
    "/%E2%80%AE/evil.example",
    "/%20/evil.example",
    "http:evil.example",
]


def _stays_here(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith("//")
        and "evil" not in location
    )


@pytest.mark.parametrize("target", HOSTILE)
def test_d2_d12_the_language_switch_never_leaves_the_site(client, target):
    """D2: /language/en?next=/%09/evil.example was 302 Location: //evil.example; D12: a CR
    or LF in next= was a 500."""
    response = client.get(f"/language/en?next={target}")
    if response.status_code == 422:  # a direction override is refused at the edge (D18)
        return
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


def test_the_language_switch_goes_back_to_the_page_it_came_from(client):
    response = client.get("/language/sv?next=/sv/archive%3Fpage%3D2")
    assert response.headers["Location"] == "/sv/archive?page=2"
    assert client.get("/language/pl?next=/staff/logout").headers["Location"] == "/pl/"  # POST


@pytest.mark.parametrize("target", HOSTILE)
def test_d2_d12_sign_in_never_sends_anyone_off_the_site(client, make_user, target):
    """D12: the login with next=/\\r\\n… after a correct password was a 500 and a lost sign-in."""
    user = make_user("dispatcher")
    response = client.post(
        f"/staff/login?next={target}", data={"email": user.email, "password": PASSWORD}
    )
    if response.status_code == 422:  # a direction override is refused at the edge (D18)
        return
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"]), response.headers["Location"]


def test_sign_in_goes_on_to_the_page_asked_for(client, make_user):
    user = make_user("dispatcher")
    response = client.post(
        "/staff/login?next=/staff/cases/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/staff/cases/"
