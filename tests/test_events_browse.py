"""Finding events: the facts organisers give (city, languages, access, tags, a cover image),
the list filters on the page and the API, the one rule for which clock a time is shown on,
the member's time zone (account page, sign-up guess), connections going, who is going,
copying an event and the home page's event sections."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from community.auth.models import User
from community.connections import services as connections
from community.core.database import utcnow
from community.events import services as events
from community.events.display import event_time
from community.events.models import Event, EventTag
from community.extensions import db
from community.profiles.models import ProfileTag, Tag
from community.profiles.reference import Visibility
from community.profiles.services import ProfileData, update_profile
from tests.conftest import post_form, post_multipart
from tests.factories import event_data
from tests.test_api import api_login, error_code, error_fields

CARD_TITLE = re.compile(r'class="event-card__title"><a href="/events/\d+">([^<]+)</a>')


def make_event(app, organiser, **changes) -> int:
    with app.app_context():
        event = events.create_event(db.session.get(User, organiser.id), event_data(**changes))
        db.session.commit()
        return event.id


def rsvp(app, event_id: int, ref) -> None:
    with app.app_context():
        events.rsvp(db.session.get(User, ref.id), db.session.get(Event, event_id), 0)
        db.session.commit()


def connect(app, a, b) -> None:
    with app.app_context():
        request = connections.send_request(db.session.get(User, a.id), b.id)
        connections.accept_request(db.session.get(User, b.id), request.id)
        db.session.commit()


def set_zone(app, ref, zone: str) -> None:
    with app.app_context():
        db.session.get(User, ref.id).timezone = zone
        db.session.commit()


def set_visibility(app, ref, visibility: str) -> None:
    with app.app_context():
        update_profile(db.session.get(User, ref.id), ProfileData(visibility=visibility))
        db.session.commit()


def titles(response) -> list[str]:
    return CARD_TITLE.findall(response.get_data(as_text=True))


def jpeg(size=(800, 500), *, gps: bool = True) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    if gps:
        exif[0x8825] = {2: (55.0, 40.0, 30.0), 1: "N", 4: (12.0, 34.0, 0.0), 3: "E"}
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


# --- facts and filters ---------------------------------------------------------------------


@pytest.fixture
def catalogue(app, organiser, make_user):
    """Four upcoming events with different facts, and one member going to the full one."""
    day = (utcnow() + timedelta(days=20)).replace(hour=9, minute=0, second=0, microsecond=0)
    make_event(
        app,
        organiser,
        title="Copenhagen breakfast",
        city="copenhagen",
        languages=["en"],
        step_free=True,
        starts_at=day,
        ends_at=day + timedelta(hours=2),
    )
    make_event(
        app,
        organiser,
        title="Aarhus picnic",
        category="family",
        city="aarhus",
        languages=["da", "en"],
        child_friendly=True,
        childcare=True,
        starts_at=day + timedelta(days=5),
        ends_at=day + timedelta(days=5, hours=2),
    )
    full = make_event(
        app,
        organiser,
        title="Online CV clinic",
        category="learning",
        venue=None,
        online_url="https://meet.example.org/cv",
        languages=["de"],
        capacity=1,
        starts_at=day + timedelta(days=10),
        ends_at=day + timedelta(days=10, hours=1),
    )
    make_event(
        app,
        organiser,
        title="Stockholm walk",
        city="stockholm",
        starts_at=day + timedelta(days=15),
        ends_at=day + timedelta(days=15, hours=1),
    )
    rsvp(app, full, make_user())
    return day


ALL = ["Copenhagen breakfast", "Aarhus picnic", "Online CV clinic", "Stockholm walk"]
FILTERS = [
    ({"city": "aarhus"}, ["Aarhus picnic"]),
    ({"language": "en"}, ["Copenhagen breakfast", "Aarhus picnic"]),
    ({"language": "de"}, ["Online CV clinic"]),
    ({"step_free": "y"}, ["Copenhagen breakfast"]),
    ({"child_friendly": "y"}, ["Aarhus picnic"]),
    ({"childcare": "y"}, ["Aarhus picnic"]),
    ({"free_seats": "y"}, ["Copenhagen breakfast", "Aarhus picnic", "Stockholm walk"]),
    ({"category": "family"}, ["Aarhus picnic"]),
    ({"q": "walk"}, ["Stockholm walk"]),
    ({"city": "aarhus", "language": "da", "childcare": "y"}, ["Aarhus picnic"]),
    ({"city": "aarhus", "step_free": "y"}, []),
]


@pytest.mark.parametrize(("args", "expected"), FILTERS, ids=lambda v: str(v))
def test_every_filter_on_the_page(app, login, member, catalogue, args, expected):
    client = login(member)
    assert titles(client.get("/events")) == ALL
    assert titles(client.get("/events", query_string=args)) == expected


def test_an_event_under_way_has_no_free_seat_to_offer(app, login, member, catalogue, organiser):
    event_id = make_event(app, organiser, title="Morning swim")
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.starts_at, event.ends_at = (
            utcnow() - timedelta(hours=1),
            utcnow() + timedelta(hours=1),
        )
        db.session.commit()
    client = login(member)
    assert "Morning swim" in titles(client.get("/events"))  # under way: still listed
    assert "Morning swim" not in titles(client.get("/events", query_string={"free_seats": "y"}))


@pytest.mark.backends("sqlite", "postgresql")
def test_mode_and_date_range_on_the_page(app, login, member, catalogue):
    client = login(member)
    assert titles(client.get("/events?mode=online")) == ["Online CV clinic"]
    assert "Online CV clinic" not in titles(client.get("/events?mode=in_person"))
    first = (catalogue + timedelta(days=4)).date().isoformat()
    last = (catalogue + timedelta(days=11)).date().isoformat()
    assert titles(client.get(f"/events?date_from={first}&date_to={last}")) == [
        "Aarhus picnic",
        "Online CV clinic",
    ]


def test_an_unknown_city_or_language_filter_is_left_out_not_a_500(app, login, member, catalogue):
    client = login(member)
    response = client.get("/events?city=atlantis&language=zz")
    assert response.status_code == 200
    assert titles(response) == ALL


API_FILTERS = [
    ({"city": "aarhus"}, ["Aarhus picnic"]),
    ({"language": "en"}, ["Copenhagen breakfast", "Aarhus picnic"]),
    ({"step_free": "true"}, ["Copenhagen breakfast"]),
    ({"child_friendly": "true"}, ["Aarhus picnic"]),
    ({"childcare": "true"}, ["Aarhus picnic"]),
    ({"free_seats": "true"}, ["Copenhagen breakfast", "Aarhus picnic", "Stockholm walk"]),
    ({"online": "true"}, ["Online CV clinic"]),
    ({"category": "family"}, ["Aarhus picnic"]),
    ({"q": "walk"}, ["Stockholm walk"]),
]


@pytest.mark.backends("sqlite", "postgresql")
@pytest.mark.parametrize(("args", "expected"), API_FILTERS, ids=lambda v: str(v))
def test_every_filter_in_the_api(app, member, catalogue, args, expected):
    api = api_login(app, member)
    response = api.get("/api/v1/events", query_string=args)
    assert response.status_code == 200, response.get_json()
    assert [item["title"] for item in response.get_json()["items"]] == expected


def test_api_date_range_and_facts_in_answers(app, member, catalogue):
    api = api_login(app, member)
    first = (catalogue + timedelta(days=4)).date().isoformat()
    last = (catalogue + timedelta(days=11)).date().isoformat()
    items = api.get(f"/api/v1/events?date_from={first}&date_to={last}").get_json()["items"]
    assert [item["title"] for item in items] == ["Aarhus picnic", "Online CV clinic"]
    picnic = items[0]
    assert picnic["city"] == "aarhus"
    assert picnic["languages"] == ["da", "en"]
    assert (picnic["step_free"], picnic["child_friendly"], picnic["childcare"]) == (
        False,
        True,
        True,
    )
    assert picnic["cover_url"] is None and picnic["tags"] == []


@pytest.mark.parametrize(
    "args",
    [{"city": "atlantis"}, {"date_from": "yesterday"}, {"free_seats": "perhaps"}],
)
def test_api_bad_filters_are_422(app, member, args):
    response = api_login(app, member).get("/api/v1/events", query_string=args)
    assert response.status_code == 422
    assert error_code(response)


@pytest.mark.backends("sqlite", "postgresql")
def test_api_creates_and_patches_facts_and_refuses_bad_ones(app, organiser):
    api = api_login(app, organiser)
    starts = (utcnow() + timedelta(days=9)).replace(microsecond=0)
    body = {
        "title": "Board games",
        "category": "social",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Oslo",
        "venue": "Library, Oslo",
        "city": "oslo",
        "languages": ["no", "en"],
        "tags": ["Board Games", "board games", "Norwegian"],
        "step_free": True,
    }
    created = api.post("/api/v1/events", json=body)
    assert created.status_code == 201, created.get_json()
    event = created.get_json()
    assert event["languages"] == ["no", "en"]
    assert event["tags"] == ["Board Games", "Norwegian"]
    assert event["step_free"] and event["city"] == "oslo"
    path = f"/api/v1/events/{event['id']}"
    changed = api.patch(path, json={"city": None, "languages": [], "childcare": True})
    assert changed.status_code == 200
    assert changed.get_json()["city"] is None and changed.get_json()["languages"] == []
    assert changed.get_json()["childcare"] is True
    bad = api.patch(path, json={"languages": ["xx"]})
    assert bad.status_code == 422 and "languages" in error_fields(bad)
    bad = api.patch(path, json={"city": "atlantis"})
    assert bad.status_code == 422 and "city" in error_fields(bad)
    bad = api.patch(path, json={"tags": [f"tag {n}" for n in range(11)]})
    assert bad.status_code == 422 and "tags" in error_fields(bad)


def test_an_online_event_has_no_city(app, organiser):
    event_id = make_event(
        app, organiser, venue=None, online_url="https://meet.example.org/x", city="oslo"
    )
    with app.app_context():
        assert db.session.get(Event, event_id).city is None


@pytest.mark.backends("sqlite", "postgresql")
def test_tags_are_the_profiles_tag_rows(app, organiser, member):
    with app.app_context():
        update_profile(db.session.get(User, member.id), ProfileData(skills=["Job Search"]))
        db.session.commit()
    event_id = make_event(app, organiser, tags=["  job   search", "Danish"])
    with app.app_context():
        profile_tag = db.session.scalar(select(ProfileTag).where(ProfileTag.user_id == member.id))
        event_tags = db.session.scalars(select(EventTag).where(EventTag.event_id == event_id))
        assert profile_tag.tag_id in {row.tag_id for row in event_tags}
        assert db.session.scalar(select(Tag).where(Tag.name == "job search")).label == "Job Search"
        assert len(db.session.scalars(select(Tag)).all()) == 2


def test_the_event_form_saves_facts_and_tags_and_shows_them(app, login, organiser, member):
    client = login(organiser)
    day = (utcnow() + timedelta(days=12)).date().isoformat()
    response = post_form(
        client,
        "/events/new",
        {
            "title": "Family picnic <script>x</script>",
            "category": "family",
            "description": "",
            "timezone": "Europe/Copenhagen",
            "date": day,
            "start_time": "11:00",
            "end_time": "14:00",
            "venue": "Fælledparken",
            "city": "copenhagen",
            "languages": ["en", "da"],
            "step_free": "y",
            "childcare": "y",
            "tags": "Picnic, <b>kids</b>",
            "guests_allowed": "3",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = login(member).get(response.headers["Location"]).get_data(as_text=True)
    assert "English, Danish" in page
    assert "Step-free access" in page and "Childcare offered" in page
    assert "&lt;b&gt;kids&lt;/b&gt;" in page and "<b>kids</b>" not in page
    assert "<script>x</script>" not in page
    assert "Fælledparken, Copenhagen" in page


def test_the_event_form_names_a_bad_language_or_city(app, login, organiser):
    client = login(organiser)
    day = (utcnow() + timedelta(days=12)).date().isoformat()
    base = {
        "title": "Walk",
        "category": "social",
        "timezone": "Europe/Copenhagen",
        "date": day,
        "start_time": "11:00",
        "end_time": "12:00",
        "venue": "Park",
        "guests_allowed": "0",
    }
    page = post_form(client, "/events/new", {**base, "languages": ["xx"]})
    assert page.status_code == 200
    assert "Choose languages from the list." in page.get_data(as_text=True)
    page = post_form(client, "/events/new", {**base, "city": "atlantis"})
    assert "Choose a city from the list." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Event)) is None


# --- the time-zone rule --------------------------------------------------------------------


def _event_at(app, organiser, **changes) -> int:
    starts = datetime(2027, 3, 4, 17, 0, tzinfo=UTC)  # 18:00 in Copenhagen
    return make_event(
        app, organiser, starts_at=starts, ends_at=starts + timedelta(hours=2), **changes
    )


def test_in_person_in_the_venue_zone_with_my_own_in_brackets(app, organiser):
    event_id = _event_at(app, organiser)
    with app.test_request_context():
        event = db.session.get(Event, event_id)
        london = event_time(event, "Europe/London")
        assert london.starts == "Thu 4 March, 18:00 (Copenhagen)"
        assert london.own == "17:00 London time"
        assert str(london) == "Thu 4 March, 18:00 (Copenhagen) (17:00 London time)"
        # the same clock there: no brackets
        assert event_time(event, "Europe/Oslo").own is None
        assert event_time(event, "Europe/Copenhagen").own is None
        # another day for me: the date too
        assert event_time(event, "Pacific/Auckland").own == "Fri 5 March, 06:00 Auckland time"


def test_online_in_my_zone(app, organiser):
    event_id = _event_at(app, organiser, venue=None, online_url="https://meet.example.org/a")
    with app.test_request_context():
        event = db.session.get(Event, event_id)
        shown = event_time(event, "America/New_York")
        assert shown.zone == "America/New_York"
        assert shown.starts == "Thu 4 March, 12:00 (New York)" and shown.own is None
        assert event_time(event, None).starts == "Thu 4 March, 17:00 (UTC)"


def test_cards_and_the_event_page_follow_the_rule(app, login, organiser, member):
    in_person = _event_at(app, organiser, title="In person")
    online = _event_at(app, organiser, title="Online", venue=None, online_url="https://x.example")
    set_zone(app, member, "Europe/London")
    client = login(member)
    listing = client.get("/events?when=past").get_data(as_text=True) + client.get(
        "/events"
    ).get_data(as_text=True)
    assert "Thu 4 March, 18:00 (Copenhagen)" in listing
    assert "(17:00 London time)" in listing
    assert "Thu 4 March, 17:00 (London)" in listing  # the online one, on my clock
    page = client.get(f"/events/{in_person}").get_data(as_text=True)
    assert "18:00 (Copenhagen)" in page and "17:00 London time" in page
    page = client.get(f"/events/{online}").get_data(as_text=True)
    assert "17:00 (London)" in page and "Copenhagen" not in page.split("event__when")[1][:200]


def test_the_rsvp_mail_follows_the_rule(app, organiser, member, mailbox):
    set_zone(app, member, "America/New_York")
    event_id = make_event(app, organiser, venue=None, online_url="https://meet.example.org/r")
    rsvp(app, event_id, member)
    body = mailbox.body(mailbox.last(member.email))
    assert "(America/New_York time)" in body


# --- the member's time zone ----------------------------------------------------------------


def test_account_page_sets_a_valid_zone_and_refuses_others(app, login, member):
    client = login(member)
    page = client.get("/settings").get_data(as_text=True)
    assert '<label class="field__label" for="timezone">' in page
    bad = post_form(client, "/settings", {"timezone": "Mars/Olympus_Mons"})
    assert bad.status_code == 200
    assert "Choose a time zone from the list" in bad.get_data(as_text=True)
    ok = post_form(client, "/settings", {"timezone": "Asia/Tokyo"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(User, member.id).timezone == "Asia/Tokyo"
    assert post_form(client, "/settings", {"timezone": "UTC"}).status_code == 302


def test_the_api_sets_the_zone_and_answers_422_for_a_bad_one(app, member):
    api = api_login(app, member)
    assert api.get("/api/v1/me").get_json()["timezone"] == "UTC"
    bad = api.patch("/api/v1/me", json={"timezone": "Europe/Atlantis"})
    assert bad.status_code == 422 and "timezone" in error_fields(bad)
    ok = api.patch("/api/v1/me", json={"timezone": "Europe/Oslo"})
    assert ok.status_code == 200 and ok.get_json()["timezone"] == "Europe/Oslo"


@pytest.mark.parametrize(
    ("guess", "stored"),
    [("Asia/Kolkata", "Asia/Kolkata"), ("", "UTC"), ("Not/A_Zone", "UTC"), ("../etc", "UTC")],
)
def test_sign_up_keeps_the_browsers_guess(app, client, guess, stored):
    page = client.get("/auth/register").get_data(as_text=True)
    assert 'src="/static/js/timezone.js"' in page and "data-guess-timezone" in page
    response = post_form(
        client,
        "/auth/register",
        {
            "display_name": "New Person",
            "email": "new.person@example.org",
            "password": "a perfectly fine passphrase",
            "timezone": guess,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
        assert user.timezone == stored


def test_the_guessing_script_is_a_static_file():
    script = Path(__file__).parent.parent / "static" / "js" / "timezone.js"
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in script.read_text()


# --- cover images --------------------------------------------------------------------------


def _form_fields(event_id=None) -> dict:
    day = (utcnow() + timedelta(days=12)).date().isoformat()
    return {
        "title": "Cover test",
        "category": "social",
        "timezone": "Europe/Copenhagen",
        "date": day,
        "start_time": "11:00",
        "end_time": "12:00",
        "venue": "Park",
        "guests_allowed": "0",
    }


def _upload(client, path, data: bytes, alt: str, **extra):
    from tests.conftest import csrf_token

    token = csrf_token(client, path)
    fields = {**_form_fields(), **extra, "cover_alt": alt, "csrf_token": token}
    fields["cover"] = FileStorage(io.BytesIO(data), "photo.jpg", "cover", "image/jpeg")
    return post_multipart(client, path, fields)


def test_a_cover_is_re_encoded_without_metadata_and_served_privately(
    app, login, organiser, member, blocker, blocked
):
    client = login(organiser)
    response = _upload(client, "/events/new", jpeg(), "Children on a lawn")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(Event))
        name, event_id = event.cover_name, event.id
        assert event.cover_alt == "Children on a lawn"
    stored = Path(app.config["COVER_DIR"]) / name
    with Image.open(stored) as image:
        assert image.format == "WEBP" and image.size == (1200, 630)
        assert not image.getexif() and b"CameraMaker" not in stored.read_bytes()
    page = login(member).get(f"/events/{event_id}").get_data(as_text=True)
    assert f'src="/events/covers/{name}" alt="Children on a lawn"' in page
    served = login(member).get(f"/events/covers/{name}")
    served.close()
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.cache_control.private and served.cache_control.max_age == 86400
    assert app.test_client().get(f"/events/covers/{name}").status_code == 404
    assert app.test_client().get("/events/covers/..%2fsecret.webp").status_code == 404


def test_a_cover_is_hidden_from_members_blocked_by_the_organiser(app, login, organiser, member):
    client = login(organiser)
    assert _upload(client, "/events/new", jpeg(), "A lawn").status_code == 302
    with app.app_context():
        name = db.session.scalar(select(Event)).cover_name
        connections.block(db.session.get(User, organiser.id), member.id)
        db.session.commit()
    assert login(member).get(f"/events/covers/{name}").status_code == 404


def test_a_cover_needs_alt_text(app, login, organiser):
    response = _upload(login(organiser), "/events/new", jpeg(), "")
    assert response.status_code == 200
    assert "Describe the image for members who cannot see it." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Event)) is None
    assert not any(Path(app.config["COVER_DIR"]).glob("*.webp"))


def test_a_too_large_cover_is_413_and_a_non_image_a_form_error(app, login, organiser):
    client = login(organiser)
    too_big = _upload(client, "/events/new", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 1), "x")
    assert too_big.status_code == 413
    assert "larger than 5 MB" in too_big.get_data(as_text=True)
    not_image = _upload(client, "/events/new", b"%PDF-1.4 not an image", "x")
    assert not_image.status_code == 400
    assert "not an image we can read" in not_image.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Event)) is None


def test_a_replaced_cover_file_is_deleted_and_removing_works(app, login, organiser):
    client = login(organiser)
    assert _upload(client, "/events/new", jpeg(), "First").status_code == 302
    with app.app_context():
        event = db.session.scalar(select(Event))
        first, event_id = event.cover_name, event.id
    edit = f"/events/{event_id}/edit"
    assert _upload(client, edit, jpeg(gps=False), "Second").status_code == 302
    with app.app_context():
        second = db.session.get(Event, event_id).cover_name
    folder = Path(app.config["COVER_DIR"])
    assert second != first and not (folder / first).exists() and (folder / second).exists()
    # keeping the image but clearing its text is refused
    kept = post_form(client, edit, {**_form_fields(), "cover_alt": ""})
    assert "Describe the image" in kept.get_data(as_text=True)
    removed = post_form(client, edit, {**_form_fields(), "remove_cover": "y", "cover_alt": ""})
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(Event, event_id).cover_name is None
    assert not (folder / second).exists()


def test_api_cover_upload(app, organiser, member):
    event_id = make_event(app, organiser)
    api = api_login(app, organiser)
    path = f"/api/v1/events/{event_id}/cover"
    ok = api.client.put(
        path,
        data={"cover": (io.BytesIO(jpeg()), "c.jpg", "image/jpeg"), "cover_alt": "A lawn"},
        headers=api.headers,
    )
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["cover_alt"] == "A lawn" and ok.get_json()["cover_url"]
    url = ok.get_json()["cover_url"].replace("http://localhost", "")
    fetched = api_login(app, member).get(url)
    fetched.close()
    assert fetched.status_code == 200
    boundary, payload = encode_multipart(
        {
            "cover": FileStorage(io.BytesIO(b"0" * (5 * 1024 * 1024 + 1)), "c.jpg", "cover"),
            "cover_alt": "x",
        }
    )
    big = api.client.put(
        path,
        data=payload,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=api.headers,
    )
    assert big.status_code == 413
    no_alt = api.client.put(
        path, data={"cover": (io.BytesIO(jpeg()), "c.jpg", "image/jpeg")}, headers=api.headers
    )
    assert no_alt.status_code == 422 and "cover_alt" in error_fields(no_alt)
    other = api_login(app, member).client.put(
        path,
        data={"cover": (io.BytesIO(jpeg()), "c.jpg", "image/jpeg"), "cover_alt": "x"},
        headers=api_login(app, member).headers,
    )
    assert other.status_code == 403
    assert api.delete(path).status_code == 204
    assert api.get(f"/api/v1/events/{event_id}").get_json()["cover_url"] is None


# --- copy ----------------------------------------------------------------------------------


def test_copy_prefills_everything_but_the_dates(app, login, organiser, make_user):
    event_id = make_event(
        app,
        organiser,
        title="Monthly coffee",
        city="copenhagen",
        languages=["da"],
        step_free=True,
        tags=["Coffee"],
        capacity=12,
    )
    client = login(organiser)
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f'href="/events/new?copy={event_id}"' in page
    form = client.get(f"/events/new?copy={event_id}").get_data(as_text=True)
    assert 'value="Monthly coffee"' in form and 'value="Nyhavn 17, Copenhagen"' in form
    assert 'value="12"' in form and 'value="Coffee"' in form
    assert re.search(r'<option selected value="da">|<option value="da" selected>', form)
    assert re.search(r'id="step_free"[^>]*checked|checked[^>]*id="step_free"', form)
    assert re.search(r'name="date"[^>]*value=""', form)
    assert 'action="/events/new"' in form
    other = make_user(roles=(organiser_role(),))
    assert login(other).get(f"/events/new?copy={event_id}").status_code == 403


def organiser_role():
    from community.auth.roles import Role

    return Role.ORGANISER


# --- connections going, who is going -------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_cards_show_up_to_three_connections_going(app, login, organiser, member, make_user):
    event_id = make_event(app, organiser, title="Busy", capacity=None)
    friends = [make_user(display_name=f"Friend {n}") for n in range(5)]
    stranger = make_user(display_name="Stranger Danger")
    for friend in friends:
        connect(app, member, friend)
        rsvp(app, event_id, friend)
    rsvp(app, event_id, stranger)
    card = login(member).get("/events").get_data(as_text=True)
    assert "Friend 0, Friend 1, Friend 2 and 2 more connections going" in card
    assert "Stranger Danger" not in card


@pytest.mark.backends("sqlite", "postgresql")
@pytest.mark.parametrize("count", [5, 50], ids=["5-events", "50-events"])
def test_list_queries_stay_constant_with_connections_going(
    app, login, organiser, member, make_user, count_queries, count
):
    friend = make_user()
    connect(app, member, friend)
    with app.app_context():
        update_profile(
            db.session.get(User, organiser.id), ProfileData(skills=["x"])
        )  # a profile row to join
        db.session.commit()
    for n in range(count):
        event_id = make_event(app, organiser, title=f"E{n}", languages=["en"], tags=["t"])
        rsvp(app, event_id, friend)
    client = login(member)
    client.get("/events")
    with count_queries() as counter:
        response = client.get("/events")
    assert response.status_code == 200 and "is going" in response.get_data(as_text=True)
    # 8, the chat badge, and the bell: its unread ones, blocks, their connection rows, the
    # newest id (the member has a connection notification)
    assert counter.count <= 13, "\n".join(counter.statements)


@pytest.mark.backends("sqlite", "postgresql")
def test_who_is_going_respects_visibility_blocks_and_puts_connections_first(
    app, login, organiser, member, make_user, blocker, blocked
):
    event_id = make_event(app, organiser, capacity=None)
    early = make_user(display_name="Early Bird")
    private = make_user(display_name="Private Person")
    set_visibility(app, private, Visibility.CONNECTIONS)
    friend = make_user(display_name="Late Friend")
    connect(app, blocker, friend)
    for ref in (early, private, blocked, friend):
        rsvp(app, event_id, ref)
    page = login(blocker).get(f"/events/{event_id}").get_data(as_text=True)
    going = page.split('id="going-title"')[1]
    assert "Bo Blocked" not in going  # blocked: never shown
    assert "Private Person" not in going  # connections-only, not my connection
    assert going.index("Late Friend") < going.index("Early Bird")  # connections first
    assert "and 2 more members" in going
    # my connection sees the connections-only profile
    connect(app, private, member)
    assert "Private Person" in login(member).get(f"/events/{event_id}").get_data(as_text=True)


def test_who_is_going_is_bounded(app, login, organiser, member, make_user):
    event_id = make_event(app, organiser, capacity=None)
    for n in range(27):
        rsvp(app, event_id, make_user(display_name=f"Guest {n:02d}"))
    page = login(member).get(f"/events/{event_id}").get_data(as_text=True)
    assert "Guest 23" in page and "Guest 24" not in page
    assert "and 3 more members" in page


# --- home ----------------------------------------------------------------------------------


@pytest.mark.backends("sqlite", "postgresql")
def test_home_shows_my_next_events_and_my_connections_events(
    app, login, organiser, member, make_user
):
    mine = make_event(app, organiser, title="My walk")
    theirs = make_event(app, organiser, title="Friends' quiz")
    make_event(app, organiser, title="Nobody's talk")
    cancelled = make_event(app, organiser, title="Cancelled thing")
    friend = make_user(display_name="Pal")
    connect(app, member, friend)
    rsvp(app, mine, member)
    rsvp(app, theirs, friend)
    rsvp(app, cancelled, member)
    with app.app_context():
        events.cancel_event(db.session.get(User, organiser.id), db.session.get(Event, cancelled))
        db.session.commit()
    page = login(member).get("/").get_data(as_text=True)
    next_events = page.split('id="my-events-title"')[1].split("</section>")[0]
    assert "My walk" in next_events and "Cancelled thing" not in next_events
    friends = page.split('id="friends-events-title"')[1].split("</section>")[0]
    assert "Friends&#39; quiz" in friends and "Pal is going" in friends
    assert "Nobody" not in page and "My walk" not in friends


def test_home_without_events_points_to_the_list(app, login, member):
    page = login(member).get("/").get_data(as_text=True)
    assert "You have no events coming up." in page and 'href="/events"' in page
    assert 'id="friends-events-title"' not in page


def test_cover_files_change_only_when_the_change_commits(app, organiser):
    from community.events.covers import process_cover

    event_id = make_event(app, organiser)
    folder = Path(app.config["COVER_DIR"])
    with app.app_context():
        host = db.session.get(User, organiser.id)
        encoded = process_cover(jpeg())
        events.set_cover(host, db.session.get(Event, event_id), encoded, "A lawn")
        db.session.rollback()
        assert not any(folder.glob("*.webp"))
        event = events.set_cover(host, db.session.get(Event, event_id), encoded, "A lawn")
        name = event.cover_name
        assert not (folder / name).exists()
        db.session.commit()
        assert (folder / name).exists()
        events.remove_cover(host, db.session.get(Event, event_id))
        db.session.rollback()
        assert (folder / name).exists()
        events.remove_cover(host, db.session.get(Event, event_id))
        db.session.commit()
        assert not (folder / name).exists()


def test_names_and_titles_in_new_sentences_are_escaped(app, login, organiser, member, make_user):
    event_id = make_event(app, organiser, title="<i>Quiz</i> night")
    friend = make_user(display_name="<b>Bold</b> Friend")
    connect(app, member, friend)
    rsvp(app, event_id, friend)
    card = login(member).get("/events").get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; Friend is going" in card and "<b>Bold</b>" not in card
    form = login(organiser).get(f"/events/new?copy={event_id}").get_data(as_text=True)
    assert "A copy of “&lt;i&gt;Quiz&lt;/i&gt; night”" in form and "<i>Quiz</i>" not in form
