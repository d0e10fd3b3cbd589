"""Importing a team's contacts from CSV: email subscribers, confirmed on creation."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

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


@dataclass
class Imported:
    """What an import did: contacts created, addresses skipped (already subscribed), and
    each refused line's message and its text, so the form can offer them again to fix."""

    created: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    failed_lines: list[str] = field(default_factory=list)

    @property
    def notice(self) -> str:
        """One line on what it did."""
        done = f"Imported {self.created} contact{'' if self.created == 1 else 's'}, confirmed"
        return done + (f"; {self.skipped} already subscribed." if self.skipped else ".")


def _components(cells: list[str], by_name: dict[str, str], ids: set[str]) -> tuple[set[str], str]:
    """The component ids a line names after its address, each by name (as the page shows
    it, any case) or by id: one a column, or several ids in one column separated by spaces.
    Returns the ids and the first name not found ("" when all were)."""
    chosen: set[str] = set()
    for cell in (c.strip() for c in cells):
        if not cell:
            continue
        if cell.lower() in by_name:
            chosen.add(by_name[cell.lower()])
            continue
        words = cell.split()  # several ids (or one-word names) in one column
        if not all(w in ids or w.lower() in by_name for w in words):
            return chosen, cell
        chosen.update(w if w in ids else by_name[w.lower()] for w in words)
    return chosen, ""


async def import_contacts(
    session: AsyncSession, *, actor: Actor, csv_text: str, customer_id: str | None
) -> Imported:
    """Email contacts from CSV (`email[,component,component...]`, each component by its
    name or its id).

    Confirmed on creation; addresses already subscribed are skipped; bad lines are
    reported by number, kept to be fixed, and do not stop the others.
    """
    permissions.require(actor, Act.MANAGE_SUBSCRIBERS)
    if customer_id is not None:
        await check_customer_ids(session, [customer_id], field="customer")
    result = Imported()
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
    known = (await session.execute(select(Component.id, Component.name))).all()
    ids = {cid for cid, _name in known}
    by_name = {name.strip().lower(): cid for cid, name in known}
    lines = csv_text.splitlines()
    now = utcnow()
    rows: list[dict[str, object]] = []
    links: list[dict[str, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(csv_text)), start=1):
        if not row or not row[0].strip() or (number == 1 and row[0].strip().lower() == "email"):
            continue
        line = lines[number - 1] if number <= len(lines) else ",".join(row)
        try:
            address = clean_email(row[0], field=f"line {number}")
        except InvalidInput as exc:
            result.errors.append(exc.message)
            result.failed_lines.append(line)
            continue
        chosen, unknown = _components(row[1:], by_name, ids)
        if unknown:
            result.errors.append(f"line {number}: no component named {unknown!r}")
            result.failed_lines.append(line)
            continue
        if address.lower() in existing or address.lower() in seen:
            result.skipped += 1
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
        links.extend({"subscriber_id": subscriber_id, "component_id": c} for c in chosen)
        result.created += 1
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
        detail={
            "created": result.created,
            "skipped": result.skipped,
            "errors": len(result.errors),
        },
    )
    return result
