"""What "who can take it" means, and a short, cautious note per host-city country on who may
usually take which kind of gig, with the official source and the day it was checked.

These are general pointers, not legal advice: rules depend on the permit a member holds, and
they change. The wording says "usually" and "check your own permit" on purpose. Shown next
to the choice on the gig form and, for the gig's city, on the gig page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from community.gigs.models import WhoCanTake
from community.profiles.reference import CITY_BY_SLUG

CHECKED_ON = "2026-11-30"

WHO_CAN_TAKE_LABELS = {
    WhoCanTake.RIGHT_TO_WORK: _l("Anyone with the right to work here"),
    WhoCanTake.UNPAID_NONPROFIT: _l("Unpaid, for a non-profit"),
    WhoCanTake.REMOTE_ABROAD: _l("Remote, for an employer abroad"),
}

WHO_CAN_TAKE_HINTS = {
    WhoCanTake.RIGHT_TO_WORK: _l(
        "Paid or unpaid work in this country: the person needs the right to work here."
    ),
    WhoCanTake.UNPAID_NONPROFIT: _l(
        "Unpaid work for a non-profit. Check your permit: in some countries volunteering "
        "counts as work."
    ),
    WhoCanTake.REMOTE_ABROAD: _l(
        "Remote work for an employer or client based in another country. Rules on tax and "
        "residence still apply where you live."
    ),
}


@dataclass(frozen=True)
class CountryNote:
    country: str  # ISO 3166-1 alpha-2
    text: str
    source_name: str
    source_url: str
    checked_on: str = CHECKED_ON


NOTES: dict[str, CountryNote] = {
    note.country: note
    for note in (
        CountryNote(
            "NL",
            "Partners of highly skilled migrants usually may work in the Netherlands without a "
            "separate work permit (the permit card says so). Volunteering is usually allowed, "
            "but unpaid work that replaces a paid job can count as work. Check your own "
            "permit before you accept.",
            "IND (Immigratie- en Naturalisatiedienst)",
            "https://ind.nl/en/residence-permits/family-and-relatives",
        ),
        CountryNote(
            "DK",
            "A family member's residence permit usually includes the right to work in "
            "Denmark. Unpaid voluntary work for a non-profit is usually allowed, but an "
            "unpaid job that is normally paid counts as work. Check your own permit before "
            "you accept.",
            "New to Denmark (nyidanmark.dk)",
            "https://www.nyidanmark.dk/en-GB/You-want-to-apply/Family",
        ),
        CountryNote(
            "SE",
            "Accompanying family members with a residence permit usually may work in Sweden "
            "(the permit card says so). Voluntary work for a non-profit is usually allowed. "
            "Check your own permit before you accept.",
            "Migrationsverket",
            "https://www.migrationsverket.se/English/Private-individuals/Working-in-Sweden.html",
        ),
        CountryNote(
            "NO",
            "Family members of skilled workers usually may work in Norway. Unpaid work for a "
            "voluntary organisation is usually allowed, but some unpaid work counts as "
            "work. Check your own permit before you accept.",
            "UDI (Utlendingsdirektoratet)",
            "https://www.udi.no/en/want-to-apply/family-immigration/",
        ),
        CountryNote(
            "FI",
            "A residence permit on family ties usually gives an unrestricted right to work "
            "in Finland. Voluntary work is usually allowed. Check your own permit before "
            "you accept.",
            "Migri (Finnish Immigration Service)",
            "https://migri.fi/en/working-in-finland",
        ),
        CountryNote(
            "CH",
            "Spouses of permit holders usually may work in Switzerland, though the employer "
            "may have to report or ask first, depending on the permit and canton. Unpaid "
            "work can count as work. Check your own permit before you accept.",
            "SEM (State Secretariat for Migration)",
            "https://www.sem.admin.ch/sem/en/home/themen/arbeit.html",
        ),
        CountryNote(
            "DE",
            "A family reunification permit usually allows work in Germany (the permit says "
            '"Erwerbstätigkeit erlaubt"). Honorary, unpaid work for a non-profit '
            "(Ehrenamt) is usually allowed. Check your own permit before you accept.",
            "Make it in Germany",
            "https://www.make-it-in-germany.com/en/visa-residence/living-permanently/family-reunification",
        ),
        CountryNote(
            "AT",
            "Family members usually need the right permit card (for example Red-White-Red "
            "Card plus) to work in Austria. Volunteering can count as work. Check your own "
            "permit before you accept.",
            "Migration.gv.at",
            "https://www.migration.gv.at/en/",
        ),
        CountryNote(
            "BE",
            "Family members with a residence card usually may work in Belgium; the card "
            "says so. Volunteering for a non-profit is usually allowed. Check your own "
            "permit before you accept.",
            "Belgium.be",
            "https://www.belgium.be/en/work/coming_to_work_in_belgium",
        ),
        CountryNote(
            "GB",
            "Dependants on most UK work visas usually may work; some visas restrict it. "
            "Volunteering is usually allowed, unpaid work that is really a job is not. "
            "Check your own visa before you accept.",
            "GOV.UK",
            "https://www.gov.uk/browse/visas-immigration/work-visas",
        ),
        CountryNote(
            "SG",
            "Dependant's Pass holders usually need a work pass of their own (for example an "
            "Employment Pass or S Pass) to work in Singapore, paid or not. Check your own "
            "pass before you accept.",
            "Ministry of Manpower",
            "https://www.mom.gov.sg/passes-and-permits/dependants-pass",
        ),
        CountryNote(
            "AE",
            "Family members on a sponsored residence visa usually need a work permit before "
            "they work in the UAE, part-time work included. Check your own visa before you "
            "accept.",
            "UAE government portal (u.ae)",
            "https://u.ae/en/information-and-services/jobs/working-in-uae",
        ),
    )
}


def note_for_country(code: str | None) -> CountryNote | None:
    return NOTES.get(code or "")


def note_for_city(slug: str | None) -> CountryNote | None:
    """The note for a host city's country, or None (remote gigs, or no note yet)."""
    city = CITY_BY_SLUG.get(slug or "")
    return note_for_country(city.country) if city else None


def all_notes() -> list[CountryNote]:
    return list(NOTES.values())
