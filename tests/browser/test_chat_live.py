"""Live chat in two real Chromium pages (#16): two members chat; one goes offline (the
browser's network is cut), both write, the first comes back. Each page then shows every
message exactly once, in the conversation's order, and the message written offline was
delivered from the page's outbox.

Needs only the socket contract (community/chat/sockets.py) and the pages; runs against the
live server with the demo data (Mia Member and Sofía Herrera).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from community.extensions import socketio
from tests.browser.pages import log_in

MIA = "member@alongside.example"
# The texts in the page's outboxes (localStorage), oldest first.
OUTBOX = (
    "() => Object.keys(localStorage).filter(k => k.startsWith('alongside.chat.outbox.'))"
    ".map(k => JSON.parse(localStorage.getItem(k))).flat().map(item => item.body)"
)
SOFIA = "sofia@alongside.example"


def _has_chat_handlers() -> bool:
    import community.chat.sockets  # noqa: F401  (registers the handlers, if there are any)

    if any(event == "message:send" for event, _handler, _ns in socketio.handlers):
        return True
    server = socketio.server  # handlers registered after an app was made go straight to it
    return server is not None and "message:send" in server.handlers.get("/", {})


pytestmark = pytest.mark.skipif(
    not _has_chat_handlers(), reason="the chat socket handlers (message:send, sync) are missing"
)


def synced(page: Page) -> None:
    """The page's socket is connected and has caught up."""
    expect(page.locator("#history")).to_have_attribute("data-synced", "true")


def write(page: Page, text: str) -> None:
    composer = page.get_by_label("Message", exact=True)
    composer.fill(text)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(composer).to_be_focused()  # focus stays in the composer
    expect(composer).to_have_value("")


def stored(page: Page) -> list[str]:
    """The texts of the messages the page shows as stored (with an id), in page order."""
    return page.locator(".chat-message[data-id] .chat-message__body").all_inner_texts()


def shown_in_order(page: Page, texts: list[str]) -> None:
    expect(page.locator(".chat-message[data-id] .chat-message__body")).to_have_text(texts)
    expect(page.locator(".chat-message--pending")).to_have_count(0)
    positions = [
        int(p)
        for p in page.locator(".chat-message[data-id]").evaluate_all(
            "nodes => nodes.map(n => n.dataset.position)"
        )
    ]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


def test_two_members_chat_live_and_an_offline_message_is_delivered(
    live_server, new_context, page_checker
):
    url = live_server.url
    mia_context: BrowserContext = new_context()
    mia = mia_context.new_page()
    log_in(mia, url, MIA)
    mia.goto(url + "/chat?find=Herrera")
    page_checker.check(mia, "chat-list")
    mia.get_by_label("Sofía Herrera").check()
    mia.get_by_role("button", name="Start the conversation").click()
    expect(mia.get_by_role("heading", level=1)).to_have_text("Sofía Herrera")
    conversation = mia.url.split("#")[0]
    before = stored(mia)

    sofia = new_context().new_page()
    log_in(sofia, url, SOFIA)
    sofia.goto(conversation)
    synced(mia)
    synced(sofia)
    expect(mia.get_by_role("log", name="Messages")).to_be_visible()

    write(mia, "One: hello from Mia")
    expect(sofia.locator(".chat-message[data-id]", has_text="One: hello from Mia")).to_have_count(1)
    expect(mia.locator("#chat-seen")).to_have_text("Seen by Sofía Herrera")  # live read state
    sofia.get_by_label("Message", exact=True).press_sequentially("Tw")
    expect(mia.locator("#chat-typing")).to_have_text("Sofía Herrera is typing…")
    write(sofia, "Two: hej from Sofía")
    expect(mia.locator("#chat-typing")).to_have_text("")
    expect(mia.locator(".chat-message[data-id]", has_text="Two: hej from Sofía")).to_have_count(1)
    page_checker.check(mia, "chat-live")

    # Mia's network goes; both write.
    mia_context.set_offline(True)
    expect(mia.locator("#chat-connection")).to_be_visible()
    write(sofia, "Three: are you there?")
    write(mia, "Four: written offline")
    pending = mia.locator(".chat-message--pending", has_text="Four: written offline")
    expect(pending).to_contain_text("Sending…")
    assert mia.evaluate(OUTBOX) == ["Four: written offline"]
    write(sofia, "Five: I will wait")
    mia.wait_for_timeout(500)
    assert "Four: written offline" not in stored(sofia)
    assert "Three: are you there?" not in stored(mia)

    # Back online: Mia catches up, her outbox is sent, Sofía receives it.
    mia_context.set_offline(False)
    synced(mia)
    expected = [
        *before,
        "One: hello from Mia",
        "Two: hej from Sofía",
        "Three: are you there?",
        "Five: I will wait",
        "Four: written offline",
    ]
    shown_in_order(mia, expected)
    shown_in_order(sofia, expected)
    assert mia.evaluate(OUTBOX) == []

    # A send the server refuses shows "Not sent" with Retry and Delete (a text over 4,000
    # characters: the textarea's maxlength stops typing, not a script).
    mia.evaluate("() => { document.getElementById('composer-body').value = 'x'.repeat(4001); }")
    mia.get_by_role("button", name="Send", exact=True).click()
    failed = mia.locator(".chat-message--failed")
    expect(failed).to_contain_text("Not sent.")
    failed.get_by_role("button", name="Retry").click()
    expect(failed).to_contain_text("Not sent.")
    failed.get_by_role("button", name="Delete").click()
    expect(mia.locator(".chat-message--pending")).to_have_count(0)
    assert mia.evaluate(OUTBOX) == []
    assert "x" * 4001 not in stored(sofia)

    # The server agrees: a reload shows the same, once each.
    mia.reload()
    shown_in_order(mia, expected)

    # The pages behind the message actions, checked as they are.
    mine = mia.locator(".chat-message--mine[data-id]").last
    mine.locator(".chat-message__menu > summary").click()
    mine.get_by_role("link", name="Edit").click()
    expect(mia.get_by_role("heading", level=1)).to_have_text("Edit your message")
    page_checker.check(mia, "chat-edit")
    mia.goto(conversation)
    theirs = mia.locator(".chat-message[data-id]:not(.chat-message--mine)").last
    theirs.locator(".chat-message__menu > summary").click()
    theirs.get_by_role("link", name="Report").click()
    page_checker.check(mia, "chat-report")
    mia.goto(conversation + "/members")
    page_checker.check(mia, "chat-members")


