"""An author who asked for it hears by email when a reviewer publishes or sends back their
words; nobody else gets that email, and subscribers' emails are as before."""

from __future__ import annotations

from tests.support import factories
from tests.support.delivery import drain
from tests.support.desk import HTML, csrf, sign_in


async def _settings(client, **form):  # type: ignore[no-untyped-def]
    page = await client.get("/admin/settings")
    return await client.post(
        "/admin/settings",
        data={"_csrf": csrf(page.text), **form},
        headers=HTML,
        follow_redirects=False,
    )


async def _draft_by_rita(client, keys):  # type: ignore[no-untyped-def]
    """An incident with an email subscriber, and a draft rita wrote and submitted."""
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client, keys["responder"], "Slow API", components=[{"id": api["id"]}]
    )
    await factories.contact(client, keys["comms_lead"], "ops@acme.test")
    await sign_in(client, "rita")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    created = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(page.text),
            "status": "investigating",
            "body": "Some API calls are slow; we are looking.",
            "then": "submit",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    assert "error" not in created.headers["location"], created.headers["location"]
    return incident, created.headers["location"].split("?")[0].rsplit("/", 1)[1]


async def _as_lead(client, path, **form):  # type: ignore[no-untyped-def]
    await sign_in(client, "lead")
    queue = await client.get("/admin/queue")
    response = await client.post(
        path, data={"_csrf": csrf(queue.text), **form}, follow_redirects=False
    )
    assert response.status_code == 303 and "error" not in response.headers["location"], (
        response.headers["location"]
    )


async def test_an_author_who_asked_hears_of_send_back_with_the_reason_and_of_publishing(
    client, keys, users, smtp, worker
):
    await sign_in(client, "rita")
    saved = await _settings(client, email="rita@team.test", notify_me="on")
    assert saved.status_code == 303
    incident, draft_id = await _draft_by_rita(client, keys)

    await _as_lead(
        client, f"/admin/updates/{draft_id}/reject", reason="Say which regions are slow."
    )
    await drain(worker)
    [sent_back] = smtp.messages
    assert sent_back["To"] == "rita@team.test"
    assert sent_back["Subject"] == "Your words on Slow API were sent back by lead"
    text = sent_back.get_body(("plain",)).get_content()
    assert "Say which regions are slow." in text
    assert f"/admin/incidents/{incident['id']}" in text

    await sign_in(client, "rita")
    page = await client.get(f"/admin/updates/{draft_id}")
    resubmitted = await client.post(
        f"/admin/updates/{draft_id}/submit",
        data={"_csrf": csrf(page.text), "body": "Calls in eu-west are slow; we are looking."},
        follow_redirects=False,
    )
    assert resubmitted.status_code == 303
    await _as_lead(client, f"/admin/updates/{draft_id}/approve")
    await drain(worker)

    notices = smtp.to("rita@team.test")
    assert [m["Subject"] for m in notices] == [
        "Your words on Slow API were sent back by lead",
        "Your words on Slow API were published by lead",
    ]
    # The subscriber got the update itself, and nothing of the desk's notice.
    [update_email] = smtp.to("ops@acme.test")
    assert "Investigating" in update_email["Subject"]
    body = update_email.get_body(("plain",)).get_content()
    assert "eu-west" in body
    assert "rita" not in body and "/admin/" not in body
    assert len(smtp.messages) == 3


async def test_an_author_who_did_not_ask_or_gave_no_address_gets_nothing(
    client, keys, users, smtp, worker
):
    await sign_in(client, "rita")
    assert (await _settings(client, email="rita@team.test")).status_code == 303
    _, draft_id = await _draft_by_rita(client, keys)
    await _as_lead(client, f"/admin/updates/{draft_id}/reject", reason="Too vague.")
    await drain(worker)
    assert smtp.to("rita@team.test") == []

    # Asking without an address is refused, so it cannot silently send nothing.
    await sign_in(client, "rita")
    refused = await _settings(client, email="", notify_me="on")
    assert refused.status_code == 422
    assert "give an email address" in refused.text
    bad = await _settings(client, email="rita at team", notify_me="on")
    assert bad.status_code == 422
    assert "must be an email address" in bad.text
    assert smtp.messages == []


async def test_a_retried_notice_reaches_the_author_once_the_mail_server_takes_it(
    client, keys, users, smtp, worker, clock
):
    await sign_in(client, "rita")
    await _settings(client, email="rita@team.test", notify_me="on")
    _, draft_id = await _draft_by_rita(client, keys)
    smtp.data_reply = "451 4.3.0 try again later"
    await _as_lead(client, f"/admin/updates/{draft_id}/reject", reason="Too vague.")
    await drain(worker)
    assert smtp.to("rita@team.test") == []
    smtp.data_reply = None
    clock.advance(minutes=30)
    await drain(worker)
    assert [m["Subject"] for m in smtp.to("rita@team.test")] == [
        "Your words on Slow API were sent back by lead"
    ]


async def test_a_lead_who_publishes_their_own_words_is_not_emailed_about_it(
    client, keys, users, smtp, worker
):
    await sign_in(client, "lead")
    await _settings(client, email="lead@team.test", notify_me="on")
    incident = await factories.incident(client, keys["responder"], "Slow API")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    created = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={"_csrf": csrf(page.text), "status": "investigating", "body": "Looking into it."},
        follow_redirects=False,
    )
    draft_id = created.headers["location"].split("?")[0].rsplit("/", 1)[1]
    await _as_lead(client, f"/admin/updates/{draft_id}/submit")
    await _as_lead(client, f"/admin/updates/{draft_id}/approve")
    published = await client.get(f"/api/v1/updates/{draft_id}", headers=keys["responder"])
    assert published.json()["update"]["state"] == "published"
    await drain(worker)
    assert smtp.messages == []
