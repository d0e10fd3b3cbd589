"""Delivery status notifications (RFC 3464): what a self-run mail server sends back to the
envelope sender when a message could not be delivered.

A DSN is a `multipart/report; report-type=delivery-status` message whose
`message/delivery-status` part holds one block of fields per recipient: `Final-Recipient`
(`rfc822; someone@example.com`), `Action` (`failed`, `delayed`, `delivered`, ...) and
`Status` (`5.x.x` permanent, `4.x.x` transient), often with a `Diagnostic-Code`.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message

from app.subscribers.bounces.reports import Kind, Malformed, Report

WHAT = "delivery status notification"
MAX_MESSAGE = 1024 * 1024
_STATUS = re.compile(r"([245])\.\d{1,3}\.\d{1,3}")


def read(raw: bytes) -> tuple[str, list[Report]]:
    """The message's Message-ID (or "") and its failed and delivered recipients; Malformed
    for a message that is no DSN (a reply, an auto-responder, spam)."""
    if len(raw) > MAX_MESSAGE:
        raise Malformed(f"not a {WHAT}: larger than {MAX_MESSAGE // 1024} KiB")
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if (
        message.get_content_type() != "multipart/report"
        or (message.get_param("report-type") or "").lower() != "delivery-status"
    ):
        raise Malformed(f"not a {WHAT} (no multipart/report; report-type=delivery-status)")
    status = next(
        (p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None
    )
    if status is None:
        raise Malformed(f"not a {WHAT}: it has no message/delivery-status part")
    blocks = status.get_payload()
    if not isinstance(blocks, list):
        raise Malformed(f"{WHAT}: its message/delivery-status part holds no fields")
    found = [r for block in blocks[1:] if (r := _recipient(block)) is not None]
    return str(message.get("Message-ID") or "").strip(), found


def _recipient(block: Message) -> Report | None:
    recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
    _type, _, address = recipient.partition(";")
    address = address.strip().strip("<>")
    if "@" not in address:
        return None
    action = str(block.get("Action") or "").strip().lower()
    if action == "delivered":
        return Report(address, Kind.DELIVERED)
    if action != "failed":
        return None  # delayed, relayed, expanded: not a verdict
    code = _STATUS.search(str(block.get("Status") or ""))
    diagnostic = " ".join(str(block.get("Diagnostic-Code") or "").split())
    _kind, _, words = diagnostic.partition(";")
    detail = (words or diagnostic).strip() or (code.group(0) if code else "")
    soft = code is not None and code.group(1) == "4"
    return Report(address, Kind.SOFT if soft else Kind.HARD, detail[:300])
