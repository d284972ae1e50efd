"""The list of gigs, in a fixed number of queries whatever the page size.

`list_gigs` is the one list query (the page and `GET /api/v1/gigs`): approved open gigs
(plus, for moderators, nothing more: the list shows what members see), filtered, newest
first, keyset-paged on (created_at, id) so page 100 costs what page 1 costs. Skills,
languages and countries load with `selectin` (one query each per page), the poster with a
join.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.auth.models import User
from community.core.pagination import Page, keyset
from community.extensions import db
from community.gigs.models import Gig, GigLanguage, GigReview, GigSkill, GigStatus
from community.profiles.models import Tag
from community.profiles.services import normalise_tag

PAGE_SIZE = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class GigFilters:
    kind: str = ""
    skill: str = ""
    language: str = ""
    place: str = ""  # a host-city slug, or "remote"
    who: str = ""
    pay: str = ""  # "paid" or "voluntary"

    def active(self) -> bool:
        return any((self.kind, self.skill, self.language, self.place, self.who, self.pay))


def listed_languages() -> list[str]:
    """The languages gigs ask for (the list's language filter offers these, not all 180 ISO
    languages): one query, read from the index on the code alone. It may offer a language
    only closed or held gigs use (that filter then finds nothing); it never shows which."""
    return list(db.session.scalars(select(GigLanguage.code).distinct()))


def list_gigs(
    viewer: User, filters: GigFilters, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[Gig]:
    """A page of approved open gigs, newest first, filtered. BadCursor (400) for a cursor we
    did not make. Called by `/gigs` and `GET /api/v1/gigs`."""
    statement = (
        select(Gig)
        .where(Gig.review == GigReview.APPROVED, Gig.status == GigStatus.OPEN)
        .options(joinedload(Gig.poster))
    )
    if filters.kind:
        statement = statement.where(Gig.kind == filters.kind)
    if filters.who:
        statement = statement.where(Gig.who_can_take == filters.who)
    if filters.place == "remote":
        statement = statement.where(Gig.remote.is_(True))
    elif filters.place:
        statement = statement.where(Gig.city == filters.place)
    if filters.pay == "paid":
        statement = statement.where(Gig.compensation_amount.is_not(None))
    elif filters.pay == "voluntary":
        statement = statement.where(Gig.compensation_amount.is_(None))
    if filters.language:
        statement = statement.where(
            Gig.id.in_(select(GigLanguage.gig_id).where(GigLanguage.code == filters.language))
        )
    if filters.skill:
        statement = statement.where(
            Gig.id.in_(
                select(GigSkill.gig_id)
                .join(Tag, Tag.id == GigSkill.tag_id)
                .where(Tag.name == normalise_tag(filters.skill))
            )
        )
    return keyset(statement, [Gig.created_at.desc(), Gig.id.desc()], cursor, limit)
