"""Questions an event asks at RSVP (at most MAX_QUESTIONS: a short text, one choice, or
yes/no; optional or required) and the members' answers.

- Hosts (`services.can_manage`) set the questions on the event's "Questions" page or
  `PUT /api/v1/events/{id}/questions` (`set_questions`). Anyone who may see the event
  reads them (the RSVP form asks them).
- Changing a question that already has answers: editing its wording, its choices or
  whether it is required keeps the answers (a choice answer that is no longer offered stays
  as given, so the host still sees it); removing a question deletes its answers; changing
  its kind is refused once it has answers (Conflict), since old answers would not fit.
- Members answer in the RSVP form or the API's RSVP body (`rsvp_with_answers`); a required
  question left blank is refused (Invalid naming the question, field "answer-<id>").
  Answers may be changed while the RSVP is active (requested, going or waitlisted).
- Answers are seen by the event's hosts only (`answers_for`): never door helpers, never
  other members, and in the API only on hosts' endpoints.
- `purge_answers` deletes the answers of events that ended more than ANSWER_RETENTION_DAYS
  (config, 30) ago: `flask --app wsgi purge-event-answers`, idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from community.auth.models import User
from community.core.database import lock_row, utcnow
from community.core.errors import Conflict, Forbidden, Invalid, NotFound, too_long
from community.events import services
from community.events.models import (
    MAX_QUESTIONS,
    Event,
    EventQuestion,
    QuestionKind,
    Rsvp,
    RsvpAnswer,
    RsvpStatus,
)
from community.extensions import db

MAX_PROMPT = 200
MAX_ANSWER = 500
MAX_CHOICES = 10
MAX_CHOICE = 80
YES, NO = "yes", "no"
_ACTIVE = (RsvpStatus.REQUESTED, RsvpStatus.GOING, RsvpStatus.WAITLISTED)


@dataclass
class QuestionSpec:
    """One question as a host sets it; `id` names an existing question to keep (None: new)."""

    kind: str
    prompt: str
    choices: list[str] = field(default_factory=list)
    required: bool = False
    id: int | None = None


def questions_of(event: Event) -> list[EventQuestion]:
    """`event`'s questions in order (anyone who may see the event may read them)."""
    return list(
        db.session.scalars(
            select(EventQuestion)
            .where(EventQuestion.event_id == event.id)
            .order_by(EventQuestion.position, EventQuestion.id)
        )
    )


def set_questions(actor: User, event: Event, specs: list[QuestionSpec]) -> list[EventQuestion]:
    """Replace `event`'s questions with `specs`, in order. Hosts only (Forbidden). Refuses
    more than MAX_QUESTIONS, an empty or over-long prompt, a choice question with fewer
    than two choices, an unknown id (Invalid) and a kind change of a question that has
    answers (Conflict). Questions left out are deleted with their answers. Under the
    event's row lock, so two hosts saving at once do not interleave."""
    if not services.can_manage(actor, event):
        raise Forbidden(_("Only the event's hosts can do this."))
    if len(specs) > MAX_QUESTIONS:
        raise Invalid(_("Ask at most %(n)d questions.", n=MAX_QUESTIONS), "questions")
    event = lock_row(event)
    current = {question.id: question for question in questions_of(event)}
    answered = _answered_ids(list(current))
    for index, spec in enumerate(specs):
        _check_spec(spec, index, current, answered)
    kept = {spec.id for spec in specs if spec.id is not None}
    for question_id in set(current) - kept:
        db.session.execute(delete(RsvpAnswer).where(RsvpAnswer.question_id == question_id))
        db.session.delete(current[question_id])
    db.session.flush()
    # Park the kept ones out of the way first: (event_id, position) is unique.
    for offset, question_id in enumerate(kept):
        current[question_id].position = 100 + offset
    db.session.flush()
    result = []
    for index, spec in enumerate(specs):
        question = current[spec.id] if spec.id is not None else EventQuestion(event_id=event.id)
        question.position = index
        question.kind = spec.kind
        question.prompt = " ".join(spec.prompt.split())
        question.choices = (
            "\n".join(c.strip() for c in spec.choices if c.strip())
            if spec.kind == QuestionKind.CHOICE
            else ""
        )
        question.required = bool(spec.required)
        db.session.add(question)
        result.append(question)
    db.session.flush()
    return result


