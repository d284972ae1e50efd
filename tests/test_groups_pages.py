"""Group pages: who may open and do what (every role), private-group leakage (list, page,
members, the group's events on /events and the event page, counts), the join / request /
approve / remove / co-organiser / leave flows through the real forms with CSRF, the event
form's group select and its validation, the chat hook on every membership change, and a
fixed number of queries for the group page and the list.

Test data is made through the real services (`community.groups.services`)."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from community.auth.models import User
from community.auth.roles import Role
from community.events import services as events
from community.events.models import Event
from community.extensions import db
from community.groups import services as groups
from community.groups.models import Group, GroupMembership
from community.posts import services as posts
from tests.conftest import csrf_token, post_form, without_csrf
from tests.factories import event_data

SECRET = "Whispering Willows"
PUBLIC = "Open Oaks"


def html(response) -> str:
    return response.get_data(as_text=True)


def page_text(response) -> str:
    """The page without its CSRF tokens (they carry the second they were made), for
    comparing two pages served at different moments."""
    return without_csrf(html(response))


def user(ref) -> User:
    return db.session.get(User, ref.id)


@dataclass
class World:
    """A private and a public group, both started by `organiser`, with a co-organiser, a
    member, a requester (private group) and an event in each group."""

    private: str
    public: str
    private_id: int
    public_id: int
    token: str
    private_event: int
    public_event: int


@pytest.fixture
def people(make_user, organiser, member, moderator, admin):
    return {
        "organiser": organiser,
        "co_organiser": make_user("cora.co@example.org", "Cora Co"),
        "member": make_user("gil.member@example.org", "Gil Groupmember"),
        "requester": make_user("rae.requester@example.org", "Rae Requester"),
        "non_member": member,
        "moderator": moderator,
        "admin": admin,
    }


@pytest.fixture
def world(app, people) -> World:
    with app.app_context():
        host = user(people["organiser"])
        private = groups.create_group(
            host, groups.GroupData(name=SECRET, description="Only *us*.", visibility="private")
        )
        public = groups.create_group(host, groups.GroupData(name=PUBLIC, city="copenhagen"))
        for group in (private, public):
            for name in ("co_organiser", "member"):
                groups.request_to_join(user(people[name]), group)
                if group.is_private:
                    groups.approve_request(host, group, people[name].id)
            groups.make_organiser(host, group, people["co_organiser"].id)
        groups.request_to_join(user(people["requester"]), private)
        private_event = events.create_event(
            host, event_data(title="Secret supper", group_id=private.id)
        )
        public_event = events.create_event(
            host, event_data(title="Open picnic", group_id=public.id)
        )
        db.session.commit()
        return World(
            private.slug,
            public.slug,
            private.id,
            public.id,
            groups.invite_token(private),
            private_event.id,
            public_event.id,
        )


READERS = ("organiser", "co_organiser", "member", "moderator", "admin")
OUTSIDERS = ("requester", "non_member")


# --- who sees a private group --------------------------------------------------------------


@pytest.mark.parametrize("who", READERS + OUTSIDERS)
def test_private_group_is_the_same_404_as_a_missing_one_to_outsiders(
    app, login, people, world, who
):
    client = login(people[who])
    pages = [f"/groups/{world.private}", f"/groups/{world.private}/members"]
    for path in pages:
        status = client.get(path).status_code
        assert status == (200 if who in READERS else 404), (who, path)
    missing = client.get("/groups/no-such-group")
    assert missing.status_code == 404
    if who in OUTSIDERS:
        assert page_text(client.get(pages[0])) == page_text(missing)
    listing = html(client.get("/groups"))
    assert (SECRET in listing) == (who in READERS)
    assert PUBLIC in listing
    searched = html(client.get("/groups", query_string={"q": "whisper"}))
    assert (SECRET in searched) == (who in READERS)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_group_page_and_button_of_a_private_group_is_the_missing_404(
    app, login, people, world, who
):
    """Every GET page and every POST button under /groups/<slug>/, for a private group an
    outsider is not in, answers exactly like a group that does not exist; nothing changes."""
    client = login(people[who])
    token = csrf_token(client, f"/groups/{world.public}")
    target = people["member"].id
    gets = ["", "/members", "/edit", f"/members/{target}/remove", "/invite-link"]
    if who != "requester":  # a requester may open the leave page to withdraw
        gets.append("/leave")
    posts = [
        "/join",
        "/invite-link",
        f"/requests/{people['requester'].id}/approve",
        f"/requests/{people['requester'].id}/decline",
        f"/members/{target}/remove",
        f"/members/{target}/organiser",
    ]
    for slug in (world.private, "no-such-group"):
        answers = [client.get(f"/groups/{slug}{path}") for path in gets]
        answers += [
            client.post(f"/groups/{slug}{path}", data={"csrf_token": token}) for path in posts
        ]
        if slug == world.private:
            private = answers
    for path, hidden, missing in zip(gets + posts, private, answers, strict=True):
        assert hidden.status_code == 404, (who, path)
        assert page_text(hidden) == page_text(missing), (who, path)
    with app.app_context():
        group = db.session.get(Group, world.private_id)
        assert (group.member_count, group.invite_version) == (3, 0)


def test_the_group_page_shows_its_newest_posts_and_posts_link_back(app, login, people, world):
    with app.app_context():
        author = user(people["member"])
        for n in range(7):
            post = posts.create_post(
                author,
                posts.PostData(
                    kind="story",
                    title=f"Whispered story {n}",
                    body="Text.",
                    group_id=world.private_id,
                ),
            )
        db.session.commit()
        newest = post.id
    page = html(login(people["member"]).get(f"/groups/{world.private}"))
    assert "Whispered story 6" in page and "Whispered story 2" in page
    assert "Whispered story 1" not in page  # five shown; the feed has the rest
    assert f'href="/posts?group={world.private}"' in page
    assert f'href="/posts/new?group={world.private_id}"' in page  # a member may write here
    post_page = html(login(people["member"]).get(f"/posts/{newest}"))
    assert f'href="/groups/{world.private}"' in post_page
    assert login(people["non_member"]).get(f"/posts/{newest}").status_code == 404


@pytest.mark.parametrize("who", READERS + OUTSIDERS)
def test_events_of_a_private_group_are_hidden_from_outsiders(app, login, people, world, who):
    client = login(people[who])
    listing = html(client.get("/events"))
    assert "Open picnic" in listing
    assert ("Secret supper" in listing) == (who in READERS)
    status = client.get(f"/events/{world.private_event}").status_code
    assert status == (200 if who in READERS else 404)
    page = html(client.get(f"/events/{world.public_event}"))
    assert "In group" in page and PUBLIC in page


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for path in (
        "/groups",
        f"/groups/{world.public}",
        "/groups/new",
        f"/groups/{world.public}/members",
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_invite_link_shows_only_the_name_and_a_wrong_token_is_the_missing_404(
    app, login, people, world
):
    outsider = login(people["non_member"])
    page = outsider.get(f"/groups/{world.private}/join/{world.token}")
    assert page.status_code == 200
    assert SECRET in html(page) and "Only <em>us</em>" not in html(page)
    wrong = outsider.get(f"/groups/{world.private}/join/{'0' * 32}")
    assert wrong.status_code == 404
    assert page_text(wrong) == page_text(outsider.get("/groups/no-such-group"))


# --- a new invite link ---------------------------------------------------------------------


def invite_version(app, group_id: int) -> int:
    with app.app_context():
        return db.session.get(Group, group_id).invite_version


def test_a_new_invite_link_replaces_the_old_one(app, login, people, world):
    old = f"/groups/{world.private}/join/{world.token}"
    outsider = login(people["non_member"])
    assert outsider.get(old).status_code == 200
    host = login(people["organiser"])
    assert "Make a new link" in html(host.get(f"/groups/{world.private}"))
    ask = host.get(f"/groups/{world.private}/invite-link")
    assert ask.status_code == 200
    assert "The old link stops working" in html(ask) and 'name="csrf_token"' in html(ask)
    assert invite_version(app, world.private_id) == 0  # the GET only asks
    assert host.post(f"/groups/{world.private}/invite-link").status_code == 400  # no CSRF
    done = post_form(host, f"/groups/{world.private}/invite-link", {}, follow_redirects=True)
    assert done.status_code == 200 and "The old one no longer works" in html(done)
    new = re.search(r'id="invite-link" type="url" readonly value="([^"]+)"', html(done)).group(1)
    assert world.token not in html(done)
    new_path = new.split("localhost", 1)[-1]
    assert new_path.startswith(f"/groups/{world.private}/join/") and new_path != old
    # The old link is now exactly the missing-group 404; the new one works.
    gone = outsider.get(old)
    assert gone.status_code == 404
    assert page_text(gone) == page_text(outsider.get("/groups/no-such-group"))
    assert post_form(outsider, old, {}, form_page=new_path).status_code == 404
    assert outsider.get(new_path).status_code == 200
    assert post_form(outsider, new_path, {}).status_code == 302
    with app.app_context():
        asked = db.session.scalar(
            select(GroupMembership.status).where(
                GroupMembership.group_id == world.private_id,
                GroupMembership.user_id == people["non_member"].id,
            )
        )
    assert asked == "requested"
    # A second renewal retires the second link too.
    post_form(host, f"/groups/{world.private}/invite-link", {})
    assert outsider.get(new_path).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 302),
        ("co_organiser", 302),
        ("moderator", 302),  # moderators and admins manage every group (`can_manage_group`)
        ("admin", 302),
        ("member", 403),
        ("requester", 404),
        ("non_member", 404),
    ],
)
def test_who_may_make_a_new_invite_link(app, login, people, world, who, status):
    client = login(people[who])
    path = f"/groups/{world.private}/invite-link"
    assert client.get(path).status_code == (200 if status == 302 else status)
    response = post_form(client, path, {}, form_page=f"/groups/{world.public}")
    assert response.status_code == status
    assert invite_version(app, world.private_id) == (1 if status == 302 else 0)
    # After a renewal the old link is the missing 404; after a refusal it still works
    # (a page, or the group itself for those already in it).
    old = client.get(f"/groups/{world.private}/join/{world.token}").status_code
    assert (old == 404) == (status == 302)


def test_anonymous_visitors_cannot_make_a_new_invite_link(app, client, world):
    path = f"/groups/{world.private}/invite-link"
    for response in (client.get(path), client.post(path)):
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]
    assert invite_version(app, world.private_id) == 0


@pytest.mark.parametrize("who", ("member", "requester", "non_member"))
def test_the_invite_link_is_shown_to_organisers_only(app, login, people, world, who):
    client = login(people[who])
    with app.app_context():
        public_token = groups.invite_token(db.session.get(Group, world.public_id))
    for slug, token in ((world.private, world.token), (world.public, public_token)):
        for path in (f"/groups/{slug}", f"/groups/{slug}/members", "/groups"):
            page = html(client.get(path))
            assert token not in page and "/join/" not in page, (who, path)
            assert "Make a new link" not in page
    organiser_page = html(login(people["co_organiser"]).get(f"/groups/{world.private}"))
    assert world.token in organiser_page


# --- joining, requests, approving ----------------------------------------------------------


def test_join_a_public_group_counts_once(app, login, people, world):
    client = login(people["non_member"])
    for _ in range(2):
        response = post_form(
            client, f"/groups/{world.public}/join", {}, form_page=f"/groups/{world.public}"
        )
        assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Group, world.public_id).member_count == 3 + 1


def test_joining_a_private_group_directly_is_the_missing_404(app, login, people, world):
    client = login(people["non_member"])
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        html(client.get(f"/groups/{world.public}")),
    ).group(1)
    response = client.post(f"/groups/{world.private}/join", data={"csrf_token": token})
    assert response.status_code == 404


def test_request_through_the_invite_link_then_an_organiser_approves(app, login, people, world):
    newcomer = login(people["non_member"])
    link = f"/groups/{world.private}/join/{world.token}"
    assert post_form(newcomer, link, {}).status_code == 302
    assert newcomer.get(f"/groups/{world.private}").status_code == 404  # still waiting
    assert "waiting for an organiser" in html(newcomer.get(link))
    co = login(people["co_organiser"])
    page = html(co.get(f"/groups/{world.private}"))
    assert "Mia Member" in page and "Rae Requester" in page
    path = f"/groups/{world.private}/requests/{people['non_member'].id}/approve"
    assert post_form(co, path, {}, form_page=f"/groups/{world.private}").status_code == 302
    assert newcomer.get(f"/groups/{world.private}").status_code == 200
    with app.app_context():
        assert db.session.get(Group, world.private_id).member_count == 4


def test_a_group_card_shows_the_descriptions_first_paragraph_escaped(app, login, people):
    with app.app_context():
        groups.create_group(
            user(people["organiser"]),
            groups.GroupData(
                name="Card check",
                description="Tax *tips* & `<img src=x onerror=alert(1)>` here.\n\n- Later item",
            ),
        )
        db.session.commit()
    listing = html(login(people["member"]).get("/groups"))
    assert "Tax tips &amp; &lt;img src=x onerror=alert(1)&gt; here." in listing
    assert "<img src=x" not in listing and "Later item" not in listing


@pytest.mark.parametrize("who", READERS)
def test_the_groups_list_tells_organisers_how_many_requests_wait(app, login, people, world, who):
    client = login(people[who])
    listing = html(client.get("/groups"))
    assert ("1 request to answer" in listing) == (who in ("organiser", "co_organiser"))
    if who == "organiser":
        path = f"/groups/{world.private}/requests/{people['requester'].id}/decline"
        assert post_form(client, path, {}, form_page="/groups").status_code == 302
        assert "request to answer" not in html(client.get("/groups"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 302),
        ("co_organiser", 302),
        ("moderator", 302),
        ("admin", 302),
        ("member", 403),
        ("requester", 404),
        ("non_member", 404),
    ],
)
def test_who_may_approve_a_request(app, login, people, world, who, status):
    client = login(people[who])
    path = f"/groups/{world.private}/requests/{people['requester'].id}/approve"
    response = post_form(client, path, {}, form_page="/groups")
    assert response.status_code == status
    with app.app_context():
        count = db.session.get(Group, world.private_id).member_count
    assert count == (4 if status == 302 else 3)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 302),
        ("co_organiser", 302),
        ("moderator", 302),
        ("member", 403),
        ("non_member", 403),
    ],
)
def test_who_may_remove_a_member_of_a_public_group(app, login, people, world, who, status):
    client = login(people[who])
    path = f"/groups/{world.public}/members/{people['member'].id}/remove"
    response = post_form(client, path, {}, form_page="/groups")
    assert response.status_code == status
    with app.app_context():
        assert db.session.get(Group, world.public_id).member_count == (2 if status == 302 else 3)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 200),
        ("co_organiser", 200),
        ("moderator", 200),
        ("admin", 200),
        ("member", 403),
        ("requester", 404),
        ("non_member", 404),
    ],
)
def test_removing_a_member_asks_first_and_only_organisers_are_asked(
    app, login, people, world, who, status
):
    client = login(people[who])
    members = html(client.get(f"/groups/{world.private}/members"))
    path = f"/groups/{world.private}/members/{people['member'].id}/remove"
    assert (f'href="{path}"' in members) == (status == 200)
    response = client.get(path)
    assert response.status_code == status
    if status == 200:
        page = html(response)
        assert "Remove Gil Groupmember from the group?" in page
        assert "ask to join again through the invite link" in page
        assert f'action="{path}"' in page and 'name="csrf_token"' in page
    with app.app_context():
        assert db.session.get(Group, world.private_id).member_count == 3  # asking changes nothing


def test_the_remove_question_for_oneself_or_a_non_member_goes_back_with_the_reason(
    app, login, people, world
):
    host = login(people["organiser"])
    for user_id, reason in (
        (people["organiser"].id, "To leave the group, use Leave."),
        (people["requester"].id, "That member is not in this group any more."),
        (people["non_member"].id, "That member is not in this group any more."),
    ):
        response = host.get(f"/groups/{world.private}/members/{user_id}/remove")
        assert response.status_code == 302
        assert response.headers["Location"] == f"/groups/{world.private}/members"
        assert reason in html(host.get(response.headers["Location"]))
    done = post_form(
        host,
        f"/groups/{world.private}/members/{people['member'].id}/remove",
        {},
        follow_redirects=True,
    )
    assert "The member is removed from the group." in html(done)
    assert login(people["member"]).get(f"/groups/{world.private}").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organiser", 200),
        ("co_organiser", 200),
        ("admin", 200),
        ("member", 403),
        ("non_member", 404),
    ],
)
def test_who_may_edit_a_private_group(app, login, people, world, who, status):
    client = login(people[who])
    assert client.get(f"/groups/{world.private}/edit").status_code == status


def test_make_co_organiser_then_they_see_the_organisers_tools(app, login, people, world):
    host = login(people["organiser"])
    path = f"/groups/{world.public}/members/{people['member'].id}/organiser"
    assert post_form(host, path, {}, form_page=f"/groups/{world.public}/members").status_code == 302
    page = html(login(people["member"]).get(f"/groups/{world.public}"))
    assert "For organisers" in page and "Invite link" in page


# --- leaving -------------------------------------------------------------------------------


def test_the_last_organiser_names_a_successor_to_leave(app, login, people, world):
    host = login(people["organiser"])
    co = login(people["co_organiser"])
    assert post_form(co, f"/groups/{world.public}/leave", {}).status_code == 302
    refused = post_form(host, f"/groups/{world.public}/leave", {})
    assert refused.status_code == 200 and "choose a member to take over" in html(refused)
    done = post_form(
        host, f"/groups/{world.public}/leave", {"successor_id": str(people["member"].id)}
    )
    assert done.status_code == 302
    with app.app_context():
        group = db.session.get(Group, world.public_id)
        assert group.member_count == 1
        assert groups.can_manage_group(user(people["member"]), group)


def test_the_only_member_cannot_leave(app, login, people, organiser):
    with app.app_context():
        group = groups.create_group(user(organiser), groups.GroupData(name="Solo"))
        db.session.commit()
        slug = group.slug
    response = post_form(login(organiser), f"/groups/{slug}/leave", {})
    assert "only member" in html(response)


def test_a_requester_withdraws_their_request(app, login, people, world):
    client = login(people["requester"])
    assert client.get(f"/groups/{world.private}/leave").status_code == 200
    assert post_form(client, f"/groups/{world.private}/leave", {}).status_code == 302
    with app.app_context():
        assert groups.pending_requests(db.session.get(Group, world.private_id)) == []


# --- creating and editing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("organiser", 200), ("moderator", 200), ("admin", 200), ("non_member", 403)]
)
def test_who_may_open_the_new_group_form(login, people, who, status):
    assert login(people[who]).get("/groups/new").status_code == status


def test_create_a_group_slug_is_unique_and_description_is_sanitised(app, login, organiser):
    client = login(organiser)
    data = {
        "name": "Parents <script>alert(1)</script>",
        "description": "Hi <script>alert(2)</script> [x](javascript:alert(3))",
        "city": "copenhagen",
        "visibility": "public",
    }
    first = post_form(client, "/groups/new", data)
    second = post_form(client, "/groups/new", data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] != second.headers["Location"]
    page = html(client.get(first.headers["Location"]))
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "Parents &lt;script&gt;" in page and "&lt;script&gt;alert(2)" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give the group a name."),
        ({"name": "x" * 81}, "name", "Use at most 80 characters."),
        ({"name": "Ok", "city": "atlantis"}, "city", "Choose a city from the list."),
        ({"name": "Ok", "visibility": "secret"}, "visibility", "Choose public or private."),
    ],
)
def test_the_group_form_refuses_bad_input_with_a_form_error(login, organiser, data, field, message):
    response = post_form(login(organiser), "/groups/new", {"visibility": "public", **data})
    assert response.status_code == 200
    assert message in html(response)


def test_renaming_keeps_the_slug(app, login, people, world):
    client = login(people["organiser"])
    response = post_form(
        client, f"/groups/{world.public}/edit", {"name": "New name", "visibility": "public"}
    )
    assert response.headers["Location"].endswith(f"/groups/{world.public}")
    assert "New name" in html(client.get(f"/groups/{world.public}"))


# --- events in groups ----------------------------------------------------------------------


def test_the_event_form_lists_only_groups_the_organiser_runs(app, login, people, world, make_user):
    with app.app_context():
        other = make_user("oz.other@example.org", "Oz Other", roles=(Role.ORGANISER,))
        groups.create_group(user(other), groups.GroupData(name="Not yours"))
        db.session.commit()
    page = html(login(people["organiser"]).get("/events/new"))
    assert SECRET in page and PUBLIC in page and "Not yours" not in page


def test_an_event_in_a_group_one_does_not_organise_is_refused_not_a_500(app, people, world):
    with app.app_context():
        host = user(people["organiser"])
        for bad in (world.public_id + 999, -1):
            with pytest.raises(groups.Invalid) as refused:
                events.create_event(host, event_data(group_id=bad))
            assert refused.value.field == "group_id"
        db.session.rollback()
        other = user(people["moderator"])  # not an organiser of the group
        with pytest.raises(groups.Invalid):
            events.create_event(other, event_data(group_id=world.private_id))


def test_the_event_form_with_a_foreign_group_shows_a_field_error(
    app, login, people, world, make_user
):
    stranger = make_user("sam.stranger@example.org", "Sam Stranger", roles=(Role.ORGANISER,))
    client = login(stranger)
    data = {
        "title": "Sneaky",
        "category": "social",
        "timezone": "Europe/Copenhagen",
        "date": "2031-05-01",
        "start_time": "18:00",
        "end_time": "20:00",
        "venue": "Somewhere 1",
        "guests_allowed": "0",
        "group_id": str(world.private_id),
    }
    response = post_form(client, "/events/new", data)
    assert response.status_code == 200
    assert "Choose one of the groups you organise." in html(response)
    with app.app_context():
        assert db.session.scalar(db.select(Event).where(Event.title == "Sneaky")) is None


# --- the chat hook -------------------------------------------------------------------------


def test_the_groups_chat_room_follows_every_membership_change(app, people, organiser):
    from community.chat.services import member_ids, room_of

    with app.app_context():
        host = user(organiser)
        group = groups.create_group(host, groups.GroupData(name="Hooked", visibility="private"))

        def in_room() -> set[int]:
            return set(member_ids(room_of("group_id", group.id).id))

        assert in_room() == {organiser.id}
        groups.request_to_join(user(people["member"]), group)
        assert in_room() == {organiser.id}  # a request changes nobody's membership
        groups.approve_request(host, group, people["member"].id)
        assert in_room() == {organiser.id, people["member"].id}
        groups.make_organiser(host, group, people["member"].id)
        groups.update_group(host, group, groups.GroupData(visibility="public"))
        groups.join_group(user(people["requester"]), group)
        assert in_room() == {organiser.id, people["member"].id, people["requester"].id}
        groups.remove_member(host, group, people["requester"].id)
        assert in_room() == {organiser.id, people["member"].id}
        groups.leave_group(user(people["member"]), group)
        assert in_room() == {organiser.id}
        db.session.commit()


# --- query counts --------------------------------------------------------------------------


def _grow(app, organiser, slug: str, make_user, n: int, start: int) -> None:
    """`n` more members in the group, `n` more groups on the list, some more group events."""
    refs = [
        make_user(f"grow{index}@example.org", f"Grow {index}") for index in range(start, start + n)
    ]
    with app.app_context():
        group = db.session.scalar(db.select(Group).where(Group.slug == slug))
        host = user(organiser)
        for index, ref in enumerate(refs, start):
            groups.join_group(user(ref), group)
            groups.create_group(host, groups.GroupData(name=f"Extra {index}"))
            if index % 10 == 0:
                events.create_event(host, event_data(title=f"Grow {index}", group_id=group.id))
        db.session.commit()


def test_group_page_and_list_run_a_fixed_number_of_queries(
    app, login, people, world, make_user, count_queries
):
    client = login(people["organiser"])
    _grow(app, people["organiser"], world.public, make_user, 5, 0)
    client.get(f"/groups/{world.public}")
    client.get("/groups")
    with count_queries() as small_page:
        assert client.get(f"/groups/{world.public}").status_code == 200
    with count_queries() as small_list:
        assert client.get("/groups").status_code == 200
    _grow(app, people["organiser"], world.public, make_user, 45, 5)
    with count_queries() as big_page:
        assert client.get(f"/groups/{world.public}").status_code == 200
    with count_queries() as big_list:
        assert client.get("/groups").status_code == 200
    assert len(big_page.statements) == len(small_page.statements)
    assert len(big_list.statements) == len(small_list.statements)


def test_members_page_is_keyset_paged(app, login, people, world, make_user):
    refs = [make_user(f"pager{index}@example.org", f"Pager {index:02d}") for index in range(25)]
    with app.app_context():
        group = db.session.get(Group, world.public_id)
        for ref in refs:
            groups.join_group(user(ref), group)
        db.session.commit()
    client = login(people["member"])
    first = html(client.get(f"/groups/{world.public}/members"))
    assert "Olu Organiser" in first and 'rel="next"' in first
    cursor = re.search(r'rel="next" href="[^"]*cursor=([^"&]+)', first).group(1)
    second = html(client.get(f"/groups/{world.public}/members?cursor={cursor}"))
    assert "Pager 24" in second and "Olu Organiser" not in second
    assert client.get(f"/groups/{world.public}/members?cursor=garbage").status_code == 400


def test_membership_rows_match_the_count(app, world):
    with app.app_context():
        for group_id in (world.private_id, world.public_id):
            active = db.session.scalar(
                db.select(db.func.count())
                .select_from(GroupMembership)
                .where(GroupMembership.group_id == group_id, GroupMembership.status == "active")
            )
            assert db.session.get(Group, group_id).member_count == active


# --- covers and the home page ----------------------------------------------------------------


def _small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_private_groups_cover_is_written_after_commit_and_hidden_from_outsiders(
    app, login, people, world
):
    from tests.conftest import csrf_token, post_multipart

    host = login(people["organiser"])
    path = f"/groups/{world.private}/edit"
    fields = {
        "csrf_token": csrf_token(host, path),
        "name": SECRET,
        "visibility": "private",
        "cover_alt": "Willows by a lake",
        "cover": FileStorage(io.BytesIO(_small_png()), "willows.png", "cover", "image/png"),
    }
    assert post_multipart(host, path, fields).status_code == 302
    with app.app_context():
        name = db.session.get(Group, world.private_id).cover_name
    assert name and os.path.isfile(app.config["GROUP_COVER_DIR"] + "/" + name)
    for who, status in (("organiser", 200), ("member", 200), ("non_member", 404)):
        response = login(people[who]).get(f"/groups/covers/{name}")
        response.close()
        assert response.status_code == status, who


def test_a_cover_without_its_text_is_refused_and_writes_no_file(app, login, people, world):
    from tests.conftest import csrf_token, post_multipart

    host = login(people["organiser"])
    path = f"/groups/{world.public}/edit"
    fields = {
        "csrf_token": csrf_token(host, path),
        "name": PUBLIC,
        "visibility": "public",
        "cover": FileStorage(io.BytesIO(_small_png()), "oaks.png", "cover", "image/png"),
    }
    response = post_multipart(host, path, fields)
    assert response.status_code == 200
    assert "Say what the image shows" in html(response)
    folder = app.config["GROUP_COVER_DIR"]
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_home_page_does_not_suggest_events_of_a_private_group(app, login, people, world, make_user):
    from community.connections import services as connections

    with app.app_context():
        outsider, insider = user(people["non_member"]), user(people["member"])
        request = connections.send_request(outsider, insider.id)
        connections.accept_request(insider, request.id)
        for event_id in (world.private_event, world.public_event):
            events.rsvp(insider, db.session.get(Event, event_id), 0)
        db.session.commit()
    home = html(login(people["non_member"]).get("/"))
    assert "Open picnic" in home and "Secret supper" not in home


# --- blocks --------------------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["viewer blocked them", "they blocked the viewer"])
def test_members_blocked_either_way_are_left_out_of_the_lists(app, login, people, world, direction):
    """The group page's members and the members list leave out a member the viewer
    blocked or who blocked the viewer (the directory's rule); the others stay."""
    viewer, other = people["member"], people["co_organiser"]
    for path in (f"/groups/{world.public}", f"/groups/{world.public}/members"):
        assert other.display_name in html(login(viewer).get(path))
    with app.app_context():
        from community.connections import services as connections

        if direction == "viewer blocked them":
            connections.block(user(viewer), other.id)
        else:
            connections.block(user(other), viewer.id)
        db.session.commit()
    client = login(viewer)
    for path in (f"/groups/{world.public}", f"/groups/{world.public}/members"):
        page = html(client.get(path))
        assert other.display_name not in page, path
        assert people["organiser"].display_name in page and viewer.display_name in page
    # a third member still sees both of them
    third = html(login(people["organiser"]).get(f"/groups/{world.public}/members"))
    assert other.display_name in third and viewer.display_name in third


def test_the_groups_text_box_searches_the_index(app, login, people, organiser):
    with app.app_context():
        host = user(organiser)
        groups.create_group(
            host, groups.GroupData(name="Freelancers abroad", description="Invoices, VAT.")
        )
        groups.create_group(host, groups.GroupData(name="100% fun quizzes"))
        db.session.commit()
    client = login(people["member"])

    def found(q: str) -> bool:
        return "Freelancers abroad" in html(client.get("/groups", query_string={"q": q}))

    assert found("freelancing")  # stemmed
    assert found("invoi")  # the last word is a prefix
    assert not found("gardening")
    quizzes = html(client.get("/groups", query_string={"q": "%"}))
    assert "100% fun quizzes" not in quizzes and "Freelancers abroad" not in quizzes
