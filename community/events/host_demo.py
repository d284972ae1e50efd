"""Demo data for the organiser tools (#18): an upcoming workshop that needs approval and
asks two questions, with requests pending, one accepted and one declined; a co-host and a
door helper (`priya@alongside.example`, a demo login in the README) on it. Called by
`events.demo.seed` through the services, like the rest of the demo."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from community.core.database import utcnow
from community.demo import DemoContext
from community.events import approval, questions, staff
from community.events import services as events
from community.events.models import QuestionKind, StaffRole

COHOST = "lars@alongside.example"
DOOR_HELPER = "priya@alongside.example"
PENDING = 4
SHOWN = {"member@alongside.example", "sofia@alongside.example"}


def seed(context: DemoContext, organiser) -> None:
    """The approval workshop with its questions, requests, co-host and door helper."""
    by_email = {user.email: user for user in context.users}
    city = context.cities[organiser.id]
    from community.profiles import reference as ref

    place = ref.CITY_BY_SLUG[city]
    day = utcnow().date() + timedelta(days=9)
    starts = datetime.combine(day, time(18, 0))
    event = events.create_event(
        organiser,
        events.EventData(
            title=f"Cooking workshop: dishes from home, {place.name}",
            description="Small kitchen, big flavours. **Eight places**: the hosts choose "
            "so every group gets a mix of cuisines. Tell us what you cannot eat.",
            category="social",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            timezone=place.timezone,
            venue=f"Community kitchen, {place.name}",
            venue_private=True,
            capacity=8,
            guests_allowed=1,
            city=city,
            languages=["en"],
            child_friendly=True,
            requires_approval=True,
        ),
    )
    diet, children = questions.set_questions(
        organiser,
        event,
        [
            questions.QuestionSpec(QuestionKind.TEXT, "Dietary needs or allergies"),
            questions.QuestionSpec(QuestionKind.YES_NO, "Bringing children?", required=True),
        ],
    )
    staff.set_staff(organiser, event, by_email[COHOST].id, StaffRole.COHOST)
    staff.set_staff(organiser, event, by_email[DOOR_HELPER].id, StaffRole.DOOR_HELPER)
    taken = {organiser.id, by_email[COHOST].id, by_email[DOOR_HELPER].id}
    askers = [
        user
        for user in context.users
        if user.id not in taken and not events.can_manage(user, event)  # hosts go straight in
    ][: PENDING + 2]
    diets = ["Vegetarian", "", "No nuts, please", "Halal", "", "Lactose-free"]
    for index, member in enumerate(askers):
        questions.rsvp_with_answers(
            member,
            event,
            0,
            {str(diet.id): diets[index], str(children.id): "yes" if index % 2 else "no"},
            confirm_by_mail=False,
        )
    # The README's demo logins (Mia, Sofía) stay pending, so they can see a request.
    answered = [user for user in askers if user.email not in SHOWN][:2]
    approval.accept(organiser, event, answered[0].id)
    approval.decline(
        organiser,
        event,
        answered[1].id,
        "This one is full of returning cooks; we would love to see you at the next one.",
    )
    context.summary.append(
        f"1 approval workshop ({PENDING} requests pending, 1 accepted, 1 declined), "
        "a co-host and a door helper"
    )
