"""The 90 day bars of a component: what each day held, and how the row is drawn.

Pure functions over incident views already cut for one audience (`app.public.views`): a
day knows its worst status, the minutes spent in each status other than operational, and
the incidents that touched it, so its detail can be read without a tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.components.status import ComponentStatus, worst
from app.lib.clock import as_utc

if TYPE_CHECKING:  # views imports this module; the names are only for annotations
    from app.public.views import IncidentView

WINDOW_DAYS = 90
RECENT_DAYS = 30  # what a phone shows of the row

# How much of a minute of each status counts as downtime in the uptime percentage.
_DOWNTIME_WEIGHT = {
    ComponentStatus.MAJOR_OUTAGE: 1.0,
    ComponentStatus.PARTIAL_OUTAGE: 0.3,
}


@dataclass
class DayIncident:
    id: str
    title: str
    is_maintenance: bool


@dataclass
class DayView:
    day: date
    status: ComponentStatus = ComponentStatus.OPERATIONAL
    minutes: dict[ComponentStatus, int] = field(default_factory=dict)
    incidents: list[DayIncident] = field(default_factory=list)
    existed: bool = True  # False before the component was on the page: no bar, no green
    counted: float = 0.0  # seconds of this day the uptime counts (since it existed, until now)
    lost: float = 0.0  # weighted seconds of downtime within them

    @property
    def anchor(self) -> str:
        return self.day.isoformat()

    @property
    def quiet(self) -> bool:
        return not self.incidents

    @property
    def worst_first(self) -> list[tuple[ComponentStatus, int]]:
        """Minutes per status, the worst status first (what the detail lists)."""
        return sorted(self.minutes.items(), key=lambda kv: kv[0].severity, reverse=True)


@dataclass(frozen=True)
class Segment:
    """One drawn piece of a row: a single day with something to tell, or a stretch of
    quiet days drawn as one element (`span` days, a power of two)."""

    span: int
    day: DayView | None = None
    older: bool = False  # before the last RECENT_DAYS (phones leave it out)
    unknown: bool = False  # days before the component existed, drawn as empty slots


def _merge(intervals: list[tuple[datetime, datetime]]) -> float:
    """Seconds covered by the union of intervals (two incidents at once count once)."""
    total, end = 0.0, None
    for start, stop in sorted(intervals):
        if end is None or start > end:
            total += (stop - start).total_seconds()
            end = stop
        elif stop > end:
            total += (stop - end).total_seconds()
            end = stop
    return total


def day_bars(
    component_id: str,
    views: Iterable[IncidentView],
    *,
    today: date,
    zone: ZoneInfo,
    now: datetime,
    since: datetime | None = None,
) -> tuple[list[DayView], float]:
    """The component's last 90 days, oldest first, and its uptime percentage over them.

    Incidents count from start to resolution (or now); maintenance counts only once its
    window has opened, and never as downtime. Days before `since` (when the component
    appeared) are not days it was up: they are marked as not existing and not counted.
    """
    first = today - timedelta(days=WINDOW_DAYS - 1)
    days = [DayView(day=first + timedelta(days=n)) for n in range(WINDOW_DAYS)]
    window_start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    counted_from = max(window_start, as_utc(since)) if since is not None else window_start
    spans: dict[tuple[int, ComponentStatus], list[tuple[datetime, datetime]]] = {}
    for view in views:
        status = next((s for c, s in view.components if c.id == component_id), None)
        if status is None:
            continue
        incident = view.incident
        if view.is_maintenance:
            if not view.has_begun:
                continue
            status = ComponentStatus.UNDER_MAINTENANCE
        start = max(as_utc(incident.started_at), window_start)
        end = min(as_utc(view.ends_at) if view.ends_at else now, now)
        if end <= start:
            continue
        index = (start.astimezone(zone).date() - first).days
        last = (end.astimezone(zone).date() - first).days
        for n in range(max(index, 0), min(last, WINDOW_DAYS - 1) + 1):
            bar = days[n]
            bar.status = worst([bar.status, status])
            if all(i.id != incident.id for i in bar.incidents):
                bar.incidents.append(DayIncident(incident.id, incident.title, view.is_maintenance))
            day_start = datetime.combine(bar.day, datetime.min.time(), tzinfo=zone)
            clipped = (max(start, day_start), min(end, day_start + timedelta(days=1)))
            if clipped[1] > clipped[0]:
                spans.setdefault((n, status), []).append(clipped)
    for (n, status), intervals in spans.items():
        covered = _merge(intervals)
        days[n].minutes[status] = max(1, round(covered / 60))
        days[n].lost += covered * _DOWNTIME_WEIGHT.get(status, 0.0)
    # A component with an incident existed then, whatever its record says (an import, say).
    troubled = [n for n, bar in enumerate(days) if bar.incidents]
    if troubled:
        counted_from = min(
            counted_from,
            datetime.combine(days[troubled[0]].day, datetime.min.time(), tzinfo=zone),
        )
    for bar in days:
        day_start = datetime.combine(bar.day, datetime.min.time(), tzinfo=zone)
        day_end = day_start + timedelta(days=1)
        bar.existed = day_end > counted_from
        begin = max(day_start, counted_from)
        bar.counted = max(0.0, (min(day_end, now) - begin).total_seconds())
    return days, uptime(days)


def uptime(days: list[DayView]) -> float:
    """The uptime percentage over these days: downtime weighted by how bad it was, out of the
    time they count (none before the component existed, none after now)."""
    counted = sum(d.counted for d in days)
    if counted <= 0:
        return 100.0
    return 100.0 * max(0.0, 1 - sum(d.lost for d in days) / counted)


def segments(days: list[DayView]) -> list[Segment]:
    """The row as drawn: each day with incidents on its own (it opens to its detail), and
    each run of quiet days cut into powers of two, so a mostly quiet row is a handful of
    elements instead of 90 and the stylesheet needs only seven widths. Runs also break
    where the last RECENT_DAYS begin, so a phone can leave out what comes before, and where
    the component began to exist (the days before are drawn as empty slots)."""
    out: list[Segment] = []
    cut = len(days) - RECENT_DAYS
    run, run_unknown = 0, False

    def flush(older: bool) -> None:
        nonlocal run
        out.extend(_pieces(run, older=older, unknown=run_unknown))
        run = 0

    for index, day in enumerate(days):
        if index == cut:
            flush(True)
        if day.quiet:
            if run and run_unknown == day.existed:
                flush(index < cut)
            run_unknown = not day.existed
            run += 1
            continue
        flush(index < cut)
        out.append(Segment(1, day, older=index < cut))
    flush(False)
    return out


def _pieces(run: int, *, older: bool, unknown: bool) -> list[Segment]:
    """A run of days as power-of-two stretches, longest first."""
    out = []
    bit = 64
    while run:
        if run >= bit:
            out.append(Segment(bit, older=older, unknown=unknown))
            run -= bit
        bit //= 2
    return out


def added_ago(days: list[DayView]) -> int | None:
    """How many days ago the component was added (0: today), when that is within `days`;
    None when it existed on all of them. The page words the uptime figure from this."""
    age = sum(1 for d in days if d.existed) - 1
    if age + 1 >= len(days):
        return None
    return max(age, 0)


def span_words(days: list[DayView]) -> str:
    """What the uptime figure of these days is over: "over the last 90 days", or since the
    component was added when that was more recent."""
    age = sum(1 for d in days if d.existed) - 1
    if age + 1 >= len(days):
        return f"over the last {len(days)} days"
    if age <= 0:
        return "since it was added today"
    return "since it was added yesterday" if age == 1 else f"since it was added {age} days ago"


def summary(days: list[DayView], uptime: float) -> str:
    """One sentence a screen reader says instead of 90 bars."""
    troubled = [d for d in days if not d.quiet]
    text = f"{uptime:.2f}% uptime {span_words(days)}"
    if not troubled:
        return text + ", no incidents."
    noun = "day" if len(troubled) == 1 else "days"
    return text + f"; incidents on {len(troubled)} {noun}, listed below."
