"""One update in several languages: a draft carries German and Japanese words beside the
site's English, the queue shows them all, an approval binds every language as shown, and the
policy may refuse words that lack a customer's language. Through the JSON API and the desk."""

from __future__ import annotations

from sqlalchemy import update

from app.customers.models import Customer
from app.settings import page_id_for
from tests.support import factories
from tests.support.desk import csrf, sign_in

GERMAN = "Die API antwortet mit Fehlern. Wir arbeiten daran."
JAPANESE = "APIでエラーが発生しています。対応中です。"


async def _incident(client, keys):  # type: ignore[no-untyped-def]
    api = await factories.component(client, keys["admin"], "API")
    incident = await factories.incident(
        client, keys["responder"], "API errors", components=[{"id": api["id"]}]
    )
    return api, incident


async def _draft(client, keys, incident_id, translations):  # type: ignore[no-untyped-def]
    created = await client.post(
        f"/api/v1/incidents/{incident_id}/drafts",
        json={"body": "The API fails; we are on it.", "translations": translations},
        headers=keys["responder"],
    )
    assert created.status_code == 201, created.text
    return created.json()["update"]


async def test_a_draft_carries_its_words_in_german_and_japanese_and_reads_them_back(client, keys):
    _api, incident = await _incident(client, keys)
    draft = await _draft(client, keys, incident["id"], {"de": GERMAN, "ja": JAPANESE})
    assert draft["translations"] == {"de": GERMAN, "ja": JAPANESE}

    edited = await client.patch(
        f"/api/v1/updates/{draft['id']}",
        json={"translations": {"de": GERMAN}},
        headers=keys["responder"],
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["translations"] == {"de": GERMAN}, "Japanese removed, German kept"

    read = await client.get(f"/api/v1/incidents/{incident['id']}", headers=keys["responder"])
    assert read.json()["updates"][0]["translations"] == {"de": GERMAN}


async def test_an_unknown_language_or_blank_words_are_refused_with_a_message(client, keys):
    _api, incident = await _incident(client, keys)
    url = f"/api/v1/incidents/{incident['id']}/drafts"
    for translations, says in (
        ({"xx": "Words"}, "'xx' is not a language we publish in"),
        ({"de": "   "}, "the words in Deutsch (de) must not be blank"),
        ({"en": "Words"}, "en is the site's language"),
    ):
        refused = await client.post(
            url, json={"body": "Words.", "translations": translations}, headers=keys["responder"]
        )
        assert refused.status_code == 422, refused.text
        assert says in refused.text
    published = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={"status": "investigating", "body": "Words.", "translations": {"fr": ""}},
        headers=keys["comms_lead"],
    )
    assert published.status_code == 422 and "Français" in published.text


async def test_a_placeholder_left_in_the_japanese_words_refuses_the_submission(client, keys):
    _api, incident = await _incident(client, keys)
    draft = await _draft(client, keys, incident["id"], {"ja": "[影響を受けるサービス] で障害"})
    refused = await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    assert refused.status_code == 422
    assert "in 日本語" in refused.text and "unfinished" in refused.text


async def test_the_queue_shows_every_language_of_a_draft_side_by_side(client, keys, users):
    _api, incident = await _incident(client, keys)
    draft = await _draft(client, keys, incident["id"], {"de": GERMAN, "ja": JAPANESE})
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])

    await sign_in(client, "lead")
    page = await client.get("/admin/queue")
    assert page.status_code == 200
    assert "In 3 languages: approving approves them all" in page.text
    assert 'lang="de"' in page.text and GERMAN in page.text
    assert 'lang="ja"' in page.text and JAPANESE in page.text


