"""How well we talked during incidents, from their timelines: pure arithmetic over plain facts.

For each incident (not maintenance, not declined as noise):

- **first word**: from when we knew (the incident was declared, or its first alert arrived,
  whichever came first) to the first words published for customers;
- **promises**: each published update that gives a next-update time promises one; it is kept
  when the next published words come by then, and missed by however late they came (or, still
  open and overdue, by how late they are now);
- **longest silence**: the longest time customers heard nothing while it was open (from when
  we knew to the first words, between words, and from the last words to now if still open);
- **draft to approval**: from a reviewed draft's writing to its approval;
- **nudges**: how often the team was nudged about a promise (due soon, or lapsed), and how
  many promises were kept after a nudge (the nudge came in time to help).

No database, no web: `app.insights.service` gathers the facts, a test can write them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median


@dataclass(frozen=True)
class Word:
    """Published words on an incident's timeline."""

    at: datetime
    promised_next_by: datetime | None = None  # the next update promised, while it was open


@dataclass(frozen=True)
class IncidentFacts:
    id: str
    title: str
    declared_at: datetime
    first_alert_at: datetime | None = None
    resolved_at: datetime | None = None
    # Words customers could read (published, for an incident outside the team), any order.
    words: list[Word] = field(default_factory=list)
    # (drafted_at, approved_at) of each draft a reviewer approved.
    approvals: list[tuple[datetime, datetime]] = field(default_factory=list)
    # The promised times the team was nudged about, one per nudge (a promise may be
    # nudged twice: due soon, then lapsed).
    nudged: list[datetime] = field(default_factory=list)

    @property
    def known_at(self) -> datetime:
        """When we knew: declared, or the first alert if that came earlier."""
        if self.first_alert_at is not None and self.first_alert_at < self.declared_at:
            return self.first_alert_at
        return self.declared_at


@dataclass(frozen=True)
class IncidentInsights:
    id: str
    title: str
    known_at: datetime
    resolved_at: datetime | None
    first_word_after: timedelta | None  # None: nothing published yet
    promises_made: int
    promises_kept: int
    missed_by: list[timedelta]  # one per missed promise, how late
    promises_pending: int  # still open and not yet due
    longest_silence: timedelta | None
    draft_to_approval: list[timedelta]
    nudges_sent: int = 0
    promises_kept_after_nudge: int = 0

    @property
    def promises_missed(self) -> int:
        return len(self.missed_by)


def _during(facts: IncidentFacts, at: datetime) -> bool:
    return facts.resolved_at is None or at <= facts.resolved_at


def incident_insights(facts: IncidentFacts, *, now: datetime) -> IncidentInsights:
    """The figures of one incident as of `now`."""
    words = sorted(facts.words, key=lambda w: w.at)
    known = facts.known_at
    first_word_after = max(words[0].at - known, timedelta(0)) if words else None

    kept, missed, pending, kept_nudged = 0, [], 0, 0
    nudged = set(facts.nudged)
    for index, word in enumerate(words):
        due = word.promised_next_by
        if due is None:
            continue
        following = words[index + 1].at if index + 1 < len(words) else None
        if following is None and facts.resolved_at is not None:
            following = facts.resolved_at  # resolved without words: the promise ended there
        if following is not None:
            if following <= due:
                kept += 1
                kept_nudged += due in nudged
            else:
                missed.append(following - due)
        elif now > due:
            missed.append(now - due)
        else:
            pending += 1

    # Silences while open: from when we knew, between words, and until now if still open.
    open_words = [w.at for w in words if _during(facts, w.at)]
    marks = [known, *open_words]
    end = facts.resolved_at if facts.resolved_at is not None else now
    if not open_words or open_words[-1] < end:
        marks.append(end)
    gaps = [b - a for a, b in pairwise(marks) if b >= a]
    longest = max(gaps) if gaps else None

    approvals = [max(approved - drafted, timedelta(0)) for drafted, approved in facts.approvals]
    return IncidentInsights(
        id=facts.id,
        title=facts.title,
        known_at=known,
        resolved_at=facts.resolved_at,
        first_word_after=first_word_after,
        promises_made=kept + len(missed) + pending,
        promises_kept=kept,
        missed_by=missed,
        promises_pending=pending,
        longest_silence=longest,
        draft_to_approval=approvals,
        nudges_sent=len(facts.nudged),
        promises_kept_after_nudge=kept_nudged,
    )


