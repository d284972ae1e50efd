"""Every notification kind the app creates, each made through the real feature service, with
what its member should read, where it links, and the real change after which they may no
longer see it. Used by tests/test_notification_kinds.py (described, hidden) and
tests/test_notifications_live.py (delivered live, once). Run inside an app context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import Role
from community.comments import services as comments
from community.connections import services as connections
from community.core.database import utcnow
from community.events import approval, hosting, notices, reminders, staff
from community.events import services as events
from community.events.models import Event
from community.extensions import db
from community.gigs import applications as gig_applications
from community.gigs import services as gigs
from community.groups import services as groups
from community.groups.models import Group
from community.learning import services as learning
from community.notifications.models import Notification
from community.posts import services as posts
from community.posts.models import Post
from community.profiles import services as profiles
from tests.factories import event_data, make_user

CREATED_KINDS = {
    "comment.new",
    "comment.reply",
    "connection.accepted",
    "connection.requested",
    "event.cancelled",
    "event.changed",
    "event.message",
    "event.promoted",
    "event.reminder",
    "event.removed",
    "event.request",
    "event.request_accepted",
    "event.request_declined",
    "event.staff_added",
    "event.seat_free",
    "gig.application",
    "gig.approved",
    "gig.completed",
    "gig.expired",
    "gig.reference",
    "gig.rejected",
    "gig.reminder",
    "gig.status",
    "gig.stopped",
    "group.join_approved",
    "group.join_requested",
    "group.made_organiser",
    "learning.reminder",
    "mentoring.accepted",
    "mentoring.application_decided",
    "mentoring.declined",
    "mentoring.outcome_prompt",
    "mentoring.pair_ended",
    "mentoring.pair_not_fit",
    "mentoring.pair_nudge",
    "mentoring.pair_reminder",
    "mentoring.paired",
    "mentoring.proposed",
    "post.answer",
    "post.helpful",
    "post.match",
}


def user(ref) -> User:
    return db.session.get(User, ref.id)


def latest(user_id: int, kind: str) -> Notification:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id, Notification.kind == kind)
        .order_by(Notification.id.desc())
    ).first()


@dataclass
class Case:
    recipient: object
    notification: Notification
    text: str  # expected in the text
    url: str  # expected prefix of the link
    hide: Callable[[], None]  # the real change after which the recipient may not see it


def _post(author_ref, **changes) -> Post:
    data = posts.PostData(
        kind=changes.pop("kind", "question"),
        title=changes.pop("title", "Where to find a dentist?"),
        body="Any tips welcome.",
        tags=changes.pop("tags", ["health"]),
        **changes,
    )
    post = posts.create_post(user(author_ref), data)
    db.session.commit()
    return post


def _event(organiser_ref, **changes) -> Event:
    event = events.create_event(user(organiser_ref), event_data(**changes))
    db.session.commit()
    return event


def _private_group(organiser_ref) -> Group:
    group = groups.create_group(
        user(organiser_ref),
        groups.GroupData(name="Night owls", description="Late talks.", visibility="private"),
    )
    db.session.commit()
    return group


def _commit(fn, *args, **kw):
    result = fn(*args, **kw)
    db.session.commit()
    return result


def case_post_helpful(member, other, organiser):
    post = _post(member)
    _commit(posts.mark_helpful, user(other), post)
    return Case(
        member,
        latest(member.id, "post.helpful"),
        f"{other.display_name} found your post “Where to find a dentist?” helpful.",
        f"/posts/{post.id}",
        lambda: _commit(posts.delete_post, user(member), db.session.get(Post, post.id)),
    )


def case_post_match(member, other, organiser):
    _commit(profiles.update_profile, user(member), profiles.ProfileData(skills=["dentistry"]))
    post = _post(other, kind="request", title="A dentist who speaks Danish", tags=["dentistry"])
    moderator = make_user(roles=(Role.MODERATOR,))
    return Case(
        member,
        latest(member.id, "post.match"),
        "A dentist who speaks Danish",
        f"/posts/{post.id}",
        lambda: _commit(posts.remove_post, user(moderator), db.session.get(Post, post.id)),
    )


def case_post_answer(member, other, organiser):
    post = _post(other)
    comment = _commit(comments.add_comment, user(member), "post", post.id, "Try the clinic.")
    _commit(posts.mark_answer, user(other), db.session.get(Post, post.id), comment.id)
    return Case(
        member,
        latest(member.id, "post.answer"),
        "marked your comment as the answer",
        f"/posts/{post.id}#comment-{comment.id}",
        lambda: _commit(comments.delete_comment, user(member), comment),
    )


def case_comment_new(member, other, organiser):
    post = _post(member)
    _commit(comments.add_comment, user(other), "post", post.id, "Try the clinic.")
    return Case(
        member,
        latest(member.id, "comment.new"),
        f"{other.display_name} commented on “Where to find a dentist?”.",
        f"/posts/{post.id}#comment-",
        lambda: _commit(posts.delete_post, user(member), db.session.get(Post, post.id)),
    )


def case_comment_reply(member, other, organiser):
    event = _event(organiser, title="Harbour walk")
    parent = _commit(comments.add_comment, user(member), "event", event.id, "Count me in.")
    _commit(comments.add_comment, user(other), "event", event.id, "Me too!", parent.id)
    return Case(
        member,
        latest(member.id, "comment.reply"),
        f"{other.display_name} replied to your comment on “Harbour walk”.",
        f"/events/{event.id}#comment-",
        lambda: _commit(connections.block, user(member), other.id),
    )


def case_connection_requested(member, other, organiser):
    _commit(connections.send_request, user(other), member.id)
    return Case(
        member,
        latest(member.id, "connection.requested"),
        f"{other.display_name} asked to connect with you.",
        "/connections",
        lambda: _commit(connections.block, user(member), other.id),
    )


def case_connection_accepted(member, other, organiser):
    row = _commit(connections.send_request, user(member), other.id)
    _commit(connections.accept_request, user(other), row.id)
    return Case(
        member,
        latest(member.id, "connection.accepted"),
        f"{other.display_name} accepted your connection request.",
        "/connections",
        lambda: _commit(connections.block, user(other), member.id),
    )


def _going(member_ref, event):
    _commit(events.rsvp, user(member_ref), db.session.get(Event, event.id))


def _remove(organiser_ref, member_ref, event):
    return lambda: _commit(
        events.remove_attendee, user(organiser_ref), db.session.get(Event, event.id), member_ref.id
    )


def case_event_promoted(member, other, organiser):
    event = _event(organiser, title="Family picnic", capacity=1, guests_allowed=0)
    _going(other, event)
    _going(member, event)
    _commit(events.cancel_rsvp, user(other), db.session.get(Event, event.id))
    return Case(
        member,
        latest(member.id, "event.promoted"),
        "you are going to “Family picnic”",
        f"/events/{event.id}",
        _remove(organiser, member, event),
    )


def case_event_seat_free(member, other, organiser):
    starts = (utcnow() + timedelta(minutes=90)).replace(microsecond=0)
    event = _event(
        organiser,
        title="Last-minute quiz",
        capacity=1,
        guests_allowed=0,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    _going(other, event)
    _going(member, event)
    _commit(events.cancel_rsvp, user(other), db.session.get(Event, event.id))
    return Case(
        member,
        latest(member.id, "event.seat_free"),
        "A seat is free at “Last-minute quiz”",
        f"/events/{event.id}",
        lambda: _commit(events.cancel_rsvp, user(member), db.session.get(Event, event.id)),
    )


def case_event_changed(member, other, organiser):
    event = _event(organiser, title="Book club")
    _going(member, event)
    moved = events.EventData(**{**event_data().__dict__, "title": "Book club"})
    moved.starts_at = event.starts_at + timedelta(hours=1)
    moved.ends_at = event.ends_at + timedelta(hours=1)
    _commit(events.update_event, user(organiser), db.session.get(Event, event.id), moved)
    _commit(notices.send_due_notices, now=utcnow() + timedelta(days=1))
    return Case(
        member,
        latest(member.id, "event.changed"),
        "The time of “Book club” changed.",
        f"/events/{event.id}",
        lambda: _commit(connections.block, user(member), organiser.id),
    )


def case_event_cancelled(member, other, organiser):
    event = _event(organiser, title="Yoga")
    _going(member, event)
    _commit(events.cancel_event, user(organiser), db.session.get(Event, event.id))
    return Case(
        member,
        latest(member.id, "event.cancelled"),
        "“Yoga” was cancelled.",
        f"/events/{event.id}",
        lambda: _commit(connections.block, user(organiser), member.id),
    )


def case_event_removed(member, other, organiser):
    event = _event(organiser, title="Wine tasting")
    _going(member, event)
    _remove(organiser, member, event)()
    return Case(
        member,
        latest(member.id, "event.removed"),
        "A host took you off the list of “Wine tasting”.",
        f"/events/{event.id}",
        lambda: _commit(connections.block, user(member), organiser.id),
    )


def case_event_message(member, other, organiser):
    event = _event(organiser, title="Choir")
    _going(member, event)
    _commit(
        hosting.message_attendees,
        user(organiser),
        db.session.get(Event, event.id),
        "going",
        "Bring water",
        "It will be hot.",
    )
    return Case(
        member,
        latest(member.id, "event.message"),
        f"{organiser.display_name} wrote to the members of “Choir”: Bring water",
        f"/events/{event.id}",
        _remove(organiser, member, event),
    )


def case_event_reminder(member, other, organiser):
    starts = (utcnow() + timedelta(hours=20)).replace(microsecond=0)
    event = _event(organiser, title="Museum", starts_at=starts, ends_at=starts + timedelta(hours=2))
    _going(member, event)
    _commit(reminders.send_reminders)
    return Case(
        member,
        latest(member.id, "event.reminder"),
        "“Museum” is tomorrow.",
        f"/events/{event.id}",
        _remove(organiser, member, event),
    )


def case_group_join_requested(member, other, organiser):
    group = _private_group(organiser)
    _commit(groups.request_to_join, user(other), db.session.get(Group, group.id))
    return Case(
        organiser,
        latest(organiser.id, "group.join_requested"),
        f"{other.display_name} asked to join “Night owls”.",
        "/groups/night-owls",
        lambda: _commit(connections.block, user(other), organiser.id),
    )


def case_group_join_approved(member, other, organiser):
    group = _private_group(organiser)
    _commit(groups.request_to_join, user(member), db.session.get(Group, group.id))
    _commit(groups.approve_request, user(organiser), db.session.get(Group, group.id), member.id)
    return Case(
        member,
        latest(member.id, "group.join_approved"),
        "You are now a member of “Night owls”.",
        "/groups/night-owls",
        lambda: _commit(
            groups.remove_member, user(organiser), db.session.get(Group, group.id), member.id
        ),
    )


def case_group_made_organiser(member, other, organiser):
    group = _private_group(organiser)
    _commit(groups.request_to_join, user(member), db.session.get(Group, group.id))
    _commit(groups.approve_request, user(organiser), db.session.get(Group, group.id), member.id)
    _commit(groups.make_organiser, user(organiser), db.session.get(Group, group.id), member.id)
    return Case(
        member,
        latest(member.id, "group.made_organiser"),
        f"{organiser.display_name} made you an organiser of “Night owls”.",
        "/groups/night-owls",
        lambda: _commit(groups.leave_group, user(member), db.session.get(Group, group.id)),
    )


def _approval_event(organiser_ref, title: str) -> Event:
    return _event(organiser_ref, title=title, requires_approval=True)


def case_event_request(member, other, organiser):
    event = _approval_event(organiser, "Pottery")
    _commit(staff.set_staff, user(organiser), event, member.id, "cohost")
    _going(other, event)  # a request, on this event
    return Case(
        member,
        latest(member.id, "event.request"),
        f"{other.display_name} asks to come to “Pottery”.",
        f"/events/{event.id}",
        lambda: _commit(
            staff.remove_staff, user(organiser), db.session.get(Event, event.id), member.id
        ),
    )


def case_event_request_accepted(member, other, organiser):
    event = _approval_event(organiser, "Sushi class")
    _going(member, event)
    _commit(approval.accept, user(organiser), db.session.get(Event, event.id), member.id)
    return Case(
        member,
        latest(member.id, "event.request_accepted"),
        "A host accepted your request to come to “Sushi class”.",
        f"/events/{event.id}",
        _remove(organiser, member, event),
    )


def case_event_request_declined(member, other, organiser):
    event = _approval_event(organiser, "Bread baking")
    _going(member, event)
    _commit(approval.decline, user(organiser), db.session.get(Event, event.id), member.id)
    return Case(
        member,
        latest(member.id, "event.request_declined"),
        "A host could not accept your request to come to “Bread baking”.",
        f"/events/{event.id}",
        lambda: _commit(connections.block, user(organiser), member.id),
    )


def case_event_staff_added(member, other, organiser):
    event = _event(organiser, title="Harbour walk")
    _commit(staff.set_staff, user(organiser), event, member.id, "door_helper")
    return Case(
        member,
        latest(member.id, "event.staff_added"),
        f"{organiser.display_name} made you a door helper of “Harbour walk”.",
        f"/events/{event.id}",
        lambda: _commit(
            staff.remove_staff, user(organiser), db.session.get(Event, event.id), member.id
        ),
    )


# --- gigs ------------------------------------------------------------------------------------


def _gig(poster_ref, **changes):
    from tests.gigs_world import gig_data

    gig = gigs.create_gig(user(poster_ref), gig_data(**changes))
    db.session.commit()
    return gig


def _hold_again(poster_ref, gig_id: int):
    """The poster edits the gig to ask for a fee: it is held, hidden from applicants."""
    from community.gigs.models import Gig

    return lambda: _commit(
        gigs.update_gig,
        user(poster_ref),
        db.session.get(Gig, gig_id),
        gigs.GigData(description="A registration fee of 20 EUR applies."),
    )


def case_gig_approved(member, other, organiser):
    gig = _gig(member, title="Proofread our newsletter")  # a new account: held
    moderator = make_user(roles=(Role.MODERATOR,))
    _commit(gigs.approve_gig, user(moderator), gig)
    return Case(
        member,
        latest(member.id, "gig.approved"),
        "Your gig “Proofread our newsletter” is approved",
        f"/gigs/{gig.id}",
        _hold_again(member, gig.id),
    )


def case_gig_rejected(member, other, organiser):
    gig = _gig(member, title="Sell our raffle tickets")
    moderator = make_user(roles=(Role.MODERATOR,))
    _commit(gigs.reject_gig, user(moderator), gig, "Raffles need a licence.")
    return Case(
        member,
        latest(member.id, "gig.rejected"),
        "did not approve your gig “Sell our raffle tickets”: Raffles need a licence.",
        f"/gigs/{gig.id}",
        _hold_again(member, gig.id),
    )


def case_gig_application(member, other, organiser):
    gig = _gig(organiser, title="Paint a mural")
    _commit(gig_applications.apply, user(other), gig, "I paint murals.")
    from community.gigs.models import Gig

    return Case(
        organiser,
        latest(organiser.id, "gig.application"),
        f"{other.display_name} applied to your gig “Paint a mural”.",
        f"/gigs/{gig.id}/applications",
        lambda: _commit(gigs.close_gig, user(organiser), db.session.get(Gig, gig.id)),
    )


def case_gig_status(member, other, organiser):
    gig = _gig(organiser, title="Count birds")
    application = _commit(gig_applications.apply, user(member), gig, "I love birds.")
    _commit(gig_applications.set_status, user(organiser), application, "shortlisted")
    return Case(
        member,
        latest(member.id, "gig.status"),
        "Your application to “Count birds” is shortlisted.",
        "/gigs/applications",
        _hold_again(organiser, gig.id),
    )


def case_gig_reminder(member, other, organiser):
    from community.gigs.models import Gig

    gig = _gig(organiser, title="Sort donations")
    _commit(gig_applications.apply, user(member), gig, "Happy to help.")
    _commit(gig_applications.sweep, utcnow() + timedelta(days=6))
    return Case(
        organiser,
        latest(organiser.id, "gig.reminder"),
        "applications to “Sort donations” have waited 3 working days",
        f"/gigs/{gig.id}/applications",
        lambda: _commit(gigs.close_gig, user(organiser), db.session.get(Gig, gig.id)),
    )


def case_gig_expired(member, other, organiser):
    gig = _gig(organiser, title="Walk dogs", deadline=None)
    _commit(gig_applications.apply, user(member), gig, "I walk dogs.")
    _commit(gig_applications.sweep, utcnow() + timedelta(days=15))
    return Case(
        member,
        latest(member.id, "gig.expired"),
        "Your application to “Walk dogs” has closed",
        "/gigs/applications",
        _hold_again(organiser, gig.id),
    )


def case_gig_stopped(member, other, organiser):
    from community.gigs.models import Gig

    gig = _gig(organiser, title="Paint the hall")
    _commit(gig_applications.apply, user(member), gig, "I paint.")
    _commit(gigs.mark_filled, user(organiser), db.session.get(Gig, gig.id))
    return Case(
        member,
        latest(member.id, "gig.stopped"),
        "“Paint the hall” has been filled, so your application is closed",
        "/gigs/applications",
        _hold_again(organiser, gig.id),
    )


def _completed_gig(member, organiser, title: str):
    """An organiser's gig that `member` was accepted for, then completed."""
    from community.gigs import completion
    from community.gigs.models import GigApplication

    gig = _gig(organiser, title=title)
    _commit(gig_applications.apply, user(member), gig, "I can do it.")
    application = db.session.scalar(
        select(GigApplication).where(
            GigApplication.gig_id == gig.id, GigApplication.applicant_id == member.id
        )
    )
    _commit(gig_applications.set_status, user(organiser), application, "accepted")
    _commit(completion.complete, user(organiser), db.session.get(type(gig), gig.id))
    return gig


