"""Group commit of `message:send` (`community.chat.pipeline`), on SQLite and PostgreSQL:
sends that wait together are written in one transaction with gap-free seqs; a bad send in
a batch fails alone; a retry racing its original inside a batch, or stored meanwhile
another way, stores one message; concurrent senders through two pipelines (two processes)
and single sends never leave a gap."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, select

from community.auth.models import User
from community.auth.sessions import SessionMember
from community.chat import batch_checks, pipeline
from community.chat import services as chat
from community.chat.models import Conversation, ConversationMember, Message
from community.core.errors import Conflict, NotFound
from community.extensions import db

BACKENDS = ("sqlite", "postgresql")


def member(ref) -> SessionMember:
    """The sender as the socket handler has it (no ORM object crosses threads)."""
    return SessionMember(ref.id, "active", 0)


def draft(ref, conversation_id: int, body: str, client_id: str) -> chat.Draft:
    checked = chat.check_send(member(ref), conversation_id, body, client_id)
    assert isinstance(checked, chat.Draft)
    return checked


@pytest.fixture
def people(ctx, make_user):
    refs = [make_user(display_name=name) for name in ("Ana", "Ben", "Chloé", "Dev")]
    ana = db.session.get(User, refs[0].id)
    group = chat.create_group_conversation(ana, "Parents", [ref.id for ref in refs[1:]])
    pair = chat.start_direct(ana, refs[1].id)
    db.session.commit()
    return refs, group.id, pair.id


def in_one_batch(
    app, drafts: list[chat.Draft | batch_checks.Request], leader: chat.Draft | None = None
) -> tuple[list, int]:
    """Submit `drafts` (checked, or the light path's unchecked requests) from a thread each
    while a first send's leader (`leader`, or another send like the first draft) is held
    just before its batch until all of them queue behind it, so they are written as one
    batch next. Returns each draft's answer (Acked, None for a request handed back, or the
    exception) and the commits made."""
    pipe = pipeline.SendPipeline()
    held = {"ident": None, "done": False}
    commits = []

    def hold(connection):
        if threading.get_ident() != held["ident"] or held["done"]:
            return
        held["done"] = True
        deadline = time.monotonic() + 20
        while len(pipe._queue) < len(drafts) and time.monotonic() < deadline:
            time.sleep(0.005)

    def run(index: int, item: chat.Draft | batch_checks.Request, answers: list) -> None:
        if isinstance(item, batch_checks.Request):  # as the socket's light path: no context
            try:
                answers[index] = pipe.submit_request(item, app)
            except Exception as error:
                answers[index] = error
            return
        with app.app_context():
            if index < 0:
                held["ident"] = threading.get_ident()
            try:
                answers[index] = pipe.submit(item)
            except Exception as error:
                answers[index] = error
            finally:
                db.session.remove()

    first = leader or chat.Draft(**{**drafts[0].__dict__, "client_id": "leader-first"})

    def count(connection) -> None:
        commits.append(1)

    event.listen(db.engine, "engine_connect", hold)
    event.listen(db.engine, "commit", count)
    try:
        leader_answer: list = [None]
        leader = threading.Thread(target=run, args=(-1, first, leader_answer))
        leader.start()
        while not held["done"]:
            time.sleep(0.002)
        answers: list = [None] * len(drafts)
        threads = [
            threading.Thread(target=run, args=(n, item, answers)) for n, item in enumerate(drafts)
        ]
        for thread in threads:
            thread.start()
        for thread in [leader, *threads]:
            thread.join(30)
    finally:
        event.remove(db.engine, "engine_connect", hold)
        event.remove(db.engine, "commit", count)
    assert leader_answer[0].created
    return answers, len(commits)


def seqs(conversation_id: int) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Message.seq).where(Message.conversation_id == conversation_id).order_by("seq")
        )
    )


def test_sends_waiting_together_commit_once_with_gap_free_seqs(app, people):
    (ana, ben, chloe, dev), group, pair = people
    drafts = [
        draft(ben, group, "Which school has places?", "b-1"),
        draft(chloe, group, "The one on Elm Street", "c-1"),
        draft(dev, group, "Ours too", "d-1"),
        draft(ana, pair, "Coffee?", "a-1"),
        draft(ben, pair, "Yes!", "b-2"),
    ]
    answers, commits = in_one_batch(app, drafts)
    assert all(isinstance(answer, pipeline.Acked) and answer.created for answer in answers)
    assert commits == 2  # the held leader's own send, then the five together
    assert sorted(answer.message["seq"] for answer in answers[:3]) == [2, 3, 4]
    assert sorted(answer.message["seq"] for answer in answers[3:]) == [1, 2]
    assert seqs(group) == [1, 2, 3, 4] and seqs(pair) == [1, 2]
    assert db.session.get(Conversation, group).last_seq == 4
    stored = {m.client_id: m for m in db.session.scalars(select(Message))}
    for item, answer in zip(drafts, answers, strict=True):
        assert answer.message["id"] == stored[item.client_id].id
        assert answer.message == chat.payload(stored[item.client_id])  # the stored row
    chloes = db.session.scalar(
        select(ConversationMember).filter_by(conversation_id=group, user_id=chloe.id)
    )
    assert chloes.last_read_seq == answers[1].message["seq"]  # her own message is read


def test_a_send_whose_sender_left_before_the_batch_fails_alone(app, people):
    (ana, ben, chloe, dev), group, _pair = people
    drafts = [
        draft(ben, group, "First", "b-1"),
        draft(dev, group, "I am leaving", "d-1"),
        draft(chloe, group, "Third", "c-1"),
    ]
    chat.remove_member(db.session.get(User, ana.id), group, dev.id)
    db.session.commit()
    answers, _commits = in_one_batch(app, drafts)
    assert isinstance(answers[1], NotFound)
    assert answers[0].created and answers[2].created
    assert seqs(group) == [1, 2, 3]  # the leader's, Ben's, Chloé's: no seq left for Dev's
    assert db.session.scalar(select(Message).where(Message.client_id == "d-1")) is None


def test_a_retry_racing_its_original_inside_one_batch_stores_one_message(app, people):
    (_ana, ben, chloe, _dev), group, _pair = people
    drafts = [
        draft(ben, group, "Is it still on?", "b-1"),
        draft(ben, group, "Is it still on?", "b-1"),
        draft(ben, group, "Another text, same id", "b-1"),
        draft(chloe, group, "Yes", "c-1"),
    ]
    answers, _commits = in_one_batch(app, drafts)
    sent = [a for a in answers[:3] if isinstance(a, pipeline.Acked)]
    assert sorted(a.created for a in sent) == [False, True]
    assert sent[0].message["id"] == sent[1].message["id"]
    assert sum(isinstance(a, Conflict) for a in answers[:3]) == 1
    assert answers[3].created
    assert seqs(group) == [1, 2, 3]
    assert db.session.query(Message).filter_by(client_id="b-1").count() == 1


def test_a_retry_stored_another_way_meanwhile_answers_with_it_and_the_rest_are_stored(app, people):
    (_ana, ben, chloe, dev), group, _pair = people
    drafts = [
        draft(chloe, group, "Before", "c-1"),
        draft(ben, group, "Hello", "b-1"),
        draft(dev, group, "After", "d-1"),
    ]
    stored = chat.send_message(member(ben), group, "Hello", "b-1").message.id  # the API, say
    db.session.commit()
    answers, _commits = in_one_batch(app, drafts)
    assert not answers[1].created and answers[1].message["id"] == stored
    assert answers[0].created and answers[2].created
    assert seqs(group) == [1, 2, 3, 4]


def test_concurrent_senders_through_two_pipelines_and_single_sends_leave_no_gap(app, people):
    """Two processes' pipelines and the one-at-a-time path (pages, API) sending to one
    conversation at once: every seq from 1 to the last is used once, so a catch-up after
    any seq misses nothing."""
    refs, group, _pair = people
    pipes = [pipeline.SendPipeline(), pipeline.SendPipeline()]
    per_sender = 12
    failures: list[BaseException] = []
    start = threading.Barrier(len(refs) * 2)

    def run(ref, way: int) -> None:
        with app.app_context():
            try:
                start.wait(10)
                for n in range(per_sender):
                    client_id = f"w{way}-{ref.id}-{n}"
                    if way == 2:
                        chat.send_message(member(ref), group, f"Single {n}", client_id)
                        db.session.commit()
                        continue
                    checked = chat.check_send(member(ref), group, f"Batched {n}", client_id)
                    db.session.commit()
                    assert pipes[way].submit(checked).created
            except BaseException as error:
                failures.append(error)
            finally:
                db.session.remove()

    ways = [(ref, way) for ref in refs for way in (0, 1)]
    ways[-1] = (refs[-1], 2)
    ways[-2] = (refs[-2], 2)
    threads = [threading.Thread(target=run, args=pair) for pair in ways]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    total = len(ways) * per_sender
    assert seqs(group) == list(range(1, total + 1))
    assert db.session.get(Conversation, group).last_seq == total
    changes = chat.changes_after(db.session.get(User, refs[0].id), group, 0)
    assert [m.seq for m in changes.messages] == list(range(1, min(total, chat.SYNC_PAGE) + 1))


def light(token: str, conversation_id: int, body: str, client_id: str, reply_to_id=None):
    """The socket's light `message:send` before its checks."""
    return batch_checks.request(token, conversation_id, body, client_id, reply_to_id)


