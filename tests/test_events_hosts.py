"""Organiser tools (#18, the hosts' half): co-hosts and door helpers (who may change them,
the audit log, notifications, the event page, the chat room, a private group), approval
(requests, accept into seats or the waitlist, decline, withdraw), questions and answers
(required ones, changes, hosts only, the CSV, the retention purge, escaping), each page
and endpoint per role. Data is made through the real services and pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.audit.models import AuditEntry
from community.auth.models import User
from community.chat.models import Conversation, ConversationMember
from community.connections import services as connections
from community.core.database import utcnow
from community.core.errors import Conflict, Invalid, NotFound
from community.events import approval, questions, staff
from community.events import services as events
from community.events.models import (
    Event,
    EventStaff,
    QuestionKind,
    Rsvp,
    RsvpAnswer,
    StaffRole,
)
from community.extensions import db
from community.groups import services as groups
from community.mail.models import OutboxMail
from community.notifications.models import Notification
from community.profiles.services import ProfileData, update_profile
from tests import factories
from tests.conftest import post_form
from tests.test_api import api_login

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ROLES = [
    "organiser",
    "cohost",
    "door_helper",
    "going",
    "other_member",
    "anonymous",
    "moderator",
]
HOSTS = {"organiser", "cohost", "moderator"}
OWNERS = {"organiser", "moderator"}


@pytest.fixture(autouse=True)
def request_g_per_request(app):
    """The tests talk to the database in one app context (`ctx`), which requests reuse with
    its `g`: start each request with an empty `g` (no logged-in member, CSRF token or
    cached staff roles), as a real request's own context would, so members take turns."""
    from flask import g

    def forget() -> None:
        for name in list(g):
            g.pop(name)

    app.before_request_funcs.setdefault(None, []).insert(0, forget)


def user(ref) -> User:
    return db.session.get(User, ref.id)


def fresh(event: Event) -> Event:
    db.session.expire_all()
    return db.session.get(Event, event.id)


@pytest.fixture
def make_event(ctx, organiser):
    def make(**changes) -> Event:
        event = events.create_event(user(organiser), factories.event_data(**changes))
        db.session.commit()
        return event

    return make


@pytest.fixture
def people(ctx, make_user, organiser, moderator):
    return {
        "organiser": organiser,
        "cohost": make_user(display_name="Cora Cohost"),
        "door_helper": make_user(display_name="Dora Door"),
        "going": make_user(display_name="Gus Going"),
        "other_member": make_user(display_name="Otto Other"),
        "moderator": moderator,
    }


@pytest.fixture
def hosted(people, make_event):
    """An event needing approval with a co-host, a door helper, one member going (with an
    answer), one request pending (with answers) and two questions."""
    event = make_event(capacity=5, requires_approval=True)
    owner = user(people["organiser"])
    staff.set_staff(owner, event, people["cohost"].id, StaffRole.COHOST)
    staff.set_staff(owner, event, people["door_helper"].id, StaffRole.DOOR_HELPER)
    diet, kids = questions.set_questions(
        owner,
        event,
        [
            questions.QuestionSpec(QuestionKind.TEXT, "Dietary needs"),
            questions.QuestionSpec(QuestionKind.YES_NO, "Bringing children?", required=True),
        ],
    )
    db.session.commit()
    questions.rsvp_with_answers(
        user(people["going"]), event, 0, {diet.id: "Secret-Vegan", kids.id: "no"}
    )
    approval.accept(owner, event, people["going"].id)
    asker = factories.make_user(display_name="Rita Request", email="rita@example.org")
    questions.rsvp_with_answers(user(asker), event, 1, {diet.id: "Nut-allergy", kids.id: "yes"})
    db.session.commit()
    people["asker"] = asker
    return event, diet, kids


def client_for(app, login, people, role):
    return app.test_client() if role == "anonymous" else login(people[role])


