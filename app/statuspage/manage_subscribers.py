"""Statuspage's subscribers, as the Manage API v1 sends them, as our subscriber requests."""

from __future__ import annotations

import msgspec

from app.lib.errors import InvalidInput
from app.lib.phones import clean_phone
from app.subscribers.schemas import SubscriberCreate


class SpSubscriber(msgspec.Struct, kw_only=True):
    """The `subscriber` object of a create request; unknown fields are ignored."""

    email: str | None = None
    endpoint: str | None = None  # a webhook subscriber; `email` is then for failure notices
    phone_number: str | None = None  # an SMS subscriber: E.164, or national with phone_country
    phone_country: str | None = None  # ISO 3166 alpha-2, as Statuspage takes it
    component_ids: list[str] | None = None
    skip_confirmation_notification: bool | None = None


def subscriber_create(data: SpSubscriber) -> SubscriberCreate:
    """A Statuspage subscriber request as ours: an endpoint makes it a webhook, a phone
    number an SMS subscriber."""
    if data.component_ids is not None and not data.component_ids:
        raise InvalidInput(
            "subscriber[component_ids] must have at least one element if it is passed",
            field="subscriber[component_ids]",
        )
    if data.endpoint:
        return SubscriberCreate(kind="webhook", url=data.endpoint, components=data.component_ids)
    if data.phone_number:
        number = clean_phone(
            data.phone_number, country=data.phone_country, field="subscriber[phone_number]"
        )
        return SubscriberCreate(kind="sms", address=number, components=data.component_ids)
    if not data.email:
        raise InvalidInput(
            "subscriber[email], subscriber[endpoint] or subscriber[phone_number] is required",
            field="subscriber[email]",
        )
    return SubscriberCreate(kind="email", address=data.email, components=data.component_ids)
