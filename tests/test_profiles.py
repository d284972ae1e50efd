"""Profiles: Markdown safety, tags, avatars, the editor, completeness (both databases)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from community.auth.models import User
from community.core.errors import Invalid, ServiceError
from community.core.markdown import render_markdown
from community.extensions import db
from community.profiles.avatars import MAX_BYTES, process_avatar
from community.profiles.services import (
    ProfileData,
    completeness,
    get_profile,
    normalise_tag,
    update_profile,
)
from tests.conftest import post_form, post_multipart

BACKENDS = ("sqlite", "postgresql")


def jpeg_with_gps(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {2: (55.0, 40.0, 30.0), 1: "N", 4: (12.0, 34.0, 0.0), 3: "E"}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("source", "absent", "present"),
    [
        ("<script>alert(1)</script>", "<script", "&lt;script&gt;"),
        ("[x](javascript:alert(1))", 'href="javascript', "x"),
        ("[x](data:text/html;base64,AAAA)", 'href="data', "x"),
        ('<img src=x onerror="alert(1)">', "<img", "&lt;img"),
        ("![pic](https://example.com/a.png)", "<img", ""),
        ("[site](https://example.com)", "javascript", 'rel="nofollow noopener"'),
        ("[mail](mailto:a@example.com)", "javascript", 'href="mailto:a@example.com"'),
        ("**bold** and *it*", "<script", "<strong>bold</strong>"),
    ],
)
def test_markdown_is_rendered_and_sanitised(source, absent, present):
    html = render_markdown(source)
    assert absent not in html
    assert present in html


def test_tags_are_normalised_case_and_space_insensitively():
    assert normalise_tag("  Data   Analysis ") == "data analysis"
    assert normalise_tag("\uff30\uff39\uff34\uff28\uff2f\uff2e") == "python"  # full-width, NFKC


def test_update_profile_dedupes_tags_and_keeps_them_on_a_second_save(ctx, member):
    user = db.session.get(User, member.id)
    update_profile(user, ProfileData(skills=["Python", "python ", "Data  analysis"]))
    db.session.commit()
    update_profile(user, ProfileData(skills=["data analysis", "Python", "SQL"]))
    db.session.commit()
    profile = get_profile(user.id)
    assert [row.tag.label for row in profile.tags if row.kind == "skill"] == [
        "Data analysis",
        "Python",
        "SQL",
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ProfileData(host_city="atlantis"), "host_city"),
        (ProfileData(home_country="XX"), "home_country"),
        (ProfileData(languages=[("da", "superb")]), "languages"),
        (ProfileData(languages=[("xx", "basic")]), "languages"),
        (ProfileData(skills=[f"s{n}" for n in range(26)]), "skills"),
        (ProfileData(headline="x" * 121), "headline"),
        (ProfileData(visibility="everyone"), "visibility"),
        (ProfileData(looking_for=["money"]), "looking_for"),
    ],
)
def test_update_profile_refuses_values_outside_the_lists(ctx, member, data, field):
    user = db.session.get(User, member.id)
    with pytest.raises(Invalid) as caught:
        update_profile(user, data)
    assert caught.value.field == field


def test_completeness_names_what_is_missing(ctx, member):
    user = db.session.get(User, member.id)
    empty = completeness(user, None)
    assert empty.percent == 0
    assert "the city you live in" in empty.missing
    update_profile(user, ProfileData(headline="Hi", host_city="zurich", skills=["Go"]))
    later = completeness(user, get_profile(user.id))
    assert later.percent == 30
    assert "the city you live in" not in later.missing


def test_avatar_is_reencoded_as_webp_without_metadata():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    encoded = process_avatar(original)
    image = Image.open(io.BytesIO(encoded))
    assert image.format == "WEBP"
    assert image.size == (512, 512)
    assert not image.getexif()
    assert b"CameraMaker" not in encoded


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"", 400),
        (b"GIF89a this is not really a gif", 400),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", 400),
        (b"%PDF-1.4 nope", 400),
        (b"x" * (MAX_BYTES + 1), 413),
    ],
    ids=["empty", "fake-gif", "svg", "pdf", "too-big"],
)
def test_avatar_refuses_what_is_not_an_image(payload, status):
    with pytest.raises(ServiceError) as caught:
        process_avatar(payload)
    assert caught.value.status == status


def test_avatar_refuses_decompression_bombs():
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG")  # 144 MP, a few KB compressed
    with pytest.raises(ServiceError):
        process_avatar(buffer.getvalue())


def edit_form(**fields):
    base = {"display_name": "Noor", "visibility": "members"}
    base.update(fields)
    return base


def test_profile_editor_saves_and_shows_the_profile(member, make_user, login):
    client = login(member)
    response = post_form(
        client,
        "/settings/profile",
        edit_form(
            headline="Architect looking for projects",
            bio="I *love* [maps](https://example.com)",
            host_city="copenhagen",
            home_country="BR",
            **{
                "skills_new-0": "Urban planning",
                "interests_new-0": "Cycling",
                "languages-0-code": "pt",
                "languages-0-level": "native",
                "looking_for": ["gigs", "mentoring"],
                "nationality": "BR",
                "family_situation": "Two kids, 4 and 7 (secret)",
            },
        ),
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Your profile is saved." in html
    assert "Architect looking for projects" in html
    assert "<em>love</em>" in html
    assert 'rel="nofollow noopener"' in html
    assert "Urban planning" in html
    assert "Portuguese" in html
    assert "Two kids, 4 and 7 (secret)" in html  # the owner sees their private section
    other = login(make_user())
    seen = other.get(f"/members/{member.id}").get_data(as_text=True)
    assert "Architect looking for projects" in seen
    assert "secret" not in seen
    assert "Brazil" in seen  # home country is public
    assert seen.count("Brazil") == 1  # nationality (also Brazil) is not shown


def test_profile_editor_keeps_what_was_typed_when_a_field_is_refused(member, login):
    client = login(member)
    response = post_form(
        client,
        "/settings/profile",
        edit_form(headline="Keep this headline", **{"languages-0-code": "da"}),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose a level for each language." in html
    assert 'value="Keep this headline"' in html


def test_avatar_upload_and_serving(app, member, login):
    client = login(member)
    token_page = client.get("/settings/profile").get_data(as_text=True)
    from tests.conftest import CSRF_RE

    token = CSRF_RE.search(token_page).group(1)
    response = client.post(
        "/settings/profile",
        data={
            **edit_form(),
            "csrf_token": token,
            "avatar": (io.BytesIO(jpeg_with_gps()), "me.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        name = get_profile(member.id).avatar_name
    assert name and name.endswith(".webp")
    with client.get(f"/avatars/{name}") as served:
        assert served.status_code == 200
        assert served.mimetype == "image/webp"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert Image.open(io.BytesIO(served.data)).format == "WEBP"
    assert client.get("/avatars/../../etc/passwd").status_code == 404
    assert client.get("/avatars/notanavatar.webp").status_code == 404


def test_oversized_avatar_is_a_413_that_keeps_the_form(member, login):
    client = login(member)
    from tests.conftest import CSRF_RE

    token = CSRF_RE.search(client.get("/settings/profile").get_data(as_text=True)).group(1)
    from werkzeug.datastructures import FileStorage

    upload = FileStorage(io.BytesIO(b"\xff\xd8" + b"x" * MAX_BYTES), "huge.jpg", "avatar")
    fields = {**edit_form(headline="Still here"), "csrf_token": token, "avatar": upload}
    response = post_multipart(client, "/settings/profile", fields)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than 5 MB" in html
    assert 'value="Still here"' in html