def case_gig_completed(member, other, organiser):
    gig = _completed_gig(member, organiser, "Film the choir")
    return Case(
        member,
        latest(member.id, "gig.completed"),
        "marked “Film the choir” completed",
        f"/gigs/{gig.id}",
        _hold_again(organiser, gig.id),
    )


def case_gig_reference(member, other, organiser):
    from community.gigs import completion
    from community.gigs.models import Gig

    gig = _completed_gig(member, organiser, "Edit the video")
    _commit(completion.write_reference, user(organiser), db.session.get(Gig, gig.id), member.id,
            hours=6, skills_used="Editing", statement="Edited our video well.")  # fmt: skip
    return Case(
        member,
        latest(member.id, "gig.reference"),
        "wrote you a reference for “Edit the video”",
        f"/gigs/{gig.id}",
        _hold_again(organiser, gig.id),
    )


def case_learning_reminder(member, other, organiser):
    now = utcnow()
    _commit(learning.set_reminder, user(member), now.weekday())
    _commit(learning.send_reminders, now)
    return Case(
        member,
        latest(member.id, "learning.reminder"),
        "Your learning plan",
        "/learning/plan",
        lambda: _commit(learning.set_reminder, user(member), None),
    )


def case_mentoring_outcome_prompt(member, other, organiser):
    from datetime import date

    from community.mentoring import outcomes
    from tests.mentoring_report_world import enrol, make_programme

    ended = date.today() - timedelta(days=10)  # the end checkpoint is due, not +3 months
    programme = make_programme(organiser.id, name="Mentoring in Lyon",
                               starts_on=ended - timedelta(days=200), ends_on=ended)  # fmt: skip
    enrol(programme.id, member.id, "mentee")
    _commit(outcomes.send_outcome_prompts)
    return Case(
        member,
        latest(member.id, "mentoring.outcome_prompt"),
        "“Mentoring in Lyon” has ended. Where are you now?",
        f"/mentoring/{programme.id}/outcome?checkpoint=end",
        lambda: _commit(outcomes.record_outcome, user(member), programme, "studying", "", "end"),
    )


