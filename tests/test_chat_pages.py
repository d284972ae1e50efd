"""Chat pages without JavaScript (#16): /chat, /chat/<id> and the forms behind every button.

Real SQLite database, the real app through its test client with CSRF on; conversations and
messages are made through the chat service, then used through the pages as a member would.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from community.auth.models import User
from community.auth.roles import Role
from community.chat import services as chat
from community.chat.models import Conversation, ConversationKind, Message, MessageReport
from community.connections import services as connections
from community.extensions import db
from tests.conftest import CSRF_RE, csrf_token, without_csrf

CLIENT_ID_RE = re.compile(r'name="client_id" type="hidden" value="([^"]+)"')


def user(ref) -> User:
    return db.session.get(User, ref.id)


@pytest.fixture
def ana(make_user):
    return make_user("ana@example.org", "Ana Alves")


@pytest.fixture
def ben(make_user):
    return make_user("ben@example.org", "Ben Berg")


@pytest.fixture
def cy(make_user):
    return make_user("cy@example.org", "Cy Costa")


@pytest.fixture
def direct(app, ana, ben) -> int:
    with app.app_context():
        conversation = chat.start_direct(user(ana), ben.id)
        db.session.commit()
        return conversation.id


@pytest.fixture
def group(app, ana, ben, cy) -> int:
    """A group conversation owned by Ana, with Ben and Cy."""
    with app.app_context():
        conversation = chat.create_group_conversation(user(ana), "Book club", [ben.id, cy.id])
        db.session.commit()
        return conversation.id


def send(app, ref, conversation_id: int, body: str, client_id: str | None = None, **kw):
    with app.app_context():
        sent = chat.send_message(
            user(ref), conversation_id, body, client_id or f"t-{abs(hash(body))}", **kw
        )
        db.session.commit()
        return sent.message.id


def composer(client, conversation_id: int) -> dict:
    """The hidden fields of the send form as the page rendered them."""
    html = client.get(f"/chat/{conversation_id}").get_data(as_text=True)
    return {
        "csrf_token": CSRF_RE.search(html)[1],
        "client_id": CLIENT_ID_RE.search(html)[1],
    }


def without_tokens(response) -> str:
    return without_csrf(response.get_data(True))


def body_html(client, conversation_id: int, message_id: int) -> str:
    html = client.get(f"/chat/{conversation_id}").get_data(as_text=True)
    match = re.search(rf'id="m-{message_id}".*?<p class="chat-message__body">(.*?)</p>', html, re.S)
    assert match, f"message {message_id} is not on the page"
    return match[1]


def messages_in(app, conversation_id: int) -> list[Message]:
    with app.app_context():
        return list(
            db.session.scalars(
                db.select(Message)
                .where(Message.conversation_id == conversation_id)
                .order_by(Message.position)
            )
        )


# --- who may see what ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, Role.ORGANISER, Role.MODERATOR, Role.ADMIN])
def test_a_conversation_is_a_404_to_anyone_outside_it(app, login, make_user, direct, role):
    outsider = make_user(roles=(role,) if role else ())
    client = login(outsider)
    token = csrf_token(client, "/chat")  # (and the welcome flash is shown)
    missing = client.get("/chat/999999")
    assert missing.status_code == 404
    pages = [
        client.get(f"/chat/{direct}"),
        client.get(f"/chat/{direct}/members"),
        client.post(
            f"/chat/{direct}/messages",
            data={"csrf_token": token, "body": "Hi", "client_id": "x-1"},
        ),
        client.post(f"/chat/{direct}/mute", data={"csrf_token": token}),
    ]
    assert [page.status_code for page in pages] == [404] * len(pages)
    # The same page as a missing conversation (but for the CSRF tokens, timestamped).
    assert all(without_tokens(page) == without_tokens(missing) for page in pages[:2])
    assert messages_in(app, direct) == []


def test_chat_needs_a_login(client, direct):
    for path in ("/chat", f"/chat/{direct}"):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.location


# --- sending without JavaScript ------------------------------------------------------------


def test_the_plain_form_sends_and_a_double_submit_stores_one_message(app, login, ana, direct):
    client = login(ana)
    fields = composer(client, direct)
    data = {**fields, "body": "Which school has places?"}
    first = client.post(f"/chat/{direct}/messages", data=data)
    second = client.post(f"/chat/{direct}/messages", data=data)
    stored = messages_in(app, direct)
    assert len(stored) == 1 and stored[0].body == "Which school has places?"
    assert first.status_code == second.status_code == 302
    assert first.location == second.location == f"/chat/{direct}#m-{stored[0].id}"
    page = client.get(f"/chat/{direct}").get_data(as_text=True)
    assert page.count("Which school has places?") == 1
    # The next page render carries a new client id: a new message, not a retry.
    assert composer(client, direct)["client_id"] != fields["client_id"]


def test_each_rendered_page_has_its_own_client_id(login, ana, direct):
    client = login(ana)
    ids = {composer(client, direct)["client_id"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "Write a message."), ("x" * (chat.MAX_BODY + 1), "Use at most 4000 characters.")],
)
def test_a_bad_message_is_a_form_error(app, login, ana, direct, body, error):
    client = login(ana)
    response = client.post(
        f"/chat/{direct}/messages", data={**composer(client, direct), "body": body}
    )
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert messages_in(app, direct) == []


def test_a_client_id_reused_for_another_text_is_refused(app, login, ana, direct):
    client = login(ana)
    fields = composer(client, direct)
    client.post(f"/chat/{direct}/messages", data={**fields, "body": "One"})
    response = client.post(f"/chat/{direct}/messages", data={**fields, "body": "Two"})
    assert response.status_code == 422
    assert "already used for a different message" in response.get_data(as_text=True)
    assert [m.body for m in messages_in(app, direct)] == ["One"]


# --- rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '"><svg onload=alert(1)>',
    ],
)
def test_message_text_is_escaped(app, login, ana, ben, direct, body):
    message_id = send(app, ben, direct, body)
    html = body_html(login(ana), direct, message_id)
    assert "<" not in html.replace("<em", "") and unescape(html) == body


def test_links_are_clickable_and_safe(app, login, ana, ben, direct):
    body = "Look: https://example.org/schools?city=aarhus&x=1.\njavascript:alert(1) <b>x</b>"
    message_id = send(app, ben, direct, body)
    html = body_html(login(ana), direct, message_id)
    assert (
        '<a href="https://example.org/schools?city=aarhus&amp;x=1" rel="nofollow noopener ugc">'
        in html
    )
    assert html.count("<a ") == 1 and 'href="javascript' not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert ".\njavascript" in html  # the newline is kept (shown by white-space: pre-wrap)


def test_history_pages_back_with_earlier_messages(app, login, ana, ben, direct):
    for n in range(chat.HISTORY_PAGE + 3):
        send(app, ben, direct, f"Message number {n}", f"n-{n}")
    client = login(ana)
    html = client.get(f"/chat/{direct}").get_data(as_text=True).split("<template")[0]
    positions = [int(p) for p in re.findall(r'data-position="(\d+)"', html)]
    assert positions == list(range(4, chat.HISTORY_PAGE + 4))  # the last 50, oldest first
    assert f'data-last-seq="{chat.HISTORY_PAGE + 3}"' in html
    earlier = re.search(r'href="([^"]+)"[^>]*>Earlier messages', html)[1]
    older = client.get(unescape(earlier)).get_data(as_text=True).split("<template")[0]
    assert [int(p) for p in re.findall(r'data-position="(\d+)"', older)] == [1, 2, 3]


# --- read state ----------------------------------------------------------------------------


def test_opening_a_conversation_marks_it_read(app, login, ana, ben, direct):
    send(app, ben, direct, "Are you coming on Saturday?")
    send(app, ben, direct, "There is cake.")
    client = login(ana)
    listing = client.get("/chat").get_data(as_text=True)
    assert "2 unread messages" in listing
    assert re.search(r'nav-badge__count">1<', listing)
    client.get(f"/chat/{direct}")
    listing = client.get("/chat").get_data(as_text=True)
    assert "unread message" not in listing
    assert re.search(r'data-chat-badge data-unread-ids="" hidden', listing)


def test_mark_as_unread_and_seen_by(app, login, ana, ben, direct):
    first = send(app, ana, direct, "Coffee at ten?")
    ben_client = login(ben)
    ana_client = login(ana)
    unseen = ana_client.get(f"/chat/{direct}").get_data(as_text=True)
    assert f'id="chat-seen" data-message-id="{first}" hidden>' in unseen
    ben_client.get(f"/chat/{direct}")  # Ben reads it
    page = ana_client.get(f"/chat/{direct}").get_data(as_text=True)
    assert re.search(
        rf'id="chat-seen" data-message-id="{first}">Seen by <span[^>]*>Ben Berg<', page
    )
    token = csrf_token(ben_client, f"/chat/{direct}")
    response = ben_client.post(
        f"/chat/{direct}/messages/{first}/unread", data={"csrf_token": token}
    )
    assert response.status_code == 302 and response.location == "/chat"
    assert "1 unread message" in ben_client.get("/chat").get_data(as_text=True)


# --- message actions -----------------------------------------------------------------------


def test_reply_react_edit_and_delete_without_javascript(app, login, ana, ben, direct):
    question = send(app, ben, direct, "Is the pool open?")
    client = login(ana)
    page = client.get(f"/chat/{direct}?reply={question}").get_data(as_text=True)
    assert "Replying to" in page and f'name="reply_to_id" type="hidden" value="{question}"' in page
    fields = {**composer(client, direct), "reply_to_id": str(question), "body": "Yes, till 8"}
    client.post(f"/chat/{direct}/messages", data=fields)
    answer = messages_in(app, direct)[-1]
    assert answer.reply_to_id == question
    page = client.get(f"/chat/{direct}").get_data(as_text=True)
    assert re.search(rf'chat-message__quote">\s*<a href="#m-{question}">', page)

    token = csrf_token(client, f"/chat/{direct}")
    client.post(
        f"/chat/{direct}/messages/{question}/react", data={"csrf_token": token, "emoji": "👍"}
    )
    assert messages_in(app, direct)[0].reactions == {"👍": [ana.id]}
    page = client.get(f"/chat/{direct}").get_data(as_text=True)
    assert re.search(
        r'data-emoji="👍" aria-pressed="true"><span aria-hidden="true">👍</span> <span class="reaction__count">1<',
        page,
    )
    bad = client.post(
        f"/chat/{direct}/messages/{question}/react", data={"csrf_token": token, "emoji": "<b>"}
    )
    assert bad.status_code == 302  # flashed back: not one of the reactions
    assert messages_in(app, direct)[0].reactions == {"👍": [ana.id]}

    edit_page = client.get(f"/chat/{direct}/messages/{answer.id}/edit")
    assert "Yes, till 8" in edit_page.get_data(as_text=True)
    client.post(
        f"/chat/{direct}/messages/{answer.id}/edit",
        data={"csrf_token": token, "body": "Yes, till 9"},
    )
    page = client.get(f"/chat/{direct}").get_data(as_text=True)
    assert "Yes, till 9" in page
    assert re.search(rf'id="m-{answer.id}".*?class="chat-message__edited">edited<', page, re.S)

    client.post(f"/chat/{direct}/messages/{answer.id}/delete", data={"csrf_token": token})
    page = client.get(f"/chat/{direct}").get_data(as_text=True)
    assert "Yes, till 9" not in page
    assert re.search(rf'id="m-{answer.id}".*?Message deleted', page, re.S)
    listing = client.get("/chat").get_data(as_text=True)
    assert "<em>Message deleted</em>" in listing


def test_only_the_sender_edits_or_deletes(app, login, ana, ben, direct):
    message_id = send(app, ben, direct, "Mine, not yours")
    client = login(ana)
    token = csrf_token(client, f"/chat/{direct}")
    assert client.get(f"/chat/{direct}/messages/{message_id}/edit").status_code == 404
    edit = client.post(
        f"/chat/{direct}/messages/{message_id}/edit", data={"csrf_token": token, "body": "Hacked"}
    )
    delete = client.post(f"/chat/{direct}/messages/{message_id}/delete", data={"csrf_token": token})
    assert (edit.status_code, delete.status_code) == (404, 403)
    assert messages_in(app, direct)[0].body == "Mine, not yours"
    page = client.get(f"/chat/{direct}").get_data(as_text=True)
    assert f"/messages/{message_id}/edit" not in page and f"/messages/{message_id}/report" in page


def test_reporting_someone_elses_message(app, login, ana, ben, direct):
    theirs = send(app, ben, direct, "Buy cheap watches")
    mine = send(app, ana, direct, "No thanks")
    client = login(ana)
    assert client.get(f"/chat/{direct}/messages/{mine}/report").status_code == 404
    token = csrf_token(client, f"/chat/{direct}/messages/{theirs}/report")
    response = client.post(
        f"/chat/{direct}/messages/{theirs}/report", data={"csrf_token": token, "reason": "Spam"}
    )
    assert response.status_code == 302
    again = client.post(
        f"/chat/{direct}/messages/{theirs}/report", data={"csrf_token": token, "reason": "Spam"}
    )
    assert "already reported" in again.get_data(as_text=True)
    with app.app_context():
        reports = db.session.scalars(db.select(MessageReport)).all()
        assert [(r.reporter_id, r.reason, r.body_reported) for r in reports] == [
            (ana.id, "Spam", "Buy cheap watches")
        ]


def test_mute_keeps_the_conversation_out_of_the_badge(app, login, ana, ben, direct):
    client = login(ana)
    token = csrf_token(client, f"/chat/{direct}")
    client.post(f"/chat/{direct}/mute", data={"csrf_token": token, "muted": "1"})
    send(app, ben, direct, "Ping")
    listing = client.get("/chat").get_data(as_text=True)
    assert ">Muted<" in listing and "1 unread message" in listing
    assert 'data-unread-ids="" hidden' in listing
    assert f'<script type="application/json" id="chat-muted">[{direct}]</script>' in listing
    client.post(f"/chat/{direct}/mute", data={"csrf_token": token, "muted": "0"})
    assert ">Muted<" not in client.get("/chat").get_data(as_text=True)


# --- blocks --------------------------------------------------------------------------------


def test_a_blocked_direct_conversation_hides_the_composer(app, login, ana, ben, direct):
    send(app, ben, direct, "Hello")
    client = login(ana)
    fields = composer(client, direct)
    with app.app_context():
        connections.block(user(ben), ana.id)
        db.session.commit()
    page = client.get(f"/chat/{direct}").get_data(as_text=True)
    assert "You can no longer message each other." in page
    assert 'id="composer-form"' not in page and "Hello" in page
    response = client.post(f"/chat/{direct}/messages", data={**fields, "body": "Why?"})
    assert response.status_code == 422
    assert [m.body for m in messages_in(app, direct)] == ["Hello"]


# --- starting conversations ----------------------------------------------------------------


def test_starting_a_direct_conversation_finds_the_existing_one(app, login, ana, ben, direct):
    client = login(ana)
    page = client.get("/chat?find=Ben").get_data(as_text=True)
    assert "Ben Berg" in page
    token = csrf_token(client, "/chat?find=Ben")
    response = client.post("/chat/new", data={"csrf_token": token, "member_ids": str(ben.id)})
    assert response.status_code == 302 and response.location == f"/chat/{direct}#composer"


def test_a_profile_offers_to_send_a_message(app, login, ana, ben):
    client = login(ana)
    page = client.get(f"/members/{ben.id}").get_data(as_text=True)
    assert "Send a message" in page
    token = csrf_token(client, f"/members/{ben.id}")
    response = client.post("/chat/new", data={"csrf_token": token, "member_ids": str(ben.id)})
    assert response.status_code == 302
    with app.app_context():
        direct = chat.start_direct(user(ana), ben.id).id
    assert response.location == f"/chat/{direct}#composer"


def test_starting_a_group_conversation(app, login, ana, ben, cy):
    client = login(ana)
    token = csrf_token(client, "/chat")
    nameless = client.post(
        "/chat/new", data={"csrf_token": token, "member_ids": [str(ben.id), str(cy.id)]}
    )
    assert nameless.status_code == 422
    assert "Give the conversation a name." in nameless.get_data(as_text=True)
    nobody = client.post("/chat/new", data={"csrf_token": token, "title": "Alone"})
    assert "Choose at least one member." in nobody.get_data(as_text=True)
    response = client.post(
        "/chat/new",
        data={"csrf_token": token, "member_ids": [str(ben.id), str(cy.id)], "title": "Walkers"},
    )
    assert response.status_code == 302
    with app.app_context():
        conversation = db.session.scalars(
            db.select(Conversation).where(Conversation.kind == ConversationKind.GROUP)
        ).one()
        assert conversation.title == "Walkers"
        assert chat.member_ids(conversation.id) == sorted([ana.id, ben.id, cy.id])


@pytest.mark.parametrize("bad", ["99999999999999999999", "-1", "0", "abc"])
def test_ids_in_forms_that_no_row_could_have_are_form_errors(app, login, ana, direct, bad):
    client = login(ana)
    token = csrf_token(client, "/chat")
    assert (
        client.post("/chat/new", data={"csrf_token": token, "member_ids": bad}).status_code == 422
    )
    fields = {**composer(client, direct), "body": "Hi", "reply_to_id": bad}
    response = client.post(f"/chat/{direct}/messages", data=fields)
    assert response.status_code == 422
    assert "That message is not in this conversation." in response.get_data(as_text=True)
    assert client.get(f"/chat/{direct}?reply={bad}").status_code == 200
    assert messages_in(app, direct) == []


def test_nobody_blocked_can_be_picked(app, login, blocker, blocked):
    client = login(blocker)
    token = csrf_token(client, "/chat")
    response = client.post("/chat/new", data={"csrf_token": token, "member_ids": str(blocked.id)})
    assert response.status_code == 422
    assert "We could not find one of those members." in response.get_data(as_text=True)


# --- group conversations: owner tools, leaving ---------------------------------------------


def test_only_the_owner_adds_and_removes(app, login, make_user, ana, ben, cy, group):
    dee = make_user("dee@example.org", "Dee Dahl")
    member_client = login(ben)
    page = member_client.get(f"/chat/{group}/members").get_data(as_text=True)
    assert "owner adds and removes members." in page
    assert "/remove" not in page
    token = csrf_token(member_client, f"/chat/{group}/members")
    assert (
        member_client.post(
            f"/chat/{group}/members/{cy.id}/remove", data={"csrf_token": token}
        ).status_code
        == 403
    )
    assert (
        member_client.post(
            f"/chat/{group}/members", data={"csrf_token": token, "member_ids": str(dee.id)}
        ).status_code
        == 422
    )
    with app.app_context():
        assert chat.member_ids(group) == sorted([ana.id, ben.id, cy.id])

    owner = login(ana)
    page = owner.get(f"/chat/{group}/members?find=Dee").get_data(as_text=True)
    assert 'Remove<span class="visually-hidden"> Cy Costa' in page and "Dee Dahl" in page
    token = csrf_token(owner, f"/chat/{group}/members")
    owner.post(f"/chat/{group}/members", data={"csrf_token": token, "member_ids": str(dee.id)})
    owner.post(f"/chat/{group}/members/{cy.id}/remove", data={"csrf_token": token})
    with app.app_context():
        assert chat.member_ids(group) == sorted([ana.id, ben.id, dee.id])
    assert login(cy).get(f"/chat/{group}").status_code == 404


def test_the_members_list_is_paged(app, login, make_user, ana, ben):
    others = [make_user(display_name=f"Member {n:02d}") for n in range(3)]
    with app.app_context():
        group = chat.create_group_conversation(user(ana), "Big", [ben.id, *(o.id for o in others)])
        db.session.commit()
        group_id = group.id
        first = chat.members_page(group, limit=3)
        second = chat.members_page(group, first.next_cursor, limit=3)
        names = [row.user.display_name for row in [*first.items, *second.items]]
    assert names == ["Ana Alves", "Ben Berg", "Member 00", "Member 01", "Member 02"]
    assert second.next_cursor is None
    page = login(ben).get(f"/chat/{group_id}/members").get_data(as_text=True)
    assert "5 members." in page and "Member 02" in page
    assert login(ben).get(f"/chat/{group_id}/members?cursor=bad").status_code == 400


def test_leaving_a_group_conversation(app, login, ana, ben, group, direct):
    client = login(ben)
    assert "Leave Book club?" in client.get(f"/chat/{group}/leave").get_data(as_text=True)
    assert client.get(f"/chat/{direct}/leave").status_code == 404  # direct: no leaving
    token = csrf_token(client, f"/chat/{group}/leave")
    response = client.post(f"/chat/{group}/leave", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == "/chat"
    assert client.get(f"/chat/{group}").status_code == 404


# --- queries -------------------------------------------------------------------------------


def _queries(client, count_queries, path: str) -> int:
    client.get(path)  # warm: the read mark and the session row
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


def test_conversation_page_queries_do_not_grow_with_messages(
    app, login, count_queries, ana, ben, cy, group
):
    client = login(ana)
    for n in range(5):
        send(app, ben if n % 2 else cy, group, f"Early {n}", f"e-{n}", reply_to_id=None)
    send(app, ben, group, "A reply", "r-0", reply_to_id=messages_in(app, group)[4].id)
    send(app, ana, group, "Mine", "m-0")
    with app.app_context():
        chat.react(user(cy), group, messages_in(app, group)[0].id, "🎉")
        db.session.commit()
    few = _queries(client, count_queries, f"/chat/{group}")
    for n in range(45):
        send(app, ben if n % 2 else cy, group, f"Later {n}", f"l-{n}")
    send(app, cy, group, "Another reply", "r-1", reply_to_id=messages_in(app, group)[-10].id)
    send(app, ana, group, "Mine again", "m-1")
    many = _queries(client, count_queries, f"/chat/{group}")
    assert few == many


def test_conversation_list_queries_do_not_grow_with_conversations(
    app, login, count_queries, ana, ben, cy
):
    def make(count: int) -> None:
        with app.app_context():
            for n in range(count):
                conversation = chat.create_group_conversation(user(ana), f"Circle {n}", [ben.id])
                db.session.flush()
                chat.send_message(user(ben), conversation.id, f"Hi {n}", f"c-{n}-{count}")
            db.session.commit()

    client = login(ana)
    make(5)
    few = _queries(client, count_queries, "/chat")
    make(45)
    many = _queries(client, count_queries, "/chat")
    assert few == many
