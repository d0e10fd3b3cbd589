"""Customers-only words reach the customers they were published for, on every surface a
customer reads (page, incident page, history, feeds, Statuspage JSON), and never anyone
else: not the other users of a component of an incident that names its customers, not a
customer added, given a component or named later, and not the public or the static copy
when the incident is made public afterwards."""

from __future__ import annotations

from pathlib import Path

from tests.support import factories
from tests.support.polling import eventually

SURFACES = (
    "",
    "history",
    "feed.rss",
    "feed.atom",
    "history.rss",
    "history.atom",
    "api/v2/summary.json",
    "api/v2/incidents.json",
    "api/v2/incidents/unresolved.json",
)


def _prefix(customer) -> str:  # type: ignore[no-untyped-def]
    """A customer's pages, as a path: /c/<token>/ (the public's: /)."""
    if customer is None:
        return "/"
    return "/c/" + customer["page_url"].rsplit("/c/", 1)[1].rstrip("/") + "/"


async def _reads(client, customer, incident_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What this reader reads on each of its surfaces (a 404 reads as nothing)."""
    read = {}
    for path in (*SURFACES, f"incidents/{incident_id}"):
        response = await client.get(_prefix(customer) + path)
        assert response.status_code in (200, 404), (path, response.status_code)
        read[path] = response.text if response.status_code == 200 else ""
    return read


async def _reads_everywhere(client, customer, incident_id: str, words: str) -> bool:  # type: ignore[no-untyped-def]
    """The words are on the incident's page, the reader's feeds and its JSON (the front page
    shows only an incident's latest words)."""
    read = await _reads(client, customer, incident_id)
    shown = (f"incidents/{incident_id}", "feed.rss", "feed.atom", "api/v2/incidents.json")
    return all(words in read[path] for path in shown)


async def _reads_anywhere(client, customer, incident_id: str, words: str) -> list[str]:  # type: ignore[no-untyped-def]
    read = await _reads(client, customer, incident_id)
    return [path for path, text in read.items() if words in text]


async def test_an_incident_naming_a_customer_is_not_shown_to_other_users_of_its_components(
    client, keys
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [api["id"]])
    incident = await factories.incident(
        client,
        keys["responder"],
        "Globex API keys expired",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
        customers=[globex["id"]],
    )
    await factories.publish(client, keys["comms_lead"], incident["id"], "Your keys are renewed.")

    assert await _reads_everywhere(client, globex, incident["id"], "Your keys are renewed.")
    assert await _reads_anywhere(client, acme, incident["id"], "Your keys are renewed.") == []
    assert await _reads_anywhere(client, acme, incident["id"], "Globex API keys") == []
    # Nor does Acme's page show its API broken by Globex's incident.
    components = (await client.get(_prefix(acme) + "api/v2/components.json")).json()
    assert {c["name"]: c["status"] for c in components["components"]} == {"API": "operational"}


async def test_a_customer_added_later_does_not_read_customers_only_words_published_before(
    client, keys
):
    api = await factories.component(client, keys["admin"], "API")
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    incident = await factories.incident(
        client,
        keys["responder"],
        "API errors",
        visibility="customers",
        components=[{"id": api["id"], "status": "major_outage"}],
    )
    before = "Your API calls fail: we rotate the keys of your account."
    await factories.publish(client, keys["comms_lead"], incident["id"], before)
    # A customer created with the component, and one given it afterwards.
    initech = await factories.customer(client, keys["admin"], "Initech", [api["id"]])
    globex = await factories.customer(client, keys["admin"], "Globex", [])
    given = await client.patch(
        f"/api/v1/customers/{globex['id']}",
        json={"components": [api["id"]]},
        headers=keys["admin"],
    )
    assert given.status_code == 200, given.text

    assert await _reads_everywhere(client, acme, incident["id"], before)
    for newcomer in (initech, globex):
        assert await _reads_anywhere(client, newcomer, incident["id"], before) == []
        # With nothing published for it, the incident is not theirs to see at all yet.
        assert await _reads_anywhere(client, newcomer, incident["id"], "API errors") == []

    after = "The API answers again for everyone using it."
    await factories.publish(client, keys["comms_lead"], incident["id"], after, "monitoring")
    for newcomer in (initech, globex):
        assert await _reads_everywhere(client, newcomer, incident["id"], after)
        assert await _reads_anywhere(client, newcomer, incident["id"], before) == []
    assert await _reads_everywhere(client, acme, incident["id"], before)
    assert await _reads_everywhere(client, acme, incident["id"], after)


async def test_a_customer_named_later_does_not_read_the_words_published_before(client, keys):
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    globex = await factories.customer(client, keys["admin"], "Globex", [])
    incident = await factories.incident(
        client, keys["responder"], "Key rotation", visibility="customers", customers=[acme["id"]]
    )
    before = "The keys of Acme rotate at noon."
    await factories.publish(client, keys["comms_lead"], incident["id"], before)
    named = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"customers": [acme["id"], globex["id"]]},
        headers=keys["comms_lead"],
    )
    assert named.status_code == 200, named.text
    assert await _reads_anywhere(client, globex, incident["id"], before) == []
    assert await _reads_everywhere(client, acme, incident["id"], before)


async def test_customers_only_words_stay_off_the_public_page_and_copy_when_the_incident_goes_public(
    copying_client, copy_dir: Path, keys
):
    client = copying_client
    acme = await factories.customer(client, keys["admin"], "Acme", [])
    incident = await factories.incident(
        client, keys["responder"], "Slow exports", visibility="customers", customers=[acme["id"]]
    )
    private = "The nightly export of Acme is stuck behind a bad row."
    await factories.publish(client, keys["comms_lead"], incident["id"], private)
    widened = await client.patch(
        f"/api/v1/incidents/{incident['id']}",
        json={"visibility": "public"},
        headers=keys["comms_lead"],
    )
    assert widened.status_code == 200, widened.text
    public = "Exports are slow for some customers."
    await factories.publish(client, keys["comms_lead"], incident["id"], public, "identified")

    # Public words stay public; the words published for Acme stay Acme's.
    assert await _reads_everywhere(client, None, incident["id"], public)
    assert await _reads_anywhere(client, None, incident["id"], private) == []
    assert await _reads_everywhere(client, acme, incident["id"], private)
    assert await _reads_everywhere(client, acme, incident["id"], public)

    def copied() -> bool:
        try:
            return public in (copy_dir / f"incidents/{incident['id']}/index.html").read_text()
        except OSError:
            return False

    assert await eventually(copied, seconds=10)
    await client.app.state.static_copy.written(seconds=10)
    assert [path for path, text in _copy(copy_dir).items() if private in text] == []


def _copy(folder: Path) -> dict[str, str]:
    """Every plain file of the static copy as text."""
    return {
        str(path): path.read_text(errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and path.suffix != ".gz"
    }
