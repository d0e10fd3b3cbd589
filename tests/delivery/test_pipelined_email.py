"""Email over a connection that pipelines MAIL, RCPT and DATA (RFC 2920) where the server's
EHLO offers it, and sends one command at a time where it does not: a real aiosmtpd on
loopback either way."""

from __future__ import annotations

import pytest
import uvloop

from app.delivery.smtp_wire import ConnectionGone, Replies, SmtpWire, content
from tests.support import factories
from tests.support.delivery import drain

pytestmark = pytest.mark.settings(worker_concurrency=4)

READERS = [f"reader{n}@example.org" for n in range(12)]


async def _publish_to(client, keys, addresses: list[str]) -> str:  # type: ignore[no-untyped-def]
    for address in addresses:
        await factories.contact(client, keys["comms_lead"], address)
    incident = await factories.incident(client, keys["responder"], "Outage")
    update = await factories.publish(client, keys["comms_lead"], incident["id"], "Looking.")
    return str(update["id"])


async def _report(client, keys, update_id: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    path = f"/api/v1/updates/{update_id}/deliveries"
    return dict((await client.get(path, headers=keys["responder"])).json())


async def _open(port: int) -> SmtpWire:
    return await SmtpWire.open(
        host="127.0.0.1",
        port=port,
        start_tls=False,
        username=None,
        password=None,
        answer_within=10,
    )


async def test_a_server_offering_pipelining_is_sent_to_pipelined(smtp):
    wire = await _open(smtp.port)
    try:
        assert wire.pipelining
    finally:
        await wire.quit()


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-at-a-time"])
async def test_every_reader_gets_the_update_exactly_once(client, keys, smtp, worker, pipelining):
    smtp.pipelining = pipelining
    update_id = await _publish_to(client, keys, READERS)
    await drain(worker)
    assert sorted(m["To"] for m in smtp.messages) == sorted(READERS)
    assert (await _report(client, keys, update_id))["counts"]["sent"] == len(READERS)


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelined", "one-at-a-time"])
async def test_a_refused_address_is_that_readers_failure_and_the_others_still_get_it(
    client, keys, smtp, worker, pipelining
):
    smtp.pipelining = pipelining
    smtp.refuse.add("gone@example.org")
    update_id = await _publish_to(client, keys, ["gone@example.org", *READERS])
    await drain(worker)
    assert sorted(m["To"] for m in smtp.messages) == sorted(READERS)
    report = await _report(client, keys, update_id)
    assert report["counts"]["sent"] == len(READERS)
    assert report["counts"]["failed"] == 1
    (failure,) = report["failures"]
    assert "550" in failure["last_error"]
    assert "no such mailbox" in failure["last_error"]


async def test_after_a_refused_recipient_the_same_connection_sends_the_next_message(smtp):
    smtp.refuse.add("gone@example.org")
    wire = await _open(smtp.port)
    try:
        refused = await wire.send(
            "news@example.org", "gone@example.org", b"Subject: a\r\n\r\nA\r\n"
        )
        sent = await wire.send("news@example.org", "here@example.org", b"Subject: b\r\n\r\nB\r\n")
    finally:
        await wire.quit()
    assert (refused.ok, refused.permanent) == (False, True)
    assert sent.ok
    assert smtp.raw == [b"Subject: b\r\n\r\nB\r\n"]


def test_a_message_is_delivered_on_uvloop_the_loop_tidings_serve_runs_on(smtp):
    # granian runs the embedded worker on uvloop, whose transports are not asyncio's.
    async def send_one() -> bool:
        wire = await _open(smtp.port)
        try:
            return (
                await wire.send("news@example.org", "here@example.org", b"Subject: u\r\n\r\nU\r\n")
            ).ok
        finally:
            await wire.quit()

    assert uvloop.run(send_one())
    assert smtp.raw == [b"Subject: u\r\n\r\nU\r\n"]


async def test_lines_starting_with_a_dot_and_bare_line_ends_arrive_as_written(smtp):
    wire = await _open(smtp.port)
    try:
        outcome = await wire.send(
            "news@example.org",
            "reader@example.org",
            b"Subject: dots\r\n\r\n.one dot\r\n..two dots\nbare line end\n.",
        )
    finally:
        await wire.quit()
    assert outcome.ok
    # The last line gets its line end, as every line on the wire must have one.
    assert smtp.raw == [b"Subject: dots\r\n\r\n.one dot\r\n..two dots\r\nbare line end\r\n.\r\n"]


def test_the_message_on_the_wire_ends_with_the_lone_dot():
    assert content(b"Hello\r\n") == b"Hello\r\n.\r\n"
    assert content(b".hidden") == b"..hidden\r\n.\r\n"


async def test_replies_are_read_in_order_however_the_packets_split_them():
    replies = Replies()
    replies.data_received(b"250 OK\r\n25")
    replies.data_received(b"0-first line\r\n250 second line\r\n354 go ahead\r")
    replies.data_received(b"\n")
    read = [await replies.next() for _ in range(3)]
    assert [(r.code, r.text) for r in read] == [
        (250, "OK"),
        (250, "first line\nsecond line"),
        (354, "go ahead"),
    ]


async def test_an_answer_that_is_not_smtp_ends_the_connection():
    replies = Replies()
    replies.data_received(b"HTTP/1.1 400 Bad Request\r\n")
    with pytest.raises(ConnectionGone):
        await replies.next()


async def test_an_address_beyond_ascii_is_delivered_where_the_server_offers_smtputf8(
    client, keys, smtp, worker
):
    await _publish_to(client, keys, ["josé@example.org", "jose@example.org"])
    await drain(worker)
    assert sorted(m["To"] for m in smtp.messages) == ['"josé@example.org"', "jose@example.org"]