# --- staff ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owner_changes_staff(app, ctx, login, people, hosted, role):
    event, _d, _k = hosted
    client = client_for(app, login, people, role)
    page = client.get(f"/events/{event.id}/staff")
    target = people["other_member"].id
    if role == "anonymous":
        assert page.status_code == 302
        return
    form_page = f"/events/{event.id}/staff" if role in OWNERS else "/events"
    add = post_form(
        client,
        f"/events/{event.id}/staff",
        {"user_id": target, "role": "cohost"},
        form_page=form_page,
    )
    remove = post_form(
        client,
        f"/events/{event.id}/staff/{people['door_helper'].id}/remove",
        {},
        form_page=form_page,
    )
    roles = dict(
        db.session.execute(
            select(EventStaff.user_id, EventStaff.role).where(EventStaff.event_id == event.id)
        ).all()
    )
    if role in OWNERS:
        assert page.status_code == 200
        assert "Cora Cohost" in page.get_data(as_text=True)
        assert add.status_code == remove.status_code == 302
        assert roles == {people["cohost"].id: "cohost", target: "cohost"}
    else:  # co-hosts and door helpers included
        assert page.status_code == add.status_code == remove.status_code == 404
        assert target not in roles and people["door_helper"].id in roles


def test_staff_changes_are_audited_notified_and_shown(app, ctx, login, people, make_event):
    event = make_event()
    owner = user(people["organiser"])
    cora, dora = people["cohost"], people["door_helper"]
    staff.set_staff(owner, event, cora.id, StaffRole.DOOR_HELPER)
    staff.set_staff(owner, event, cora.id, StaffRole.DOOR_HELPER)  # the same: nothing new
    staff.set_staff(owner, event, cora.id, StaffRole.COHOST)
    staff.set_staff(owner, event, dora.id, StaffRole.COHOST)
    staff.remove_staff(owner, event, dora.id)
    db.session.commit()

    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.subject_id, e.detail["role"]) for e in entries] == [
        ("event.staff_added", cora.id, "door_helper"),
        ("event.staff_changed", cora.id, "cohost"),
        ("event.staff_added", dora.id, "cohost"),
        ("event.staff_removed", dora.id, "cohost"),
    ]
    assert all(e.actor_id == owner.id and e.target_id == event.id for e in entries)
    notes = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "event.staff_added")
    ).all()
    assert sorted(notes) == sorted([cora.id, cora.id, dora.id])

    page = login(people["going"]).get(f"/events/{event.id}").get_data(as_text=True)
    assert "with Cora Cohost" in page and "Dora Door" not in page
    history = login(people["organiser"]).get(f"/events/{event.id}/staff").get_data(as_text=True)
    assert "removed Dora Door" in history and "made Cora Cohost co-host" in history

    # The co-host is in the event's chat room; the removed one is not.
    room = db.session.scalar(select(Conversation).where(Conversation.event_id == event.id))
    inside = set(
        db.session.scalars(
            select(ConversationMember.user_id).where(ConversationMember.conversation_id == room.id)
        )
    )
    assert cora.id in inside and dora.id not in inside


def test_find_members_skips_blocked_suspended_and_refuses_them(
    app, ctx, people, make_event, make_user
):
    event = make_event()
    owner = user(people["organiser"])
    blocked = make_user(display_name="Findme Blocked")
    suspended = make_user(display_name="Findme Suspended", status="suspended")
    fine = make_user(display_name="Findme Fine")
    connections.block(user(blocked), owner.id)
    db.session.commit()
    found = [u.display_name for u in staff.find_members(owner, event, "findme")]
    assert found == ["Findme Fine"]
    for ref in (blocked, suspended):
        with pytest.raises(NotFound):
            staff.set_staff(owner, event, ref.id, StaffRole.COHOST)
        db.session.rollback()
    with pytest.raises(Conflict):
        staff.set_staff(owner, event, owner.id, StaffRole.COHOST)
    db.session.rollback()
    with pytest.raises(Invalid):
        staff.set_staff(owner, event, fine.id, "boss")


