"""The learning pages: who may see and do what (every route, every role), the plan's
privacy, validation that keeps what was typed, escaping of member-written text, keyset
pagination, a query count that does not grow with the page, learning events by their own
visibility rule, skills that reach the profile only when asked, the weekly reminders
command and the suggestions from open gigs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.gigs.models import Gig, GigReview, GigSkill, GigStatus
from community.learning import queries
from community.learning import services as learning
from community.learning.models import LearningItem, LearningPlanEntry, LearningReminder
from community.notifications.models import Notification
from community.profiles.models import ProfileTag
from community.profiles.services import ProfileData, get_profile, tags_by_name, update_profile
from tests.conftest import csrf_token, post_form
from tests.learning_world import ROLES, LearningWorld, build_world, item_data, user

BACKENDS = ("sqlite", "postgresql")

EDITORS = {"organiser", "moderator", "admin"}  # may edit the organiser's item
ADDERS = {"organiser", "other_organiser", "moderator", "admin"}


@pytest.fixture
def world(app) -> LearningWorld:
    with app.app_context():
        return build_world()


@pytest.fixture
def as_role(login, world):
    clients = {}

    def client(role: str):
        if role not in clients:
            clients[role] = login(world[role])
        return clients[role]

    return client


def _item_form(**changes) -> dict:
    values = {
        "kind": "workshop",
        "title": "CV clinic",
        "description": "Bring your CV.",
        "provider": "Volunteers",
        "format": "online",
        "city": "",
        "language": "en",
        "free": "y",
        "cost_amount": "",
        "currency": "",
        "funding": "",
        "skills": "CV writing, Interviewing",
        "link": "https://example.org/cv",
    }
    values.update(changes)
    return values


# --- permissions: every route, every role ---------------------------------------------------


def test_anonymous_is_sent_to_log_in_everywhere(client, world):
    paths = [
        ("get", "/learning"),
        ("get", f"/learning/{world.item_id}"),
        ("get", "/learning/new"),
        ("post", "/learning/new"),
        ("get", f"/learning/{world.item_id}/edit"),
        ("post", f"/learning/{world.item_id}/plan"),
        ("post", f"/learning/events/{world.event_id}/plan"),
        ("get", "/learning/plan"),
        ("post", "/learning/plan/reminder"),
        ("post", f"/learning/plan/{world.entry_id}"),
        ("get", f"/learning/plan/{world.entry_id}/done"),
        ("post", f"/learning/plan/{world.entry_id}/done"),
        ("post", f"/learning/plan/{world.entry_id}/remove"),
    ]
    for method, path in paths:
        response = getattr(client, method)(path)
        if method == "post":
            assert response.status_code in (302, 400), (method, path)
        else:
            assert response.status_code == 302, path
            assert "/login" in response.headers["Location"], path


@pytest.mark.parametrize("role", ROLES)
def test_list_and_item_are_for_every_member(as_role, world, role):
    client = as_role(role)
    listing = client.get("/learning")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "Danish 1" in html and "Data analysis with SQL" in html
    assert ('href="/learning/new"' in html) == (role in ADDERS)
    item = client.get(f"/learning/{world.item_id}").get_data(as_text=True)
    assert "Add to my plan" in item or "In your plan" in item
    assert (f'href="/learning/{world.item_id}/edit"' in item) == (role in EDITORS)
    assert client.get("/learning/999999").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_adding_items_is_for_organisers_moderators_and_admins(as_role, world, role):
    client = as_role(role)
    page = client.get("/learning/new")
    assert page.status_code == (200 if role in ADDERS else 403)
    response = client.post(
        "/learning/new",
        data={**_item_form(title=f"By {role}"), "csrf_token": csrf_token(client, "/learning")},
    )
    assert response.status_code == (302 if role in ADDERS else 403)
    with client.application.app_context():
        made = db.session.scalar(select(LearningItem).where(LearningItem.title == f"By {role}"))
        assert (made is not None) == (role in ADDERS)


@pytest.mark.parametrize("role", ROLES)
def test_editing_is_for_who_added_it_moderators_and_admins(as_role, world, role):
    client = as_role(role)
    path = f"/learning/{world.item_id}/edit"
    assert client.get(path).status_code == (200 if role in EDITORS else 403)
    response = client.post(
        path,
        data={
            **_item_form(title=f"Edited by {role}", kind="language_class"),
            "csrf_token": csrf_token(client, "/learning"),
        },
    )
    assert response.status_code == (302 if role in EDITORS else 403)
    with client.application.app_context():
        title = db.session.get(LearningItem, world.item_id).title
        assert (title == f"Edited by {role}") == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_a_plan_is_seen_and_changed_by_its_member_only(as_role, world, role):
    """Mia's entry: every other role gets the same 404 on every plan route."""
    client = as_role(role)
    mine = role == "member"
    entry = world.entry_id
    plan = client.get("/learning/plan").get_data(as_text=True)
    assert (f'id="entry-{entry}"' in plan) == mine
    token = csrf_token(client, "/learning/plan")
    expected = 302 if mine else 404
    assert client.get(f"/learning/plan/{entry}/done").status_code == (200 if mine else 404)
    updated = client.post(
        f"/learning/plan/{entry}",
        data={"status": "doing", "weekly_goal_hours": "3", "csrf_token": token},
    )
    assert updated.status_code == expected
    done = client.post(
        f"/learning/plan/{entry}/done", data={"skills": ["Danish"], "csrf_token": token}
    )
    assert done.status_code == expected
    removed = client.post(f"/learning/plan/{entry}/remove", data={"csrf_token": token})
    assert removed.status_code == expected
    with client.application.app_context():
        assert (db.session.get(LearningPlanEntry, entry) is None) == mine
    missing = client.post("/learning/plan/999999/remove", data={"csrf_token": token})
    assert missing.status_code == 404


