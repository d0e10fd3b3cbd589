"""Declaring an incident from the desk at /admin/declare: the form, and opening the incident
with its first words drafted (back to the form, everything kept, when a rule says no).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from litestar import Controller, Request, Response, get, post

from app.accounts.http.admin import admin_page, back
from app.accounts.http.auth import CurrentActor
from app.accounts.permissions import Act
from app.comms.pages.desk import COMPONENT_FIELD, component_choices, status_choices, text
from app.comms.review import declaring
from app.comms.review.reached import declared_audience
from app.comms.schemas import Declaration
from app.comms.wording.promises import promise_from_form, promise_pick
from app.comms.wording.site import site_for
from app.customers.service import list_customers
from app.incidents.models import Incident
from app.incidents.status import Impact, Visibility
from app.lib.errors import DomainError, InvalidInput
from app.public.current import component_picker
from app.web.deps import AppSettings, Db


class DeclarePages(Controller):
    path = "/admin"
    opt = {"act": Act.OPEN_INCIDENT}
    include_in_schema = False

    @get("/declare")
    async def declare_form(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        return await declare_page(request, db, {}, zone=settings.zone)

    @post("/declare")
    async def declare(
        self, request: Request, db: Db, actor: CurrentActor, settings: AppSettings
    ) -> Response[Any]:
        """Open an incident with its first words drafted; back to the form, everything kept,
        when a rule says no."""
        form = await request.form()
        then = text(form, "then")
        if then == "check":  # who it would affect, by name, before anything is declared
            return await declare_page(request, db, form, zone=settings.zone)
        try:
            promise = promise_from_form(form, zone=settings.zone)
            data = Declaration(
                title=text(form, "title"),
                impact=choice(Impact, text(form, "impact") or "minor", "impact"),
                visibility=choice(Visibility, text(form, "visibility") or "public", "visibility"),
                components=component_choices(form) or [],
                customers=[str(c) for c in form.getall("customers", []) if c],
                body=text(form, "body") or None,
                submit=then == "submit",
                publish=then == "publish",
                notify=text(form, "notify") != "off",
                next_update_at=promise.at if promise else None,
                next_update_in_minutes=promise.minutes if promise else None,
            )
            declared = await declaring.declare(
                db, site_for(settings, request.app.state.renderer), actor=actor, data=data
            )
        except DomainError as exc:
            await db.rollback()
            return await declare_page(
                request, db, form, error=exc.message, status_code=422, zone=settings.zone
            )
        draft = declared.draft
        if draft.state == "published":
            done = "Declared and published."
        elif draft.state == "submitted":
            done = "Declared. Its first words wait in the approval queue."
        else:
            done = "Declared. Check its first words below, then submit them for approval."
        return back(f"/admin/updates/{draft.id}", notice=done)


def choice(kind: Any, value: str, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        words = ", ".join(k.value for k in kind)
        raise InvalidInput(f"{field} must be one of {words}", field=field) from None


async def declare_page(
    request: Request,
    db: Db,
    form: Any,
    *,
    zone: tzinfo,
    error: str = "",
    status_code: int = 200,
) -> Response[Any]:
    """The declare form, filled from `form` (what was on the screen) when given, saying
    which customers the incident would affect, by name."""
    visibility = text(form, "visibility") or "public"
    chosen_customers = [str(c) for c in form.getall("customers", []) if c] if form else []
    try:
        chosen = (component_choices(form) or []) if form else []
    except InvalidInput:
        chosen = []  # the form says what is wrong with it; name nobody meanwhile
    affects, users = await declared_audience(
        db, visibility=visibility, named=chosen_customers, components=[c.id for c in chosen]
    )
    chosen_statuses = {
        str(k)[len(COMPONENT_FIELD) :]: text(form, k)
        for k in (form.keys() if form else [])
        if str(k).startswith(COMPONENT_FIELD)
    }
    return admin_page(
        request,
        "admin/declare.html",
        status_code=status_code,
        form_error=error,
        title=text(form, "title"),
        impact=text(form, "impact") or "minor",
        visibility=visibility,
        body=str(form.get("body") or ""),
        chosen_customers=set(chosen_customers),
        affects=affects,
        users=users,
        named=bool(chosen_customers),
        chosen_statuses=chosen_statuses,
        picker=await component_picker(db, [k for k, v in chosen_statuses.items() if v]),
        customers=await list_customers(db),
        impacts=[i.value for i in Impact],
        # The promise picker of the first words; its default follows the impact chosen.
        pick=promise_pick(
            Incident(impact=text(form, "impact") or "minor", status="investigating"),
            zone=zone,
            selected=text(form, "promise"),
            at=text(form, "promise_at"),
            auto=True,
        ),
        status_choices=status_choices(),
    )