# --- mentoring pairs (the pairs are made with the models: see tests/mentoring_pairs_world.py) ---


def _mentoring_pair(mentee, coordinator=None):
    """An active pair: a new mentor and `mentee`, in a programme `coordinator` (default: a
    new coordinator) runs."""
    from tests.mentoring_pairs_world import make_pair, make_programme

    coordinator = coordinator or make_user(roles=(Role.COORDINATOR,))
    programme = make_programme(coordinator)
    pair = make_pair(programme, make_user(), mentee)
    db.session.commit()
    return coordinator, pair.id


def _end_mentoring_pair(coordinator, pair_id: int) -> Callable[[], None]:
    from community.mentoring import pairs
    from community.mentoring.models import Pair

    def end() -> None:
        mentee = db.session.get(Pair, pair_id).mentee_id
        _commit(pairs.answer_fit, db.session.get(User, mentee), pair_id, "no")
        _commit(pairs.end_pair, user(coordinator), pair_id, "Not a good fit")

    return end


def case_mentoring_pair_not_fit(member, other, organiser):
    from community.mentoring import pairs

    coordinator, pair_id = _mentoring_pair(member, organiser)  # the organiser coordinates it
    _commit(pairs.answer_fit, user(member), pair_id, "no")
    return Case(
        organiser,
        latest(coordinator.id, "mentoring.pair_not_fit"),
        "answered that their mentoring pair is not a good fit",
        "/mentoring/",
        lambda: _commit(pairs.end_pair, user(coordinator), pair_id, "Not a good fit"),
    )


