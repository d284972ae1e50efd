"""Presence and typing in two real Chromium pages (#17): Mia has her conversation with Sofía
open while Sofía is offline (no badge shows); Sofía opens the conversation and Mia's header
says "Online" without a reload; Sofía starts typing and stops: Mia's "… is typing" goes away by
itself; Mia's view of Sofía's profile says "Online"; Sofía hides her presence in her privacy
settings and Mia's badge goes at once.
"""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import delete

from community.extensions import db
from community.presence import services as presence
from community.presence.models import MemberPresence
from community.profiles.services import ProfileData, update_profile
from tests.browser.pages import log_in
from tests.chat_live import data_app, user

MIA = "member@alongside.example"
SOFIA = "sofia@alongside.example"


def test_presence_follows_live_and_typing_expires(live_server, new_context, page_checker):
    url = live_server.url
    app = data_app(f"sqlite:///{live_server.database}")
    with app.app_context():
        update_profile(user(SOFIA), ProfileData(visibility="members"))
        presence.set_hidden(user(SOFIA), False)
        presence.set_hidden(user(MIA), False)
        sofia_id = user(SOFIA).id
        # Offline to begin with, whatever the browser tests before this one (on the same
        # server) did with her account.
        db.session.execute(delete(MemberPresence).where(MemberPresence.user_id == sofia_id))
        db.session.commit()
        db.engine.dispose()

    mia = new_context().new_page()
    log_in(mia, url, MIA)
    mia.goto(url + "/chat?find=Herrera")
    mia.get_by_label("Sofía Herrera").check()
    mia.get_by_role("button", name="Start the conversation").click()
    expect(mia.get_by_role("heading", level=1)).to_have_text("Sofía Herrera")
    conversation = mia.url.split("#")[0]
    badge = mia.locator(f'.chat__head [data-presence-user="{sofia_id}"]')
    expect(badge).to_be_hidden()  # offline: nothing shown

    sofia = new_context().new_page()
    log_in(sofia, url, SOFIA)
    sofia.goto(conversation)
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Online")
    expect(badge).to_have_attribute("data-status", "online")

    # Typing shows, then goes by itself when Sofía stops (chat.js: 5 s without news).
    # chat.js sends one typing event per 3 s of typing and none before its socket is up;
    # under a full suite on two cores the first may go before that, so keep typing (as a
    # person would) until Mia sees it, for up to 16 s.
    typing = mia.locator("#chat-typing")
    for attempt in range(4):
        sofia.get_by_label("Message", exact=True).press_sequentially("Hel")
        try:
            expect(typing).to_have_text("Sofía Herrera is typing…", timeout=4000)
            break
        except AssertionError:
            if attempt == 3:
                raise
    expect(typing).to_have_text("", timeout=9000)
    page_checker.check(mia, "presence-conversation")

    mia.goto(f"{url}/members/{sofia_id}")
    on_profile = mia.locator(f'.profile__head [data-presence-user="{sofia_id}"]')
    expect(on_profile).to_have_text("Online")
    page_checker.check(mia, "presence-profile")

    # Sofía hides her presence: Mia's open page drops the badge at once.
    sofia.goto(url + "/settings/profile")
    sofia.get_by_label("Show when I am online").uncheck()
    sofia.get_by_role("button", name="Save profile").click()
    expect(sofia.get_by_text("Your profile is saved.")).to_be_visible()
    expect(on_profile).to_be_hidden()
    mia.reload()
    expect(mia.locator(f'[data-presence-user="{sofia_id}"]')).to_have_count(0)
