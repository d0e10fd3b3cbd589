"""Pure rules: who may do what (app/accounts/permissions.py) and how an update moves
through its lifecycle (app/incidents/status.py)."""

from __future__ import annotations

import pytest

from app.accounts import permissions
from app.accounts.actor import Actor
from app.accounts.models import Role
from app.accounts.permissions import Act
from app.incidents.status import (
    UpdateAction,
    UpdateState,
    may_move_update,
    next_update_state,
)
from app.lib.errors import Conflict, PermissionDenied

RITA = Actor(name="rita", role=Role.RESPONDER, id="user:rita")
LEAD = Actor(name="lead", role=Role.COMMS_LEAD, id="user:lead")
ADMIN = Actor(name="root", role=Role.ADMIN, id="user:root")


@pytest.mark.parametrize(
    ("act", "least"),
    [
        (Act.DRAFT, Role.RESPONDER),
        (Act.SET_COMPONENT_STATUS, Role.RESPONDER),
        (Act.EDIT_OTHERS_DRAFT, Role.COMMS_LEAD),
        (Act.APPROVE, Role.COMMS_LEAD),
        (Act.REJECT, Role.COMMS_LEAD),
        (Act.PUBLISH, Role.COMMS_LEAD),
        (Act.WAIVE_REVIEW, Role.COMMS_LEAD),
        (Act.MANAGE_TEMPLATES, Role.COMMS_LEAD),
        (Act.MANAGE_TONE, Role.COMMS_LEAD),
        (Act.MANAGE_POLICY, Role.ADMIN),
        (Act.MANAGE_KEYS, Role.ADMIN),
        (Act.MANAGE_CUSTOMERS, Role.ADMIN),
        (Act.MANAGE_COMPONENTS, Role.ADMIN),
    ],
)
def test_each_act_needs_its_role_and_a_higher_role_may_do_it_too(act, least):
    assert permissions.needs(act) is least
    for actor in (RITA, LEAD, ADMIN):
        assert permissions.may(actor, act) is actor.has_role(least)


def test_every_act_has_a_role():
    assert {permissions.needs(act) for act in Act} <= set(Role)


def test_a_refusal_says_what_is_needed_and_what_you_have():
    with pytest.raises(PermissionDenied, match="publishing needs the comms_lead role; you have"):
        permissions.require(RITA, Act.PUBLISH)
    permissions.require(LEAD, Act.PUBLISH)


def test_a_draft_is_its_authors_and_any_comms_leads_to_change():
    permissions.require_change_draft(RITA, author_id="user:rita")
    permissions.require_change_draft(LEAD, author_id="user:rita")
    with pytest.raises(PermissionDenied, match="only its author or a comms lead"):
        permissions.require_change_draft(
            Actor(name="sam", role=Role.RESPONDER, id="user:sam"), author_id="user:rita"
        )


def test_a_responder_may_not_publish_unless_the_policy_waives_review_for_their_own_words():
    with pytest.raises(PermissionDenied):
        permissions.require_publish(RITA, author_id="user:rita")
    permissions.require_publish(RITA, author_id="user:rita", review_required=False)
    with pytest.raises(PermissionDenied):
        permissions.require_publish(RITA, author_id="user:sam", review_required=False)
    permissions.require_publish(LEAD, author_id="user:rita")


def test_published_words_are_changed_only_by_someone_who_may_publish():
    with pytest.raises(PermissionDenied, match="published"):
        permissions.require_edit_update(RITA, author_id="user:rita", published=True)
    permissions.require_edit_update(LEAD, author_id="user:rita", published=True)
    permissions.require_edit_update(RITA, author_id="user:rita", published=False)
    with pytest.raises(PermissionDenied):
        permissions.require_edit_update(RITA, author_id="user:sam", published=False)


def test_once_words_are_out_who_reads_them_and_the_title_are_a_publishing_act():
    for field in ("visibility", "customers", "components", "title"):
        with pytest.raises(PermissionDenied, match=field) as refused:
            permissions.require_edit_incident(RITA, has_published_words=True, changed=[field])
        assert refused.value.field == field
        permissions.require_edit_incident(RITA, has_published_words=False, changed=[field])
        permissions.require_edit_incident(LEAD, has_published_words=True, changed=[field])
    permissions.require_edit_incident(
        RITA, has_published_words=True, changed=["impact", "component statuses"]
    )


def test_any_key_may_push_a_component_status_but_only_an_admin_renames_it():
    permissions.require_component_change(RITA, changed=["status"])
    with pytest.raises(PermissionDenied, match="may only set its status"):
        permissions.require_component_change(LEAD, changed=["status", "name"])
    permissions.require_component_change(ADMIN, changed=["name", "group"])


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        (UpdateState.DRAFT, UpdateAction.EDIT, UpdateState.DRAFT),
        (UpdateState.DRAFT, UpdateAction.SUBMIT, UpdateState.SUBMITTED),
        (UpdateState.DRAFT, UpdateAction.PUBLISH, UpdateState.PUBLISHED),
        (UpdateState.SUBMITTED, UpdateAction.APPROVE, UpdateState.PUBLISHED),
        (UpdateState.SUBMITTED, UpdateAction.REJECT, UpdateState.REJECTED),
        (UpdateState.SUBMITTED, UpdateAction.PUBLISH, UpdateState.PUBLISHED),
        (UpdateState.REJECTED, UpdateAction.EDIT, UpdateState.DRAFT),
        (UpdateState.REJECTED, UpdateAction.SUBMIT, UpdateState.SUBMITTED),
        (UpdateState.PUBLISHED, UpdateAction.AMEND, UpdateState.PUBLISHED),
    ],
)
def test_an_update_moves_draft_submitted_published_or_rejected(state, action, after):
    assert may_move_update(state, action)
    assert next_update_state(state, action) is after


@pytest.mark.parametrize(
    ("state", "action", "why"),
    [
        (UpdateState.SUBMITTED, UpdateAction.EDIT, "only drafts can"),
        (UpdateState.SUBMITTED, UpdateAction.AMEND, "only drafts can"),
        (UpdateState.PUBLISHED, UpdateAction.EDIT, "only drafts can"),
        (UpdateState.SUBMITTED, UpdateAction.SUBMIT, "already submitted"),
        (UpdateState.PUBLISHED, UpdateAction.SUBMIT, "already published"),
        (UpdateState.DRAFT, UpdateAction.APPROVE, "not waiting for review"),
        (UpdateState.REJECTED, UpdateAction.REJECT, "not waiting for review"),
        (UpdateState.PUBLISHED, UpdateAction.PUBLISH, "already published"),
        (UpdateState.REJECTED, UpdateAction.PUBLISH, "submit it for review"),
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_a_conflict_saying_why(state, action, why):
    assert not may_move_update(state, action)
    with pytest.raises(Conflict, match=why) as refused:
        next_update_state(state, action)
    assert refused.value.status_code == 409