def row(page: Page, name: str):
    return page.locator(".chat-list__item", has_text=name)


def test_the_conversation_list_follows_new_messages_live(live_server, new_context):
    """Mia keeps /chat open: a message from Sofía moves their row to the top with its
    preview and an unread count that grows; her own message from another page shows as
    "You: …" and clears the count; a deleted last message shows as deleted; a conversation
    someone starts with her appears without a reload."""
    url = live_server.url
    mia_context = new_context()
    mia = mia_context.new_page()
    log_in(mia, url, MIA)
    mia.goto(url + "/chat")
    expect(mia.locator(".chat-list")).to_have_attribute("data-live", "true")

    sofia = new_context().new_page()
    log_in(sofia, url, SOFIA)
    sofia.goto(url + "/chat?find=Member")
    sofia.get_by_label("Mia Member").check()
    sofia.get_by_role("button", name="Start the conversation").click()
    synced(sofia)
    write(sofia, "List one: are you coming?")
    first = mia.locator(".chat-list__item").first
    expect(first).to_contain_text("Sofía Herrera")
    expect(first.locator(".chat-list__preview")).to_have_text("List one: are you coming?")
    write(sofia, "List two: <b>bring</b> a cake")
    expect(first.locator(".chat-list__preview")).to_have_text("List two: <b>bring</b> a cake")
    expect(first.locator(".chat-list__unread")).to_contain_text("2")
    expect(first.locator(".chat-list__unread .visually-hidden")).to_have_text("Unread messages: 2")
    expect(first.locator(".chat-list__preview b")).to_have_count(0)  # text, never markup

    # Sofía deletes her last message: the preview says so.
    mine = sofia.locator(".chat-message--mine[data-id]", has_text="List two").last
    mine.locator(".chat-message__menu > summary").click()
    mine.locator(".chat-message__delete > summary").click()
    mine.get_by_role("button", name="Yes, delete it").click()
    expect(first.locator(".chat-list__preview")).to_have_text("Message deleted")

    # Mia answers from another page (the same login): the row shows her answer, read.
    other = mia_context.new_page()
    other.goto(sofia.url.split("#")[0])
    synced(other)
    write(other, "List three: yes!")
    expect(first.locator(".chat-list__preview")).to_have_text("You: List three: yes!")
    expect(first.locator(".chat-list__unread")).to_have_count(0)
    other.close()

    # Someone Mia has never talked to starts a conversation: it joins the list.
    expect(row(mia, "Cora Coordinator")).to_have_count(0)
    cora = new_context().new_page()
    log_in(cora, url, "coordinator@alongside.example")
    cora.goto(url + "/chat?find=Member")
    cora.get_by_label("Mia Member").check()
    cora.get_by_role("button", name="Start the conversation").click()
    synced(cora)
    write(cora, "List four: welcome to the programme")
    expect(mia.locator(".chat-list__item").first).to_contain_text("Cora Coordinator")
    expect(row(mia, "Cora Coordinator").locator(".chat-list__preview")).to_have_text(
        "List four: welcome to the programme"
    )

    # Offline for a while: what arrived meanwhile is there once the socket is back.
    mia_context.set_offline(True)
    expect(mia.locator(".chat-list")).to_have_attribute("data-live", "false")
    write(cora, "List five: sent while you were away")
    mia_context.set_offline(False)
    expect(row(mia, "Cora Coordinator").locator(".chat-list__preview")).to_have_text(
        "List five: sent while you were away"
    )
