"""Demo profiles: members spread over five host cities with careers, skills and languages."""

from __future__ import annotations

from community.demo import DemoContext
from community.profiles import reference as ref
from community.profiles.services import ProfileData, update_profile

# Five host cities with the languages people there tend to add.
CITIES = {
    "copenhagen": ["da", "en", "de"],
    "amsterdam": ["nl", "en", "de"],
    "singapore": ["en", "zh", "ms"],
    "dubai": ["ar", "en", "hi"],
    "zurich": ["de", "fr", "en", "it"],
}
HOME = ["BR", "IN", "US", "DE", "ES", "NG", "CN", "TR", "PL", "MX", "ZA", "KE", "FR", "IT", "JP"]
HOME_LANGUAGE = {
    "BR": "pt", "IN": "hi", "US": "en", "DE": "de", "ES": "es", "NG": "en", "CN": "zh",
    "TR": "tr", "PL": "pl", "MX": "es", "ZA": "en", "KE": "sw", "FR": "fr", "IT": "it", "JP": "ja",
}  # fmt: skip

# (field, headline, skills)
CAREERS = [
    ("technology", "Software engineer, 9 years in fintech", ["Python", "Data analysis", "SQL", "Cloud architecture"]),
    ("technology", "UX researcher and product designer", ["User research", "Figma", "Accessibility", "Workshops"]),
    ("finance", "Chartered accountant between two continents", ["Bookkeeping", "Tax", "Financial planning", "Excel"]),
    ("marketing", "Marketing lead who loves a good story", ["Content strategy", "SEO", "Copywriting", "Social media"]),
    ("education", "Primary teacher, now tutoring online", ["Tutoring", "Curriculum design", "Child development", "English teaching"]),
    ("health", "Physiotherapist waiting for recognition", ["Physiotherapy", "Sports rehab", "Yoga", "Health coaching"]),
    ("law", "Corporate lawyer exploring legal tech", ["Contract law", "Compliance", "GDPR", "Negotiation"]),
    ("engineering", "Civil engineer, bridges and tunnels", ["Project management", "AutoCAD", "Structural design", "Procurement"]),
    ("design", "Illustrator and brand designer", ["Illustration", "Branding", "Figma", "Photography"]),
    ("hr", "HR business partner and career coach", ["Career coaching", "Recruiting", "Workshops", "Mentoring"]),
    ("science", "Molecular biologist turned data scientist", ["Data analysis", "R", "Lab management", "Scientific writing"]),
    ("business", "Strategy consultant, ex-Big Four", ["Strategy", "Project management", "Excel", "Negotiation"]),
    ("public", "NGO programme manager", ["Fundraising", "Grant writing", "Project management", "Event planning"]),
    ("hospitality", "Chef and food entrepreneur", ["Cooking", "Event planning", "Small business", "Menu design"]),
]  # fmt: skip
INTERESTS = [
    "Hiking", "Board games", "Photography", "Running", "Cooking", "Languages", "Yoga",
    "Book club", "Cycling", "Parenting", "Volunteering", "Gardening", "Music", "Painting",
    "Startups", "Climbing",
]  # fmt: skip


def seed(context: DemoContext) -> None:
    """Fill in every demo member's profile (city, career, languages, interests, privacy)."""
    rng, users = context.rng, context.users
    city_names = list(CITIES)
    for index, user in enumerate(users):
        city = city_names[index % len(city_names)]
        home = rng.choice(HOME)
        field, headline, skills = rng.choice(CAREERS)
        languages = [(HOME_LANGUAGE[home], ref.LanguageLevel.NATIVE.value)]
        for code in rng.sample(CITIES[city], k=rng.randint(1, 2)):
            if code != languages[0][0]:
                languages.append((code, rng.choice(["basic", "conversational", "fluent"])))
        context.cities[user.id] = city
        update_profile(
            user,
            ProfileData(
                headline=headline,
                bio=(
                    f"I moved to {ref.CITY_BY_SLUG[city].name} with my partner's job "
                    f"{rng.choice(['last spring', 'two years ago', 'this autumn', 'in January'])}. "
                    f"Before that I worked in {ref.PROFESSIONAL_FIELDS[field]}.\n\n"
                    "Happy to *swap skills*, meet for coffee or help someone find their feet."
                ),
                home_country=home,
                host_city=city,
                professional_field=field,
                education_level=rng.choice(
                    ["bachelor", "master", "master", "doctorate", "vocational"]
                ),
                availability=rng.choice(["few_hours", "part_time", "full_time", "not_now"]),
                visibility=rng.choice(["members"] * 6 + ["public", "connections"]),
                skills=rng.sample(skills, k=3)
                + rng.sample(["Mentoring", "Translation", "Public speaking", "Excel"], k=1),
                interests=rng.sample(INTERESTS, k=3),
                languages=languages,
                looking_for=rng.sample([v.value for v in ref.LookingFor], k=rng.randint(1, 3)),
                work_permit=rng.choice(["full_right", "restricted", "applying", "unsure"]),
            ),
        )
    context.summary.append(f"{len(CITIES)} host cities")