def case_mentoring_pair_ended(member, other, organiser):
    from sqlalchemy import delete

    from community.mentoring.models import Programme

    coordinator, pair_id = _mentoring_pair(member)
    _end_mentoring_pair(coordinator, pair_id)()

    def remove_programme() -> None:
        db.session.execute(delete(Programme).where(Programme.coordinator_id == coordinator.id))
        db.session.commit()

    return Case(
        member,
        latest(member.id, "mentoring.pair_ended"),
        "has ended, so you can be paired again",
        "/mentoring/pairs",
        remove_programme,
    )


def case_mentoring_pair_reminder(member, other, organiser):
    from community.mentoring import pairs
    from tests.mentoring_pairs_world import age_pair

    coordinator, pair_id = _mentoring_pair(member)
    age_pair(pair_id, 40)
    _commit(pairs.send_reminders)
    return Case(
        member,
        latest(member.id, "mentoring.pair_reminder"),
        "has not logged a meeting for a month",
        f"/mentoring/pairs/{pair_id}",
        _end_mentoring_pair(coordinator, pair_id),
    )


def case_mentoring_pair_nudge(member, other, organiser):
    from community.mentoring import pairs

    coordinator, pair_id = _mentoring_pair(member)
    _commit(pairs.nudge, user(coordinator), pair_id)
    return Case(
        member,
        latest(member.id, "mentoring.pair_nudge"),
        "hopes you two can meet soon",
        f"/mentoring/pairs/{pair_id}",
        _end_mentoring_pair(coordinator, pair_id),
    )


