"""The desk's triage page: alert incidents waiting for a person, accepted or declined."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.desk import HTML, csrf, sign_in, text_of

pytestmark = pytest.mark.usefixtures("users")


async def test_the_triage_page_shows_alert_incidents_and_a_responder_accepts_one(client, keys):
    await factories.component(client, keys["admin"], "API")
    await factories.customer(client, keys["admin"], "Acme", [])
    incident_id = await factories.alert(
        client, keys["responder"], components=["API"], customers=["Acme"]
    )
    await factories.alert(client, keys["responder"], components=["API"], customers=["Acme"])
    await sign_in(client, "rita")
    desk = await client.get("/admin")
    assert "1 alert incident waiting for triage" in text_of(desk)

    incident_page = await client.get(f"/admin/incidents/{incident_id}")
    assert "Opened by an alert from grafana and waiting for triage" in text_of(incident_page)
    triage = await client.get("/admin/triage")
    text = text_of(triage)
    for seen in ("API 5xx spike", "grafana", "api-5xx", "2 (firing)", "API", "Acme", "First seen"):
        assert seen in text, seen
    accepted = await client.post(
        f"/admin/triage/{incident_id}/accept",
        data={"_csrf": csrf(triage.text), "visibility": "public"},
    )
    assert accepted.url.path == "/admin/queue"
    assert "Accepted “API 5xx spike”" in text_of(accepted)
    assert "may have trouble using API" in text_of(accepted)  # the investigating template
    incident = (
        await client.get(f"/api/v1/incidents/{incident_id}", headers=keys["responder"])
    ).json()
    assert (incident["status"], incident["visibility"]) == ("investigating", "public")
    assert "Nothing waiting for triage." in (await client.get("/admin/triage")).text
    assert "waiting for triage" not in (await client.get(f"/admin/incidents/{incident_id}")).text
    again = await client.post(
        f"/admin/triage/{incident_id}/accept", data={"_csrf": csrf(triage.text)}
    )
    assert "already accepted" in again.text


async def test_declining_needs_a_reason_and_closes_the_incident(client, keys):
    incident_id = await factories.alert(client, keys["responder"])
    await sign_in(client, "rita")
    triage = await client.get("/admin/triage")
    decline = f"/admin/triage/{incident_id}/decline"
    blank = await client.post(decline, data={"_csrf": csrf(triage.text), "reason": "  "})
    assert "reason must not be blank" in blank.text
    declined = await client.post(
        decline, data={"_csrf": csrf(triage.text), "reason": "Synthetic check misfired"}
    )
    assert "Declined “API 5xx spike”: closed and kept out of history." in text_of(declined)
    assert "Nothing waiting for triage." in declined.text
    threads = (await client.get("/api/v1/intake/threads", headers=keys["responder"])).json()
    assert (threads[0]["state"], threads[0]["decline_reason"]) == (
        "declined",
        "Synthetic check misfired",
    )


async def test_triage_forms_without_the_csrf_token_are_refused(client, keys):
    incident_id = await factories.alert(client, keys["responder"])
    await sign_in(client, "rita")
    for action, data in (("accept", {}), ("decline", {"reason": "noise"})):
        response = await client.post(
            f"/admin/triage/{incident_id}/{action}", data=data, headers=HTML
        )
        assert response.status_code == 403, action
    threads = (await client.get("/api/v1/intake/threads", headers=keys["responder"])).json()
    assert threads[0]["state"] == "triage"
