"""An update email says each thing once: the promise of the next update (in the words, or
on its own line when the words do not make it), and no offer to follow an incident to a
reader who is already told of its updates."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.delivery import drain
from tests.support.update_email import send_update

pytestmark = pytest.mark.settings(time_zone="Europe/Paris")


async def test_words_that_promise_the_next_update_are_not_followed_by_the_promise_again(
    client, keys, smtp, worker
):
    html, text = await send_update(
        client, keys, smtp, worker, body="Requests fail. We'll post the next update by 14:30 CET."
    )
    for part in (html, text):
        assert part.count("14:30") == 1, part
        assert "Next update by" not in part


async def test_words_that_promise_in_their_own_way_are_not_repeated_either(
    client, keys, smtp, worker
):
    html, text = await send_update(
        client, keys, smtp, worker, body="Requests fail. We will update you within the hour."
    )
    for part in (html, text):
        assert "Next update by" not in part and "update you within the hour" in part


async def test_words_without_a_promise_get_the_promise_on_its_own_line(client, keys, smtp, worker):
    html, text = await send_update(client, keys, smtp, worker, body="Requests fail.")
    for part in (html, text):
        assert part.count("Next update by Jan 15, 14:30 CET") == 1


async def test_the_email_links_the_incident_without_offering_to_follow_it(
    client, keys, smtp, worker
):
    html, text = await send_update(client, keys, smtp, worker)
    assert "Follow this" not in html and "Follow this" not in text
    assert "See this incident on the status page" in html
    assert "This incident on the status page: http://status.example.test/incidents/" in text


async def test_a_follower_is_not_offered_to_follow_what_it_follows(client, keys, smtp, worker):
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client,
        keys["comms_lead"],
        "API errors",
        components=[{"id": api["id"], "status": "partial_outage"}],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Requests fail.")
    followed = await client.post(
        f"/incidents/{incident['id']}/follow", data={"email": "fan@example.org"}
    )
    assert followed.status_code == 200, followed.text
    await drain(worker)
    (confirmation,) = smtp.to("fan@example.org")
    link = next(
        w for w in confirmation.get_body(("plain",)).get_content().split() if "/confirm/" in w
    )
    confirmed = await client.post(link)
    assert "each update on “API errors” until it is resolved" in confirmed.text
    await factories.publish(client, keys["comms_lead"], incident["id"], "Fixed.", "resolved")
    await drain(worker)
    update = smtp.to("fan@example.org")[-1]
    for part in (update.get_body(("plain",)), update.get_body(("html",))):
        assert "Follow this" not in part.get_content()
