"""The default template set in the demo: every template renders and passes the tone checks."""

from __future__ import annotations

from app.comms.demo import demo_sign_ins
from app.comms.maintenance.plans import (
    APPROVED,
    COMPLETED,
    IN_PROGRESS,
    PUBLISHED,
    SCHEDULED,
    list_plans,
)
from app.comms.wording import examples, tone
from app.comms.wording import templates as wording
from app.comms.wording.sandbox import render_text
from app.demo.load import load_demo
from app.incidents.status import FINAL_STATUSES


async def test_demo_templates_render_plainly_with_an_apology_and_a_next_update(
    sessionmaker, settings
):
    async with sessionmaker() as session:
        await load_demo(session, settings=settings)
        await session.commit()
        templates = await wording.list_templates(session)
        assert {t.status for t in templates} >= {
            "investigating",
            "identified",
            "monitoring",
            "resolved",
            "scheduled",
            "in_progress",
            "verifying",
            "completed",
        }
        for impact in ("minor", "critical"):
            for template in templates:
                context = {
                    **wording.SAMPLE_VALUES,
                    "impact": impact,
                    "status": wording.status_words(template.status),
                }
                if template.status == "scheduled" or template.status in FINAL_STATUSES:
                    context["next_update_at"] = ""
                body = render_text(template.body, context)
                subject = tone.Subject(
                    status=template.status, impact=impact, components=("API", "Search")
                )
                findings = tone.check(body, subject)
                if template.status in ("scheduled", "in_progress", "verifying", "completed"):
                    findings = [f for f in findings if f.rule != "apology"]  # planned work
                assert findings == [], (template.name, impact, body, findings)
                if template.status not in FINAL_STATUSES and template.status != "scheduled":
                    assert "14:33 UTC" in body
        kept = await examples.search_examples(session, text="")
        assert len(kept) == 5
        sign_ins = await demo_sign_ins(session)
        assert [(name, role) for name, role, _ in sign_ins] == [
            ("lead", "comms_lead"),
            ("rita", "responder"),
        ]


async def test_the_demo_window_has_its_words_approved_for_every_moment(sessionmaker, settings):
    """A newcomer's desk shows a maintenance window as a team would leave it: announced,
    with the words for its start and end approved and waiting for the clock."""
    async with sessionmaker() as session:
        await load_demo(session, settings=settings)
        await session.commit()
        (plan,) = await list_plans(session)
        states = {phase: words.state if words else None for phase, words in plan.words.items()}
    assert states == {SCHEDULED: PUBLISHED, IN_PROGRESS: APPROVED, COMPLETED: APPROVED}
