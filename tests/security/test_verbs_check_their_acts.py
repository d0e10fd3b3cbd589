"""Behind the route guards, each verb checks its own act: a caller that reaches it some other
way (a new route, the Manage API, a job) is refused the same way. The verbs are called here
as a responder, with ids that name nothing: the refusal comes before any lookup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts
from app.accounts.actor import Actor
from app.accounts.models import Role
from app.delivery import queue as delivery
from app.delivery.channels import CHANNELS
from app.lib.errors import PermissionDenied
from app.subscribers import contacts
from app.subscribers import service as subscribers
from app.subscribers.models import Subscriber
from app.subscribers.schemas import SubscriberCreate

RITA = Actor(name="rita", role=Role.RESPONDER, id="user:rita")
LEAD = Actor(name="lead", role=Role.COMMS_LEAD, id="user:lead")
NOBODY = Subscriber(kind="email", address="nobody@example.test")

Verb = Callable[[AsyncSession, Actor], Awaitable[Any]]

VERBS: dict[str, tuple[Verb, str]] = {
    "retry failed deliveries": (
        lambda db, a: delivery.retry_failed(db, actor=a, update_id="nothing"),
        "retrying deliveries needs the comms_lead role",
    ),
    "add a subscriber": (
        lambda db, a: subscribers.add_subscriber(
            db,
            actor=a,
            data=SubscriberCreate(kind="email", address="a@example.test"),
            allow_private=False,
            channels=CHANNELS,
        ),
        "managing subscribers needs the comms_lead role",
    ),
    "import contacts": (
        lambda db, a: contacts.import_contacts(
            db, actor=a, csv_text="a@example.test\n", customer_id=None
        ),
        "managing subscribers needs the comms_lead role",
    ),
    "unsubscribe someone": (
        lambda db, a: subscribers.unsubscribe(db, subscriber=NOBODY, actor=a),
        "managing subscribers needs the comms_lead role",
    ),
    "choose someone's components": (
        lambda db, a: subscribers.choose_components(db, subscriber=NOBODY, components=[], actor=a),
        "managing subscribers needs the comms_lead role",
    ),
    "choose someone's language": (
        lambda db, a: subscribers.choose_language(db, subscriber=NOBODY, language="de", actor=a),
        "managing subscribers needs the comms_lead role",
    ),
    "issue an API key": (
        lambda db, a: accounts.issue_api_key(db, actor=a, name="k", role=Role.ADMIN),
        "managing API keys and users needs the admin role",
    ),
    "revoke an API key": (
        lambda db, a: accounts.withdraw_api_key(db, actor=a, key_id="nothing"),
        "managing API keys and users needs the admin role",
    ),
}


@pytest.mark.parametrize("name", VERBS)
async def test_a_verb_refuses_a_caller_below_its_act_whoever_calls_it(db, name):
    verb, refusal = VERBS[name]
    with pytest.raises(PermissionDenied, match=refusal):
        await verb(db, RITA)
    if "API key" in name:  # a comms lead is below it too
        with pytest.raises(PermissionDenied, match=refusal):
            await verb(db, LEAD)
