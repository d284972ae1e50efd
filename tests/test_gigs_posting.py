"""Posting gigs: the editor (every field, errors that keep what was typed), the review holds
one by one, who sees a held or refused gig, the moderators' list, the poster's buttons, the
"who can take it" notes and escaping. Every page over every role."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from community.audit.models import AuditEntry
from community.core.errors import Conflict
from community.extensions import db
from community.gigs import services
from community.gigs.models import Gig
from community.notifications.models import Notification
from tests.conftest import post_form, without_csrf
from tests.gigs_world import MEMBER_ROLES, ROLES, XSS, GigsWorld, age, build_world, post_gig, user


@pytest.fixture
def world(app) -> GigsWorld:
    with app.app_context():
        return build_world()


@pytest.fixture
def as_role(app, login, world):
    clients = {}

    def client(role: str):
        if role not in clients:
            clients[role] = app.test_client() if role == "anonymous" else login(world[role])
            clients[role].get("/")  # the login's flash is shown (and gone) here
        return clients[role]

    return client


def form_fields(**changes) -> dict:
    values = {
        "kind": "freelance",
        "title": "Design a logo for our choir",
        "description": "We are a **choir** of expats in Aarhus.",
        "deliverable": "a logo in SVG",
        "skills": "Illustration, Branding",
        "languages": ["en", "da"],
        "who_can_take": "right_to_work",
        "city": "aarhus",
        "hours_per_week": "4",
        "compensation_amount": "400",
        "currency": "DKK",
        "compensation_period": "project",
        "engagement": "invoice",
        "deadline": (date.today() + timedelta(days=10)).isoformat(),
        "starts_on": (date.today() + timedelta(days=12)).isoformat(),
        "ends_on": (date.today() + timedelta(days=30)).isoformat(),
        "duration": "",
        "organisation": "",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def _notices(user_id: int, kind: str) -> int:
    return len(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
        ).all()
    )


# --- the editor ------------------------------------------------------------------------------


def test_posting_every_field_through_the_page(app, world, as_role):
    response = post_form(as_role("poster"), "/gigs/new", form_fields())
    assert response.status_code == 302
    gig_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        gig = db.session.get(Gig, gig_id)
        assert (gig.kind, gig.city, gig.remote, gig.review) == (
            "freelance",
            "aarhus",
            False,
            "approved",
        )
        assert [row.tag.label for row in gig.skills] == ["Illustration", "Branding"]
        assert [row.code for row in gig.languages] == ["en", "da"]
        assert (gig.compensation_amount, gig.currency, gig.compensation_period) == (
            400,
            "DKK",
            "project",
        )
        assert gig.timezone == "UTC" and gig.hours_per_week == 4
        assert "<strong>choir</strong>" in gig.description_html
    page = as_role("other").get(f"/gigs/{gig_id}").get_data(as_text=True)
    assert "Design a logo for our choir" in page and "DKK 400" in page
    # Aarhus is in Denmark: its note, source, date and the caution are shown.
    assert "nyidanmark.dk" in page and "checked 2026-11-30" in page and "not legal advice" in page


def test_a_remote_gig_keeps_overlap_and_countries(app, world, as_role):
    fields = form_fields(remote="y", city="", overlap_hours="3", countries=["DE", "NL"])
    response = post_form(as_role("poster"), "/gigs/new", fields)
    assert response.status_code == 302
    with app.app_context():
        gig = db.session.scalar(select(Gig).order_by(Gig.id.desc()))
        assert gig.remote and gig.city is None and gig.overlap_hours == 3
        assert [row.code for row in gig.countries] == ["DE", "NL"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"city": ""}, "city", "Choose the city, or say the work is remote."),
        ({"currency": ""}, "currency", "Choose the currency."),
        ({"compensation_period": ""}, "compensation_period", "Choose what the amount is per."),
        ({"engagement": "voluntary"}, "compensation_amount", "Voluntary work has no pay"),
        ({"title": ""}, "title", "Give the gig a title."),
        ({"hours_per_week": "90"}, "hours_per_week", "Give between 1 and 80 hours."),
        (
            {"ends_on": (date.today() + timedelta(days=11)).isoformat()},
            "ends_on",
            "The end date must be on or after the start date.",
        ),
        ({"deadline": (date.today() - timedelta(days=2)).isoformat()}, "deadline", "in the past"),
    ],
)
def test_the_form_shows_the_error_and_keeps_what_was_typed(
    app, world, as_role, changes, field, message
):
    response = post_form(as_role("poster"), "/gigs/new", form_fields(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'href="#{field}"' in html or f'id="{field}-error"' in html
    assert "We are a **choir** of expats in Aarhus." in html  # kept as typed
    assert 'value="Illustration, Branding"' in html
    with app.app_context():
        assert (
            db.session.scalar(select(Gig).where(Gig.title == "Design a logo for our choir")) is None
        )


@pytest.mark.parametrize("role", ROLES)
def test_the_editor_pages_by_role(world, as_role, role):
    client = as_role(role)
    new = client.get("/gigs/new")
    assert new.status_code == (302 if role == "anonymous" else 200)
    edit = client.get(f"/gigs/{world.gig_id}/edit")
    expected = {"anonymous": 302, "poster": 200}.get(role, 403)
    assert edit.status_code == expected
    # A held gig's editor: its poster only; everyone but moderators get the missing 404.
    held = client.get(f"/gigs/{world.pending_id}/edit")
    expected = {"anonymous": 302, "poster": 200, "moderator": 403, "admin": 403}.get(role, 404)
    assert held.status_code == expected


# --- holds, one by one -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "There is a registration fee of 30 EUR.",
        "A small training fee covers the material.",
        "Processing fee: 20 EUR",
        "A refundable deposit is needed.",
        "Pay to apply: 10 EUR.",
        "Send us your bank details.",
        "Please send your card details first.",
        "Transfer to IBAN DK50 0040 0440 1162 43",
        "Payment by Western Union only.",
        "Der er et gebyr på 200 kr.",  # Danish
        "Het inschrijfgeld is 25 euro.",  # Dutch
        "Bitte Kaution überweisen.",  # German
        "Eine Bearbeitungsgebühr fällt an.",
    ],
)
def test_a_gig_that_asks_for_money_is_held_whoever_posts_it(app, world, text):
    with app.app_context():
        gig = post_gig(world["admin"], description=text)
        assert gig.review == "pending"
        assert "money" in gig.review_reason


@pytest.mark.parametrize(
    "text",
    [
        "We pay 25 EUR per hour, on invoice.",
        "A fee-free workshop for parents.",
        "Help us plan our payroll training.",
    ],
)
def test_ordinary_words_about_pay_are_not_held(app, world, text):
    with app.app_context():
        assert services.asks_for_money(text) is None
        assert post_gig(world["poster"], description=text).review == "approved"


def test_a_young_account_waits_unless_it_holds_a_trusted_role(app, world, make_user):
    young = make_user("yan.young@example.org", "Yan Young")
    with app.app_context():
        gig = post_gig(young)
        assert gig.review == "pending" and "less than 7 days" in gig.review_reason
        age(young, 7)
        assert post_gig(young).review == "approved"


@pytest.mark.parametrize("role", ["organiser", "moderator", "admin"])
def test_trusted_roles_show_at_once_even_when_young(app, world, role):
    with app.app_context():
        age(world[role], 0)
        assert post_gig(world[role]).review == "approved"


def test_posting_for_an_organisation_waits_for_a_moderator(app, world):
    with app.app_context():
        for role in ("poster", "organiser"):
            gig = post_gig(world[role], organisation="Red Cross Copenhagen")
            assert gig.review == "pending" and "organisation" in gig.review_reason
        assert post_gig(world["moderator"], organisation="Red Cross").review == "approved"


def test_editing_a_shown_gig_to_ask_for_money_holds_it_again(app, world, as_role):
    fields = form_fields(description="Send a deposit of 100 EUR before you start.")
    response = post_form(as_role("poster"), f"/gigs/{world.gig_id}/edit", fields)
    assert response.status_code == 302
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        assert gig.review == "pending" and "deposit" in gig.review_reason
    assert as_role("other").get(f"/gigs/{world.gig_id}").status_code == 404
    assert as_role("poster").get(f"/gigs/{world.gig_id}").status_code == 200


def test_an_ordinary_edit_keeps_a_shown_gig_shown(app, world, as_role):
    response = post_form(as_role("poster"), f"/gigs/{world.gig_id}/edit", form_fields())
    assert response.status_code == 302
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        assert gig.review == "approved" and gig.edited_at is not None


# --- who sees a held gig -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_a_held_gig_is_seen_by_its_poster_and_moderators_only(world, as_role, role):
    client = as_role(role)
    response = client.get(f"/gigs/{world.pending_id}")
    if role == "anonymous":
        assert response.status_code == 302
        return
    sees = role in ("poster", "moderator", "admin")
    assert response.status_code == (200 if sees else 404)
    html = response.get_data(as_text=True)
    if sees:
        assert "Waiting for a moderator" in html and "ask applicants for money" in html
    else:
        missing = client.get("/gigs/999999")
        assert without_csrf(html) == without_csrf(missing.get_data(as_text=True))
    # The list never shows it, not even to its poster or a moderator.
    assert "Data entry" not in client.get("/gigs").get_data(as_text=True)


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_an_approved_gig_is_seen_by_every_member(world, as_role, role):
    assert as_role(role).get(f"/gigs/{world.gig_id}").status_code == 200


# --- the moderation list -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_moderation_list_is_for_moderators_and_admins(world, as_role, role):
    response = as_role(role).get("/moderation/gigs")
    if role == "anonymous":
        assert response.status_code == 302
    elif role in ("moderator", "admin"):
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Data entry" in html and "Why it waits" in html
    else:
        assert response.status_code == 404
    approve = post_form(as_role(role), f"/moderation/gigs/{world.pending_id}/approve", {},
                        form_page=f"/gigs/{world.gig_id}") if role != "anonymous" else None  # fmt: skip
    if approve is not None:
        assert approve.status_code == (302 if role in ("moderator", "admin") else 404)


def test_pending_gigs_are_listed_oldest_first(app, world, as_role):
    with app.app_context():
        post_gig(world["poster"], title="Second held", organisation="Some NGO")
    html = as_role("moderator").get("/moderation/gigs").get_data(as_text=True)
    assert html.index("Data entry") < html.index("Second held")


def test_approve_is_audited_and_the_poster_told(app, world, as_role):
    response = post_form(as_role("moderator"), f"/moderation/gigs/{world.pending_id}/approve",
                         {}, form_page="/moderation/gigs")  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        gig = db.session.get(Gig, world.pending_id)
        assert gig.review == "approved" and gig.reviewed_by_id == world["moderator"].id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "gig.approved"))
        assert entry.target_id == gig.id and entry.actor_id == world["moderator"].id
        assert _notices(world["poster"].id, "gig.approved") == 1
    assert as_role("other").get(f"/gigs/{world.pending_id}").status_code == 200


def test_reject_needs_a_reason_then_the_poster_sees_it(app, world, as_role):
    mod = as_role("moderator")
    refused = post_form(mod, f"/moderation/gigs/{world.pending_id}/reject", {"reason": ""},
                        form_page="/moderation/gigs")  # fmt: skip
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Gig, world.pending_id).review == "pending"
    response = post_form(mod, f"/moderation/gigs/{world.pending_id}/reject",
                         {"reason": "Asks for a fee."}, form_page="/moderation/gigs")  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Gig, world.pending_id).review == "rejected"
        assert _notices(world["poster"].id, "gig.rejected") == 1
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "gig.rejected"))
        assert entry.detail["reason"] == "Asks for a fee."
    html = as_role("poster").get(f"/gigs/{world.pending_id}").get_data(as_text=True)
    assert "Not approved" in html and "Asks for a fee." in html
    assert as_role("other").get(f"/gigs/{world.pending_id}").status_code == 404
    # Editing a refused gig sends it back to the queue.
    post_form(as_role("poster"), f"/gigs/{world.pending_id}/edit", form_fields())
    with app.app_context():
        assert db.session.get(Gig, world.pending_id).review == "pending"


# --- the poster's buttons ----------------------------------------------------------------------


@pytest.mark.parametrize("role", MEMBER_ROLES)
def test_only_the_poster_closes_fills_and_reopens(app, world, as_role, role):
    client = as_role(role)
    page = f"/gigs/{world.gig_id}"
    for action in ("filled", "reopen", "close", "reopen"):
        response = post_form(client, f"{page}/{action}", {}, form_page=page)
        assert response.status_code == (302 if role == "poster" else 403), action
    with app.app_context():
        assert db.session.get(Gig, world.gig_id).status == "open"


def test_filled_and_closed_gigs_leave_the_list_and_cannot_reopen_past_the_deadline(
    app, world, as_role
):
    poster = as_role("poster")
    post_form(poster, f"/gigs/{world.gig_id}/filled", {}, form_page=f"/gigs/{world.gig_id}")
    assert "Translate our volunteer brochure" not in as_role("other").get("/gigs").get_data(
        as_text=True
    )
    with app.app_context():
        gig = db.session.get(Gig, world.gig_id)
        gig.deadline = date.today() - timedelta(days=2)
        db.session.commit()
        with pytest.raises(Conflict):
            services.reopen_gig(user(world["poster"]), gig)
        db.session.rollback()
    response = post_form(poster, f"/gigs/{world.gig_id}/reopen", {}, form_page="/gigs")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Gig, world.gig_id).status == "filled"


# --- escaping ----------------------------------------------------------------------------------


def test_user_text_comes_back_escaped(app, world, as_role):
    fields = form_fields(title=XSS[:100], description=XSS, deliverable=XSS[:150],
                         skills="<b>bold</b>, " + XSS[:30])  # fmt: skip
    response = post_form(as_role("poster"), "/gigs/new", fields)
    assert response.status_code == 302
    location = response.headers["Location"]
    for role, path in (("other", location), ("other", "/gigs"), ("poster", location + "/edit")):
        html = as_role(role).get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
        assert "&lt;script&gt;" in html or "&lt;b&gt;" in html


# --- the "who can take it" notes -------------------------------------------------------------


def test_every_demo_city_country_has_a_cautious_dated_note_with_its_source():
    from community.gigs.city_notes import CHECKED_ON, note_for_city
    from community.profiles.demo import CITIES as DEMO_CITIES

    sources = {"NL": "ind.nl", "DK": "nyidanmark.dk", "SE": "migrationsverket.se",
               "NO": "udi.no", "FI": "migri.fi", "CH": "sem.admin.ch",
               "DE": "make-it-in-germany.com"}  # fmt: skip
    for slug in [*DEMO_CITIES, "stockholm", "oslo", "helsinki", "berlin"]:
        note = note_for_city(slug)
        assert note is not None, slug
        assert "usually" in note.text and "Check your own" in note.text
        assert note.source_url.startswith("https://") and note.checked_on == CHECKED_ON
        if note.country in sources:
            assert sources[note.country] in note.source_url
    assert note_for_city(None) is None


def test_the_form_shows_who_can_take_it_with_every_note(world, as_role):
    html = as_role("poster").get("/gigs/new").get_data(as_text=True)
    assert "in some countries volunteering counts as work" in html
    for source in ("ind.nl", "nyidanmark.dk", "migrationsverket.se", "sem.admin.ch"):
        assert source in html
    assert "not legal advice" in html and "checked 2026-11-30" in html