@pytest.fixture
def tokens(people):
    """A live login session of each of the four people."""
    from community.auth.sessions import start_session

    refs, _group, _pair = people
    made = {ref.id: start_session(db.session.get(User, ref.id)).token for ref in refs}
    db.session.commit()
    return made


def test_the_batch_check_reads_every_senders_session_membership_block_and_retry_at_once(
    app, people, tokens
):
    """`batch_checks.judge` (the leader's one read for the light `message:send`s of a
    batch): a revoked session, a suspended account, an unknown token, a non-member, a
    blocked pair, a client_id used for another text and a reply to another conversation's
    message are refused (None); a retry answers with its stored message; the rest are
    drafts for their own senders; so are a blank text and a malformed client id."""
    from community.auth.models import UserStatus
    from community.auth.sessions import revoke_all_sessions
    from community.connections import services as connections

    (ana, ben, chloe, dev), group, pair = people
    earlier = chat.send_message(member(chloe), group, "Stored before", "c-old").message
    elsewhere = chat.send_message(member(ana), pair, "In the pair", "a-pair").message
    db.session.commit()
    dev_pair = chat.start_direct(db.session.get(User, dev.id), chloe.id).id
    db.session.commit()
    connections.block(db.session.get(User, chloe.id), dev.id)
    revoke_all_sessions(db.session.get(User, ben.id))
    db.session.commit()
    requests = [
        light(tokens[ana.id], group, "Fine", "a-1"),  # 0: good
        light(tokens[ben.id], group, "Revoked", "b-1"),  # 1: revoked session
        light(tokens[dev.id], pair, "Not mine", "d-1"),  # 2: not a member
        light(tokens[dev.id], dev_pair, "Blocked", "d-2"),  # 3: blocked pair
        light(tokens[chloe.id], group, "Stored before", "c-old"),  # 4: a retry
        light(tokens[chloe.id], group, "Another text", "c-old"),  # 5: a used client_id
        light(tokens[dev.id], group, "Reply", "d-3", elsewhere.id),  # 6: a foreign reply
        light(tokens[dev.id], group, "Reply here", "d-4", earlier.id),  # 7: good reply
        light("no-such-token", group, "Who?", "x-1"),  # 8: no session
    ]
    outcomes = batch_checks.judge(requests)
    assert [type(o).__name__ for o in outcomes] == [
        "Draft", "NoneType", "NoneType", "NoneType", "Sent", "NoneType", "NoneType", "Draft",
        "NoneType",
    ]  # fmt: skip
    assert outcomes[0].sender.id == ana.id and outcomes[0].member_id is not None
    assert outcomes[4].message.id == earlier.id and not outcomes[4].created
    assert outcomes[7].sender.id == dev.id and outcomes[7].reply_to_id == earlier.id
    db.session.get(User, ana.id).status = UserStatus.SUSPENDED
    db.session.commit()
    assert batch_checks.judge(requests[:1]) == [None]  # a suspended account's session
    blank = light(tokens[chloe.id], group, "   ", "c-2")
    bad_id = light(tokens[chloe.id], group, "Fine", "not a client id")
    assert batch_checks.judge([blank, bad_id, requests[4]])[:2] == [None, None]
    assert light("", group, "Hello", "c-3") is None and light("x" * 129, group, "Hi", "c-3") is None