def test_the_plan_page_never_shows_another_members_plan(as_role, world):
    html = as_role("member").get("/learning/plan").get_data(as_text=True)
    assert f'id="entry-{world.other_entry_id}"' not in html
    other = as_role("other").get("/learning/plan").get_data(as_text=True)
    assert f'id="entry-{world.other_entry_id}"' in other
    assert f'id="entry-{world.entry_id}"' not in other


# --- learning events ------------------------------------------------------------------------


def test_learning_events_follow_the_events_visibility_rule(as_role, world):
    html = as_role("member").get("/learning").get_data(as_text=True)
    assert "Danish café" in html and f'href="/events/{world.event_id}"' in html
    assert "Secret Danish class" not in html
    assert ">Event<" in html  # marked as an event
    # The organiser of the private group sees its event.
    assert "Secret Danish class" in as_role("organiser").get("/learning").get_data(as_text=True)
    client = as_role("member")
    token = csrf_token(client, "/learning")
    hidden = client.post(
        f"/learning/events/{world.hidden_event_id}/plan",
        data={"status": "want", "csrf_token": token},
    )
    assert hidden.status_code == 404
    added = client.post(
        f"/learning/events/{world.event_id}/plan", data={"status": "want", "csrf_token": token}
    )
    assert added.status_code == 302
    assert "Danish café" in client.get("/learning/plan").get_data(as_text=True)


def test_only_learning_events_go_into_a_plan(app, world):
    from community.events import services as events
    from tests.factories import event_data

    with app.app_context():
        social = events.create_event(user(world["organiser"]), event_data(category="social"))
        db.session.commit()
        with pytest.raises(learning.Invalid):
            learning.add_to_plan(user(world["member"]), event_id=social.id)
        db.session.rollback()


# --- validation and escaping ---------------------------------------------------------------


