"""Pure rules of the comms desk: the template sandbox, tone checks, the approval policy."""

from __future__ import annotations

import pytest

from app.accounts.actor import Actor
from app.accounts.models import Role
from app.comms.review import policy
from app.comms.wording import tone
from app.comms.wording.sandbox import TemplateProblem, render_text

CONTEXT = {"title": "API errors", "components": ["API"], "impact": "major"}


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ title.__class__.__base__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum.__globals__['os'].listdir('/') }}",
        "{{ self.__init__.__globals__ }}",
        "{{ components.append('x') }}",
        "{{ title.format.__globals__ }}",
        "{% include '/etc/passwd' %}",
        "{% import 'os' as os %}",
        "{% extends '../../app/settings.py' %}",
        "{{ config }}{{ request }}",
    ],
)
def test_sandbox_escape_attempts_fail_safely_as_template_problems(source):
    with pytest.raises(TemplateProblem) as caught:
        render_text(source, dict(CONTEXT))
    assert caught.value.status_code == 422
    assert caught.value.message.startswith("body")
    assert CONTEXT["components"] == ["API"]  # nothing was mutated


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**9 }}",
        "{{ components * 100000000 }}",
        "{{ 9**9**9 }}",
        "{{ '%999999999s' % title }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ 'x'|center(1000000000) }}",
        "{{ lipsum(n=100000) }}",
        "{% for i in range(100000) %}{% endfor %}",
        "{% for a in range(9) %}{% for b in range(9) %}{% for c in range(9) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
        "{% for i in range(100) %}{% for j in range(100) %}{{ title * 50 }}{% endfor %}"
        "{% endfor %}",
    ],
)
def test_templates_that_would_exhaust_the_server_are_refused(source):
    # Refused by a limit, not rendered to the end (how long a refusal takes is the render
    # budget's business, tested by the limit it names in tests/security).
    with pytest.raises(TemplateProblem):
        render_text(source, dict(CONTEXT))


def test_an_undefined_variable_names_its_line():
    with pytest.raises(TemplateProblem) as caught:
        render_text("Hello\n\n{{ title }} and {{ custmer_name }}", CONTEXT)
    assert caught.value.line == 3
    assert caught.value.message == "body line 3: 'custmer_name' is undefined"


def test_a_syntax_error_names_its_line():
    with pytest.raises(TemplateProblem) as caught:
        render_text("one\ntwo\n{% if impact %}\nno end", CONTEXT)
    assert caught.value.line == 3
    assert "endif" in caught.value.message
    with pytest.raises(TemplateProblem) as caught:
        render_text("one\n{{ title }", CONTEXT)
    assert caught.value.line == 2


def test_a_template_renders_plain_text_with_its_variables():
    assert render_text("{{ title }}: {{ components|join(', ') }} <b>", CONTEXT) == (
        "API errors: API <b>"
    )


SUBJECT = tone.Subject(status="investigating", impact="major", components=("API", "Search"))


def _rules(findings):  # type: ignore[no-untyped-def]
    return {f.rule: f for f in findings}


def test_a_good_update_has_no_findings():
    body = "We're sorry: the API fails for some of you. Next update by 14:30 UTC."
    assert tone.check(body, SUBJECT) == []


def test_tone_findings_name_the_rule_and_the_words():
    body = (
        "Traceback (most recent call last): db-3.internal fell over (OPS-1234), the vendor's fault."
    )
    found = _rules(tone.check(body, SUBJECT))
    assert set(found) == {"names_affected", "next_update", "blame_words", "jargon", "apology"}
    assert found["blame_words"].words == ("fault", "vendor")
    assert "db-3.internal" in found["jargon"].words
    assert "OPS-1234" in found["jargon"].words
    assert "traceback" in found["jargon"].words
    assert all(not f.blocking for f in found.values())


def test_a_resolved_update_needs_no_next_update_time():
    resolved = tone.Subject(status="resolved", impact="minor", components=("API",))
    assert tone.check("The API works again.", resolved) == []


def test_length_rule_uses_the_configured_limit():
    settings = {tone.LENGTH: tone.RuleSetting(limit=60)}
    body = "The API is slow. Next update by 14:30 UTC. " * 3
    minor = tone.Subject(status="investigating", impact="minor", components=("API",))
    found = _rules(tone.check(body, minor, settings))
    assert "keep it under 60 characters" in found["length"].message
    assert tone.check(body, minor) == []


def test_rules_can_be_switched_off_or_made_blocking_with_custom_words():
    settings = {
        tone.APOLOGY: tone.RuleSetting(enabled=False),
        tone.BLAME_WORDS: tone.RuleSetting(blocking=True, words=("their bug",)),
    }
    body = "The API fails; it's their bug, not a fault. Next update by 14:30."
    found = _rules(tone.check(body, SUBJECT, settings))
    assert set(found) == {"blame_words"}
    assert found["blame_words"].words == ("their bug",)
    assert tone.blocking(found.values()) == [found["blame_words"]]


LEAD = Actor("ana", Role.COMMS_LEAD, "user:ana")


def test_a_responder_may_not_approve():
    decision = policy.may_approve(
        policy.Policy(),
        actor=Actor("rita", Role.RESPONDER, "user:rita"),
        author_id="user:bo",
        visibility="public",
        impact="minor",
    )
    assert not decision.allowed


@pytest.mark.parametrize(
    ("visibility", "impact", "allowed"),
    [
        ("public", "major", False),
        ("public", "critical", False),
        ("public", "minor", True),
        ("customers", "major", True),
    ],
)
def test_the_author_approves_alone_only_outside_public_major_incidents(visibility, impact, allowed):
    decision = policy.may_approve(
        policy.Policy(), actor=LEAD, author_id="user:ana", visibility=visibility, impact=impact
    )
    assert decision.allowed is allowed
    assert decision.waiver is None


def test_a_policy_waiver_lets_the_author_approve_and_says_so():
    decision = policy.may_approve(
        policy.Policy(author_may_approve_major=True),
        actor=LEAD,
        author_id="user:ana",
        visibility="public",
        impact="major",
    )
    assert decision.allowed
    assert decision.waiver == policy.WAIVER_AUTHOR_APPROVED


def test_by_default_submitting_never_publishes():
    assert not policy.publishes_on_submit(policy.Policy()).allowed
    waived = policy.publishes_on_submit(policy.Policy(require_approval=False))
    assert waived.allowed and waived.waiver == policy.WAIVER_NO_REVIEW