def test_a_batch_of_light_sends_stores_the_good_ones_and_hands_each_refusal_back(
    app, people, tokens
):
    """One batch mixing a revoked session, a non-member, a blocked pair, a retry of a
    message stored earlier, a retry racing its original and good sends: only the good ones
    are stored, with gap-free seqs, in one commit; each refusal comes back to its own
    sender (None: its standard handler answers) and fails no other."""
    from community.auth.sessions import revoke_all_sessions
    from community.connections import services as connections

    (ana, ben, chloe, dev), group, pair = people
    earlier = chat.send_message(member(chloe), group, "Stored before", "c-old").message.id
    db.session.commit()
    dev_pair = chat.start_direct(db.session.get(User, dev.id), chloe.id).id
    db.session.commit()
    connections.block(db.session.get(User, chloe.id), dev.id)
    revoke_all_sessions(db.session.get(User, ben.id))
    db.session.commit()
    items = [
        light(tokens[ana.id], group, "First", "a-1"),  # 0: good
        light(tokens[ben.id], group, "Revoked", "b-1"),  # 1: revoked session
        light(tokens[dev.id], pair, "Not mine", "d-1"),  # 2: not a member
        light(tokens[dev.id], dev_pair, "Blocked", "d-2"),  # 3: blocked pair
        light(tokens[chloe.id], group, "Stored before", "c-old"),  # 4: retry, stored earlier
        light(tokens[dev.id], group, "Twice", "d-3"),  # 5: good
        light(tokens[dev.id], group, "Twice", "d-3"),  # 6: its retry, racing in the batch
        light(tokens[dev.id], group, "Not twice", "d-3"),  # 7: same id, another text
        light(tokens[ana.id], pair, "Second", "a-2"),  # 8: good
    ]
    answers, commits = in_one_batch(app, items, leader=draft(ben, pair, "Lead", "b-lead"))
    assert commits == 2  # the held leader's send, then the batch: nothing of its own
    refused = [n for n, answer in enumerate(answers) if answer is None]
    assert refused == [1, 2, 3, 7]
    assert all(isinstance(a, pipeline.Acked) for n, a in enumerate(answers) if n not in refused)
    assert [answers[n].created for n in (0, 4, 5, 8)] == [True, False, True, True]
    assert answers[4].message["id"] == earlier
    assert not answers[6].created and answers[6].message["id"] == answers[5].message["id"]
    assert sorted(answers[n].message["seq"] for n in (0, 5)) == [2, 3]
    assert seqs(group) == [1, 2, 3] and seqs(pair) == [1, 2]
    stored = set(db.session.scalars(select(Message.client_id)))
    assert stored == {"c-old", "a-1", "d-3", "a-2", "b-lead"}
    for n in (0, 5, 8):
        row = db.session.get(Message, answers[n].message["id"])
        assert answers[n].message == chat.payload(row)


