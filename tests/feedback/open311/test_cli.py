"""`fairheat open311 keys create|list|revoke`."""

from __future__ import annotations

from tests.feedback.open311.city_app import (
    submit,
)


def test_key_commands_create_list_and_revoke(client, runner):
    created = runner.invoke(args=["open311", "keys", "create", "--name", "City app"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    assert key.startswith("o311_") and len(key) > 40
    assert submit(client, key).status_code == 200

    listed = runner.invoke(args=["open311", "keys", "list"])
    assert listed.exit_code == 0
    (line,) = listed.output.strip().splitlines()
    assert "\tCity app\t" in line
    assert line.endswith("active")
    assert key not in listed.output

    key_id = line.split("\t")[0]
    revoked = runner.invoke(args=["open311", "keys", "revoke", key_id])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(args=["open311", "keys", "list"]).output
    assert submit(client, key).status_code == 403

    missing = runner.invoke(args=["open311", "keys", "revoke", "999999"])
    assert missing.exit_code == 1
    blank = runner.invoke(args=["open311", "keys", "create", "--name", "  "])
    assert blank.exit_code == 1
