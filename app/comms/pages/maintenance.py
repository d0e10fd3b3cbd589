"""The desk's maintenance pages: schedule a window with its words, approve each moment's
words in advance, edit the window, cancel it; and see what goes out when.

Thin handlers over `app.comms.maintenance.service` (the same verbs as `/api/v1/maintenance-plans`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.maintenance import drafting
from app.comms.maintenance import plans as maintenance_plans
from app.comms.maintenance import service as maintenance
from app.comms.maintenance.plans import PHASE_LABELS, PHASES
from app.comms.schemas import MaintenancePlanChange, MaintenancePlanCreate
from app.comms.wording.site import site_for
from app.customers.service import list_customers
from app.incidents.status import Visibility
from app.lib.clock import in_zone, utcnow
from app.lib.errors import DomainError, InvalidInput
from app.lib.moments import check_moment
from app.public.current import component_picker
from app.web.deps import AppSettings, Db

LIST = "/admin/maintenance"


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def _moment(form: Any, name: str, settings: AppSettings, label: str) -> datetime | None:
    """A `datetime-local` field, read in the page's zone; None when left empty."""
    raw = _text(form, name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"give the {label} as a date and a time", field=name) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=settings.zone)
    return check_moment(value, name)


def _field_value(value: datetime | None, settings: AppSettings) -> str:
    """A stored time as a `datetime-local` input shows it, in the page's zone."""
    return in_zone(value, settings.zone).strftime("%Y-%m-%dT%H:%M") if value else ""


def _typed(form: Any) -> dict[str, Any]:
    """The schedule form's fields as sent, to fill the form again with."""
    return {
        "title": _text(form, "title"),
        "scheduled_for": _text(form, "scheduled_for"),
        "scheduled_until": _text(form, "scheduled_until"),
        "visibility": _text(form, "visibility"),
        "components": [str(c) for c in form.getall("components", [])],
        "customers": [str(c) for c in form.getall("customers", [])],
        **{phase: _text(form, phase) for phase in PHASES},
    }


async def _index(
    request: Request, db: Db, kept: dict[str, Any], *, error: str = "", status_code: int = 200
) -> Response[Any]:
    """The maintenance list and the form to schedule one, filled with `kept` values."""
    return admin_page(
        request,
        "admin/maintenance.html",
        status_code=status_code,
        plans=await maintenance_plans.list_plans(db),
        picker=await component_picker(db, kept.get("components", [])),
        customers=await list_customers(db),
        visibilities=[v.value for v in Visibility],
        phases=PHASES,
        labels=PHASE_LABELS,
        now=utcnow(),
        kept=kept,
        form_error=error,
    )


async def _window(
    request: Request,
    db: Db,
    settings: AppSettings,
    incident_id: str,
    *,
    typed: dict[str, str] | None = None,
    error: str = "",
    status_code: int = 200,
) -> Response[Any]:
    """A window's page; `typed` holds words a refused save sent (by moment), shown in their
    form in place of the stored ones."""
    plan = await maintenance_plans.get_plan(db, incident_id)
    return admin_page(
        request,
        "admin/maintenance_window.html",
        status_code=status_code,
        plan=plan,
        incident=plan.incident,
        picker=await component_picker(db, plan.incident.component_ids),
        chosen=set(plan.incident.component_ids),
        phases=PHASES,
        labels=PHASE_LABELS,
        starts=_field_value(plan.incident.scheduled_for, settings),
        ends=_field_value(plan.incident.scheduled_until, settings),
        announced=any(u.state == "published" for u in plan.incident.updates),
        now=utcnow(),
        public_url=f"{settings.base_url}/incidents/{plan.incident.id}",
        typed=typed or {},
        **({"error": error} if error else {}),
    )