def test_search_page_without_javascript_adds_a_helper(app, ctx, login, people, make_event):
    event = make_event()
    client = login(people["organiser"])
    page = client.get(f"/events/{event.id}/staff?q=dora").get_data(as_text=True)
    assert "Dora Door" in page and "Add as door helper" in page and "Add as co-host" in page
    response = post_form(
        client,
        f"/events/{event.id}/staff",
        {"user_id": people["door_helper"].id, "role": "door_helper"},
        form_page=f"/events/{event.id}/staff",
        follow_redirects=True,
    )
    assert "Dora Door is now a door helper." in response.get_data(as_text=True)


def test_cohost_edits_but_cannot_cancel(app, ctx, login, people, hosted):
    event, _d, _k = hosted
    cohost = login(people["cohost"])
    page = cohost.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/edit" in page
    assert f"/events/{event.id}/cancel" not in page
    assert cohost.get(f"/events/{event.id}/edit").status_code == 200
    assert cohost.get(f"/events/{event.id}/cancel").status_code == 403
    api = api_login(app, people["cohost"])
    assert api.client.delete(f"/api/v1/events/{event.id}", headers=api.headers).status_code == 403
    assert fresh(event).status == "scheduled"
    owner_page = login(people["organiser"]).get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/cancel" in owner_page


def test_staff_see_an_event_in_a_private_group(app, ctx, login, people, organiser):
    owner = user(organiser)
    group = groups.create_group(
        owner, groups.GroupData(name="Closed circle", description="x", visibility="private")
    )
    db.session.flush()
    event = events.create_event(owner, factories.event_data(group_id=group.id))
    db.session.commit()
    helper = login(people["door_helper"])
    assert helper.get(f"/events/{event.id}").status_code == 404
    staff.set_staff(owner, event, people["door_helper"].id, StaffRole.DOOR_HELPER)
    db.session.commit()
    assert helper.get(f"/events/{event.id}").status_code == 200
    assert "Networking breakfast" in helper.get("/events").get_data(as_text=True)  # the list too
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == people["door_helper"].id,
            Notification.kind == "event.staff_added",
        )
    )
    from community.notifications import kinds

    described = kinds.describe(note, user(people["door_helper"]))
    assert described is not None and "door helper" in described.text
    assert login(people["other_member"]).get(f"/events/{event.id}").status_code == 404


# --- approval ------------------------------------------------------------------------------


def test_a_request_takes_no_seat_and_tells_the_hosts(app, ctx, login, people, make_event):
    event = make_event(capacity=2, requires_approval=True)
    owner = user(people["organiser"])
    staff.set_staff(owner, event, people["cohost"].id, StaffRole.COHOST)
    db.session.commit()
    client = login(people["going"])
    response = post_form(
        client, f"/events/{event.id}/rsvp", {"guests": 1}, form_page=f"/events/{event.id}",
        follow_redirects=True,
    )  # fmt: skip
    text = response.get_data(as_text=True)
    assert "Requested: the host will answer" in text
    assert fresh(event).seats_taken == 0
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "event.request")
    ).all()
    assert sorted(told) == sorted([owner.id, people["cohost"].id])
    # Changing the party while requested just changes it; no second notice.
    events.rsvp(user(people["going"]), fresh(event), 0)
    db.session.commit()
    row = events.rsvp_of(user(people["going"]), fresh(event))
    assert (row.status, row.guests) == ("requested", 0)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "event.request")
        )
        == 2
    )
    # Withdrawing it.
    post_form(client, f"/events/{event.id}/rsvp/cancel", {}, form_page=f"/events/{event.id}")
    assert events.rsvp_of(user(people["going"]), fresh(event)).status == "cancelled"


