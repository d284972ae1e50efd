"""Script payloads written by members stay inert in a real browser (#15).

The data goes in through the real services, on the live server's own database (its SQLite
file, from this process): a post whose title, Markdown body and tags carry payloads, in a
group whose name and description carry them, a comment and a reply with payloads, a
profile headline and bio, and a comment on an event. Then members open the feed, the post,
the group, the profile, the event and the search results in Chromium, under the app's
Content-Security-Policy (a blocked inline script would fail the test as a CSP violation).
On every page: ``window.__xss`` stays undefined, no dialog opens, no element carries an
event-handler attribute or a ``javascript:`` link, no injected ``<img src=x>``, ``<svg>``
or script exists, and the payloads read as the plain text they were written as.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from community import create_app
from community.auth.models import User
from community.auth.roles import Role
from community.comments import services as comments
from community.core.database import utcnow
from community.events.models import Event, EventStatus
from community.extensions import db
from community.groups import services as groups
from community.groups.models import GroupVisibility
from community.posts import services as posts
from community.profiles.services import ProfileData, update_profile
from config import TestingConfig
from tests import factories
from tests.browser.test_account_journey import log_in

IMG = "<img src=x onerror=window.__xss=1>"
SCRIPT = "<script>window.__xss=1</script>"
SVG = '"><svg onload=window.__xss=1>'
JS_LINK = "[click me](javascript:window.__xss=1)"
WORD = "Zanzibarxss"

# Everything a page may not contain once the payloads are rendered.
INJECTED = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    xss: typeof window.__xss,
    handlers: all.filter(el => [...el.attributes].some(a => a.name.startsWith('on')))
      .map(el => el.outerHTML.slice(0, 120)),
    images: document.querySelectorAll('img[src="x"], img[src$="/x"]').length,
    svgs: document.querySelectorAll('main svg[onload], main svg:not([aria-hidden])').length,
    scripts: [...document.scripts].filter(s => s.textContent.includes('__xss')).length,
    javascript: document.querySelectorAll('a[href^="javascript:" i], [src^="javascript:" i]')
      .length,
  };
}"""


def _build(live_server) -> dict:
    """The payload-carrying content, made through the services on the live database."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{live_server.database}",
        MAIL_DIR=str(Path(live_server.mail_dir)),
    )
    tag = uuid.uuid4().hex[:6]
    with app.app_context():
        writer_ref = factories.make_user(f"xss-writer-{tag}@example.org", roles=(Role.ORGANISER,))
        reader_ref = factories.make_user(f"xss-reader-{tag}@example.org")
        writer, reader = db.session.get(User, writer_ref.id), db.session.get(User, reader_ref.id)
        update_profile(
            writer,
            ProfileData(
                headline=f"{WORD} helper {SVG}",
                bio=f"About me {IMG}\n\n{SCRIPT}\n\n{JS_LINK}",
                visibility="members",
            ),
        )
        group = groups.create_group(
            writer,
            groups.GroupData(
                name=f"{WORD} {IMG}",
                description=f"Circle **rules** {SCRIPT}\n\n{JS_LINK} {SVG}",
                visibility=GroupVisibility.PUBLIC,
            ),
        )
        groups.join_group(reader, group)
        post = posts.create_post(
            writer,
            posts.PostData(
                kind="offer",
                title=f"{WORD} offer {IMG} {SVG}",
                body=f"I can **help** {IMG}\n\n{SCRIPT}\n\n{JS_LINK} and {SVG}",
                tags=[IMG, SVG],
                group_id=group.id,
            ),
        )
        top = comments.add_comment(reader, "post", post.id, f"Comment {IMG} {SCRIPT}")
        comments.add_comment(writer, "post", post.id, f"Reply {SVG} {JS_LINK}", top.id)
        event = db.session.scalar(
            select(Event)
            .where(
                Event.status == EventStatus.SCHEDULED,
                Event.starts_at > utcnow(),
                Event.group_id.is_(None),
                Event.series_id.is_(None),
            )
            .order_by(Event.id)
            .limit(1)
        )
        comments.add_comment(reader, "event", event.id, f"Event note {IMG} {SCRIPT}")
        db.session.commit()
        built = {
            "writer": writer_ref,
            "reader": reader_ref,
            "post": post.id,
            "group": group.slug,
            "event": event.id,
        }
        db.session.remove()
        db.engine.dispose()
    return built


def _assert_inert(page: Page, where: str, literals: list[str]) -> None:
    page.wait_for_load_state("load")
    found = page.evaluate(INJECTED)
    assert found == {
        "xss": "undefined",
        "handlers": [],
        "images": 0,
        "svgs": 0,
        "scripts": 0,
        "javascript": 0,
    }, f"{where} ({page.url}): {found}"
    main = page.locator("main")
    for literal in literals:
        expect(main, f"{where} shows {literal!r} as text").to_contain_text(literal)


def test_payloads_stay_inert_on_every_page(page: Page, new_context, live_server) -> None:
    data = _build(live_server)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, data["reader"].email, data["reader"].password)
    title = f"{WORD} offer {IMG} {SVG}"

    page.goto(live_server.url + "/posts")
    expect(page.locator(".post-card", has_text=WORD).first).to_be_visible()
    _assert_inert(page, "feed", [title])

    page.goto(f"{live_server.url}/posts/{data['post']}")
    _assert_inert(
        page,
        "post page",
        [title, IMG, SCRIPT, SVG, "click me", f"Comment {IMG} {SCRIPT}", f"Reply {SVG}"],
    )
    expect(page.get_by_role("link", name="click me")).to_have_count(0)

    page.goto(f"{live_server.url}/groups/{data['group']}")
    _assert_inert(page, "group page", [f"{WORD} {IMG}", SCRIPT, SVG, title])

    page.goto(f"{live_server.url}/members/{data['writer'].id}")
    _assert_inert(page, "profile", [f"{WORD} helper {SVG}", IMG, SCRIPT])

    page.goto(f"{live_server.url}/events/{data['event']}")
    _assert_inert(page, "event page", [f"Event note {IMG} {SCRIPT}"])

    page.goto(f"{live_server.url}/search?q={WORD.lower()}")
    expect(page.locator("main")).to_contain_text(data["writer"].display_name)
    _assert_inert(page, "search results", [SVG])

    writer = new_context().new_page()
    writer.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(writer, live_server, data["writer"].email, data["writer"].password)
    writer.goto(f"{live_server.url}/posts?group={data['group']}")
    _assert_inert(writer, "group feed (writer)", [title])
    assert dialogs == []