def _check_spec(spec: QuestionSpec, index: int, current: dict, answered: set[int]) -> None:
    name = f"questions.{index}"
    if spec.kind not in set(QuestionKind):
        raise Invalid(_("Choose short text, one choice or yes/no."), f"{name}.kind")
    prompt = " ".join((spec.prompt or "").split())
    if not prompt:
        raise Invalid(_("Write the question."), f"{name}.prompt")
    if len(prompt) > MAX_PROMPT:
        raise Invalid(too_long(MAX_PROMPT), f"{name}.prompt")
    if spec.kind == QuestionKind.CHOICE:
        choices = [c.strip() for c in spec.choices if c.strip()]
        if not 2 <= len(choices) <= MAX_CHOICES:
            raise Invalid(
                _("Give from 2 to %(n)d choices, one per line.", n=MAX_CHOICES), f"{name}.choices"
            )
        if any(len(c) > MAX_CHOICE for c in choices):
            raise Invalid(too_long(MAX_CHOICE), f"{name}.choices")
    if spec.id is not None:
        old = current.get(spec.id)
        if old is None:
            raise Invalid(_("That question is not one of this event's."), f"{name}.id")
        if old.kind != spec.kind and old.id in answered:
            raise Conflict(
                _(
                    "“%(prompt)s” already has answers, so its kind cannot change. Remove it "
                    "and ask a new question instead.",
                    prompt=old.prompt,
                ),
                f"{name}.kind",
            )


def _answered_ids(question_ids: list[int]) -> set[int]:
    if not question_ids:
        return set()
    return set(
        db.session.scalars(
            select(RsvpAnswer.question_id)
            .where(RsvpAnswer.question_id.in_(question_ids))
            .group_by(RsvpAnswer.question_id)
        )
    )


def clean_answers(
    event: Event, raw: dict, existing: dict[int, str] | None = None
) -> dict[int, str]:
    """The answers in `raw` (question id, as int or str, to value) checked against
    `event`'s questions: a yes/no answer is "yes" or "no", a choice one of the choices, a
    text at most MAX_ANSWER characters. A blank answer clears it. A required question
    without an answer (here or in `existing`) is refused, naming it (Invalid on
    "answer-<id>"); an id that is not one of the event's questions too."""
    questions = {question.id: question for question in questions_of(event)}
    given: dict[int, str] = {}
    for key, value in (raw or {}).items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            raise Invalid(_("That question is not one of this event's."), "answers") from None
        if question_id not in questions:
            raise Invalid(_("That question is not one of this event's."), "answers")
        if value is not None and not isinstance(value, str | bool):
            raise Invalid(_("Answer with text."), f"answer-{question_id}")
        given[question_id] = _clean_value(questions[question_id], value)
    merged = {**(existing or {}), **given}
    for question in questions.values():
        if question.required and not merged.get(question.id):
            raise Invalid(
                _("Please answer “%(prompt)s”: the host needs to know.", prompt=question.prompt),
                f"answer-{question.id}",
            )
    return given


def _clean_value(question: EventQuestion, value: object) -> str:
    name = f"answer-{question.id}"
    if isinstance(value, bool):
        value = YES if value else NO
    text = " ".join(str(value or "").split())
    if not text:
        return ""
    if question.kind == QuestionKind.YES_NO:
        if text.casefold() not in (YES, NO):
            raise Invalid(_("Answer “%(prompt)s” with yes or no.", prompt=question.prompt), name)
        return text.casefold()
    if question.kind == QuestionKind.CHOICE:
        if text not in question.choice_list:
            raise Invalid(
                _("Choose one of the answers to “%(prompt)s”.", prompt=question.prompt), name
            )
        return text
    if len(text) > MAX_ANSWER:
        raise Invalid(too_long(MAX_ANSWER), name)
    return text


def question_of_field(field: str | None) -> int | None:
    """The question id a refusal names ("answer-<id>", see `clean_answers`), or None."""
    if field and field.startswith("answer-") and field[7:].isdigit():
        return int(field[7:])
    return None


