"""Post pages: the feed, a post, the editor, delete and remove, "helpful" and the answer
mark; every role over every page, private-group and block leakage, escaping, the matching
marks and notices, and query counts that do not grow with the list."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.auth.models import User
from community.comments import services as comments
from community.core.database import utcnow
from community.core.errors import Conflict, Forbidden, NotFound
from community.demo import DEMO_PASSWORD
from community.extensions import db
from community.notifications.models import Notification
from community.posts import services as posts
from community.posts.models import MatchNotice, Post, PostHelpful
from community.profiles.services import ProfileData, update_profile
from tests.conftest import csrf_token, post_form
from tests.posts_world import ROLES, PostsWorld, build_world, make_group

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def world(app) -> PostsWorld:
    with app.app_context():
        return build_world()


def _user(role_ref) -> User:
    return db.session.get(User, role_ref.id)


def _notices(user_id: int, kind: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.kind == kind)
    )


# --- who sees what -------------------------------------------------------------------------

SEES_PUBLIC = {role: role != "blocked" for role in ROLES}
SEES_GROUP = {
    role: role in ("group_member", "group_organiser", "moderator", "admin") for role in ROLES
}


@pytest.mark.backends("sqlite", "postgresql")
@pytest.mark.parametrize("role", ROLES)
def test_post_page_is_seen_by_whom_it_may_be(app, world, login, role):
    client = login(world[role])
    public = client.get(f"/posts/{world.question_id}")
    group = client.get(f"/posts/{world.group_post_id}")
    assert public.status_code == (200 if SEES_PUBLIC[role] else 404)
    assert group.status_code == (200 if SEES_GROUP[role] else 404)
    missing = client.get("/posts/999999")
    assert missing.status_code == 404
    if not SEES_GROUP[role]:
        # the same answer as a missing post: nothing tells that it exists
        assert "Secret circle" not in group.get_data(as_text=True)


@pytest.mark.backends("sqlite", "postgresql")
@pytest.mark.parametrize("role", ROLES)
def test_feed_shows_only_what_the_viewer_may_see(app, world, login, role):
    client = login(world[role])
    html = client.get("/posts").get_data(as_text=True)
    assert ("Who knows Danish tax?" in html) == SEES_PUBLIC[role]
    assert ("Secret circle request" in html) == SEES_GROUP[role]
    # filtering by the private group by slug or id shows nothing to outsiders either
    for ref in ("tax-circle", str(world.group_id)):
        html = client.get(f"/posts?group={ref}").get_data(as_text=True)
        assert ("Secret circle request" in html) == SEES_GROUP[role]
        assert "Who knows Danish tax?" not in html
    # nor does a tag only the group post has, nor its group's name in the filter list
    html = client.get("/posts?tag=circle+secret").get_data(as_text=True)
    assert ("Secret circle request" in html) == SEES_GROUP[role]
    assert ("Tax circle" in html) == SEES_GROUP[role]


def test_blocking_hides_posts_both_ways(app, world, login):
    blocked = login(world["blocked"])
    assert "Who knows Danish tax?" not in blocked.get("/posts").get_data(as_text=True)
    with app.app_context():
        mine = posts.create_post(
            _user(world["blocked"]),
            posts.PostData(kind="story", title="Blocked story", body="hello"),
        )
        db.session.commit()
        mine_id = mine.id
    author = login(world["author"])
    assert "Blocked story" not in author.get("/posts").get_data(as_text=True)
    assert author.get(f"/posts/{mine_id}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(app, world, client):
    for path in (
        "/posts",
        f"/posts/{world.question_id}",
        "/posts/new",
        f"/posts/{world.question_id}/edit",
        f"/posts/{world.question_id}/delete",
        f"/posts/{world.question_id}/remove",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.location, path
    for path in ("helpful", "helpful/undo", "answer", "answer/clear"):
        response = client.post(f"/posts/{world.question_id}/{path}")
        assert response.status_code in (302, 400), path
        with app.app_context():
            assert db.session.get(Post, world.question_id).helpful_count == 0


# --- writing -------------------------------------------------------------------------------


def test_member_writes_a_post_with_tags_and_city(app, world, login):
    client = login(world["member"])
    response = post_form(
        client,
        "/posts/new",
        {
            "kind": "offer",
            "title": "I can explain freelancing rules",
            "body": "**Ask me** anything.",
            "tags": "Freelancing, danish tax",
            "city": "copenhagen",
        },
    )
    assert response.status_code == 302
    html = client.get(response.location).get_data(as_text=True)
    assert "<strong>Ask me</strong>" in html
    assert "Freelancing" in html and "Danish tax" in html  # the existing tag's label
    assert "Copenhagen" in html


def test_form_errors_are_shown_not_500(app, world, login):
    client = login(world["member"])
    response = post_form(client, "/posts/new", {"kind": "nonsense", "title": "", "body": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and "Give the post a title." in html
    response = post_form(
        client,
        "/posts/new",
        {"kind": "offer", "title": "x" * 141, "body": "b", "tags": ",".join(["t"] * 11)},
    )
    assert "Use at most 140 characters." in response.get_data(as_text=True)


def test_posting_in_a_group_needs_active_membership(app, world, login):
    with app.app_context():
        with pytest.raises(NotFound):  # a private group one may not see: as missing
            posts.create_post(
                _user(world["outsider"]),
                posts.PostData(kind="story", title="t", body="b", group_id=world.group_id),
            )
        db.session.rollback()
        public_id = make_group("Open circle", world["group_organiser"].id, private=False)
        with pytest.raises(Exception, match="Join the group"):
            posts.create_post(
                _user(world["outsider"]),
                posts.PostData(kind="story", title="t", body="b", group_id=public_id),
            )
        db.session.rollback()
    # the page offers only one's own groups, and refuses a forged one
    client = login(world["outsider"])
    response = post_form(
        client,
        "/posts/new",
        {"kind": "story", "title": "Forged", "body": "b", "group_id": str(world.group_id)},
    )
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    client = login(world["group_member"])
    page = client.get("/posts/new").get_data(as_text=True)
    assert "Tax circle" in page
    response = post_form(
        client,
        "/posts/new",
        {"kind": "story", "title": "Circle story", "body": "b", "group_id": str(world.group_id)},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_edits_and_deletes(app, world, login, role):
    client = login(world[role])
    expected = 200 if role == "author" else (404 if role == "blocked" else 403)
    assert client.get(f"/posts/{world.question_id}/edit").status_code == expected
    assert client.get(f"/posts/{world.question_id}/delete").status_code == expected
    if role != "author":
        token = csrf_token(client, "/posts")
        response = client.post(f"/posts/{world.question_id}/delete", data={"csrf_token": token})
        assert response.status_code == expected
        with app.app_context():
            assert db.session.get(Post, world.question_id) is not None


def test_edit_shows_edited_and_delete_removes_comments(app, world, login):
    client = login(world["author"])
    path = f"/posts/{world.question_id}"
    assert "(edited)" not in client.get(path).get_data(as_text=True)
    same = {
        "kind": "question",
        "title": "Who knows Danish tax?",
        "body": "I need help with my *tax return*.",
        "tags": "Danish tax",
        "city": "copenhagen",
    }
    post_form(client, f"{path}/edit", same)
    assert "(edited)" not in client.get(path).get_data(as_text=True)  # nothing changed
    post_form(client, f"{path}/edit", {**same, "title": "Who knows Danish taxes?"})
    html = client.get(path).get_data(as_text=True)
    assert "Who knows Danish taxes?" in html and "(edited)" in html
    with app.app_context():
        comments.add_comment(_user(world["member"]), "post", world.question_id, "Me!")
        db.session.commit()
    response = post_form(client, f"{path}/delete", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Post, world.question_id) is None
        from community.comments.models import Comment

        assert not db.session.scalars(select(Comment).where(Comment.subject_type == "post")).all()
    assert client.get(path).status_code == 404


REMOVERS = {"moderator", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_moderators_admins_and_group_organisers_remove_posts(app, world, login, role):
    client = login(world[role])
    # a public post: moderators and admins only
    public = client.get(f"/posts/{world.question_id}/remove")
    assert public.status_code == (200 if role in REMOVERS else 404 if role == "blocked" else 403)
    # a post in the private group: its organiser too; outsiders get 404
    group_path = f"/posts/{world.group_post_id}/remove"
    expected = (
        200 if role in REMOVERS | {"group_organiser"} else 403 if role == "group_member" else 404
    )
    assert client.get(group_path).status_code == expected
    if expected != 404:  # the post page offers it to those who may remove it, only
        page = client.get(f"/posts/{world.group_post_id}").get_data(as_text=True)
        assert ("Remove this post" in page) == (expected == 200)
    if expected == 200:
        response = post_form(client, group_path, {}, form_page=group_path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/posts?group={world.group_id}"
        with app.app_context():
            assert db.session.get(Post, world.group_post_id).removed_at is not None
        member = login(world["group_member"])
        assert member.get(f"/posts/{world.group_post_id}").status_code == 404
        assert "Secret circle" not in member.get("/posts").get_data(as_text=True)


# --- helpful -------------------------------------------------------------------------------


def test_helpful_once_per_member_and_undo(app, world, login):
    client = login(world["member"])
    path = f"/posts/{world.question_id}"
    for _n in range(2):
        response = post_form(client, f"{path}/helpful", {}, form_page=path)
        assert response.status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "1 member found this helpful" in html and "take it back" in html
    with app.app_context():
        assert db.session.get(Post, world.question_id).helpful_count == 1
        assert _notices(world["author"].id, "post.helpful") == 1
    post_form(client, f"{path}/helpful/undo", {}, form_page=path)
    post_form(client, f"{path}/helpful/undo", {}, form_page=path)
    with app.app_context():
        assert db.session.get(Post, world.question_id).helpful_count == 0
        assert db.session.scalar(select(func.count()).select_from(PostHelpful)) == 0
    assert "0 members found this helpful" in client.get(path).get_data(as_text=True)


def test_helpful_refused_for_own_post_and_hidden_posts(app, world, login):
    author = login(world["author"])
    path = f"/posts/{world.question_id}"
    post_form(author, f"{path}/helpful", {}, form_page=path)
    outsider = login(world["outsider"])
    token = csrf_token(outsider, "/posts")
    response = outsider.post(f"/posts/{world.group_post_id}/helpful", data={"csrf_token": token})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Post, world.question_id).helpful_count == 0
        assert db.session.get(Post, world.group_post_id).helpful_count == 0


# --- the answer ----------------------------------------------------------------------------


def test_only_the_author_marks_an_answer_and_only_on_questions(app, world, login):
    with app.app_context():
        reply = comments.add_comment(_user(world["member"]), "post", world.question_id, "Ask Kim")
        on_offer = comments.add_comment(_user(world["member"]), "post", world.offer_id, "Nice")
        db.session.commit()
        reply_id, on_offer_id = reply.id, on_offer.id
        with pytest.raises(Forbidden):
            posts.mark_answer(
                _user(world["member"]), db.session.get(Post, world.question_id), reply_id
            )
        with pytest.raises(Conflict):
            posts.mark_answer(
                _user(world["author"]), db.session.get(Post, world.offer_id), on_offer_id
            )
        with pytest.raises(NotFound):  # a comment on another post
            posts.mark_answer(
                _user(world["author"]), db.session.get(Post, world.question_id), on_offer_id
            )
        db.session.rollback()
    path = f"/posts/{world.question_id}"
    member = login(world["member"])
    assert "Mark as the answer" not in member.get(path).get_data(as_text=True)
    token = csrf_token(member, path)
    response = member.post(f"{path}/answer", data={"csrf_token": token, "comment_id": reply_id})
    assert response.status_code == 403
    author = login(world["author"])
    assert "Mark as the answer" in author.get(path).get_data(as_text=True)
    assert "Mark as the answer" not in author.get(f"/posts/{world.offer_id}").get_data(as_text=True)
    response = post_form(author, f"{path}/answer", {"comment_id": reply_id}, form_page=path)
    assert response.status_code == 302
    html = member.get(path).get_data(as_text=True)
    assert "The answer" in html and "comment--marked" in html
    assert "Answered" in member.get("/posts").get_data(as_text=True)
    with app.app_context():
        assert _notices(world["member"].id, "post.answer") == 1
    post_form(author, f"{path}/answer/clear", {}, form_page=path)
    assert "comment--marked" not in member.get(path).get_data(as_text=True)


# --- notices -------------------------------------------------------------------------------


def test_comment_on_my_post_notifies_me(app, world):
    with app.app_context():
        comments.add_comment(_user(world["member"]), "post", world.question_id, "Hello")
        db.session.commit()
        assert _notices(world["author"].id, "comment.new") == 1


def test_matching_request_notice_at_most_once_a_day(app, world):
    with app.app_context():
        update_profile(_user(world["member"]), ProfileData(skills=["Danish tax", "Payroll"]))
        update_profile(_user(world["blocked"]), ProfileData(skills=["Danish tax"]))
        update_profile(_user(world["outsider"]), ProfileData(skills=["Circle secret"]))
        db.session.commit()

        def request(title, tags, **extra):
            post = posts.create_post(
                _user(world["author"]),
                posts.PostData(kind="request", title=title, body="b", tags=tags, **extra),
            )
            db.session.commit()
            return post

        request("Need tax help", ["Danish tax"])
        request("Need payroll help", ["Payroll"])
        assert _notices(world["member"].id, "post.match") == 1  # only the first today
        assert _notices(world["blocked"].id, "post.match") == 0  # blocked by the author
        # an offer never notifies
        posts.create_post(
            _user(world["author"]),
            posts.PostData(kind="offer", title="o", body="b", tags=["Danish tax"]),
        )
        db.session.commit()
        assert _notices(world["member"].id, "post.match") == 1
        # tomorrow's claim is free again
        claim = db.session.scalar(
            select(MatchNotice).where(MatchNotice.user_id == world["member"].id)
        )
        claim.day = (utcnow() - timedelta(days=1)).date()
        db.session.commit()
        request("Need more tax help", ["Danish tax"])
        assert _notices(world["member"].id, "post.match") == 2
        # a request in a private group tells no one outside it
        db.session.execute(
            MatchNotice.__table__.delete().where(MatchNotice.user_id == world["outsider"].id)
        )
        group_member = _user(world["group_member"])
        posts.create_post(
            group_member,
            posts.PostData(
                kind="request", title="g", body="b", tags=["Circle secret"], group_id=world.group_id
            ),
        )
        db.session.commit()
        assert _notices(world["outsider"].id, "post.match") == 0


def test_matching_reasons_are_shown_in_the_feed(app, world, login):
    with app.app_context():
        update_profile(_user(world["member"]), ProfileData(skills=["Danish tax"], interests=["CV"]))
        posts.create_post(
            _user(world["author"]),
            posts.PostData(kind="request", title="Tax request", body="b", tags=["Danish tax"]),
        )
        db.session.commit()
    html = login(world["member"]).get("/posts").get_data(as_text=True)
    assert "Matches your skill: Danish tax" in html
    assert "Matches your interest: CV" in html
    # a question with the same tag is not an offer or request: no mark
    assert html.count("Matches your skill") == 1


# --- escaping ------------------------------------------------------------------------------


def test_xss_in_title_body_tags_and_comments_is_inert(app, world, login):
    with app.app_context():
        post = posts.create_post(
            _user(world["author"]),
            posts.PostData(
                kind="question", title=XSS, body=XSS + " [x](javascript:alert(1))", tags=[XSS[:40]]
            ),
        )
        db.session.commit()
        comments.add_comment(_user(world["member"]), "post", post.id, XSS)
        db.session.commit()
        post_id = post.id
    client = login(world["member"])
    for path in ("/posts", f"/posts/{post_id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert 'href="javascript' not in html, path
        assert "&lt;script&gt;" in html, path


# --- pages and their cost ------------------------------------------------------------------


def test_feed_filters_and_paging(app, world, login):
    with app.app_context():
        for n in range(25):
            posts.create_post(
                _user(world["member"]),
                posts.PostData(kind="story", title=f"Story {n:02d}", body="b", city="amsterdam"),
            )
        db.session.commit()
    client = login(world["member"])
    first = client.get("/posts?kind=story").get_data(as_text=True)
    assert "Story 24" in first and "Who knows" not in first
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "Story 04" in second and "Story 24" not in second
    html = client.get("/posts?city=copenhagen").get_data(as_text=True)
    assert "Who knows" in html and "Story 0" not in html
    assert "No posts match" in client.get("/posts?connections=y").get_data(as_text=True)
    assert client.get("/posts?cursor=nonsense").status_code == 400
    assert client.get("/posts?kind=<b>&city=nowhere").status_code == 200


def _count_page(app, login, world, count_queries, path):
    client = login(world["member"])
    client.get(path)
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200
    return counter.count


def test_feed_query_count_is_constant(app, world, login, make_user, count_queries):
    counts = []
    for total in (5, 50):
        writers = [make_user().id for _n in range(5)]
        with app.app_context():
            update_profile(_user(world["member"]), ProfileData(skills=["Danish tax"]))
            have = db.session.scalar(select(func.count()).select_from(Post))
            for n in range(total - have + 3):
                post = posts.create_post(
                    db.session.get(User, writers[n % 5]),
                    posts.PostData(
                        kind=("offer", "request", "question")[n % 3],
                        title=f"Post {n}",
                        body="b",
                        tags=["Danish tax", f"tag {n}"],
                        group_id=None,
                    ),
                )
                comments.add_comment(_user(world["member"]), "post", post.id, "c")
            db.session.commit()
        counts.append(_count_page(app, login, world, count_queries, "/posts"))
    html = login(world["member"]).get("/posts").get_data(as_text=True)
    cursor = re.search(r'href="/posts\?cursor=([^"&]+)"', html).group(1)
    counts.append(_count_page(app, login, world, count_queries, f"/posts?cursor={cursor}"))
    assert counts[0] == counts[1] == counts[2], counts


def test_post_page_query_count_with_5_and_50_comments(app, world, login, make_user, count_queries):
    counts = []
    for total in (5, 50):
        pairs = [(make_user().id, make_user().id) for _n in range(total // 2)]
        with app.app_context():
            for n, (writer, replier) in enumerate(pairs):
                top = comments.add_comment(
                    db.session.get(User, writer), "post", world.question_id, f"Top {n}"
                )
                comments.add_comment(
                    db.session.get(User, replier), "post", world.question_id, f"Re {n}", top.id
                )
            db.session.commit()
        counts.append(_count_page(app, login, world, count_queries, f"/posts/{world.question_id}"))
    assert counts[0] == counts[1], counts


def test_nav_links_to_posts(app, world, login):
    html = login(world["member"]).get("/").get_data(as_text=True)
    assert 'href="/posts"' in html


def test_demo_has_posts_of_every_kind_with_comments_helpful_answers_and_groups(runner, app, login):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    _demo_groups_have_posts_their_members_see(app, login)
    with app.app_context():
        kinds = dict(db.session.execute(select(Post.kind, func.count()).group_by(Post.kind)).all())
        assert sum(kinds.values()) >= 150
        assert set(kinds) == set(posts.KINDS) and min(kinds.values()) >= 30
        assert db.session.scalar(select(func.sum(Post.helpful_count))) > 100
        assert db.session.scalar(
            select(func.count()).select_from(Post).where(Post.answer_comment_id.is_not(None))
        )
        from community.comments.models import Comment

        assert (
            db.session.scalar(
                select(func.count()).select_from(Comment).where(Comment.subject_type == "post")
            )
            > 100
        )


def _demo_groups_have_posts_their_members_see(app, login):
    """Every demo group has posts, written by its active members; the private group's show
    on its page and in the feed to its members only (the demo member is not one)."""
    from community.groups.models import Group, GroupMembership, GroupVisibility
    from tests.factories import UserRef

    with app.app_context():
        per_group = dict(
            db.session.execute(
                select(Group.slug, func.count(Post.id))
                .outerjoin(Post, Post.group_id == Group.id)
                .group_by(Group.slug)
            ).all()
        )
        assert len(per_group) >= 8 and min(per_group.values()) >= 1, per_group
        outsiders = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(
                Post.group_id.is_not(None),
                ~select(GroupMembership.id)
                .where(
                    GroupMembership.group_id == Post.group_id,
                    GroupMembership.user_id == Post.author_id,
                    GroupMembership.status == "active",
                )
                .exists(),
            )
        )
        assert outsiders == 0
        private = db.session.scalar(
            select(Group).where(Group.visibility == GroupVisibility.PRIVATE)
        )
        assert per_group[private.slug] >= 3
        title = db.session.scalar(
            select(Post.title).where(Post.group_id == private.id).order_by(Post.id.desc())
        )
        insider = db.session.scalar(
            select(User)
            .join(GroupMembership, GroupMembership.user_id == User.id)
            .where(
                GroupMembership.group_id == private.id,
                GroupMembership.status == "active",
                GroupMembership.role == "member",
            )
            .order_by(User.id)
        )
        insider = UserRef(insider.id, insider.email, insider.display_name, DEMO_PASSWORD)
        outsider = db.session.scalar(select(User).where(User.email == "member@alongside.example"))
        outsider = UserRef(outsider.id, outsider.email, outsider.display_name, DEMO_PASSWORD)
    member = login(insider)
    assert title in member.get(f"/groups/{private.slug}").get_data(as_text=True)
    assert title in member.get(f"/posts?group={private.slug}").get_data(as_text=True)
    stranger = login(outsider)
    assert stranger.get(f"/groups/{private.slug}").status_code == 404
    assert "No posts match" in stranger.get(f"/posts?group={private.slug}").get_data(as_text=True)


def test_the_authors_comments_carry_the_author_chip(app, world, login):
    with app.app_context():
        comments.add_comment(_user(world["author"]), "post", world.question_id, "Any ideas?")
        db.session.commit()
    html = login(world["member"]).get(f"/posts/{world.question_id}").get_data(as_text=True)
    assert '<span class="chip">Author</span>' in html
    assert '<span class="chip">Host</span>' not in html


def test_feed_from_my_connections(app, world, login):
    from community.connections import services as connections

    with app.app_context():
        request = connections.send_request(_user(world["member"]), world["author"].id)
        db.session.commit()
        connections.accept_request(_user(world["author"]), request.id)
        posts.create_post(
            _user(world["outsider"]), posts.PostData(kind="story", title="Stranger", body="b")
        )
        db.session.commit()
    html = login(world["member"]).get("/posts?connections=y").get_data(as_text=True)
    assert "Who knows Danish tax?" in html and "I can review CVs" in html
    assert "Stranger" not in html


@pytest.mark.parametrize("role", ROLES)
def test_comment_pages_of_a_private_group_post_follow_the_group(app, world, login, role):
    with app.app_context():
        comment = comments.add_comment(
            _user(world["group_organiser"]), "post", world.group_post_id, "Inside only"
        )
        db.session.commit()
        comment_id = comment.id
    client = login(world[role])
    token = csrf_token(client, "/posts")
    response = client.post(
        f"/comments/post/{world.group_post_id}", data={"csrf_token": token, "body": "Hi"}
    )
    assert response.status_code == (302 if SEES_GROUP[role] else 404)
    remove = client.get(f"/comments/{comment_id}/remove")
    assert remove.status_code == (
        200
        if role in ("moderator", "admin", "group_organiser")
        else 403
        if SEES_GROUP[role]
        else 404
    )
    if not SEES_GROUP[role]:
        assert "Inside only" not in remove.get_data(as_text=True)
