"""The audience rule's vocabulary and decisions beyond pages: who words reach, the label a
reviewer reads, which templates fit, and who may still receive a message at send time."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from app import audience
from app.audience import Reach
from app.comms.wording import templates as wording
from app.incidents.models import Incident, Update
from app.lib.errors import InvalidInput

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def _subscriber(customer_id=None, **fields):  # type: ignore[no-untyped-def]
    values = {
        "customer_id": customer_id,
        "confirmed_at": NOW,
        "unsubscribed_at": None,
        "disabled_at": None,
        "quarantined_at": None,
        "state": "active",
        **fields,
    }
    return SimpleNamespace(**values)


def _update(customer_id=None, state="published") -> Update:  # type: ignore[no-untyped-def]
    return Update(state=state, published_at=NOW, customer_id=customer_id)


def _incident(visibility="public", declined_at=None) -> Incident:  # type: ignore[no-untyped-def]
    return Incident(visibility=visibility, declined_at=declined_at)


@pytest.mark.parametrize(
    ("visibility", "customer_id", "reach"),
    [
        ("public", None, Reach.EVERYONE),
        ("customers", None, Reach.AFFECTED),
        ("internal", None, Reach.NOBODY),
        ("public", "acme", Reach.CUSTOMER),
        ("customers", "acme", Reach.CUSTOMER),
        ("internal", "acme", Reach.NOBODY),
        ("something new", None, Reach.NOBODY),
    ],
)
def test_words_reach_whoever_the_incident_and_their_customer_allow(visibility, customer_id, reach):
    assert audience.reach_of(visibility, customer_id=customer_id) is reach


def test_an_incident_naming_customers_is_for_them_and_one_naming_none_is_public():
    assert audience.default_visibility(["acme"]) == "customers"
    assert audience.default_visibility([]) == "public"


def test_a_writer_asking_for_a_reach_the_incident_does_not_give_is_told_why():
    with pytest.raises(InvalidInput, match="reach everyone") as refused:
        audience.check_requested_reach(visibility="public", wanted="affected", customer_id=None)
    assert refused.value.field == "audience"
    with pytest.raises(InvalidInput, match="its affected customers"):
        audience.check_requested_reach(visibility="customers", wanted="public", customer_id=None)
    with pytest.raises(InvalidInput, match="name the customer"):
        audience.check_requested_reach(visibility="public", wanted="customer", customer_id=None)
    with pytest.raises(InvalidInput, match="names no customer"):
        audience.check_requested_reach(visibility="public", wanted="public", customer_id="acme")
    with pytest.raises(InvalidInput, match="public, affected or customer"):
        audience.check_requested_reach(visibility="public", wanted="everybody", customer_id=None)


def test_a_writer_asking_for_what_the_incident_gives_gets_it():
    given = audience.check_requested_reach(visibility="customers", wanted=None, customer_id=None)
    assert given is Reach.AFFECTED
    asked = audience.check_requested_reach(
        visibility="customers", wanted="customer", customer_id="acme"
    )
    assert asked is Reach.CUSTOMER


def test_the_reviewer_reads_who_the_words_reach_in_plain_words():
    assert audience.label(Reach.EVERYONE).startswith("public")
    assert audience.label(Reach.AFFECTED) == "all affected customers"
    assert audience.label(Reach.CUSTOMER, customer_name="Acme Logistics") == "only Acme Logistics"
    assert audience.label(Reach.NOBODY).startswith("nobody outside the team")


def test_the_preview_lists_the_public_then_each_affected_customer_who_may_read():
    everyone = audience.readers(visibility="public", affected={"b", "a"}, update_customer_id=None)
    assert [r.customer_id for r in everyone] == [None, "a", "b"]
    affected = audience.readers(visibility="customers", affected={"a"}, update_customer_id=None)
    assert [r.customer_id for r in affected] == ["a"]
    own = audience.readers(visibility="customers", affected={"a", "b"}, update_customer_id="b")
    assert [r.customer_id for r in own] == ["b"]
    assert audience.readers(visibility="internal", affected={"a"}, update_customer_id=None) == []


@pytest.mark.parametrize(
    ("template", "reach", "fits"),
    [
        (None, Reach.EVERYONE, True),
        (None, Reach.AFFECTED, True),
        ("public", Reach.EVERYONE, True),
        ("public", Reach.AFFECTED, False),
        ("customer", Reach.AFFECTED, True),
        ("customer", Reach.CUSTOMER, True),
        ("customer", Reach.EVERYONE, False),
    ],
)
def test_a_template_fits_the_words_it_was_written_for(template, reach, fits):
    assert wording.template_fits(template, reach) is fits


def test_a_template_is_for_the_public_or_for_customers_only():
    assert wording.template_reach("customer") == "customer"
    assert wording.template_reach("") is None
    with pytest.raises(InvalidInput, match="public or customer"):
        wording.template_reach("affected")


def test_an_incident_without_published_words_for_a_reader_is_not_shown_to_it():
    incident = Incident(visibility="public", declined_at=None, updates=[_update(state="draft")])
    assert audience.shown_updates(audience.PUBLIC, incident, affected=set()) == []
    published = _update()
    incident.updates.append(published)
    assert audience.shown_updates(audience.PUBLIC, incident, affected=set()) == [published]


def test_a_message_its_reader_may_still_see_goes_out():
    assert audience.why_not_send(_subscriber(), _update(), _incident(), affected=set()) is None
    contact = _subscriber("acme")
    assert (
        audience.why_not_send(contact, _update(), _incident("customers"), affected={"acme"}) is None
    )


@pytest.mark.parametrize(
    ("subscriber", "update", "incident", "affected", "why"),
    [
        (_subscriber(), _update(), _incident("internal"), set(), "internal now"),
        (_subscriber(), _update(), _incident("customers"), {"acme"}, "affected customers only"),
        (_subscriber("globex"), _update(), _incident("customers"), {"acme"}, "no longer affected"),
        (_subscriber("globex"), _update("acme"), _incident(), {"acme"}, "another customer"),
        (_subscriber(), _update(state="draft"), _incident(), set(), "no longer published"),
        (_subscriber(), _update(), _incident(declined_at=NOW), set(), "declined"),
        (
            _subscriber(unsubscribed_at=NOW, state="unsubscribed"),
            _update(),
            _incident(),
            set(),
            "unsubscribed",
        ),
        (
            _subscriber(quarantined_at=NOW, state="quarantined"),
            _update(),
            _incident(),
            set(),
            "quarantined",
        ),
    ],
)
def test_a_message_its_reader_may_no_longer_see_is_refused_with_the_reason(
    subscriber, update, incident, affected, why
):
    reason = audience.why_not_send(subscriber, update, incident, affected=affected)
    assert reason is not None and why in reason
