"""`tidings bounces` for a self-run mail server: delivery status notifications (RFC 3464)
read from a real Maildir folder, or piped in on stdin by the mail server, quarantine the
addresses that bounced for good and count the soft bounces, once each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import factories
from tests.support.bounce_senders import dsn


def tidings(database_url: str, *args: str, stdin: bytes = b"", **env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "bounces", *args],
        env={**os.environ, "TIDINGS_DATABASE_URL": database_url, **env},
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode().splitlines()


def maildir(root: Path) -> Path:
    for sub in ("new", "cur", "tmp"):
        (root / sub).mkdir(parents=True)
    return root


async def state(client, keys, subscriber) -> dict:
    path = f"/api/v1/subscribers/{subscriber['id']}"
    return (await client.get(path, headers=keys["admin"])).json()


async def test_bounces_in_a_maildir_are_applied_once_and_marked_seen(
    client, keys, tmp_path, database_url
):
    ada = await factories.contact(client, keys["comms_lead"], "ada@example.test")
    bob = await factories.contact(client, keys["comms_lead"], "bob@example.test")
    box = maildir(tmp_path / "bounces")
    (box / "new" / "1.M1P1.mail").write_bytes(dsn("ada@example.test"))
    (box / "new" / "2.M2P1.mail").write_bytes(dsn("bob@example.test", "4.2.2"))
    (box / "new" / "3.M3P1.mail").write_bytes(b"Subject: out of office\r\n\r\nBack Monday.\r\n")
    (box / "cur" / "4.M4P1.mail:2,").write_bytes(dsn("nobody@example.test"))
    (box / "cur" / "5.M5P1.mail:2,S").write_bytes(dsn("bob@example.test"))  # read before
    env = {"TIDINGS_BOUNCES_MAILDIR": str(box), "TIDINGS_BOUNCE_SOFT_LIMIT": "2"}

    lines = tidings(database_url, **env)
    assert lines == [
        "1.M1P1.mail: ada@example.test: hard bounce, quarantined 1 subscriber",
        "2.M2P1.mail: bob@example.test: soft bounce, counted (1 of 2)",
        "3.M3P1.mail: not a delivery status notification (no multipart/report; "
        "report-type=delivery-status): ignored",
        "4.M4P1.mail: nobody@example.test: hard bounce, no subscriber has it",
    ]
    now = await state(client, keys, ada)
    assert now["state"] == "quarantined"
    assert now["quarantine_reason"] == (
        "hard bounce: 550 5.1.1 <ada@example.test>: Recipient address rejected: User unknown"
    )
    assert (await state(client, keys, bob))["state"] == "active"
    assert list((box / "new").iterdir()) == []
    assert sorted(p.name for p in (box / "cur").iterdir()) == [
        "1.M1P1.mail:2,S",
        "2.M2P1.mail:2,S",
        "3.M3P1.mail:2,S",
        "4.M4P1.mail:2,S",
        "5.M5P1.mail:2,S",
    ]

    # A second run finds nothing new: Bob's soft bounce is not counted again.
    assert tidings(database_url, "--maildir", str(box), TIDINGS_BOUNCE_SOFT_LIMIT="2") == []
    assert (await state(client, keys, bob))["state"] == "active"

    # The mail server pipes the next one in: Bob's second soft bounce quarantines him.
    piped = dsn("bob@example.test", "4.2.2")
    assert tidings(database_url, "--stdin", stdin=piped, TIDINGS_BOUNCE_SOFT_LIMIT="2") == [
        "stdin: bob@example.test: soft bounce, quarantined 1 subscriber"
    ]
    assert (await state(client, keys, bob))["quarantine_reason"] == (
        "2 soft bounces (last: 452 4.2.2 <bob@example.test>: Mailbox full)"
    )
    again = tidings(database_url, "--stdin", stdin=piped)
    assert len(again) == 1 and again[0].startswith("stdin: already counted (<")


async def test_processed_messages_can_be_deleted_instead(client, keys, tmp_path, database_url):
    await factories.contact(client, keys["comms_lead"], "ada@example.test")
    box = maildir(tmp_path / "bounces")
    (box / "new" / "1.M1P1.mail").write_bytes(dsn("ada@example.test"))
    lines = tidings(database_url, "--maildir", str(box), "--delete")
    assert lines == ["1.M1P1.mail: ada@example.test: hard bounce, quarantined 1 subscriber"]
    assert list((box / "new").iterdir()) == list((box / "cur").iterdir()) == []


def test_without_a_folder_or_stdin_it_says_what_to_give(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "bounces"],
        env={**os.environ, "TIDINGS_DATABASE_URL": database_url},
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    assert "give --maildir DIR or --stdin, or set TIDINGS_BOUNCES_MAILDIR" in result.stderr.decode()
