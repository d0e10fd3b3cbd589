"""Apply what providers report, and remember the tokens inbound webhooks accepted; the
verbs the inbound webhooks call, each checking its provider's proof first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.lib.clock import utcnow
from app.lib.errors import PermissionDenied
from app.settings import Settings
from app.subscribers import quarantine
from app.subscribers.bounces import mailgun, postmark, sns
from app.subscribers.bounces.reports import Kind, Report
from app.subscribers.models import InboundToken


async def first_time(session: AsyncSession, *, source: str, token: str, until: datetime) -> bool:
    """Remember `token` of `source` until `until`; False when it was seen already (a replay).

    ON CONFLICT DO NOTHING: two processes given the same request at once both insert, and
    only one row is written (PostgreSQL makes the second wait for the first's commit)."""
    now = utcnow()
    await session.execute(delete(InboundToken).where(InboundToken.expires_at < now))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(
        insert(InboundToken)
        .values(source=source, token=token[:200], expires_at=until)
        .on_conflict_do_nothing(index_elements=["source", "token"])
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


async def apply(
    session: AsyncSession, reports: list[Report], *, source: str, soft_limit: int
) -> list[str]:
    """Quarantine, count or reset the subscribers of each reported address; one line per
    report saying what it did. An address nobody subscribed with changes nothing."""
    by = f"bounces:{source}"
    done = []
    for report in reports:
        subscribers = await quarantine.email_subscribers(session, report.address)
        if not subscribers:
            done.append(f"{report.address}: {report.kind.value}, no subscriber has it")
            continue
        quarantined = 0
        for subscriber in subscribers:
            if report.kind == Kind.DELIVERED:
                await quarantine.delivered(session, subscriber)
            elif report.kind == Kind.SOFT:
                quarantined += await quarantine.count_soft_bounce(
                    session, subscriber, detail=report.detail, limit=soft_limit, by=by
                )
            else:
                reason = report.kind.value + (f": {report.detail}" if report.detail else "")
                quarantined += await quarantine.quarantine(
                    session, subscriber, reason=reason, by=by
                )
        what = f"{report.address}: {report.kind.value}"
        if quarantined:
            what += f", quarantined {quarantined} subscriber{'s' if quarantined > 1 else ''}"
        elif report.kind != Kind.DELIVERED and all(s.quarantined_at for s in subscribers):
            what += ", already quarantined"
        elif report.kind == Kind.SOFT:
            what += f", counted ({max(s.soft_bounces for s in subscribers)} of {soft_limit})"
        done.append(what)
    return done


# ---------------------------------------------------------------- inbound webhooks, verified


async def take_sns(
    session: AsyncSession,
    body: bytes,
    *,
    header_type: str | None,
    certificates: sns.Certificates,
    settings: Settings,
) -> None:
    """An SNS POST: a subscription to confirm, or SES's bounces, complaints and deliveries.
    Nothing changes unless SNS signed it."""
    message = sns.parse(body, header_type)
    prefix = settings.sns_trusted_url_prefix
    await sns.verify(message, certificates, prefix=prefix, now=utcnow())
    if settings.sns_topic_arns and message.topic_arn not in settings.sns_topic_arns:
        raise PermissionDenied(f"{sns.WHAT}: topic {message.topic_arn!r:.200} is not accepted")
    until = message.timestamp + sns.MAX_AGE
    if not await first_time(session, source="sns", token=message.message_id, until=until):
        return  # SNS sends a message again when unsure it arrived: it counts once
    if message.type == "SubscriptionConfirmation":
        url = message.fields["SubscribeURL"]
        if not sns.trusted_url(url, prefix):
            raise PermissionDenied(f"{sns.WHAT}: SubscribeURL must be on an SNS host")
        await sns.fetch(url, prefix=prefix)
        await record(
            session,
            actor="bounces:sns",
            action="bounces.subscribe",
            subject_type="sns_topic",
            subject_id=message.topic_arn[:200],
        )
    elif message.type == "Notification":
        reports = sns.reports(message)
        await apply(session, reports, source="sns", soft_limit=settings.bounce_soft_limit)


async def take_postmark(
    session: AsyncSession, body: bytes, *, authorization: str | None, settings: Settings
) -> None:
    """A Postmark bounce, spam complaint or delivery, behind its Basic auth credentials."""
    postmark.check_auth(authorization, settings.postmark_webhook_auth)
    reports = postmark.reports(body)
    await apply(session, reports, source="postmark", soft_limit=settings.bounce_soft_limit)


async def take_mailgun(session: AsyncSession, body: bytes, *, settings: Settings) -> None:
    """A Mailgun failure, complaint or delivery: signed, recent, and never seen before."""
    signed = mailgun.verify(body, settings.mailgun_signing_key, now=utcnow())
    until = signed.at + 2 * mailgun.WINDOW  # past it the timestamp is refused anyway
    if not await first_time(session, source="mailgun", token=signed.token, until=until):
        raise PermissionDenied(f"{mailgun.WHAT}: this token was used already; refused as a replay")
    reports = mailgun.reports(signed.event)
    await apply(session, reports, source="mailgun", soft_limit=settings.bounce_soft_limit)