def test_the_item_form_keeps_input_and_names_each_problem(as_role, world):
    client = as_role("organiser")
    response = post_form(
        client,
        "/learning/new",
        _item_form(
            title="Keep me",
            format="in_person",
            city="",
            link="javascript:alert(1)",
            free="",
            cost_amount="50",
            currency="",
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Keep me"' in html
    assert "There is a problem" in html
    # The form's own checks first; the link is named next to its field.
    assert "Give a link starting with https://." in html
    assert 'value="javascript:alert(1)"' in html
    # Then the service's: an in-person item needs its city.
    city = post_form(client, "/learning/new", _item_form(format="in_person", city=""))
    assert city.status_code == 422
    assert "Choose the city where it takes place." in city.get_data(as_text=True)
    costly = post_form(client, "/learning/new", _item_form(free="", cost_amount="50"))
    assert "Choose the currency." in costly.get_data(as_text=True)
    empty = post_form(client, "/learning/new", _item_form(title="", provider=""))
    assert empty.status_code == 422
    assert "Give it a title." in empty.get_data(as_text=True)


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_member_written_text_comes_back_escaped(app, as_role, world):
    with app.app_context():
        item = learning.create_item(
            user(world["organiser"]),
            item_data(
                title=XSS,
                description=XSS + "\n\n[x](javascript:alert(1))",
                provider=XSS,
                funding=XSS,
                skills=[XSS[:40]],
            ),
        )
        db.session.commit()
        item_id = item.id
    for path in ("/learning", f"/learning/{item_id}"):
        html = as_role("member").get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path
        assert 'href="javascript' not in html, path


# --- pagination and query counts -------------------------------------------------------------


def _add_items(app, organiser_ref, count: int) -> None:
    with app.app_context():
        organiser = user(organiser_ref)
        for n in range(count):
            learning.create_item(
                organiser, item_data(title=f"Item {n:03}", skills=[f"Skill {n % 7}", "Danish"])
            )
        db.session.commit()


def test_keyset_pagination_walks_every_item_once(app, as_role, world):
    _add_items(app, world["organiser"], 45)
    client = as_role("member")
    seen, path = [], "/learning"
    while path:
        html = client.get(path).get_data(as_text=True)
        seen += re.findall(r'<a href="/learning/(\d+)">', html)
        found = re.search(
            r'href="(/learning\?cursor=[^"]+)" *>?[^>]*rel="next"|rel="next" href="([^"]+)"', html
        )
        path = (found.group(1) or found.group(2)).replace("&amp;", "&") if found else None
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(LearningItem))
    assert len(seen) == len(set(seen)) == total == 47


def test_the_list_costs_the_same_queries_for_5_or_40_items(app, login, world, count_queries):
    counts = []
    for total in (5, 40):
        with app.app_context():
            have = db.session.scalar(select(func.count()).select_from(LearningItem))
        _add_items(app, world["organiser"], total - have)
        client = login(world["member"])
        client.get("/learning")
        with count_queries() as counter:
            response = client.get("/learning")
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# --- marking done: skills reach the profile only when asked -----------------------------------


def test_skills_reach_the_profile_only_when_the_member_ticks_it(as_role, app, world):
    client = as_role("member")
    token = csrf_token(client, "/learning/plan")
    done = client.post(
        f"/learning/plan/{world.entry_id}/done",
        data={
            "skills": ["Danish"],
            "evidence_link": "https://example.org/cert",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    with app.app_context():
        profile = get_profile(world["member"].id)
        assert profile is None or not [t for t in profile.tags if t.kind == "skill"]
        entry = db.session.get(LearningPlanEntry, world.entry_id)
        assert entry.status == "done" and entry.skills_gained == "Danish"
        assert entry.evidence_link == "https://example.org/cert"
    again = client.post(
        f"/learning/plan/{world.entry_id}/done",
        data={"skills": ["Danish"], "add_to_profile": "y", "csrf_token": token},
    )
    assert again.status_code == 302
    with app.app_context():
        skills = [t.tag.label for t in get_profile(world["member"].id).tags if t.kind == "skill"]
        assert skills == ["Danish"]


def test_done_refuses_skills_it_does_not_build_and_bad_links(as_role, app, world):
    client = as_role("member")
    token = csrf_token(client, "/learning/plan")
    bad = client.post(
        f"/learning/plan/{world.entry_id}/done",
        data={"skills": ["Brain surgery"], "add_to_profile": "y", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "Choose among the skills it builds." in bad.get_data(as_text=True)
    link = client.post(
        f"/learning/plan/{world.entry_id}/done",
        data={"skills": ["Danish"], "evidence_link": "ftp://x", "csrf_token": token},
    )
    assert link.status_code == 422
    assert 'value="ftp://x"' in link.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LearningPlanEntry, world.entry_id).status == "want"
        assert not db.session.scalar(
            select(func.count())
            .select_from(ProfileTag)
            .where(ProfileTag.user_id == world["member"].id)
        )


def test_existing_profile_skills_are_kept_when_new_ones_are_added(app, world):
    with app.app_context():
        member = user(world["member"])
        update_profile(member, ProfileData(skills=["Python"], interests=["Hiking"]))
        entry = db.session.get(LearningPlanEntry, world.entry_id)
        learning.mark_done(member, entry, skills=["Danish"], add_to_profile=True)
        db.session.commit()
        tags = {(t.kind, t.tag.label) for t in get_profile(member.id).tags}
        assert tags == {("skill", "Python"), ("skill", "Danish"), ("interest", "Hiking")}


def test_adding_twice_is_a_conflict_and_the_status_and_goal_change(as_role, app, world):
    client = as_role("member")
    token = csrf_token(client, f"/learning/{world.paid_item_id}")
    first = client.post(
        f"/learning/{world.paid_item_id}/plan", data={"status": "doing", "csrf_token": token}
    )
    assert first.status_code == 302
    second = client.post(
        f"/learning/{world.paid_item_id}/plan",
        data={"status": "want", "csrf_token": token},
        follow_redirects=True,
    )
    assert "already in your learning plan" in second.get_data(as_text=True)
    bad_goal = client.post(
        f"/learning/plan/{world.entry_id}",
        data={"status": "doing", "weekly_goal_hours": "99", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Give between 1 and 60 hours a week" in bad_goal.get_data(as_text=True)
    client.post(
        f"/learning/plan/{world.entry_id}",
        data={"status": "doing", "weekly_goal_hours": "5", "csrf_token": token},
    )
    html = client.get("/learning/plan").get_data(as_text=True)
    assert "You plan 5 hours a week." in html


# --- the weekly reminders command ---------------------------------------------------------------


def test_reminders_come_once_a_week_on_the_chosen_day_only(app, runner, world):
    monday = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    with app.app_context():
        learning.set_reminder(user(world["member"]), 0)  # Monday
        learning.set_reminder(user(world["other"]), 2)  # Wednesday
        db.session.commit()
    first = runner.invoke(args=["learning-reminders", "--now", monday.isoformat()])
    assert first.exit_code == 0 and "sent 1 learning reminders" in first.output
    second = runner.invoke(
        args=["learning-reminders", "--now", (monday + timedelta(hours=5)).isoformat()]
    )
    assert "sent 0 learning reminders" in second.output
    # Moving the day within the same week sends nothing more.
    with app.app_context():
        learning.set_reminder(user(world["member"]), 1)
        db.session.commit()
    tuesday = runner.invoke(
        args=["learning-reminders", "--now", (monday + timedelta(days=1)).isoformat()]
    )
    assert "sent 0 learning reminders" in tuesday.output
    wednesday = runner.invoke(
        args=["learning-reminders", "--now", (monday + timedelta(days=2)).isoformat()]
    )
    assert "sent 1 learning reminders" in wednesday.output
    next_week = runner.invoke(
        args=["learning-reminders", "--now", (monday + timedelta(days=8)).isoformat()]
    )
    assert "sent 1 learning reminders" in next_week.output
    with app.app_context():
        counts = dict(
            db.session.execute(
                select(Notification.user_id, func.count())
                .where(Notification.kind == "learning.reminder")
                .group_by(Notification.user_id)
            ).all()
        )
        assert counts == {world["member"].id: 2, world["other"].id: 1}
        # Members who set no reminder get none.
        for role in ("organiser", "moderator", "admin", "other_organiser"):
            assert world[role].id not in counts


def test_a_claimed_week_is_never_sent_twice(app, world):
    """Two runs at once: the second one's claim meets the unique key and sends nothing."""
    monday = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    with app.app_context():
        learning.set_reminder(user(world["member"]), 0)
        db.session.commit()
        # The other run's claim lands between our read and our insert.
        db.session.add(LearningReminder(user_id=world["member"].id, week=learning.week_of(monday)))
        db.session.commit()
        assert learning.send_reminders(monday) == 0
        db.session.commit()
        assert not db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "learning.reminder")
        )


def test_the_plan_page_sets_the_reminder(as_role, app, world):
    client = as_role("member")
    response = post_form(
        client, "/learning/plan/reminder", {"reminder_weekday": "3"}, form_page="/learning/plan"
    )
    assert response.status_code == 302
    assert "You are reminded every Thursday." in client.get("/learning/plan").get_data(as_text=True)
    post_form(
        client, "/learning/plan/reminder", {"reminder_weekday": ""}, form_page="/learning/plan"
    )
    with app.app_context():
        assert learning.plan_settings(user(world["member"])).reminder_weekday is None


# --- suggestions --------------------------------------------------------------------------------


def _gig(poster_id: int, skills: list[str], *, city=None, remote=False, **changes) -> None:
    """A gig row (the gigs services are built on another branch; the schema is here)."""
    gig = Gig(
        poster_id=poster_id,
        title="A gig",
        kind="remote" if remote else "paid_local",
        who_can_take="right_to_work",
        engagement="invoice",
        city=city,
        remote=remote,
        **changes,
    )
    gig.skills = [
        GigSkill(tag=tag, tag_id=tag.id, position=n) for n, tag in enumerate(tags_by_name(skills))
    ]
    db.session.add(gig)


def test_suggestions_rank_items_by_the_open_gigs_near_me_that_want_their_skills(
    app, as_role, world
):
    with app.app_context():
        organiser = user(world["organiser"])
        member = user(world["member"])
        update_profile(member, ProfileData(host_city="copenhagen"))
        python = learning.create_item(
            organiser, item_data(title="Python basics", skills=["Python"])
        )
        excel = learning.create_item(organiser, item_data(title="Excel tricks", skills=["Excel"]))
        unwanted = learning.create_item(organiser, item_data(title="Knitting", skills=["Knitting"]))
        poster = world["other_organiser"].id
        for _n in range(3):
            _gig(poster, ["Python", "SQL"], city="copenhagen")
        _gig(poster, ["Python"], remote=True)
        _gig(poster, ["Excel"], city="copenhagen")
        # None of these count: another city, not open, not approved.
        _gig(poster, ["Excel", "Danish"], city="amsterdam")
        _gig(poster, ["Excel"], city="copenhagen", status=GigStatus.CLOSED)
        _gig(poster, ["Excel"], city="copenhagen", review=GigReview.PENDING)
        _gig(poster, ["Danish"], city="copenhagen")
        db.session.commit()
        found = queries.suggestions(member)
        titles = [s.item.title for s in found]
        # Python: 4 gigs (3 here, 1 remote); SQL course: 3; Excel: 1; Danish 1 is in the plan.
        assert titles[0] == "Python basics"
        assert titles == ["Python basics", "Data analysis with SQL", "Excel tricks"]
        assert [s.gigs for s in found] == [4, 3, 1]
        assert found[0].reason == "4 open gigs in Copenhagen or remote want Python"
        assert found[1].reason == "3 open gigs in Copenhagen want SQL"
        assert found[2].reason == "1 open gig in Copenhagen wants Excel"
        assert unwanted.id not in [s.item.id for s in found]
        # Planned items are left out.
        learning.add_to_plan(member, item_id=python.id)
        db.session.commit()
        assert queries.suggestions(member)[0].item.title == "Data analysis with SQL"
        assert excel.id in [s.item.id for s in queries.suggestions(member)]
    html = as_role("member").get("/learning/plan").get_data(as_text=True)
    assert "Learning that builds skills wanted by open gigs near you (or remote)" in html
    assert "3 open gigs in Copenhagen want SQL" in html


def test_the_embedded_job_loop_sends_learning_reminders_too(app, world):
    """`make run` has no cron: the job loop runs the learning reminders, once a week."""
    from community.jobs import run_scheduled_jobs

    monday = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
    with app.app_context():
        learning.set_reminder(user(world["member"]), 0)
        db.session.commit()
        assert run_scheduled_jobs(now=monday, only=("learning reminders",)) == {
            "learning reminders": 1
        }
        assert run_scheduled_jobs(now=monday, only=("learning reminders",)) == {
            "learning reminders": 0
        }


def test_the_filters(app, as_role, world):
    with app.app_context():
        organiser = user(world["organiser"])
        learning.create_item(
            organiser,
            item_data(
                title="Dutch guide", kind="guide", format="self_paced", city="", language="nl"
            ),
        )
        db.session.commit()
    client = as_role("member")

    def titles(query: str) -> set[str]:
        html = client.get("/learning?" + query).get_data(as_text=True)
        return set(re.findall(r'<a href="/(?:learning|events)/\d+">([^<]+)</a>', html))

    assert titles("kind=guide") == {"Dutch guide"}
    assert titles("format=self_paced") == {"Dutch guide"}  # and no events
    assert titles("language=nl") == {"Dutch guide"}
    assert titles("free=y") == {"Danish 1", "Dutch guide", "Danish café"}
    assert titles("city=copenhagen&kind=language_class") == {"Danish 1"}
    assert titles("skill=sql") == {"Data analysis with SQL"}
    assert titles("kind=event") == {"Danish café"}
    assert titles("kind=nonsense") >= {"Danish 1", "Dutch guide"}  # refused filters are left out


def test_suggestions_show_on_the_list_too(app, as_role, world):
    with app.app_context():
        update_profile(user(world["member"]), ProfileData(host_city="aarhus"))
        _gig(world["other_organiser"].id, ["SQL"], remote=True)
        _gig(world["other_organiser"].id, ["SQL"], remote=True)
        db.session.commit()
    html = as_role("member").get("/learning").get_data(as_text=True)
    assert "2 open remote gigs want SQL" in html
    assert "2 open remote gigs want SQL" not in as_role("member").get(
        "/learning?kind=guide"
    ).get_data(as_text=True)