def test_refusals_in_one_batch_of_socket_sends_are_each_answered_to_their_own_sender(
    app, people, make_socket_client
):
    """The real `message:send` handler (the light path, then the standard one for a send
    handed back) with the pipeline's lead held so one batch holds: a session revoked in
    the database (by another process, whose disconnect has not arrived), a non-member, a
    blocked pair and good sends. The good ones are acked and stored; each refusal is
    answered on its own socket, in the standard handler's words, and the revoked session's
    socket is ended."""
    from sqlalchemy import update

    from community.auth.models import UserSession
    from community.connections import services as connections
    from community.core.database import utcnow

    (ana, ben, chloe, dev), group, pair = people
    dev_pair = chat.start_direct(db.session.get(User, dev.id), chloe.id).id
    db.session.commit()
    connections.block(db.session.get(User, chloe.id), dev.id)
    db.session.commit()

    def connected(ref):
        with app.app_context():  # a login of its own (the test's context keeps a `g`)
            return make_socket_client(ref)

    leader, good_ana, good_chloe = (connected(ref) for ref in (ana, ana, chloe))
    revoked, stranger, blocked = (connected(ref) for ref in (ben, dev, dev))
    db.session.execute(
        update(UserSession).where(UserSession.user_id == ben.id).values(revoked_at=utcnow())
    )
    db.session.commit()
    pipe = pipeline.pipeline(app)
    held = {"ident": None, "done": False}

    def hold(connection):
        if threading.get_ident() != held["ident"] or held["done"]:
            return
        held["done"] = True
        deadline = time.monotonic() + 20
        while len(pipe._queue) < 5 and time.monotonic() < deadline:
            time.sleep(0.005)

    answers: dict[str, object] = {}
    commits = []

    def count(connection) -> None:
        commits.append(1)

    def send(name, client, conversation_id, lead=False):
        if lead:
            held["ident"] = threading.get_ident()
        data = {"conversation_id": conversation_id, "body": name, "client_id": f"id-{name}"}
        answers[name] = client.emit("message:send", data, callback=True)

    event.listen(db.engine, "engine_connect", hold)
    event.listen(db.engine, "commit", count)
    try:
        first = threading.Thread(target=send, args=("leader", leader, group, True))
        first.start()
        while not held["done"]:
            time.sleep(0.002)
        threads = [
            threading.Thread(target=send, args=args)
            for args in (
                ("ana", good_ana, pair),
                ("revoked", revoked, group),
                ("stranger", stranger, pair),
                ("blocked", blocked, dev_pair),
                ("chloe", good_chloe, group),
            )
        ]
        for thread in threads:
            thread.start()
        for thread in [first, *threads]:
            thread.join(30)
    finally:
        event.remove(db.engine, "engine_connect", hold)
        event.remove(db.engine, "commit", count)
    assert len(commits) == 2  # the held leader's send, then the other five in one batch
    for name in ("leader", "ana", "chloe"):
        assert answers[name]["ok"] and answers[name]["created"], answers[name]
    assert answers["stranger"]["error"]["code"] == "not_found"
    assert answers["blocked"]["error"]["code"] == "forbidden"
    assert answers["revoked"]["error"]["code"] == "unauthorized"
    assert not revoked.is_connected()  # and the socket was ended
    assert stranger.is_connected() and blocked.is_connected()
    assert seqs(group) == [1, 2] and seqs(pair) == [1] and seqs(dev_pair) == []
    stored = set(db.session.scalars(select(Message.client_id)))
    assert stored == {"id-leader", "id-ana", "id-chloe"}