class MaintenancePages(Controller):
    path = LIST
    opt = {"act": Act.READ_DESK}
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        return await _index(request, db, {})

    @post("/compose", opt={"act": Act.OPEN_INCIDENT}, status_code=200)
    async def compose(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        """ "Fill from templates": the form again, as it was, with each moment's words drafted
        from the maintenance templates for this window (nothing is saved)."""
        form = await request.form()
        kept = _typed(form)
        try:
            words = await drafting.words_from_templates(
                db,
                site_for(settings, request.app.state.renderer),
                title=kept["title"],
                starts=_moment(form, "scheduled_for", settings, "start"),
                ends=_moment(form, "scheduled_until", settings, "end"),
                component_ids=kept["components"],
            )
        except DomainError as exc:
            return await _index(request, db, kept, error=exc.message, status_code=exc.status_code)
        return await _index(request, db, {**kept, **words})

    @post("/", opt={"act": Act.OPEN_INCIDENT})
    async def schedule(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        form = await request.form()
        try:
            starts = _moment(form, "scheduled_for", settings, "start")
            ends = _moment(form, "scheduled_until", settings, "end")
            if starts is None or ends is None:
                raise InvalidInput("give the window's start and end", field="scheduled_for")
            plan = await maintenance.schedule(
                db,
                actor=actor,
                data=MaintenancePlanCreate(
                    title=_text(form, "title"),
                    scheduled_for=starts,
                    scheduled_until=ends,
                    visibility=Visibility(_text(form, "visibility") or "public"),
                    components=[str(c) for c in form.getall("components", [])],
                    customers=[str(c) for c in form.getall("customers", [])],
                    scheduled=_text(form, "scheduled") or None,
                    in_progress=_text(form, "in_progress") or None,
                    completed=_text(form, "completed") or None,
                ),
            )
        except (DomainError, ValueError) as exc:
            # The form again, as it was typed: nothing of it is lost to a refusal.
            await db.rollback()
            status = exc.status_code if isinstance(exc, DomainError) else 422
            message = getattr(exc, "message", str(exc))
            return await _index(request, db, _typed(form), error=message, status_code=status)
        return back(
            f"{LIST}/{plan.incident.id}",
            notice="Scheduled. Each moment's words go out only once a comms lead approves them.",
        )

    @get("/{incident_id:str}")
    async def window(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
    ) -> Response[Any]:
        return await _window(request, db, settings, incident_id)

    @post("/{incident_id:str}/edit", opt={"act": Act.OPEN_INCIDENT})
    async def edit(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
    ) -> Redirect:
        form = await request.form()
        here = f"{LIST}/{incident_id}"
        try:
            window = (await maintenance_plans.get_plan(db, incident_id)).incident
            # The form shows times to the minute: a time left as shown is not a new time
            # (a window planned to the second through the API keeps its approvals).
            moved = _text(form, "scheduled_for") != _field_value(
                window.scheduled_for, settings
            ) or _text(form, "scheduled_until") != _field_value(window.scheduled_until, settings)
            await maintenance.change(
                db,
                actor=actor,
                incident_id=incident_id,
                data=MaintenancePlanChange(
                    title=_text(form, "title") or None,
                    scheduled_for=(
                        _moment(form, "scheduled_for", settings, "start") if moved else None
                    ),
                    scheduled_until=(
                        _moment(form, "scheduled_until", settings, "end") if moved else None
                    ),
                    components=[str(c) for c in form.getall("components", [])],
                ),
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Window saved.")

    @post("/{incident_id:str}/words/{phase:str}", opt={"act": Act.DRAFT})
    async def words(
        self,
        request: Request,
        db: Db,
        actor: CurrentActor,
        settings: AppSettings,
        incident_id: str,
        phase: str,
    ) -> Response[Any]:
        form = await request.form()
        here = f"{LIST}/{incident_id}"
        try:
            await maintenance.write_words(
                db, actor=actor, incident_id=incident_id, phase=phase, body=_text(form, "body")
            )
        except DomainError as exc:
            # The page again, these words as typed in their form: a refusal loses nothing.
            await db.rollback()
            return await _window(
                request,
                db,
                settings,
                incident_id,
                typed={phase: _text(form, "body")},
                error=exc.message,
                status_code=exc.status_code,
            )
        return back(here, notice="Words saved; they need a comms lead's approval.")

    @post("/{incident_id:str}/words/{phase:str}/approve", opt={"act": Act.APPROVE})
    async def approve(self, db: Db, actor: CurrentActor, incident_id: str, phase: str) -> Redirect:
        here = f"{LIST}/{incident_id}"
        try:
            plan = await maintenance.approve_words(
                db, actor=actor, incident_id=incident_id, phase=phase
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message, anchor=f"words-{phase}")
        words = plan.words[phase]
        done = (
            "Approved and published."
            if words is not None and words.state == maintenance_plans.PUBLISHED
            else "Approved: these words go out by themselves at their time."
        )
        return back(here, notice=done)

    @post("/{incident_id:str}/cancel", opt={"act": Act.OPEN_INCIDENT})
    async def cancel(
        self, request: Request, db: Db, actor: CurrentActor, incident_id: str
    ) -> Redirect:
        form = await request.form()
        here = f"{LIST}/{incident_id}"
        try:
            await maintenance.cancel(
                db, actor=actor, incident_id=incident_id, body=_text(form, "body") or None
            )
        except DomainError as exc:
            await db.rollback()
            return back(here, error=exc.message)
        return back(here, notice="Maintenance cancelled; nothing more goes out for it.")