@dataclass(frozen=True)
class Spread:
    """Median and worst of some durations (None when there are none)."""

    count: int
    median: timedelta | None
    worst: timedelta | None

    @classmethod
    def of(cls, values: list[timedelta]) -> Spread:
        if not values:
            return cls(0, None, None)
        seconds = median(v.total_seconds() for v in values)
        return cls(len(values), timedelta(seconds=seconds), max(values))


@dataclass(frozen=True)
class Summary:
    since: datetime
    until: datetime
    incidents: int
    first_word: Spread
    promises_made: int
    promises_kept: int
    promises_missed: int
    missed_by: Spread
    longest_silence: Spread
    draft_to_approval: Spread
    nudges_sent: int = 0
    promises_kept_after_nudge: int = 0

    @property
    def kept_share(self) -> float | None:
        judged = self.promises_kept + self.promises_missed
        return self.promises_kept / judged if judged else None


def summarize(rows: list[IncidentInsights], *, since: datetime, until: datetime) -> Summary:
    """The figures over a period, from the incidents known within it."""
    return Summary(
        since=since,
        until=until,
        incidents=len(rows),
        first_word=Spread.of([r.first_word_after for r in rows if r.first_word_after is not None]),
        promises_made=sum(r.promises_made for r in rows),
        promises_kept=sum(r.promises_kept for r in rows),
        promises_missed=sum(r.promises_missed for r in rows),
        missed_by=Spread.of([m for r in rows for m in r.missed_by]),
        longest_silence=Spread.of(
            [r.longest_silence for r in rows if r.longest_silence is not None]
        ),
        draft_to_approval=Spread.of([d for r in rows for d in r.draft_to_approval]),
        nudges_sent=sum(r.nudges_sent for r in rows),
        promises_kept_after_nudge=sum(r.promises_kept_after_nudge for r in rows),
    )


def seconds(value: timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def spread_dict(spread: Spread) -> dict[str, int | None]:
    return {
        "count": spread.count,
        "median_seconds": seconds(spread.median),
        "worst_seconds": seconds(spread.worst),
    }


def incident_dict(row: IncidentInsights) -> dict[str, object]:
    """One incident's figures as the API gives them (durations in whole seconds)."""
    return {
        "incident_id": row.id,
        "title": row.title,
        "known_at": row.known_at,
        "resolved_at": row.resolved_at,
        "first_word_seconds": seconds(row.first_word_after),
        "promises_made": row.promises_made,
        "promises_kept": row.promises_kept,
        "promises_missed": row.promises_missed,
        "promises_pending": row.promises_pending,
        "missed_by_seconds": [seconds(m) for m in row.missed_by],
        "longest_silence_seconds": seconds(row.longest_silence),
        "draft_to_approval_seconds": [seconds(d) for d in row.draft_to_approval],
        "nudges_sent": row.nudges_sent,
        "promises_kept_after_nudge": row.promises_kept_after_nudge,
    }


def summary_dict(summary: Summary) -> dict[str, object]:
    return {
        "since": summary.since,
        "until": summary.until,
        "incidents": summary.incidents,
        "first_word": spread_dict(summary.first_word),
        "promises_made": summary.promises_made,
        "promises_kept": summary.promises_kept,
        "promises_missed": summary.promises_missed,
        "kept_share": summary.kept_share,
        "missed_by": spread_dict(summary.missed_by),
        "longest_silence": spread_dict(summary.longest_silence),
        "draft_to_approval": spread_dict(summary.draft_to_approval),
        "nudges_sent": summary.nudges_sent,
        "promises_kept_after_nudge": summary.promises_kept_after_nudge,
    }