def my_answers(member: User | None, event: Event) -> dict[int, str]:
    """`member`'s own answers to `event`'s questions, by question id (for their RSVP form)."""
    if member is None:
        return {}
    return dict(
        db.session.execute(
            select(RsvpAnswer.question_id, RsvpAnswer.value)
            .join(Rsvp, Rsvp.id == RsvpAnswer.rsvp_id)
            .where(Rsvp.event_id == event.id, Rsvp.user_id == member.id)
        ).all()
    )


def rsvp_with_answers(
    member: User,
    event: Event,
    guests: int,
    answers: dict | None,
    *,
    confirm_by_mail: bool = True,
) -> services.RsvpResult:
    """RSVP (`services.rsvp`, which takes the seats or makes a request) and store the
    answers, in one transaction. Called by the RSVP form and `POST .../rsvp`. `answers`
    None keeps the stored ones (an API client that sends none); required questions must be
    answered, now or before (Invalid naming the question)."""
    existing = my_answers(member, event)
    cleaned = clean_answers(event, answers or {}, existing)
    result = services.rsvp(member, event, guests, confirm_by_mail=confirm_by_mail)
    row = services.rsvp_of(member, event)
    if row is not None and row.status in _ACTIVE and cleaned:
        stored = {
            answer.question_id: answer
            for answer in db.session.scalars(select(RsvpAnswer).where(RsvpAnswer.rsvp_id == row.id))
        }
        for question_id, value in cleaned.items():
            answer = stored.get(question_id)
            if not value:
                if answer is not None:
                    db.session.delete(answer)
            elif answer is None:
                db.session.add(RsvpAnswer(rsvp_id=row.id, question_id=question_id, value=value))
            else:
                answer.value = value
        db.session.flush()
    return result


def answers_for(actor: User, event: Event) -> dict[int, dict[int, str]]:
    """Every answer to `event`'s questions, by RSVP id then question id. Hosts only
    (`can_manage`): door helpers and everyone else get NotFound, never answers."""
    if not services.can_manage(actor, event):
        raise NotFound(_("We could not find that event."))
    return _answers_of(event)


def _answers_of(event: Event) -> dict[int, dict[int, str]]:
    found: dict[int, dict[int, str]] = {}
    rows = db.session.execute(
        select(RsvpAnswer.rsvp_id, RsvpAnswer.question_id, RsvpAnswer.value)
        .join(Rsvp, Rsvp.id == RsvpAnswer.rsvp_id)
        .where(Rsvp.event_id == event.id)
    )
    for rsvp_id, question_id, value in rows:
        found.setdefault(rsvp_id, {})[question_id] = value
    return found


def answer_columns(event: Event):
    """The CSV export's answer columns: their titles (each question, saying the answers
    are deleted ANSWER_RETENTION_DAYS after the event) and a function giving a row's
    cells. For `hosting.attendees_csv`, whose caller has checked the viewer hosts."""
    asked = questions_of(event)
    if not asked:
        return [], lambda row: ()
    found = _answers_of(event)
    days = retention_days()
    titles = [
        _("%(prompt)s (answers deleted %(n)d days after the event)", prompt=q.prompt, n=days)
        for q in asked
    ]
    return titles, lambda row: tuple(found.get(row.id, {}).get(q.id, "") for q in asked)


def retention_days() -> int:
    return int(current_app.config["ANSWER_RETENTION_DAYS"])


def purge_answers(now: datetime | None = None) -> int:
    """Delete the answers of every event that ended more than ANSWER_RETENTION_DAYS before
    `now`; the number deleted. One DELETE, so it is idempotent and safe to run every few
    minutes (a second run deletes nothing). Called by `flask purge-event-answers`."""
    limit = (now or utcnow()) - timedelta(days=retention_days())
    ended = (
        select(Rsvp.id)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Event.ends_at < limit)
        .scalar_subquery()
    )
    count = db.session.scalar(
        select(func.count()).select_from(RsvpAnswer).where(RsvpAnswer.rsvp_id.in_(ended))
    )
    if count:
        db.session.execute(delete(RsvpAnswer).where(RsvpAnswer.rsvp_id.in_(ended)))
    return int(count or 0)
