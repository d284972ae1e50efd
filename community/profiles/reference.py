"""Reference lists a profile chooses from, so values never splinter: ISO 3166 countries and
ISO 639-1 languages (codes from pycountry, names from Babel in the page's language), host
cities, and the fixed choices for fields like education or what a member is looking for.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pycountry
from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    timezone: str


# Host cities where international assignees and their partners commonly live. The slug is
# what is stored; adding a city is adding a line.
CITIES: tuple[City, ...] = (
    City("amsterdam", "Amsterdam", "NL", "Europe/Amsterdam"),
    City("the-hague", "The Hague", "NL", "Europe/Amsterdam"),
    City("rotterdam", "Rotterdam", "NL", "Europe/Amsterdam"),
    City("eindhoven", "Eindhoven", "NL", "Europe/Amsterdam"),
    City("copenhagen", "Copenhagen", "DK", "Europe/Copenhagen"),
    City("aarhus", "Aarhus", "DK", "Europe/Copenhagen"),
    City("stockholm", "Stockholm", "SE", "Europe/Stockholm"),
    City("gothenburg", "Gothenburg", "SE", "Europe/Stockholm"),
    City("oslo", "Oslo", "NO", "Europe/Oslo"),
    City("helsinki", "Helsinki", "FI", "Europe/Helsinki"),
    City("zurich", "Zurich", "CH", "Europe/Zurich"),
    City("geneva", "Geneva", "CH", "Europe/Zurich"),
    City("basel", "Basel", "CH", "Europe/Zurich"),
    City("berlin", "Berlin", "DE", "Europe/Berlin"),
    City("munich", "Munich", "DE", "Europe/Berlin"),
    City("frankfurt", "Frankfurt", "DE", "Europe/Berlin"),
    City("hamburg", "Hamburg", "DE", "Europe/Berlin"),
    City("vienna", "Vienna", "AT", "Europe/Vienna"),
    City("brussels", "Brussels", "BE", "Europe/Brussels"),
    City("luxembourg", "Luxembourg", "LU", "Europe/Luxembourg"),
    City("paris", "Paris", "FR", "Europe/Paris"),
    City("london", "London", "GB", "Europe/London"),
    City("dublin", "Dublin", "IE", "Europe/Dublin"),
    City("madrid", "Madrid", "ES", "Europe/Madrid"),
    City("barcelona", "Barcelona", "ES", "Europe/Madrid"),
    City("lisbon", "Lisbon", "PT", "Europe/Lisbon"),
    City("milan", "Milan", "IT", "Europe/Rome"),
    City("warsaw", "Warsaw", "PL", "Europe/Warsaw"),
    City("prague", "Prague", "CZ", "Europe/Prague"),
    City("dubai", "Dubai", "AE", "Asia/Dubai"),
    City("abu-dhabi", "Abu Dhabi", "AE", "Asia/Dubai"),
    City("doha", "Doha", "QA", "Asia/Qatar"),
    City("riyadh", "Riyadh", "SA", "Asia/Riyadh"),
    City("singapore", "Singapore", "SG", "Asia/Singapore"),
    City("hong-kong", "Hong Kong", "HK", "Asia/Hong_Kong"),
    City("shanghai", "Shanghai", "CN", "Asia/Shanghai"),
    City("beijing", "Beijing", "CN", "Asia/Shanghai"),
    City("tokyo", "Tokyo", "JP", "Asia/Tokyo"),
    City("seoul", "Seoul", "KR", "Asia/Seoul"),
    City("bangalore", "Bengaluru", "IN", "Asia/Kolkata"),
    City("mumbai", "Mumbai", "IN", "Asia/Kolkata"),
    City("kuala-lumpur", "Kuala Lumpur", "MY", "Asia/Kuala_Lumpur"),
    City("bangkok", "Bangkok", "TH", "Asia/Bangkok"),
    City("jakarta", "Jakarta", "ID", "Asia/Jakarta"),
    City("sydney", "Sydney", "AU", "Australia/Sydney"),
    City("melbourne", "Melbourne", "AU", "Australia/Melbourne"),
    City("auckland", "Auckland", "NZ", "Pacific/Auckland"),
    City("new-york", "New York", "US", "America/New_York"),
    City("boston", "Boston", "US", "America/New_York"),
    City("houston", "Houston", "US", "America/Chicago"),
    City("san-francisco", "San Francisco Bay Area", "US", "America/Los_Angeles"),
    City("toronto", "Toronto", "CA", "America/Toronto"),
    City("vancouver", "Vancouver", "CA", "America/Vancouver"),
    City("mexico-city", "Mexico City", "MX", "America/Mexico_City"),
    City("sao-paulo", "São Paulo", "BR", "America/Sao_Paulo"),
    City("johannesburg", "Johannesburg", "ZA", "Africa/Johannesburg"),
    City("nairobi", "Nairobi", "KE", "Africa/Nairobi"),
    City("lagos", "Lagos", "NG", "Africa/Lagos"),
)
CITY_BY_SLUG: dict[str, City] = {city.slug: city for city in CITIES}


class Visibility(StrEnum):
    MEMBERS = "members"
    CONNECTIONS = "connections"
    PUBLIC = "public"


class LookingFor(StrEnum):
    GIGS = "gigs"
    LEARNING = "learning"
    CONNECTIONS = "connections"
    MENTORING = "mentoring"
    VOLUNTEERING = "volunteering"


class LanguageLevel(StrEnum):
    BASIC = "basic"
    CONVERSATIONAL = "conversational"
    FLUENT = "fluent"
    NATIVE = "native"


class EducationLevel(StrEnum):
    SECONDARY = "secondary"
    VOCATIONAL = "vocational"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"


class Availability(StrEnum):
    NOT_NOW = "not_now"
    FEW_HOURS = "few_hours"
    PART_TIME = "part_time"
    FULL_TIME = "full_time"


class WorkPermit(StrEnum):
    FULL_RIGHT = "full_right"
    RESTRICTED = "restricted"
    APPLYING = "applying"
    NONE = "none"
    UNSURE = "unsure"


PROFESSIONAL_FIELDS: dict[str, object] = {
    "business": _l("Business, management and consulting"),
    "finance": _l("Finance and accounting"),
    "technology": _l("Software and IT"),
    "engineering": _l("Engineering"),
    "science": _l("Science and research"),
    "health": _l("Healthcare and medicine"),
    "education": _l("Education and training"),
    "law": _l("Law"),
    "marketing": _l("Marketing, communications and media"),
    "design": _l("Design and the arts"),
    "hr": _l("Human resources"),
    "public": _l("Public sector and NGOs"),
    "hospitality": _l("Hospitality and tourism"),
    "trades": _l("Skilled trades"),
    "other": _l("Something else"),
}

LOOKING_FOR_LABELS = {
    LookingFor.GIGS: _l("Paid work and gigs"),
    LookingFor.LEARNING: _l("Learning"),
    LookingFor.CONNECTIONS: _l("Meeting people"),
    LookingFor.MENTORING: _l("A mentor"),
    LookingFor.VOLUNTEERING: _l("Volunteering"),
}
LANGUAGE_LEVEL_LABELS = {
    LanguageLevel.BASIC: _l("Basic"),
    LanguageLevel.CONVERSATIONAL: _l("Conversational"),
    LanguageLevel.FLUENT: _l("Fluent"),
    LanguageLevel.NATIVE: _l("Native"),
}
EDUCATION_LABELS = {
    EducationLevel.SECONDARY: _l("Secondary school"),
    EducationLevel.VOCATIONAL: _l("Vocational training"),
    EducationLevel.BACHELOR: _l("Bachelor's degree"),
    EducationLevel.MASTER: _l("Master's degree"),
    EducationLevel.DOCTORATE: _l("Doctorate"),
}
AVAILABILITY_LABELS = {
    Availability.NOT_NOW: _l("Not right now"),
    Availability.FEW_HOURS: _l("A few hours a week"),
    Availability.PART_TIME: _l("Part-time"),
    Availability.FULL_TIME: _l("Full-time"),
}
WORK_PERMIT_LABELS = {
    WorkPermit.FULL_RIGHT: _l("I may work without restrictions"),
    WorkPermit.RESTRICTED: _l("I may work with restrictions"),
    WorkPermit.APPLYING: _l("I have applied for a permit"),
    WorkPermit.NONE: _l("I may not work here"),
    WorkPermit.UNSURE: _l("I am not sure"),
}
VISIBILITY_SHORT = {
    Visibility.MEMBERS: _l("members of Alongside"),
    Visibility.CONNECTIONS: _l("only your connections"),
    Visibility.PUBLIC: _l("anyone, also without an account"),
}
VISIBILITY_LABELS = {
    Visibility.MEMBERS: _l("Members of Alongside (recommended)"),
    Visibility.CONNECTIONS: _l("Only my connections"),
    Visibility.PUBLIC: _l("Anyone, also without an account"),
}


def _locale_name() -> str:
    try:
        return str(get_locale() or "en")
    except Exception:  # outside a request
        return "en"


@cache
def _parse_locale(name: str) -> Locale:
    try:
        return Locale.parse(name)
    except (ValueError, TypeError):
        return Locale("en")


def _locale() -> Locale:
    return _parse_locale(_locale_name())


@cache
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def language_codes() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if getattr(lang, "alpha_2", None))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _locale().territories.get(code) or getattr(
        pycountry.countries.get(alpha_2=code), "name", code
    )


def language_name(code: str) -> str:
    name = _locale().languages.get(code)
    if name:
        return name
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code


def country_choices() -> list[tuple[str, str]]:
    """(code, name) for every ISO country, sorted by name in the page's language."""
    return _country_choices(_locale_name())


def language_choices() -> list[tuple[str, str]]:
    return _language_choices(_locale_name())


def city_choices() -> list[tuple[str, str]]:
    return _city_choices(_locale_name())


@cache
def _country_choices(locale: str) -> list[tuple[str, str]]:
    return sorted(((code, country_name(code)) for code in country_codes()), key=lambda c: c[1])


@cache
def _language_choices(locale: str) -> list[tuple[str, str]]:
    return sorted(((code, language_name(code)) for code in language_codes()), key=lambda c: c[1])


@cache
def _city_choices(locale: str) -> list[tuple[str, str]]:
    return sorted(
        ((city.slug, f"{city.name}, {country_name(city.country)}") for city in CITIES),
        key=lambda c: c[1],
    )


def city_label(slug: str | None) -> str:
    city = CITY_BY_SLUG.get(slug or "")
    return city.name if city else ""