def test_accept_seats_or_waitlists_and_tells_the_host_which(app, ctx, login, people, make_event):
    event = make_event(capacity=2, requires_approval=True, guests_allowed=1)
    a, b, c = (factories.make_user(display_name=f"Asker {n}") for n in "ABC")
    for ref, guests in ((a, 1), (b, 0), (c, 0)):
        events.rsvp(user(ref), fresh(event), guests)
    db.session.commit()
    staff.set_staff(user(people["organiser"]), fresh(event), people["cohost"].id, StaffRole.COHOST)
    db.session.commit()
    host = login(people["cohost"])  # a co-host answers requests as the organiser does
    base = f"/events/{event.id}/requests"
    page = f"/events/{event.id}/attendees"
    first = post_form(host, f"{base}/{a.id}/accept", {}, form_page=page, follow_redirects=True)
    assert "Accepted: Asker A is going." in first.get_data(as_text=True)
    second = post_form(host, f"{base}/{b.id}/accept", {}, form_page=page, follow_redirects=True)
    assert (
        "Accepted, but the event is full: Asker B is number 1 on the waitlist."
        in second.get_data(as_text=True)
    )
    assert fresh(event).seats_taken == 2
    statuses = dict(
        db.session.execute(select(Rsvp.user_id, Rsvp.status).where(Rsvp.event_id == event.id)).all()
    )
    assert statuses == {a.id: "going", b.id: "waitlisted", c.id: "requested"}
    # Both were notified and mailed.
    for ref in (a, b):
        assert db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == ref.id, Notification.kind == "event.request_accepted")
        )
        assert db.session.scalar(
            select(func.count())
            .select_from(OutboxMail)
            .where(OutboxMail.recipient == ref.email, OutboxMail.kind == "event_rsvp")
        )
    # Accepting twice is refused (no request any more).
    again = post_form(host, f"{base}/{a.id}/accept", {}, form_page=page, follow_redirects=True)
    assert "no request waiting" in again.get_data(as_text=True)


def test_decline_is_polite_final_for_the_member_but_not_for_the_host(
    app, ctx, login, people, make_event
):
    event = make_event(requires_approval=True)
    asker = people["going"]
    events.rsvp(user(asker), fresh(event), 0)
    db.session.commit()
    host = login(people["organiser"])
    post_form(
        host,
        f"/events/{event.id}/requests/{asker.id}/decline",
        {"message": "Full of returning cooks, sorry!"},
        form_page=f"/events/{event.id}/attendees",
    )
    assert events.rsvp_of(user(asker), fresh(event)).status == "declined"
    mail = db.session.scalar(
        select(OutboxMail).where(
            OutboxMail.recipient == asker.email, OutboxMail.kind == "event_declined"
        )
    )
    assert mail is not None and "Full of returning cooks" in mail.body
    assert "could not accept your request" in mail.body
    member = login(asker)
    page = member.get(f"/events/{event.id}").get_data(as_text=True)
    assert "could not accept your request" in page
    again = post_form(
        member, f"/events/{event.id}/rsvp", {"guests": 0}, form_page="/events",
        follow_redirects=True,
    )  # fmt: skip
    assert "you cannot ask again" in again.get_data(as_text=True)
    with pytest.raises(Conflict):
        events.rsvp(user(asker), fresh(event), 0)
    db.session.rollback()
    events.cancel_rsvp(user(asker), fresh(event))  # withdrawing does not wipe the decline
    db.session.commit()
    assert events.rsvp_of(user(asker), fresh(event)).status == "declined"
    # A host may still accept them later.
    approval.accept(user(people["organiser"]), fresh(event), asker.id)
    db.session.commit()
    assert events.rsvp_of(user(asker), fresh(event)).status == "going"


def test_turning_approval_off_leaves_requests_waiting(app, ctx, people, make_event):
    event = make_event(requires_approval=True)
    events.rsvp(user(people["going"]), fresh(event), 0)
    events.update_event(
        user(people["organiser"]), fresh(event), events.EventData(requires_approval=False)
    )
    events.rsvp(user(people["other_member"]), fresh(event), 0)
    db.session.commit()
    assert events.rsvp_of(user(people["going"]), fresh(event)).status == "requested"
    assert events.rsvp_of(user(people["other_member"]), fresh(event)).status == "going"


def test_the_event_form_sets_approval(app, ctx, login, people, make_event):
    event = make_event()
    client = login(people["organiser"])
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert "Members need my approval to come" in form


