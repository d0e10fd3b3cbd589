"""Building a promise nudge's message: to a comms lead by email, or to the team's own Slack
or Teams channel (the URL the team set, read when it is sent, not a subscriber's).

A nudge says that the next update readers were promised is due soon or late. By its turn
the promise may have been kept (words published, a new promise made) or the incident
closed: then it is not sent, with the reason.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from app.accounts.models import Role
from app.delivery import cards
from app.delivery.channels import CHANNELS
from app.delivery.channels.chat import ChatChannel, ChatMessage
from app.delivery.email import build_message
from app.delivery.models import Delivery, Message
from app.delivery.prepared import Prepared
from app.incidents.models import Incident
from app.incidents.status import is_open, status_label
from app.lib.clock import as_utc, in_zone
from app.lib.templating import zone_label

if TYPE_CHECKING:
    from app.delivery.messages import Batch

DUE_SOON, LAPSED = "due_soon", "lapsed"


def _team_url(batch: Batch, channel: str) -> str | None:
    s = batch.settings
    return {"slack": s.team_slack_webhook_url, "teams": s.team_teams_webhook_url}.get(channel)


async def prepare_nudge(batch: Batch, delivery: Delivery) -> Prepared:
    """The nudge of an outbox row, or why it is not sent."""
    notice = json.loads(delivery.notice or "{}")
    incident = await batch.session.get(Incident, notice.get("incident_id", ""))
    due = datetime.fromisoformat(notice["due_at"]) if notice.get("due_at") else None
    if incident is None or due is None:
        return Prepared(delivery.id, skip="the incident was removed")
    if (
        not is_open(incident.status)
        or incident.next_update_at is None
        or as_utc(incident.next_update_at) != as_utc(due)
    ):
        return Prepared(delivery.id, skip="the promise was kept or replaced meanwhile")
    s = batch.settings
    late = notice.get("kind") == LAPSED
    at = in_zone(due, s.zone)
    when = f"{at:%H:%M} {zone_label(s.zone, at)}"
    desk_url = f"{s.base_url}/admin/incidents/{incident.id}"
    if delivery.user_id is None:
        channel = CHANNELS.get(delivery.channel)
        url = _team_url(batch, delivery.channel)
        if not isinstance(channel, ChatChannel) or url is None:
            return Prepared(delivery.id, skip="the team's chat channel is no longer set")
        words = (
            f"The update promised by {when} is late: readers now see that it is late. "
            "Publish an update, or pause updates saying why."
            if late
            else f"The next update is promised by {when}. Write it now, or pause updates "
            "saying why."
        )
        content = cards.CardContent(
            title=f"{'Update late' if late else 'Update due soon'}: {incident.title}",
            url=desk_url,
            status=status_label(incident.status),
            impact=status_label(incident.impact or "none"),
            components=[link.component.name for link in incident.components],
            words=words,
            next_update_at=None,
            page_name=s.page_name,
            zone=s.zone,
            link_text="Open it on the desk",
        )
        return Prepared(delivery.id, channel.kind, ChatMessage(url, channel.card(content)))
    user = batch.users.get(delivery.user_id)
    if user is None or user.role != Role.COMMS_LEAD or not user.email:
        return Prepared(delivery.id, skip="the desk user is no longer a comms lead with email")
    context = {
        "page_name": s.page_name,
        "late": late,
        "when": when,
        "incident_title": incident.title,
        "desk_url": desk_url,
        "before_minutes": s.nudge_before_minutes,
    }
    message = build_message(
        batch.renderer,
        s,
        template=Message.PROMISE_NUDGE.value,
        to=user.email,
        context=context,
        message_id=f"<nudge.{delivery.id}.{user.id}@{batch.domain}>",
    )
    return Prepared(delivery.id, "email", message)