def case_mentoring_application_decided(member, other, organiser):
    from community.auth.roles import Role
    from community.mentoring import applications as mentoring_applications
    from tests.mentoring_prog_world import application_data, make_programme

    coordinator = make_user(display_name="Cory Coordinator", roles=(Role.COORDINATOR,))
    programme = make_programme(coordinator, name="Mentoring Odense")
    application = _commit(mentoring_applications.apply, user(member), programme, application_data())
    _commit(mentoring_applications.decide, user(coordinator), application, "accepted")
    return Case(
        member,
        latest(member.id, "mentoring.application_decided"),
        "Welcome to “Mentoring Odense”",
        f"/mentoring/{programme.id}",
        # The coordinator changes their mind: the welcome is moot.
        lambda: _commit(mentoring_applications.decide, user(coordinator), application, "declined"),
    )


def _confirmed_mentoring_pair(coordinator_ref, mentor_ref, mentee_ref, *, mentors_accept: bool):
    """A pair confirmed by the real matching services (the programme and applications made
    with the models: their services belong to another part of the feature)."""
    from community.mentoring import proposals
    from tests.mentoring_match_world import apply, programme

    prog = programme(coordinator_ref, mentors_accept=mentors_accept)
    apply(prog, mentor_ref, "mentor")
    apply(prog, mentee_ref, "mentee")
    proposal = proposals.run_proposal(user(coordinator_ref), prog.id)
    (pair,) = proposals.confirm(user(coordinator_ref), proposal.id)
    db.session.commit()
    return pair