@pytest.mark.parametrize("role", ROLES)
def test_requests_answers_and_questions_pages_per_role(app, ctx, login, people, hosted, role):
    event, _diet, _kids = hosted
    asker = people["asker"]
    client = client_for(app, login, people, role)
    attendees = client.get(f"/events/{event.id}/attendees")
    csv_response = client.get(f"/events/{event.id}/attendees.csv")
    questions_page = client.get(f"/events/{event.id}/questions")
    if role == "anonymous":
        assert {attendees.status_code, csv_response.status_code} == {302}
        return
    form_page = f"/events/{event.id}/attendees" if role in HOSTS else "/events"
    accept = post_form(
        client, f"/events/{event.id}/requests/{asker.id}/accept", {}, form_page=form_page
    )
    seen = "".join(
        r.get_data(as_text=True) for r in (attendees, csv_response, questions_page, accept)
    )
    if role in HOSTS:
        assert attendees.status_code == csv_response.status_code == 200
        assert questions_page.status_code == 200
        assert "Nut-allergy" in attendees.get_data(as_text=True)
        assert "Secret-Vegan" in csv_response.get_data(as_text=True)
        assert accept.status_code == 302
        assert events.rsvp_of(user(asker), fresh(event)).status == "going"
    else:
        assert attendees.status_code == csv_response.status_code == 404
        assert questions_page.status_code == accept.status_code == 404
        assert events.rsvp_of(user(asker), fresh(event)).status == "requested"
    if role not in HOSTS:
        for secret in ("Nut-allergy", "Secret-Vegan", asker.email, people["going"].email):
            assert secret not in seen
    # The event page shows a member their own answers only.
    show = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Nut-allergy" not in show
    assert ("Secret-Vegan" in show) == (role == "going")


# --- questions -----------------------------------------------------------------------------


def test_required_question_is_refused_naming_it(app, ctx, login, people, hosted):
    """The page comes back (422) with what was typed, the party size chosen and the refusal
    next to the question left blank, tied to it for screen readers, and in a summary."""
    event, diet, kids = hosted
    member = login(people["other_member"])
    response = post_form(
        member, f"/events/{event.id}/rsvp", {"guests": 2, f"answer-{diet.id}": "Vegan & <nuts>"},
        form_page=f"/events/{event.id}",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = "Please answer “Bringing children?”: the host needs to know."
    error_id = f"answer-{kids.id}-error"
    assert f'id="{error_id}"><span class="visually-hidden">Error:</span> {message}</p>' in page
    assert f'<fieldset class="field radios field--error" aria-describedby="{error_id}">' in page
    assert f'<li><a href="#answer-{kids.id}-1">{message}</a></li>' in page  # the summary
    assert 'class="error-summary" role="alert" tabindex="-1"' in page
    assert f'name="answer-{diet.id}" value="Vegan &amp; &lt;nuts&gt;"' in page  # kept, escaped
    assert '<option selected value="2">' in page  # the party size kept
    assert events.rsvp_of(user(people["other_member"]), fresh(event)) is None
    with pytest.raises(Invalid) as refused:
        questions.rsvp_with_answers(
            user(people["other_member"]), fresh(event), 0, {kids.id: "maybe"}
        )
    assert refused.value.field == f"answer-{kids.id}"
    db.session.rollback()

    # A required text question: its input points at the error.
    owner = user(people["organiser"])
    (ages,) = questions.set_questions(
        owner,
        fresh(event),
        [questions.QuestionSpec(QuestionKind.TEXT, "Children's ages", required=True)],
    )
    db.session.commit()
    response = post_form(
        member, f"/events/{event.id}/rsvp", {"guests": 1, f"answer-{ages.id}": "  "},
        form_page=f"/events/{event.id}",
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        f'aria-describedby="answers-hint answer-{ages.id}-error" aria-invalid="true" required>'
        in page
    )
    assert "Please answer “Children&#39;s ages”" in page
    assert '<option selected value="1">' in page


def test_answers_change_while_active_and_form_says_they_are_deleted(
    app, ctx, login, people, hosted
):
    event, diet, kids = hosted
    client = login(people["going"])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Secret-Vegan" in page  # the member's own answer, prefilled
    assert "deleted 30 days after the event" in page
    post_form(
        client, f"/events/{event.id}/rsvp",
        {"guests": 0, f"answer-{diet.id}": "Pescatarian", f"answer-{kids.id}": "yes"},
        form_page=f"/events/{event.id}",
    )  # fmt: skip
    assert questions.my_answers(user(people["going"]), fresh(event)) == {
        diet.id: "Pescatarian",
        kids.id: "yes",
    }


def test_changing_questions_keeps_removes_or_refuses(app, ctx, people, hosted):
    event, diet, kids = hosted
    owner = user(people["organiser"])
    spec = questions.QuestionSpec
    # The wording changes: the answers stay.
    questions.set_questions(
        owner,
        event,
        [spec(QuestionKind.TEXT, "Food needs", id=diet.id), spec(QuestionKind.YES_NO, "Kids?", id=kids.id)],
    )  # fmt: skip
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RsvpAnswer)) == 4
    # The kind of an answered question cannot change.
    with pytest.raises(Conflict):
        questions.set_questions(
            owner, fresh(event), [spec(QuestionKind.CHOICE, "Kids?", ["a", "b"], id=kids.id)]
        )
    db.session.rollback()
    # More than three, or a choice question with one choice: refused.
    with pytest.raises(Invalid):
        questions.set_questions(
            owner, fresh(event), [spec(QuestionKind.TEXT, f"Q{n}") for n in range(4)]
        )
    db.session.rollback()
    with pytest.raises(Invalid):
        questions.set_questions(owner, fresh(event), [spec(QuestionKind.CHOICE, "Pick", ["only"])])
    db.session.rollback()
    # Removing a question deletes its answers.
    questions.set_questions(owner, fresh(event), [spec(QuestionKind.YES_NO, "Kids?", id=kids.id)])
    db.session.commit()
    left = db.session.scalars(select(RsvpAnswer.question_id)).all()
    assert set(left) == {kids.id} and len(left) == 2


