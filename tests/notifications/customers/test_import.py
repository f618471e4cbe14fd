"""`fairheat customers import`: idempotent, updates what changed, prunes on request, and names
every refused row with its line and reason while importing the good ones."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from notifications.customers import ImportRefused, import_customers
from notifications.customers.models import CustomerContact, DeliveryPoint, Priority, Role
from service.extensions import db
from tests.notifications.customers.conftest import csv_bytes, load

ROWS = [
    "1001;As Oy Kalevankatu 5;00100;Kalevankatu;5;isannoitsija@isannointi.example;"
    "040 123 4567;fi;manager;;24",
    "1001;As Oy Kalevankatu 5;00100;Kalevankatu;5;huolto@huolto.example;;sv;caretaker;;24",
    "1002;Palvelutalo Aurinko;00100;Kalevankatu;7 B;;+358401234568;fi;owner;care_home;60",
]


@pytest.fixture(autouse=True)
def english(app):
    """The reasons are read in English here (the app's default language is Finnish)."""
    with force_locale("en"):
        yield


def test_reasons_are_given_in_the_operators_language(app):
    with force_locale("fi"):
        summary = load(["1003;Koulu;0010;Kalevankatu;9;;;fi;;;1"])
    assert summary.rejected == [(2, "postcode 0010 ei ole postinumero.")]


def points():
    db.session.expire_all()
    return {p.customer_number: p for p in db.session.scalars(sa.select(DeliveryPoint))}


def test_import_adds_points_with_their_contacts_in_canonical_form(app):
    summary = load(ROWS)
    assert (summary.counts.added, summary.counts.updated, summary.rejected) == (2, 0, [])
    found = points()
    kalevankatu = found["1001"]
    assert (kalevankatu.street_key, kalevankatu.number, kalevankatu.dwellings) == (
        "kalevankatu",
        5,
        24,
    )
    assert [(c.email, c.phone, c.language, c.role) for c in kalevankatu.contacts] == [
        ("isannoitsija@isannointi.example", "+358401234567", "fi", Role.MANAGER),
        ("huolto@huolto.example", None, "sv", Role.CARETAKER),
    ]
    care_home = found["1002"]
    assert (care_home.priority, care_home.number, care_home.number_text) == (
        Priority.CARE_HOME,
        7,
        "7 B",
    )
    assert care_home.contacts[0].by_sms and not care_home.contacts[0].by_email


def test_the_same_file_twice_changes_nothing_and_a_changed_row_updates(app):
    load(ROWS)
    again = load(ROWS)
    assert (again.counts.added, again.counts.updated, again.counts.unchanged) == (0, 0, 2)
    changed = [
        ROWS[0].replace(";24", ";25"),
        ROWS[1].replace(";24", ";25"),
        ROWS[2].replace(";fi;owner", ";pl;owner"),
    ]
    summary = load(changed)
    assert (summary.counts.added, summary.counts.updated, summary.counts.unchanged) == (0, 2, 0)
    assert points()["1001"].dwellings == 25
    assert points()["1002"].contacts[0].language == "pl"


def test_prune_removes_points_and_contacts_not_in_the_file(app):
    load(ROWS)
    summary = load([ROWS[0]], prune=True)
    assert (summary.counts.removed, summary.counts.updated) == (1, 1)
    assert list(points()) == ["1001"]
    assert [c.role for c in points()["1001"].contacts] == [Role.MANAGER]
    assert db.session.scalar(sa.select(sa.func.count(CustomerContact.id))) == 1


def test_without_prune_nothing_is_removed(app):
    load(ROWS)
    assert load([ROWS[2]]).counts.removed == 0
    assert set(points()) == {"1001", "1002"}


def test_comma_separated_with_bom_is_read_like_semicolons(app):
    rows = [r.replace(";", ",") for r in ROWS]
    summary = import_customers(
        csv_bytes(rows, header=csv_bytes([]).decode().strip().replace(";", ","), bom=True)
    )
    assert (summary.counts.added, summary.rejected) == (2, [])


def test_bad_rows_are_named_by_line_and_the_good_ones_imported(app):
    rows = [
        ROWS[0],  # line 2
        "1003;Koulu;0010;Kalevankatu;9;koulu@example.fi;;fi;owner;school;1",  # bad postcode
        "1004;Tehdas;00100;Kalevankatu;11;;040 12;fi;owner;;1",  # phone does not parse
        '1005;Kauppa;00100;Kalevankatu;13;"kauppa@example.fi\r\nBcc: x@evil.example";;fi;owner;;1',
        "1001;Another name;00100;Kalevankatu;5;toinen@example.fi;;fi;owner;;24",  # duplicate
        "1006;Talo;00100;Kalevankatu;15;talo@example.fi;;de;owner;;1",  # language
        "1007;Talo;00100;Kalevankatu;17;talo@example.fi;;fi;owner;castle;1",  # priority
        ";Talo;00100;Kalevankatu;19;talo@example.fi;;fi;owner;;1",  # no customer number
        "1008;Talo;00100;Kalevankatu;21;talo@example.fi;;fi;owner;;many",  # dwellings
        ROWS[2],
    ]
    summary = load(rows)
    assert summary.counts.added == 2
    lines = [line for line, _ in summary.rejected]
    assert lines == [3, 4, 6, 7, 8, 9, 10, 11]  # the quoted e-mail spans lines 5 and 6
    reasons = dict(summary.rejected)
    assert "0010" in reasons[3] and "postcode" in reasons[3]
    assert "phone" in reasons[4]
    assert "line break" in reasons[6]
    assert "line 2" in reasons[7]
    assert set(points()) == {"1001", "1002"}


def test_a_file_that_is_not_utf8_is_refused_whole(app):
    data = csv_bytes(ROWS[:1]) + "1009;Härmä;00100;Kalevankatu;3;;;fi;;;1\r\n".encode("cp1252")
    with pytest.raises(ImportRefused, match="line 3"):
        import_customers(data)
    assert points() == {}


def test_missing_columns_are_refused_whole(app):
    with pytest.raises(ImportRefused, match="postcode"):
        import_customers(b"customer_number;name;street;house_number\r\n1;x;y;1\r\n")


def test_prune_with_a_rejected_row_removes_nothing(app):
    load(ROWS)
    with pytest.raises(ImportRefused):
        load([ROWS[0], "1003;Koulu;0010;Kalevankatu;9;;;fi;;;1"], prune=True)
    assert set(points()) == {"1001", "1002"}


def test_the_cli_prints_a_summary_with_rejected_lines(app, runner, tmp_path):
    path = tmp_path / "asiakkaat.csv"
    path.write_bytes(csv_bytes([*ROWS, "1003;Koulu;0010;Kalevankatu;9;;;fi;;;1"]))
    result = runner.invoke(args=["customers", "import", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2" in result.output and "5:" in result.output.replace("line 5", "5:")


def test_one_hundred_thousand_rows_import_in_one_go(app):
    rows = [
        f"{n};Taloyhtiö {n};00100;Kalevankatu;{n % 400 + 1};hallinto{n}@example.fi;;fi;"
        f"manager;;{n % 90 + 1}"
        for n in range(100_000)
    ]
    summary = load(rows)
    assert (summary.counts.added, summary.rejected) == (100_000, [])
    assert load(rows).counts.unchanged == 100_000


def test_control_characters_in_a_row_are_refused(app):
    summary = load([ROWS[0], "1003;Koulu\x00;00100;Kalevankatu;9;;;fi;;;1"])
    assert [line for line, _ in summary.rejected] == [3]
    assert "control character" in summary.rejected[0][1]