def _end_pair(pair_id: int) -> None:
    from community.mentoring.models import Pair, PairStatus

    db.session.get(Pair, pair_id).status = PairStatus.ENDED  # as the pair's "no" ends it
    db.session.commit()


def _hand_over(programme_id: int, coordinator_id: int) -> None:
    from community.mentoring.models import Programme

    db.session.get(Programme, programme_id).coordinator_id = coordinator_id
    db.session.commit()


def case_mentoring_paired(member, other, organiser) -> Case:
    coordinator = make_user(display_name="Cleo Coordinator")
    mentor = make_user(display_name="Maud Mentor")
    pair = _confirmed_mentoring_pair(coordinator, mentor, member, mentors_accept=False)
    return Case(
        member,
        latest(member.id, "mentoring.paired"),
        "Maud Mentor is your mentor in",
        "/mentoring/pairs/",
        lambda: _end_pair(pair.id),
    )


def case_mentoring_proposed(member, other, organiser) -> Case:
    from community.mentoring import proposals

    coordinator = make_user(display_name="Cleo Coordinator")
    mentee = make_user(display_name="Nina Newcomer")
    pair = _confirmed_mentoring_pair(coordinator, member, mentee, mentors_accept=True)
    return Case(
        member,
        latest(member.id, "mentoring.proposed"),
        "You are proposed as the mentor of Nina Newcomer",
        f"/mentoring/proposed/{pair.id}",
        lambda: _commit(proposals.decline_pair, user(member), pair.id, "Too busy this year."),
    )