def test_questions_page_saves_and_shows_errors(app, ctx, login, people, make_event):
    event = make_event()
    client = login(people["organiser"])
    path = f"/events/{event.id}/questions"
    bad = post_form(client, path, {
        "q0-prompt": "Which language?", "q0-kind": "choice",
        "q0-choices": "English",
    })  # fmt: skip
    assert bad.status_code == 422 and "Give from 2 to" in bad.get_data(as_text=True)
    good = post_form(client, path, {
        "q0-prompt": "Which language?", "q0-kind": "choice",
        "q0-choices": "English\nDanish", "q0-required": "y",
        "q2-prompt": "Access needs", "q2-kind": "text",
    })  # fmt: skip
    assert good.status_code == 302
    asked = questions.questions_of(fresh(event))
    got = [(q.prompt, q.kind, q.required, q.choice_list) for q in asked]
    assert got == [
        ("Which language?", "choice", True, ["English", "Danish"]),
        ("Access needs", "text", False, []),
    ]


def test_prompts_and_answers_are_inert_in_pages_and_csv(app, ctx, login, people, make_event):
    event = make_event()
    owner = user(people["organiser"])
    (q,) = questions.set_questions(owner, event, [questions.QuestionSpec(QuestionKind.TEXT, XSS)])
    db.session.commit()
    questions.rsvp_with_answers(
        user(people["going"]), fresh(event), 0, {q.id: "=HYPERLINK(1)" + XSS}
    )
    db.session.commit()
    pages = [
        login(people["going"]).get(f"/events/{event.id}").get_data(as_text=True),
        login(people["organiser"]).get(f"/events/{event.id}/attendees").get_data(as_text=True),
        login(people["organiser"]).get(f"/events/{event.id}/questions").get_data(as_text=True),
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    exported = login(people["organiser"]).get(f"/events/{event.id}/attendees.csv")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][-1].startswith(XSS[:10]) and "deleted 30 days after the event" in rows[0][-1]
    assert rows[1][-1] == "'=HYPERLINK(1)" + XSS


# --- retention -----------------------------------------------------------------------------


