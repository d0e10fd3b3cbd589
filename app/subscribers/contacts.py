"""Importing a team's contacts from CSV: email subscribers, confirmed on creation."""

from __future__ import annotations

import csv
import io

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app import audience
from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.permissions import Act
from app.audit.service import record
from app.components.models import Component
from app.customers.service import check_customer_ids
from app.lib.clock import utcnow
from app.lib.emails import clean_email
from app.lib.errors import InvalidInput
from app.lib.ids import new_id
from app.subscribers.models import Subscriber, SubscriberKind, subscriber_components


async def import_contacts(
    session: AsyncSession, *, actor: Actor, csv_text: str, customer_id: str | None
) -> tuple[int, int, list[str]]:
    """Email contacts from CSV (`email[,components]`, components separated by spaces).

    Confirmed on creation; addresses already subscribed are skipped; bad lines are
    reported by number and do not stop the others.
    """
    permissions.require(actor, Act.MANAGE_SUBSCRIBERS)
    if customer_id is not None:
        await check_customer_ids(session, [customer_id], field="customer")
    created = skipped = 0
    errors: list[str] = []
    seen: set[str] = set()
    existing = {
        (a or "").lower()
        for a in await session.scalars(
            select(Subscriber.address).where(
                Subscriber.kind == SubscriberKind.EMAIL.value,
                Subscriber.unsubscribed_at.is_(None),
                audience.reader_is(Subscriber.customer_id, customer_id),
            )
        )
    }
    known_components = set(await session.scalars(select(Component.id)))
    now = utcnow()
    rows: list[dict[str, object]] = []
    links: list[dict[str, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(csv_text)), start=1):
        if not row or not row[0].strip() or (number == 1 and row[0].strip().lower() == "email"):
            continue
        try:
            address = clean_email(row[0], field=f"line {number}")
        except InvalidInput as exc:
            errors.append(exc.message)
            continue
        chosen = row[1].split() if len(row) > 1 else []
        unknown = [c for c in chosen if c not in known_components]
        if unknown:
            errors.append(f"line {number}: no component with id {unknown[0]!r}")
            continue
        if address.lower() in existing or address.lower() in seen:
            skipped += 1
            continue
        seen.add(address.lower())
        subscriber_id = new_id()
        rows.append(
            {
                "id": subscriber_id,
                "kind": SubscriberKind.EMAIL.value,
                "address": address,
                "customer_id": customer_id,
                "all_components": not chosen,
                "confirmed_at": now,
                "created_by": actor.name,
                "created_at": now,
                "updated_at": now,
            }
        )
        links.extend({"subscriber_id": subscriber_id, "component_id": c} for c in set(chosen))
        created += 1
    if rows:
        await session.execute(insert(Subscriber), rows)
    if links:
        await session.execute(insert(subscriber_components), links)
    await record(
        session,
        actor=actor.name,
        action="subscriber.import",
        subject_type="customer" if customer_id else "page",
        subject_id=customer_id or "public",
        detail={"created": created, "skipped": skipped, "errors": len(errors)},
    )
    return created, skipped, errors