def case_mentoring_accepted(member, other, organiser) -> Case:
    from community.mentoring import proposals

    mentor = make_user(display_name="Maud Mentor")
    pair = _confirmed_mentoring_pair(member, mentor, make_user(), mentors_accept=True)
    _commit(proposals.accept_pair, user(mentor), pair.id)
    return Case(
        member,
        latest(member.id, "mentoring.accepted"),
        "Maud Mentor accepted their proposed mentee",
        f"/mentoring/{pair.programme_id}/matching",
        lambda: _hand_over(pair.programme_id, organiser.id),
    )


def case_mentoring_declined(member, other, organiser) -> Case:
    from community.mentoring import proposals

    mentor = make_user(display_name="Maud Mentor")
    pair = _confirmed_mentoring_pair(member, mentor, make_user(), mentors_accept=True)
    _commit(proposals.decline_pair, user(mentor), pair.id, "A neighbour of mine.")
    return Case(
        member,
        latest(member.id, "mentoring.declined"),
        "Maud Mentor declined their proposed mentee in “International Business Mentoring”: A neighbour of mine.",
        f"/mentoring/{pair.programme_id}/matching",
        lambda: _hand_over(pair.programme_id, organiser.id),
    )


CASES = {
    name.removeprefix("case_").replace("_", ".", 1): fn
    for name, fn in globals().copy().items()
    if name.startswith("case_")
}
