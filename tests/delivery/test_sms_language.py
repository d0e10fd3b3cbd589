"""SMS in the reader's language, through a local stand-in for Twilio. A text with a
character outside GSM-7 (all Japanese) goes as UCS-2, 70 to an SMS: its line of the words
keeps the same share of an SMS and is cut at a pause, since Japanese has no spaces."""

from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from app.delivery.channels.sms import LINE_CHARS_UCS2, one_line
from app.delivery.jobs import DeliveryWorker
from app.lib.sms_segments import GSM7, UCS2, segments
from app.lib.templating import Renderer
from tests.support import factories
from tests.support.delivery import FAST, drain

NUMBER = "+14155550100"


@pytest.fixture
def settings(base_settings, twilio, request):
    marked = request.node.get_closest_marker("settings")
    overrides = {**twilio.settings(), **(marked.kwargs if marked else {})}
    return replace(base_settings, worker_concurrency=2, **overrides)


async def send_all(settings, sessionmaker) -> None:
    worker = DeliveryWorker(settings, sessionmaker, policy=FAST)
    try:
        await drain(worker)
    finally:
        await worker.close()


async def sms_subscriber(client, keys, **fields):
    return await factories._post(
        client,
        "/api/v1/subscribers",
        keys["comms_lead"],
        {"kind": "sms", "address": NUMBER, **fields},
    )


@pytest.mark.settings(language="de")
async def test_on_a_german_site_the_code_is_texted_in_german(
    client, settings, sessionmaker, twilio
):
    asked = await client.post("/subscribe/sms", data={"phone": "+1 415 555 0100"})
    assert asked.status_code == 200
    await send_all(settings, sessionmaker)
    (text,) = twilio.sent
    assert re.fullmatch(
        r"\d{6} ist Ihr Code, um Statusmeldungen von Example per SMS zu bestätigen\. "
        r"Nicht Sie\? Ignorieren Sie diese Nachricht\.",
        text.body,
    )
    assert segments(text.body).encoding == GSM7  # German's umlauts are in GSM-7


async def test_a_japanese_number_asking_again_is_told_in_japanese_and_keeps_stop_in_latin(
    client, keys, settings, sessionmaker, twilio
):
    await sms_subscriber(client, keys, language="ja")
    asked = await client.post("/subscribe/sms", data={"phone": "+1 415 555 0100"})
    assert asked.status_code == 200
    await send_all(settings, sessionmaker)
    (text,) = twilio.sent
    assert text.body == (
        "この番号はすでに Example のステータス更新を SMS で受け取っています。"
        "停止するには STOP と返信してください。"
    )
    assert segments(text.body).encoding == UCS2


async def test_a_japanese_update_by_sms_is_cut_at_a_pause_into_two_sms_at_most(
    client, keys, settings, sessionmaker, twilio
):
    await sms_subscriber(client, keys, language="ja")
    incident = await factories.incident(client, keys["responder"], "API障害", impact="major")
    words = (
        "一部のお客様で API へのリクエストが失敗しています。原因を調査中です、"
        "復旧までしばらくお待ちください。詳細はステータスページでお知らせします。"
    )
    await factories.publish(
        client,
        keys["comms_lead"],
        incident["id"],
        "Some customers' API requests fail. We are investigating.",
        translations={"ja": words},
    )
    await send_all(settings, sessionmaker)

    (text,) = twilio.sent
    title, status_line, link = text.body.split("\n")
    assert title == "Example: API障害"
    assert link.endswith(f"/incidents/{incident['id']}")
    line = status_line.split(": ", 1)[1]
    assert line.endswith("...") and len(line) <= LINE_CHARS_UCS2
    assert line.startswith("一部のお客様で API へのリクエストが失敗しています。")
    assert line[:-3][-1] not in "、。"  # cut after a pause, without it
    measured = segments(text.body)
    assert measured.encoding == UCS2 and measured.count <= 2


def test_a_line_without_spaces_is_cut_at_its_last_pause():
    line = one_line("障害が発生しています。原因を調査しています、" + "復旧作業中" * 9, limit=30)
    assert line == "障害が発生しています。原因を調査しています..."


def test_a_line_without_spaces_or_pauses_is_cut_where_it_must():
    line = one_line("障" * 80, limit=30)
    assert line == "障" * 27 + "..."


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
@pytest.mark.parametrize("template", ["confirm-subscription", "already-subscribed"])
def test_the_code_and_already_subscribed_texts_stay_one_gsm7_sms_in_latin_languages(
    language, template
):
    # Words chosen without the accents GSM-7 lacks (ç, ê, ó…): one of them would make the
    # whole text UCS-2, 70 to an SMS, and double its cost.
    renderer = Renderer(theme="default", zone=ZoneInfo("Etc/UTC"), globals_={})
    text = renderer.render(
        f"sms/{template}/body.txt",
        page_name="Example",
        customer_name="Acme Logistics",
        code="123456",
        language=language,
    )
    measured = segments(text.strip())
    assert (measured.encoding, measured.count) == (GSM7, 1), text


def test_the_japanese_code_text_is_one_ucs2_sms():
    renderer = Renderer(theme="default", zone=ZoneInfo("Etc/UTC"), globals_={})
    text = renderer.render(
        "sms/confirm-subscription/body.txt",
        page_name="Example",
        customer_name=None,
        code="123456",
        language="ja",
    )
    measured = segments(text.strip())
    assert (measured.encoding, measured.count) == (UCS2, 1), text
