"""Avatar uploads cost little to refuse and are rate-limited; avatar files are served only to
those who may see the profile. The route tests run on both databases."""

from __future__ import annotations

import io
import time

import pytest
from PIL import BmpImagePlugin, Image, TiffImagePlugin

from community.core.errors import BadRequest
from community.profiles.avatars import process_avatar
from tests.conftest import CSRF_RE, post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def small_jpeg() -> bytes:
    return encoded(Image.new("RGB", (600, 600), (30, 90, 160)), "JPEG")


# --- decoding ------------------------------------------------------------------------------


def test_a_small_png_of_huge_dimensions_is_refused_before_decoding():
    bomb = encoded(Image.new("L", (6300, 6300)), "PNG")  # 40 MP in a few dozen KB
    assert len(bomb) < 64 * 1024
    started = time.process_time()
    with pytest.raises(BadRequest, match="too many pixels"):
        process_avatar(bomb)
    assert time.process_time() - started < 0.25


@pytest.mark.parametrize(
    ("fmt", "plugin"),
    [("BMP", BmpImagePlugin.BmpImageFile), ("TIFF", TiffImagePlugin.TiffImageFile)],
)
def test_other_formats_are_refused_without_being_parsed(monkeypatch, fmt, plugin):
    """Pillow is told the accepted formats, so no other format's parser ever runs."""
    parsed = []
    real_open = plugin._open

    def spy(self):
        parsed.append(fmt)
        return real_open(self)

    monkeypatch.setattr(plugin, "_open", spy)
    with pytest.raises(BadRequest):
        process_avatar(encoded(Image.new("RGB", (600, 600)), fmt))
    assert parsed == []


def test_a_50_megapixel_phone_jpeg_is_decoded_at_reduced_size():
    photo = encoded(Image.new("RGB", (8160, 6120), (200, 120, 40)), "JPEG", quality=70)
    started = time.process_time()
    result = Image.open(io.BytesIO(process_avatar(photo)))
    assert result.size == (512, 512)
    assert time.process_time() - started < 1.0


def test_phone_photos_with_several_pictures_are_jpegs_too():
    """Many phones write MPO: a JPEG followed by more pictures (depth maps ...)."""
    first = Image.new("RGB", (800, 600), (200, 120, 40))
    mpo = encoded(first, "MPO", save_all=True, append_images=[Image.new("RGB", (800, 600))])
    assert Image.open(io.BytesIO(mpo)).format == "MPO"
    assert Image.open(io.BytesIO(process_avatar(mpo))).size == (512, 512)


def test_a_progressive_jpeg_has_the_lower_cap():
    """Progressive JPEGs keep every coefficient in memory however small they decode."""
    big = encoded(Image.new("RGB", (6000, 4000)), "JPEG", progressive=True)
    with pytest.raises(BadRequest, match="too many pixels"):
        process_avatar(big)


# --- the editor ----------------------------------------------------------------------------


def login(app, user):
    client = app.test_client()
    response = post_form(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def save_profile(client, photo: bytes | None = None, **fields):
    token = CSRF_RE.search(client.get("/settings/profile").get_data(as_text=True)).group(1)
    data = {"display_name": "Noor", "visibility": "members", "csrf_token": token, **fields}
    if photo is not None:
        data["avatar"] = (io.BytesIO(photo), "me.jpg")
    return client.post("/settings/profile", data=data, content_type="multipart/form-data")


def test_the_eleventh_photo_in_an_hour_gets_a_429(app, make_user):
    client = login(app, make_user())
    photo = small_jpeg()
    assert [save_profile(client, photo).status_code for _ in range(10)] == [302] * 10
    refused = save_profile(client, photo)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert save_profile(client, headline="No photo this time").status_code == 302
    # The limit is per account: someone else on the same address may still upload.
    assert save_profile(login(app, make_user()), photo).status_code == 302


# --- serving -------------------------------------------------------------------------------


def status(client, path: str) -> int:
    with client.get(path) as response:
        return response.status_code


def member_with_photo(app, make_user, visibility: str):
    user = make_user()
    client = login(app, user)
    assert save_profile(client, small_jpeg(), visibility=visibility).status_code == 302
    with app.app_context():
        from community.profiles.services import get_profile

        return client, f"/avatars/{get_profile(user.id).avatar_name}"


@pytest.mark.parametrize("visibility", ["members", "connections"])
def test_a_restricted_profiles_photo_is_hidden_from_anonymous_visitors(app, make_user, visibility):
    owner, path = member_with_photo(app, make_user, visibility)
    assert status(app.test_client(), path) == 404
    with owner.get(path) as mine:
        assert mine.status_code == 200
        assert "private" in mine.headers["Cache-Control"]
        assert "public" not in mine.headers["Cache-Control"]


def test_a_members_only_photo_is_served_privately_to_members(app, make_user):
    _owner, path = member_with_photo(app, make_user, "members")
    with login(app, make_user()).get(path) as seen:
        assert seen.status_code == 200
        assert seen.mimetype == "image/webp"
        cache = seen.headers["Cache-Control"]
        assert "private" in cache
        assert "public" not in cache
        assert "max-age=31536000" not in cache


def test_a_connections_only_photo_is_hidden_from_other_members(app, make_user):
    _owner, path = member_with_photo(app, make_user, "connections")
    assert status(login(app, make_user()), path) == 404


def test_a_public_profiles_photo_is_served_to_anyone(app, make_user):
    _owner, path = member_with_photo(app, make_user, "public")
    with app.test_client().get(path) as seen:
        assert seen.status_code == 200
        assert "public" in seen.headers["Cache-Control"]


def test_a_replaced_photo_is_gone(app, make_user):
    owner, old_path = member_with_photo(app, make_user, "public")
    assert save_profile(owner, small_jpeg(), visibility="public").status_code == 302
    assert status(app.test_client(), old_path) == 404


def test_api_clients_see_the_photos_their_token_may_see(app, make_user):
    _owner, path = member_with_photo(app, make_user, "members")
    reader = make_user()
    client = app.test_client()
    token = client.post(
        "/api/v1/tokens", json={"email": reader.email, "password": PASSWORD}
    ).get_json()["token"]
    assert status(client, path) == 404
    with client.get(path, headers={"Authorization": f"Bearer {token}"}) as seen:
        assert seen.status_code == 200
        assert "private" in seen.headers["Cache-Control"]