async def test_approving_after_the_german_words_changed_is_a_409_look_again(client, keys):
    _api, incident = await _incident(client, keys)
    draft = await _draft(client, keys, incident["id"], {"de": GERMAN, "ja": JAPANESE})
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    shown = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()[0]["version"]

    # Sent back, the German changed, submitted again: the reviewer's screen is stale.
    await client.post(
        f"/api/v1/updates/{draft['id']}/reject",
        json={"reason": "the German is too terse"},
        headers=keys["comms_lead"],
    )
    await client.patch(
        f"/api/v1/updates/{draft['id']}",
        json={"translations": {"de": GERMAN + " Entschuldigung.", "ja": JAPANESE}},
        headers=keys["responder"],
    )
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])

    refused = await client.post(
        f"/api/v1/updates/{draft['id']}/approve",
        json={"version": shown},
        headers=keys["comms_lead"],
    )
    assert refused.status_code == 409, refused.text
    assert "look again" in refused.text
    now = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()[0]["version"]
    assert now != shown
    approved = await client.post(
        f"/api/v1/updates/{draft['id']}/approve",
        json={"version": now},
        headers=keys["comms_lead"],
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["translations"]["de"].endswith("Entschuldigung.")


async def test_a_change_of_words_in_one_language_is_named_in_what_changed() -> None:
    from app.comms.review import binding

    before = {"visibility": "public", "words": {"body": "a", "de": "b"}}
    after = {"visibility": "public", "words": {"body": "a", "de": "c", "ja": "d"}}
    assert await binding.describe_changes(None, before, after) == [  # type: ignore[arg-type]
        "the words in Deutsch changed",
        "the words in 日本語 added",
    ]


async def test_the_policy_refuses_words_without_a_customers_language_naming_both(
    client, keys, sessionmaker
):
    api, incident = await _incident(client, keys)
    acme = await factories.customer(client, keys["admin"], "Acme", [api["id"]])
    async with sessionmaker() as session:
        await session.execute(
            update(Customer).where(Customer.id == acme["id"]).values(language="ja")
        )
        await session.commit()
    turned_on = await client.patch(
        "/api/v1/comms-policy", json={"require_customer_language": True}, headers=keys["admin"]
    )
    assert turned_on.status_code == 200 and turned_on.json()["require_customer_language"]

    draft = await _draft(client, keys, incident["id"], {"de": GERMAN})
    await client.post(f"/api/v1/updates/{draft['id']}/submit", headers=keys["responder"])
    refused = await client.post(
        f"/api/v1/updates/{draft['id']}/approve", headers=keys["comms_lead"]
    )
    assert refused.status_code == 422, refused.text
    assert "Acme reads 日本語 (ja)" in refused.text
    queue = (await client.get("/api/v1/queue", headers=keys["comms_lead"])).json()
    assert [item["update"]["id"] for item in queue] == [draft["id"]], "still waiting, unpublished"

    published = await client.post(
        f"/api/v1/incidents/{incident['id']}/updates",
        json={
            "status": "identified",
            "body": "Found it.",
            "translations": {"ja": "原因を特定しました。"},
            "publish": True,
        },
        headers=keys["comms_lead"],
    )
    assert published.status_code == 201, published.text


async def test_the_manage_api_refuses_words_in_other_languages(client, keys, settings):
    refused = await client.post(
        f"/v1/pages/{page_id_for(settings)}/incidents",
        json={"incident": {"name": "Down", "body": "Down.", "translations": {"de": "Weg."}}},
        headers=keys["comms_lead"],
    )
    assert refused.status_code == 422, refused.text
    assert "site's language only" in refused.text


async def test_the_desk_draft_form_saves_the_words_in_other_languages(client, keys, users):
    _api, incident = await _incident(client, keys)
    await sign_in(client, "lead")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    assert "The same update in other languages" in page.text
    saved = await client.post(
        f"/admin/incidents/{incident['id']}/drafts",
        data={
            "_csrf": csrf(page.text),
            "body": "The API fails.",
            "words:de": GERMAN,
            "words:ja": "",
            "then": "save",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    drafts = (
        await client.get(f"/api/v1/incidents/{incident['id']}/drafts", headers=keys["comms_lead"])
    ).json()
    assert drafts[0]["update"]["translations"] == {"de": GERMAN}


async def test_filling_german_from_a_template_uses_the_german_template_or_says_it_has_none(
    client, keys, users
):
    _api, incident = await _incident(client, keys)
    english = await client.post(
        "/api/v1/templates",
        json={"name": "Looking", "status": "investigating", "body": "We are looking into it."},
        headers=keys["admin"],
    )
    assert english.status_code == 201, english.text
    german = await client.post(
        "/api/v1/templates",
        json={
            "name": "Looking",
            "status": "investigating",
            "body": "Wir untersuchen die Störung.",
            "language": "de",
        },
        headers=keys["admin"],
    )
    assert german.status_code == 201, german.text
    assert german.json()["language"] == "de"
    again = await client.post(
        "/api/v1/templates",
        json={"name": "Looking", "status": "investigating", "body": "x", "language": "de"},
        headers=keys["admin"],
    )
    assert again.status_code == 409, "a name is unique per language"

    await sign_in(client, "lead")
    page = await client.get(f"/admin/incidents/{incident['id']}")
    form = {"_csrf": csrf(page.text), "template_id": english.json()["id"], "body": ""}
    filled = await client.post(
        f"/admin/incidents/{incident['id']}/compose", data={**form, "fill_language": "de"}
    )
    assert "Wir untersuchen die Störung." in filled.text
    fallback = await client.post(
        f"/admin/incidents/{incident['id']}/compose", data={**form, "fill_language": "ja"}
    )
    assert "No template in 日本語 for “Looking”" in fallback.text


async def test_an_example_keeps_the_german_words_and_is_offered_when_writing_german(
    client, keys, users
):
    api, incident = await _incident(client, keys)
    published = await factories.publish(
        client, keys["comms_lead"], incident["id"], "The API fails.", translations={"de": GERMAN}
    )
    marked = await client.put(
        f"/api/v1/examples/{published['id']}",
        json={"tags": ["api"], "language": "de"},
        headers=keys["comms_lead"],
    )
    assert marked.status_code == 200, marked.text
    assert (marked.json()["language"], marked.json()["body"]) == ("de", GERMAN)
    refused = await client.put(
        f"/api/v1/examples/{published['id']}", json={"language": "ja"}, headers=keys["comms_lead"]
    )
    assert refused.status_code == 422 and "no words in ja" in refused.text

    other = await factories.incident(
        client, keys["responder"], "API slow", components=[{"id": api["id"]}]
    )
    await sign_in(client, "lead")
    page = (await client.get(f"/admin/incidents/{other['id']}")).text
    german = page[page.index('name="words:de"') :]
    assert "Similar past words in Deutsch" in german and GERMAN in german
