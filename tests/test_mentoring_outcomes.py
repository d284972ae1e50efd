"""A mentee's outcomes: the outcome page is theirs alone (404 for everyone else, the
coordinator included), an outcome is recorded with its optional note (the reason, required
for "stopped"), the history is newest first, the checkpoint prompts ask each mentee once
per checkpoint (also when three runs of the command meet), link to the page with the
checkpoint preselected, and an outcome recorded in answer stores that checkpoint."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from community.extensions import db
from community.mentoring import outcomes
from community.mentoring.models import MentoringApplication, MentoringOutcome, Programme
from community.notifications import kinds
from community.notifications.models import Notification
from tests.conftest import post_form
from tests.mentoring_report_world import MEMBER_ROLES, XSS, ReportWorld, build_world, enrol, user

BACKENDS = ("sqlite", "postgresql")
ENDS_ON = date(2027, 6, 30)
DAY_AFTER_END = datetime(2027, 7, 1, 12, tzinfo=UTC)


@pytest.fixture
def world(app) -> ReportWorld:
    with app.app_context():
        return build_world(
            starts_on=date(2026, 7, 1), ends_on=ENDS_ON, application_deadline=date(2026, 6, 1)
        )


def page(world: ReportWorld) -> str:
    return f"/mentoring/{world.programme_id}/outcome"


def prompts_asked(app, world: ReportWorld, role: str = "mentee") -> int:
    with app.app_context():
        return db.session.scalar(
            select(MentoringApplication.outcome_prompts).where(
                MentoringApplication.user_id == world[role].id
            )
        )


# --- who may see the page ------------------------------------------------------------------


@pytest.mark.parametrize("role", [*MEMBER_ROLES, "anonymous"])
def test_the_outcome_page_is_the_mentees_own(app, world, login, role):
    with app.app_context():
        outcomes.record_outcome(user(world["mentee"]), db.session.get(Programme, world.programme_id),
                                "stopped", "Private reason 7731")  # fmt: skip
        db.session.commit()
    client = app.test_client() if role == "anonymous" else login(world[role])
    response = client.get(page(world))
    if role == "anonymous":
        assert response.status_code == 302 and "/auth/login" in response.location
        assert client.post(page(world), data={"outcome": "studying"}).status_code in (302, 400)
        return
    if role in ("mentee", "other_mentee"):
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        # Each mentee sees only their own history.
        assert ("Private reason 7731" in body) is (role == "mentee")
        return
    assert response.status_code == 404  # mentor, coordinators and admins alike
    missing = client.get("/mentoring/999999/outcome")
    assert missing.status_code == 404
    posted = client.post(page(world), data={"outcome": "studying"})
    assert posted.status_code in (400, 404)  # no CSRF token to take from a 404 page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MentoringOutcome)) == 1


def test_declined_and_withdrawn_mentees_and_accepted_mentors_get_404(app, world, make_user, login):
    declined, withdrawn = make_user(), make_user()
    with app.app_context():
        enrol(world.programme_id, declined.id, "mentee", status="declined")
        enrol(world.programme_id, withdrawn.id, "mentee", status="withdrawn")
        db.session.commit()
        programme = db.session.get(Programme, world.programme_id)
        for ref in (declined, withdrawn, world["mentor"]):
            with pytest.raises(outcomes.NotFound):
                outcomes.record_outcome(user(ref), programme, "studying")
    for ref in (declined, withdrawn):
        assert login(ref).get(page(world)).status_code == 404


# --- recording -----------------------------------------------------------------------------


def test_recording_an_outcome_and_the_history_newest_first(app, world, login):
    client = login(world["mentee"])
    first = post_form(client, page(world), {"outcome": "still_searching", "checkpoint": "any"})
    assert first.status_code == 302
    second = post_form(client, page(world), {"outcome": "employed_own_field", "note": XSS,
                                              "checkpoint": "any"})  # fmt: skip
    assert second.status_code == 302
    body = client.get(page(world)).get_data(as_text=True)
    assert body.index("Employed in my own field") < body.index("Still searching")
    assert XSS not in body and "&lt;script&gt;" in body
    with app.app_context():
        rows = outcomes.outcome_history(db.session.get(Programme, world.programme_id),
                                        world["mentee"].id)  # fmt: skip
        assert [row.outcome for row in rows] == ["employed_own_field", "still_searching"]
        assert rows[0].pair_id == world.pair_id and rows[0].checkpoint == "any"


def test_stopped_needs_a_reason_and_nothing_unknown_is_stored(app, world, login):
    client = login(world["mentee"])
    refused = post_form(
        client, page(world), {"outcome": "stopped", "note": "  ", "checkpoint": "any"}
    )
    assert refused.status_code == 422
    assert "Tell us briefly why you stopped." in refused.get_data(as_text=True)
    unknown = post_form(client, page(world), {"outcome": "astronaut", "checkpoint": "any"})
    assert unknown.status_code == 422
    too_long = post_form(client, page(world), {"outcome": "studying", "note": "x" * 501,
                                                "checkpoint": "any"})  # fmt: skip
    assert too_long.status_code == 422
    kept = post_form(client, page(world), {"outcome": "stopped", "note": "Moved to Oslo",
                                            "checkpoint": "any"})  # fmt: skip
    assert kept.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(MentoringOutcome.note)).all() == ["Moved to Oslo"]


def test_a_checkpoint_not_asked_yet_is_refused(app, world, login):
    client = login(world["mentee"])
    response = post_form(client, page(world), {"outcome": "studying", "checkpoint": "end"})
    assert response.status_code == 422
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        with pytest.raises(outcomes.Invalid) as refused:
            outcomes.record_outcome(user(world["mentee"]), programme, "studying", "", "6m")
        assert refused.value.field == "checkpoint"


# --- the checkpoint prompts ----------------------------------------------------------------


def test_checkpoints_fall_after_the_last_day_in_the_programmes_time_zone(app, world):
    with app.app_context():
        programme = db.session.get(Programme, world.programme_id)
        assert outcomes.checkpoint_due(programme, outcomes.Checkpoint.END) == datetime(
            2027,
            6,
            30,
            22,
            tzinfo=UTC,  # midnight starting 1 July in Copenhagen (CEST)
        )
        assert outcomes.checkpoint_due(programme, outcomes.Checkpoint.MONTHS_3).date() == date(
            2027, 9, 30
        )
        assert outcomes.add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)


def test_each_checkpoint_is_asked_once_and_links_to_the_page_preselected(app, world, runner, login):
    def run(moment: datetime) -> str:
        result = runner.invoke(args=["mentoring-outcome-prompts", "--now", moment.isoformat()])
        assert result.exit_code == 0, result.output
        return result.output

    assert "asked 0 mentees" in run(datetime(2027, 6, 30, 12, tzinfo=UTC))  # the last day
    assert "asked 2 mentees" in run(DAY_AFTER_END)
    assert "asked 0 mentees" in run(DAY_AFTER_END + timedelta(hours=1))
    assert prompts_asked(app, world) == 1
    with app.app_context():
        prompt = db.session.scalars(
            select(Notification).where(Notification.user_id == world["mentee"].id)
        ).one()
        words = kinds.describe(prompt, user(world["mentee"]))
        assert "has ended" in words.text and "International Business Mentoring" in words.text
        assert words.url == f"/mentoring/{world.programme_id}/outcome?checkpoint=end"
        assert kinds.describe(prompt, user(world["mentor"])) is None
    client = login(world["mentee"])
    form = client.get(words.url).get_data(as_text=True)
    assert '<option selected value="end">' in form
    assert post_form(client, page(world), {"outcome": "internship", "checkpoint": "end"},
                     form_page=words.url).status_code == 302  # fmt: skip
    with app.app_context():
        assert db.session.scalars(select(MentoringOutcome.checkpoint)).all() == ["end"]
        # Answered: the prompt is moot now.
        assert (
            kinds.describe(db.session.get(Notification, prompt.id), user(world["mentee"])) is None
        )
    # 3 months on: the next checkpoint; months of silence ask only the latest one due.
    assert "asked 2 mentees" in run(datetime(2027, 10, 1, 12, tzinfo=UTC))
    assert "asked 2 mentees" in run(datetime(2028, 8, 1, 12, tzinfo=UTC))
    assert prompts_asked(app, world) == 4
    assert "asked 0 mentees" in run(datetime(2030, 1, 1, tzinfo=UTC))
    with app.app_context():
        asked = db.session.scalars(
            select(Notification.data).where(Notification.user_id == world["mentee"].id)
            .order_by(Notification.id)
        ).all()  # fmt: skip
        assert [data["checkpoint"] for data in asked] == ["end", "3m", "12m"]


def test_the_job_runner_asks_too(app, world):
    from community.jobs import run_scheduled_jobs, scheduled_jobs

    with app.app_context():
        assert "mentoring outcome prompts" in [name for name, _job in scheduled_jobs()]
        done = run_scheduled_jobs(now=DAY_AFTER_END, only=("mentoring outcome prompts",))
    assert done == {"mentoring outcome prompts": 2}


def test_three_runs_at_once_ask_each_mentee_once(app, world, make_user):
    mentees = [make_user() for _n in range(8)]
    with app.app_context():
        for ref in mentees:
            enrol(world.programme_id, ref.id, "mentee")
        db.session.commit()
    barrier = threading.Barrier(3)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(outcomes.send_outcome_prompts(DAY_AFTER_END))
                db.session.commit()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(len(sent) for sent in results) == 10  # the 2 of the world and the 8
    with app.app_context():
        per_member = db.session.scalars(
            select(func.count()).where(Notification.kind == "mentoring.outcome_prompt")
            .group_by(Notification.user_id)
        ).all()  # fmt: skip
        assert sorted(per_member) == [1] * 10
        assert set(db.session.scalars(select(MentoringApplication.outcome_prompts).where(
            MentoringApplication.role == "mentee"))) == {1}  # fmt: skip


def test_mentees_of_inactive_accounts_are_not_asked(app, world):
    from community.auth import services as accounts
    from community.auth.roles import UserStatus

    with app.app_context():
        accounts.set_status(user(world["other_mentee"]), UserStatus.SUSPENDED)
        db.session.execute(update(MentoringApplication).values(outcome_prompts=0))
        db.session.commit()
        sent = outcomes.send_outcome_prompts(DAY_AFTER_END)
        db.session.commit()
    assert len(sent) == 1
