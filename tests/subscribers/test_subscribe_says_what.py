"""Subscribing says what one subscribes to: a customer's form lists its own services first,
and the pages after subscribing and after confirming name what will arrive."""

from __future__ import annotations

import html
import re

from tests.support import factories
from tests.support.delivery import drain


def _link(message) -> str:  # type: ignore[no-untyped-def]
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://status\.example\.test/\S+", text).group(0)  # type: ignore[union-attr]


async def _components(client, keys):  # type: ignore[no-untyped-def]
    names = [("Billing", None), ("API", "Platform"), ("Dashboard", "Platform"), ("Search", "Data")]
    made = {}
    for name, group in names:
        fields = {"group": group} if group else {}
        made[name] = await factories.component(client, keys["admin"], name, **fields)
    return made


async def test_a_customers_subscribe_form_lists_its_services_first(client, keys):
    made = await _components(client, keys)
    acme = await factories.customer(
        client, keys["admin"], "Acme", [made["Search"]["id"], made["API"]["id"]]
    )
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    page = (await client.get(f"/c/{token}/subscribe")).text
    form = page.split('<form method="post"', 2)[1]
    labels = re.findall(r'<p class="choice-group">([^<]+)</p>|> ([^<>]+)</label>', form)
    said = [group or name for group, name in labels]
    assert said == [
        "Your services",
        "API",
        "Search",
        "Other services",
        "Billing",
        "Platform",
        "Dashboard",
    ]


async def test_the_public_subscribe_form_keeps_the_pages_order(client, keys):
    await _components(client, keys)
    page = (await client.get("/subscribe")).text
    form = page.split('<form method="post"', 2)[1]
    assert "Your services" not in form
    assert form.index("Billing") < form.index("Platform") < form.index("API") < form.index("Data")


async def test_the_pages_after_subscribing_name_what_will_arrive(client, keys, smtp, worker):
    made = await _components(client, keys)
    done = await client.post(
        "/subscribe",
        data={
            "email": "reader@example.org",
            "components": [made["API"]["id"], made["Search"]["id"]],
        },
    )
    assert "incidents and maintenance affecting API and Search on this status page" in done.text
    await drain(worker)
    link = _link(smtp.to("reader@example.org")[0])
    asked = await client.get(link)
    assert "Receive incidents and maintenance affecting API and Search" in asked.text
    confirmed = await client.post(link)
    assert (
        "From now on, reader@example.org receives incidents and maintenance affecting API and "
        "Search on this status page." in confirmed.text
    )


async def test_a_customer_subscriber_with_no_choice_is_told_it_gets_everything_on_its_page(
    client, keys, smtp, worker
):
    made = await _components(client, keys)
    acme = await factories.customer(client, keys["admin"], "Acme", [made["API"]["id"]])
    token = acme["page_url"].rstrip("/").rsplit("/", 1)[1]
    await client.post(f"/c/{token}/subscribe", data={"email": "ops@acme.test"})
    await drain(worker)
    confirmed = await client.post(_link(smtp.to("ops@acme.test")[0]))
    said = html.unescape(confirmed.text)
    assert "receives every incident and maintenance on Acme's status page" in said
