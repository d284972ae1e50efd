"""Events and the seat-safe RSVP engine (services only), on SQLite and PostgreSQL: the
organisers' rules, the RSVP and waitlist rules, a Hypothesis property test of random
sequences against a model of the rules, and concurrent RSVPs from many threads."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.core.errors import Conflict, Forbidden, Invalid, NotFound
from community.events import services as events
from community.events.models import Event, EventStatus, Rsvp, RsvpStatus
from community.events.services import EventData
from community.extensions import db
from community.notifications.models import Notification
from tests.factories import event_data
from tests.test_core_patterns import run_at_once

BACKENDS = ("sqlite", "postgresql")
CUTOFF = timedelta(minutes=120)


def user(ref) -> User:
    return db.session.get(User, ref.id)


@pytest.fixture
def organiser(make_user):
    return make_user(roles=(Role.ORGANISER,))


@pytest.fixture
def people(make_user):
    return [make_user() for _ in range(6)]


@pytest.fixture
def make_event(ctx, organiser):
    def make(**changes) -> Event:
        event = events.create_event(user(organiser), event_data(**changes))
        db.session.commit()
        return event

    return make


def status_of(event: Event, ref) -> str:
    row = db.session.scalar(select(Rsvp).where(Rsvp.event_id == event.id, Rsvp.user_id == ref.id))
    return row.status


def notified(ref, event: Event) -> int:
    return len(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == ref.id,
                Notification.kind == "event.promoted",
                Notification.target_id == event.id,
            )
        ).all()
    )


# --- organisers ----------------------------------------------------------------------------


def test_only_organisers_moderators_and_admins_create_events(ctx, make_user):
    with pytest.raises(Forbidden):
        events.create_event(user(make_user()), event_data())
    hosts = [make_user(roles=(role,)) for role in (Role.ORGANISER, Role.MODERATOR, Role.ADMIN)]
    for host in hosts:
        assert events.create_event(user(host), event_data()).id


def test_wall_clock_times_in_the_event_zone_are_stored_in_utc(ctx, organiser):
    # 10:00 in Copenhagen on the last Sunday of March 2027 (summer time began at 02:00).
    event = events.create_event(
        user(organiser),
        event_data(
            starts_at=datetime(2027, 3, 28, 10, 0),
            ends_at=datetime(2027, 3, 28, 12, 0),
        ),
    )
    db.session.commit()
    db.session.expire_all()
    assert event.starts_at == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2027, 3, 28, 10, 0, tzinfo=UTC)
    assert event.description_html == "<p>Coffee and <em>introductions</em>.</p>\n"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        (
            {"starts_at": datetime(2027, 3, 28, 2, 30), "ends_at": datetime(2027, 3, 28, 4)},
            "starts_at",
        ),
        ({"ends_at": datetime(2027, 1, 1, 9), "starts_at": datetime(2027, 1, 1, 10)}, "ends_at"),
        ({"ends_at": datetime(2027, 1, 1, 10), "starts_at": datetime(2027, 1, 1, 10)}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"guests_allowed": 6}, "guests_allowed"),
        ({"guests_allowed": -1}, "guests_allowed"),
        ({"title": "x" * 141}, "title"),
        ({"title": "   "}, "title"),
        ({"category": "party"}, "category"),
        ({"venue": "", "online_url": ""}, "venue"),
        ({"online_url": "https://meet.example.org/x"}, "online_url"),
        ({"venue": "", "online_url": "javascript:alert(1)"}, "online_url"),
        ({"venue": "x" * 301}, "venue"),
        ({"description": "x" * 10_001}, "description"),
    ],
)
def test_event_fields_are_validated(ctx, organiser, changes, field):
    with pytest.raises(Invalid) as refused:
        events.create_event(user(organiser), event_data(**changes))
    assert refused.value.field == field


def test_an_online_event_needs_no_venue_and_unlimited_capacity_is_none(ctx, organiser):
    event = events.create_event(
        user(organiser),
        event_data(venue=None, online_url="https://meet.example.org/cv", capacity=None),
    )
    assert (event.venue, event.capacity, event.venue_private) == ("", None, False)


def test_only_the_events_organiser_moderators_and_admins_change_it(ctx, make_event, make_user):
    event = make_event()
    for outsider in (make_user(), make_user(roles=(Role.ORGANISER,))):
        with pytest.raises(Forbidden):
            events.update_event(user(outsider), event, EventData(title="Mine now"))
        with pytest.raises(Forbidden):
            events.cancel_event(user(outsider), event)
    moderator = make_user(roles=(Role.MODERATOR,))
    assert events.update_event(user(moderator), event, EventData(title="Tidied")).title == "Tidied"


def test_sequence_rises_on_time_place_and_status_changes_only(ctx, make_event, organiser):
    event = make_event()
    host = user(organiser)
    events.update_event(host, event, EventData(title="New title", description="More"))
    assert event.sequence == 0
    events.update_event(host, event, EventData(starts_at=event.starts_at + timedelta(hours=1)))
    assert event.sequence == 1
    events.update_event(host, event, EventData(venue="Another café"))
    assert event.sequence == 2
    events.update_event(host, event, EventData(timezone="Europe/Zurich"))  # same wall clock
    assert event.sequence == 3
    events.cancel_event(host, event)
    events.cancel_event(host, event)
    assert (event.status, event.sequence) == (EventStatus.CANCELLED, 4)
    with pytest.raises(Conflict):
        events.update_event(host, event, EventData(title="Back on"))


def test_a_new_zone_alone_keeps_the_wall_clock_time(ctx, make_event, organiser):
    event = make_event(starts_at=datetime(2027, 6, 1, 18), ends_at=datetime(2027, 6, 1, 20))
    assert event.starts_at == datetime(2027, 6, 1, 16, tzinfo=UTC)
    events.update_event(user(organiser), event, EventData(timezone="Asia/Singapore"))
    assert event.starts_at == datetime(2027, 6, 1, 10, tzinfo=UTC)


def test_lowering_capacity_below_seats_taken_is_refused(ctx, make_event, organiser, people):
    event = make_event(capacity=4)
    events.rsvp(user(people[0]), event, 2)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        events.update_event(user(organiser), event, EventData(capacity=2))
    assert refused.value.field == "capacity"
    db.session.rollback()
    assert events.update_event(user(organiser), event, EventData(capacity=3)).capacity == 3


def test_raising_capacity_promotes_waitlisted_parties_that_now_fit(
    ctx, make_event, organiser, people
):
    event = make_event(capacity=2)
    events.rsvp(user(people[0]), event, 1)
    events.rsvp(user(people[1]), event, 2)
    events.rsvp(user(people[2]), event, 0)
    events.update_event(user(organiser), event, EventData(capacity=3))
    assert [status_of(event, p) for p in people[:3]] == ["going", "waitlisted", "going"]
    events.update_event(user(organiser), event, EventData(cleared={"capacity"}))
    assert status_of(event, people[1]) == "going"
    assert (event.seats_taken, notified(people[1], event), notified(people[2], event)) == (6, 1, 1)


# --- RSVPs ---------------------------------------------------------------------------------


def test_rsvp_goes_while_seats_last_then_waitlists_with_positions(ctx, make_event, people):
    event = make_event(capacity=3)
    answers = [events.rsvp(user(p), event, 1) for p in people[:4]]
    assert answers == [
        events.RsvpResult("going", None, 2),
        events.RsvpResult("waitlisted", 1, 2),
        events.RsvpResult("waitlisted", 2, 2),
        events.RsvpResult("waitlisted", 3, 2),
    ]
    assert event.seats_taken == 2


def test_repeating_an_rsvp_is_idempotent(ctx, make_event, people):
    event = make_event(capacity=2)
    first = events.rsvp(user(people[0]), event, 1)
    second_member = events.rsvp(user(people[1]), event)
    assert events.rsvp(user(people[0]), event, 1) == first
    assert events.rsvp(user(people[1]), event) == second_member
    assert event.seats_taken == 2
    assert len(db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id)).all()) == 2


def test_rsvp_refuses_cancelled_started_events_and_too_many_guests(
    ctx, make_event, organiser, people
):
    event = make_event(guests_allowed=2)
    with pytest.raises(Invalid) as refused:
        events.rsvp(user(people[0]), event, 3)
    assert refused.value.field == "guests"
    with pytest.raises(Conflict):
        events.rsvp(user(people[0]), event, now=event.starts_at)
    with pytest.raises(Conflict):
        events.cancel_rsvp(user(people[0]), event, now=event.starts_at + timedelta(minutes=5))
    events.cancel_event(user(organiser), event)
    with pytest.raises(Conflict):
        events.rsvp(user(people[0]), event)


def test_freed_seats_go_to_the_first_waitlisted_party_that_fits(ctx, make_event, people):
    """A party of 3 waiting first does not block a single behind it."""
    event = make_event(capacity=3)
    a, b, c, d = people[:4]
    events.rsvp(user(a), event, 0)
    events.rsvp(user(b), event, 1)
    events.rsvp(user(c), event, 2)  # 3 seats: waits
    events.rsvp(user(d), event, 0)  # 1 seat: waits behind c
    events.cancel_rsvp(user(a), event)
    assert (status_of(event, c), status_of(event, d)) == ("waitlisted", "going")
    assert (notified(c, event), notified(d, event)) == (0, 1)
    events.cancel_rsvp(user(b), event)
    events.cancel_rsvp(user(d), event)
    assert status_of(event, c) == "going"
    assert event.seats_taken == 3


def test_promotion_follows_join_order_among_parties_that_fit(ctx, make_event, people):
    event = make_event(capacity=2)
    events.rsvp(user(people[0]), event, 1)
    for p in people[1:4]:
        events.rsvp(user(p), event, 0)
    events.cancel_rsvp(user(people[0]), event)
    assert [status_of(event, p) for p in people[1:4]] == ["going", "going", "waitlisted"]


def test_a_going_party_grows_only_into_free_seats_and_otherwise_keeps_its_seats(
    ctx, make_event, people
):
    event = make_event(capacity=4)
    events.rsvp(user(people[0]), event, 1)
    assert events.rsvp(user(people[0]), event, 2) == events.RsvpResult("going", None, 3)
    events.rsvp(user(people[1]), event, 0)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        events.rsvp(user(people[0]), event, 3)
    assert refused.value.field == "guests"
    db.session.rollback()
    assert status_of(event, people[0]) == "going"
    assert event.seats_taken == 4


def test_a_going_party_that_shrinks_promotes_the_waitlist(ctx, make_event, people):
    event = make_event(capacity=3)
    events.rsvp(user(people[0]), event, 2)
    events.rsvp(user(people[1]), event, 0)
    assert events.rsvp(user(people[0]), event, 1).seats == 2
    assert status_of(event, people[1]) == "going"
    assert event.seats_taken == 3


def test_a_waitlisted_party_that_changes_size_keeps_its_place(ctx, make_event, people):
    event = make_event(capacity=1)
    events.rsvp(user(people[0]), event, 0)
    events.rsvp(user(people[1]), event, 2)
    events.rsvp(user(people[2]), event, 0)
    assert events.rsvp(user(people[1]), event, 1) == events.RsvpResult("waitlisted", 1, 2)
    assert events.rsvp(user(people[1]), event, 0) == events.RsvpResult("waitlisted", 1, 1)
    events.cancel_rsvp(user(people[0]), event)
    assert (status_of(event, people[1]), status_of(event, people[2])) == ("going", "waitlisted")


def test_cancelling_frees_seats_and_coming_back_joins_the_end_of_the_line(ctx, make_event, people):
    event = make_event(capacity=1)
    events.rsvp(user(people[0]), event)
    events.rsvp(user(people[1]), event)
    events.rsvp(user(people[2]), event)
    events.cancel_rsvp(user(people[1]), event)
    assert events.rsvp(user(people[1]), event).position == 2
    assert events.cancel_rsvp(user(people[3]), event) is None
    events.cancel_rsvp(user(people[0]), event)
    assert status_of(event, people[2]) == "going"
    assert event.seats_taken == 1


def test_no_promotion_within_the_cut_off_and_the_first_claim_wins(ctx, make_event, people):
    event = make_event(capacity=1)
    events.rsvp(user(people[0]), event)
    events.rsvp(user(people[1]), event)
    inside = event.starts_at - CUTOFF + timedelta(minutes=1)
    events.cancel_rsvp(user(people[0]), event, now=inside)
    assert (status_of(event, people[1]), event.seats_taken) == ("waitlisted", 0)
    assert events.promote(event, now=inside) == []
    assert events.rsvp(user(people[1]), event, now=inside) == events.RsvpResult("going", None, 1)
    outside = event.starts_at - CUTOFF - timedelta(minutes=1)
    events.rsvp(user(people[2]), event, now=outside)
    events.cancel_rsvp(user(people[1]), event, now=outside)
    assert status_of(event, people[2]) == "going"


@pytest.mark.parametrize("app_overrides", [{"EVENT_PROMOTION_CUTOFF_MINUTES": 0}])
def test_the_cut_off_is_configurable(ctx, make_event, people):
    event = make_event(capacity=1)
    events.rsvp(user(people[0]), event)
    events.rsvp(user(people[1]), event)
    events.cancel_rsvp(user(people[0]), event, now=event.starts_at - timedelta(minutes=5))
    assert status_of(event, people[1]) == "going"


def test_attendees_lists_going_then_waitlisted_in_join_order(ctx, make_event, people):
    event = make_event(capacity=3)
    for p, guests in zip(people, [1, 1, 0, 0, 1], strict=False):
        events.rsvp(user(p), event, guests)
    events.cancel_rsvp(user(people[4]), event)
    listed = [(row.user.id, row.status) for row in events.attendees(event)]
    assert listed == [
        (people[0].id, "going"),
        (people[2].id, "going"),
        (people[1].id, "waitlisted"),
        (people[3].id, "waitlisted"),
    ]


# --- property test -------------------------------------------------------------------------

MEMBERS = 4
steps = st.lists(
    st.one_of(
        st.tuples(st.just("rsvp"), st.integers(0, MEMBERS - 1), st.integers(0, 3)),
        st.tuples(st.just("cancel"), st.integers(0, MEMBERS - 1), st.just(0)),
        st.tuples(st.just("raise"), st.integers(1, 3), st.just(0)),
        st.tuples(st.just("cut_off"), st.just(0), st.just(0)),
    ),
    max_size=14,
)


@dataclass
class Party:
    status: str
    seats: int
    order: int


class Model:
    """The rules in plain Python: what every RSVP should be after each step."""

    def __init__(self, capacity: int) -> None:
        self.capacity, self.parties, self.joins, self.inside_cut_off = capacity, {}, 0, False

    def free(self) -> int:
        return self.capacity - sum(p.seats for p in self.parties.values() if p.status == "going")

    def promote(self) -> None:
        if self.inside_cut_off:
            return
        free = self.free()
        for party in sorted(self.waitlist(), key=lambda p: p.order):
            if party.seats <= free:
                party.status, free = "going", free - party.seats

    def waitlist(self) -> list[Party]:
        return [p for p in self.parties.values() if p.status == "waitlisted"]

    def rsvp(self, member: int, seats: int) -> bool:
        """False when the change is refused."""
        party = self.parties.get(member)
        if party is None or party.status == "cancelled":
            self.joins += 1
            status = "going" if seats <= self.free() else "waitlisted"
            self.parties[member] = Party(status, seats, self.joins)
        elif party.status == "going":
            if seats - party.seats > self.free():
                return False
            shrinks = seats < party.seats
            party.seats = seats
            if shrinks:
                self.promote()
        else:
            party.seats = seats
            if seats <= self.free():
                party.status = "going"
            else:
                self.promote()
        return True

    def cancel(self, member: int) -> None:
        if member in self.parties:
            self.parties[member].status = "cancelled"
            self.promote()


def test_random_rsvp_sequences_keep_seats_and_promote_in_order(ctx, organiser, make_user):
    members = [make_user() for _ in range(MEMBERS)]
    host = user(organiser)
    examples = []

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(capacity=st.integers(1, 5), actions=steps)
    def check(capacity: int, actions: list[tuple[str, int, int]]) -> None:
        examples.append(len(actions))
        event = events.create_event(host, event_data(capacity=capacity))
        db.session.commit()
        model, clock = Model(capacity), event.starts_at - timedelta(days=2)
        for action, who, number in actions:
            clock += timedelta(seconds=1)
            if action == "rsvp":
                allowed = model.rsvp(who, 1 + number)
                try:
                    events.rsvp(user(members[who]), event, number, now=clock)
                    db.session.commit()
                    assert allowed
                except Conflict:
                    db.session.rollback()
                    assert not allowed
            elif action == "cancel":
                events.cancel_rsvp(user(members[who]), event, now=clock)
                db.session.commit()
                model.cancel(who)
            elif action == "raise":
                model.capacity += number
                model.promote()
                capacity = event.capacity + number
                events.update_event(host, event, EventData(capacity=capacity), now=clock)
                db.session.commit()
            else:
                clock = max(clock, event.starts_at - CUTOFF + timedelta(minutes=1))
                model.inside_cut_off = True
            db.session.expire_all()
            index = {m.id: n for n, m in enumerate(members)}
            rows = {
                index[row.user_id]: row
                for row in db.session.scalars(select(Rsvp).where(Rsvp.event_id == event.id))
            }
            going = [row for row in rows.values() if row.status == RsvpStatus.GOING]
            assert event.seats_taken == sum(row.seats for row in going) <= event.capacity
            waitlist = sorted(
                (row for row in rows.values() if row.status == RsvpStatus.WAITLISTED),
                key=lambda row: (row.joined_at, row.id),
            )
            if clock < event.starts_at - CUTOFF:
                assert all(row.seats > event.seats_free for row in waitlist)
            assert [events.rsvp_state(row).position for row in waitlist] == list(
                range(1, len(waitlist) + 1)
            )
            by_id = {row.id: who for who, row in rows.items()}
            orders = [model.parties[by_id[row.id]].order for row in waitlist]
            assert orders == sorted(orders)  # the waitlist is in join order
            assert {who: (row.status, row.seats) for who, row in rows.items()} == {
                who: (party.status, party.seats) for who, party in model.parties.items()
            }

    started = time.monotonic()
    check()
    print(f"property test: {len(examples)} examples in {time.monotonic() - started:.1f}s")
    assert len(examples) >= 150


# --- concurrency ---------------------------------------------------------------------------


def concurrent_rsvps(app, make_user, guests: list[int], capacity: int) -> tuple[list, Event]:
    """Every member RSVPs at once, each in a thread with its own session."""
    with app.app_context():
        organiser = make_user(roles=(Role.ORGANISER,))
        event_id = events.create_event(
            user(organiser), event_data(capacity=capacity, guests_allowed=5)
        ).id
        db.session.commit()
    ids = [make_user().id for _ in guests]

    def join(index: int) -> None:
        event = db.session.get(Event, event_id)
        events.rsvp(db.session.get(User, ids[index]), event, guests[index])

    started = time.monotonic()
    errors = run_at_once(app, len(guests), join)
    print(f"{len(guests)} concurrent RSVPs in {time.monotonic() - started:.2f}s")
    return errors, event_id


def counts(event_id: int) -> tuple[int, int, int, int]:
    event = db.session.get(Event, event_id)
    rows = db.session.scalars(select(Rsvp).where(Rsvp.event_id == event_id)).all()
    going = [row for row in rows if row.status == RsvpStatus.GOING]
    waitlisted = [row for row in rows if row.status == RsvpStatus.WAITLISTED]
    return len(going), len(waitlisted), event.seats_taken, sum(row.seats for row in going)


def test_sixty_members_rsvp_at_once_for_twenty_seats(app, backend, make_user):
    errors, event_id = concurrent_rsvps(app, make_user, [0] * 60, capacity=20)
    assert errors == []
    with app.app_context():
        assert counts(event_id) == (20, 40, 20, 20)


def test_concurrent_parties_of_random_sizes_never_overbook(app, backend, make_user):
    sizes = [random.Random(n).randint(0, 3) for n in range(60)]
    errors, event_id = concurrent_rsvps(app, make_user, sizes, capacity=20)
    assert errors == []
    with app.app_context():
        going, waitlisted, taken, seats = counts(event_id)
        assert going + waitlisted == 60
        assert taken == seats <= 20
        free = 20 - taken
        rows = db.session.scalars(
            select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.status == RsvpStatus.WAITLISTED)
        ).all()
        assert all(row.seats > free for row in rows)


# --- who sees what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees_event", "sees_place"),
    [
        ("organiser", True, True),
        ("other organiser", True, False),
        ("going", True, True),
        ("waitlisted", True, False),
        ("member", True, False),
        ("blocked by organiser", False, False),
        ("moderator", True, True),
        ("anonymous", False, False),
    ],
)
def test_who_sees_the_event_and_its_private_place(
    ctx, make_event, organiser, make_user, who, sees_event, sees_place
):
    first, second, blocked = make_user(), make_user(), make_user()
    viewers = {
        "organiser": organiser,
        "other organiser": make_user(roles=(Role.ORGANISER,)),
        "going": first,
        "waitlisted": second,
        "member": make_user(),
        "moderator": make_user(roles=(Role.MODERATOR,)),
        "blocked by organiser": blocked,
    }
    event = make_event(venue="Our flat, Vesterbro", venue_private=True, capacity=1)
    events.rsvp(user(first), event)
    events.rsvp(user(second), event)
    connections.block(user(organiser), blocked.id)
    db.session.commit()
    viewer = user(viewers[who]) if who in viewers else None
    if not sees_event:
        with pytest.raises(NotFound):
            events.get_visible_event(viewer, event.id)
    else:
        assert events.get_visible_event(viewer, event.id) is event
    place = events.place_for(viewer, event)
    assert place.venue == ("Our flat, Vesterbro" if sees_place else None)


def test_a_public_venue_is_for_every_member_and_the_online_link_for_those_going(
    ctx, make_event, make_user
):
    member, going = make_user(), make_user()
    street = make_event(venue="Nyhavn 17", venue_private=False)
    online = make_event(venue=None, online_url="https://meet.example/abc")
    events.rsvp(user(going), online)
    db.session.commit()
    assert events.place_for(user(member), street).venue == "Nyhavn 17"
    assert events.place_for(user(member), online) == events.Place(None, None, True)
    assert events.place_for(user(going), online).online_url == "https://meet.example/abc"
