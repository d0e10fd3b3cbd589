"""The one visibility rule, decided for objects in memory (app/audience.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from app import audience
from app.incidents.models import Incident, IncidentComponent, IncidentCustomer, Update

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


def _incident(components=(), customers=()) -> Incident:  # type: ignore[no-untyped-def]
    return Incident(
        id="inc000000001",
        components=[IncidentComponent(component_id=c, status="major_outage") for c in components],
        customer_links=[IncidentCustomer(customer_id=c) for c in customers],
    )


USAGE = {"acme": {"api", "db"}, "globex": {"search"}, "initech": set()}


def test_an_incident_naming_customers_affects_exactly_those():
    incident = _incident(components=["db"], customers=["initech"])
    assert audience.affected_customer_ids(incident, USAGE) == {"initech"}


def test_an_incident_naming_no_customer_affects_the_users_of_its_components():
    assert audience.affected_customer_ids(_incident(components=["db"]), USAGE) == {"acme"}
    # Words about to add a component add its users, unless the incident names customers.
    assert audience.affected_customer_ids(_incident(components=["db"]), USAGE, ["search"]) == {
        "acme",
        "globex",
    }
    named = _incident(components=["db"], customers=["initech"])
    assert audience.affected_customer_ids(named, USAGE, ["search"]) == {"initech"}


def test_customers_only_words_record_who_they_were_published_for():
    assert audience.published_for(
        visibility="customers", affected={"b", "a"}, update_customer_id=None
    ) == ["a", "b"]
    assert audience.published_for(
        visibility="customers", affected={"a"}, update_customer_id="a"
    ) == ["a"]
    assert (
        audience.published_for(visibility="internal", affected={"a"}, update_customer_id=None) == []
    )
    # Public words stay public: nothing narrows them.
    assert (
        audience.published_for(visibility="public", affected={"a"}, update_customer_id=None) is None
    )


def test_recorded_words_are_read_by_their_customers_only():
    words = Update(state="published", published_at=NOW, customer_id=None)
    words.audience_customer_ids = ["acme"]
    assert audience.may_see_update(audience.for_customer("acme"), words)
    assert not audience.may_see_update(audience.for_customer("initech"), words)
    assert not audience.may_see_update(audience.PUBLIC, words)


def test_a_customer_joins_when_no_earlier_words_reached_it():
    first = Update(state="published", published_at=NOW, customer_id=None)
    first.audience_customer_ids = ["acme"]
    assert audience.joining(["acme", "initech"], [first]) == ["initech"]
    assert audience.joining(["acme", "initech"], []) == []  # first words: nobody "joins"
    public = Update(state="published", published_at=NOW, customer_id=None)
    assert audience.joining(["initech"], [public]) == []  # public words reached everyone


def test_a_public_incident_is_seen_by_everyone():
    for reader in (audience.PUBLIC, audience.for_customer("acme"), audience.for_customer("x")):
        assert audience.may_see_incident(reader, visibility="public", affected=set())


def test_an_incident_for_customer_a_is_seen_by_a_only():
    affected = {"acme"}
    assert audience.may_see_incident(
        audience.for_customer("acme"), visibility="customers", affected=affected
    )
    assert not audience.may_see_incident(
        audience.for_customer("globex"), visibility="customers", affected=affected
    )
    assert not audience.may_see_incident(audience.PUBLIC, visibility="customers", affected=affected)


def test_an_internal_incident_is_seen_by_nobody_outside_the_team():
    for reader in (audience.PUBLIC, audience.for_customer("acme")):
        assert not audience.may_see_incident(reader, visibility="internal", affected={"acme"})


def test_drafts_never_leave_the_team():
    draft = Update(state="draft", published_at=None, customer_id=None)
    submitted = Update(state="submitted", published_at=None, customer_id=None)
    assert not audience.may_see_update(audience.PUBLIC, draft)
    assert not audience.may_see_update(audience.for_customer("acme"), submitted)


def test_a_customers_own_wording_is_for_that_customer_only():
    own = Update(state="published", published_at=NOW, customer_id="acme")
    assert audience.may_see_update(audience.for_customer("acme"), own)
    assert not audience.may_see_update(audience.for_customer("globex"), own)
    assert not audience.may_see_update(audience.PUBLIC, own)


def test_the_audience_rule_shows_a_declined_incident_to_nobody():
    for reader in (audience.PUBLIC, audience.for_customer("c1")):
        assert not audience.may_see_incident(
            reader, visibility="public", affected={"c1"}, declined=True
        )
        assert audience.may_see_incident(reader, visibility="public", affected={"c1"})