def test_purge_deletes_old_answers_once_and_keeps_recent_ones(app, ctx, runner, people, make_event):
    old = make_event()
    recent = make_event(
        starts_at=utcnow() + timedelta(days=40), ends_at=utcnow() + timedelta(days=40, hours=2)
    )
    owner = user(people["organiser"])
    for event in (old, recent):
        (q,) = questions.set_questions(
            owner, event, [questions.QuestionSpec(QuestionKind.TEXT, "Diet")]
        )
        db.session.commit()
        questions.rsvp_with_answers(user(people["going"]), fresh(event), 0, {q.id: "Vegan"})
        db.session.commit()
    old_end = fresh(old).ends_at
    too_soon = runner.invoke(
        args=["purge-event-answers", "--now", (old_end + timedelta(days=29)).isoformat()]
    )
    assert too_soon.exit_code == 0 and "deleted 0 answers" in too_soon.output
    later = (old_end + timedelta(days=31)).isoformat()
    first = runner.invoke(args=["purge-event-answers", "--now", later])
    assert first.exit_code == 0, first.output
    assert "deleted 1 answers" in first.output
    second = runner.invoke(args=["purge-event-answers", "--now", later])
    assert "deleted 0 answers" in second.output
    db.session.expire_all()
    left = db.session.scalars(select(RsvpAnswer)).all()
    assert len(left) == 1 and questions.my_answers(user(people["going"]), fresh(recent))
    bad = runner.invoke(args=["purge-event-answers", "--now", "yesterday"])
    assert bad.exit_code != 0 and "ISO 8601" in bad.output


def test_hosts_rsvp_straight_in_on_their_approval_event(app, ctx, people, make_event):
    event = make_event(requires_approval=True)
    staff.set_staff(user(people["organiser"]), event, people["cohost"].id, StaffRole.COHOST)
    db.session.commit()
    assert events.rsvp(user(people["cohost"]), fresh(event), 0).status == "going"
    assert events.rsvp(user(people["door_helper"]), fresh(event), 0).status == "requested"


def test_find_members_follows_the_directorys_visibility(app, ctx, login, people, make_event):
    """A member whose profile the owner may not see (connections only, not connected) is
    not found by name on the staff page; once connected, they are."""
    event = make_event()
    owner = user(people["organiser"])
    hidden = factories.make_user(display_name="Findme Hidden")
    shown = factories.make_user(display_name="Findme Shown")
    update_profile(user(hidden), ProfileData(visibility="connections"))
    db.session.commit()
    assert [u.display_name for u in staff.find_members(owner, event, "findme")] == ["Findme Shown"]
    page = login(people["organiser"]).get(f"/events/{event.id}/staff?q=findme")
    assert "Findme Hidden" not in page.get_data(as_text=True)
    request = connections.send_request(user(hidden), owner.id)
    connections.accept_request(user(people["organiser"]), request.id)
    db.session.commit()
    found = [u.display_name for u in staff.find_members(user(people["organiser"]), event, "findme")]
    assert found == ["Findme Hidden", "Findme Shown"]
    assert shown.id != hidden.id


def test_event_cards_show_my_request_and_a_decline(app, ctx, login, people, hosted):
    """The list's card says "Requested" to a member waiting for an answer and "Not
    accepted" to one declined; nothing of the kind to a member without an RSVP."""
    event, _diet, kids = hosted
    other = people["other_member"]
    questions.rsvp_with_answers(user(other), fresh(event), 0, {kids.id: "yes"})
    approval.decline(user(people["organiser"]), fresh(event), other.id, "")
    db.session.commit()
    requested = '<span class="chip chip--kind">Requested</span>'
    declined = '<span class="chip chip--suspended">Not accepted</span>'
    asker_list = login(people["asker"]).get("/events").get_data(as_text=True)
    assert requested in asker_list and declined not in asker_list
    declined_list = login(other).get("/events").get_data(as_text=True)
    assert declined in declined_list and requested not in declined_list
    newcomer = factories.make_user(display_name="Nell Newcomer")
    plain = login(newcomer).get("/events").get_data(as_text=True)
    assert event.title in plain and requested not in plain and declined not in plain
