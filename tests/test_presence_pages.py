"""Presence on the pages (#17): rendered at page load as text (no JavaScript needed), on the
direct conversation's header, the /chat rows and the profile page, only for viewers allowed to
see the profile; the setting on the profile editor's privacy section and in PATCH /api/v1/me.
"""

from __future__ import annotations

import re

import pytest

from community.auth.models import User
from community.chat import services as chat
from community.connections import services as connections
from community.extensions import db
from community.presence import services
from community.presence.models import MemberPresence
from community.profiles.services import ProfileData, update_profile
from tests.conftest import post_form
from tests.test_api import api_login


def user(ref) -> User:
    return db.session.get(User, ref.id)


@pytest.fixture
def pair(app, make_user):
    """Ana and Ben with a direct conversation; Ben's socket sent a heartbeat just now."""
    ana, ben = make_user(display_name="Ana"), make_user(display_name="Ben")
    with app.app_context():
        conversation = chat.start_direct(user(ana), ben.id)
        services.heartbeat(user(ben))
        db.session.commit()
        return ana, ben, conversation.id


def badge(html: str, user_id: int) -> str | None:
    found = re.search(
        rf'<span class="presence[^"]*" data-presence-user="{user_id}"[^>]*>.*?</span></span>', html
    )
    return found.group(0) if found else None


def test_the_conversation_header_says_online_in_text(login, pair):
    ana, ben, conversation_id = pair
    html = login(ana).get(f"/chat/{conversation_id}").get_data(as_text=True)
    shown = badge(html, ben.id)
    assert shown is not None and 'data-status="online"' in shown
    assert '<span class="presence__label">Online</span>' in shown  # text, not a colour only
    assert " hidden>" not in shown


def test_the_chat_list_row_has_a_dot_and_a_visually_hidden_label(login, pair):
    ana, ben, _conversation_id = pair
    html = login(ana).get("/chat").get_data(as_text=True)
    shown = badge(html, ben.id)
    assert shown is not None
    assert '<span class="presence__label visually-hidden">Online</span>' in shown


def test_the_profile_page_shows_presence_and_an_offline_member_shows_nothing(login, pair):
    ana, ben, _conversation_id = pair
    client = login(ana)
    assert "Online" in badge(client.get(f"/members/{ben.id}").get_data(as_text=True), ben.id)
    offline = badge(client.get(f"/members/{ana.id}").get_data(as_text=True), ana.id)
    assert offline is None  # my own page: nobody watches themselves
    bens_view = login(ben).get(f"/members/{ana.id}").get_data(as_text=True)
    assert 'data-status="offline" hidden' in badge(bens_view, ana.id)


@pytest.mark.parametrize("why", ["ben blocks ana", "ana blocks ben", "ben hides", "ana hides"])
def test_no_badge_for_a_viewer_who_may_not_see_it(app, login, pair, why):
    ana, ben, conversation_id = pair
    with app.app_context():
        if why == "ben blocks ana":
            connections.block(user(ben), ana.id)
        elif why == "ana blocks ben":
            connections.block(user(ana), ben.id)
        else:
            services.set_hidden(user(ben if why == "ben hides" else ana), True)
        db.session.commit()
    client = login(ana)
    for path in (f"/chat/{conversation_id}", "/chat", f"/members/{ben.id}"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert f'data-presence-user="{ben.id}"' not in html, path


def test_connections_only_profile_hides_presence_from_a_chat_partner(app, login, pair):
    ana, ben, conversation_id = pair
    with app.app_context():
        update_profile(user(ben), ProfileData(visibility="connections"))
        db.session.commit()
    client = login(ana)
    for path in (f"/chat/{conversation_id}", "/chat"):
        assert f'data-presence-user="{ben.id}"' not in client.get(path).get_data(as_text=True)


def hidden_flag(app, ref) -> bool:
    with app.app_context():
        return services.is_hidden(ref.id)


def test_the_privacy_setting_hides_and_shows_presence(app, login, member):
    client = login(member)
    page = client.get("/settings/profile").get_data(as_text=True)
    assert "checked" in re.search(r"<input[^>]*id=\"show_presence\"[^>]*>", page).group(0)
    form = {"display_name": "Mia", "visibility": "members"}
    post_form(client, "/settings/profile", form)  # the box left unticked
    assert hidden_flag(app, member)
    page = client.get("/settings/profile").get_data(as_text=True)
    tag = re.search(r"<input[^>]*id=\"show_presence\"[^>]*>", page).group(0)
    assert "checked" not in tag
    post_form(client, "/settings/profile", {**form, "show_presence": "y"})
    assert not hidden_flag(app, member)


def test_the_api_reads_and_changes_the_setting(app, member):
    api = api_login(app, member)
    assert api.get("/api/v1/me").get_json()["hide_presence"] is False
    answer = api.patch("/api/v1/me", json={"hide_presence": True})
    assert answer.status_code == 200 and answer.get_json()["hide_presence"] is True
    assert hidden_flag(app, member)
    assert api.patch("/api/v1/me", json={"hide_presence": "maybe"}).status_code == 422
    with app.app_context():
        assert db.session.get(MemberPresence, member.id).hidden is True
