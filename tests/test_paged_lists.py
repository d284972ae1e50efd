"""Every list page is keyset-paged with the one pager macro: the network page, the admin list
and the directory; links work without JavaScript and a later page costs what the first does.
"""

from __future__ import annotations

import re

import pytest

from community.auth.models import User
from community.auth.roles import Role
from community.connections import services as connections
from community.extensions import db
from tests.conftest import post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")
PAGER_LINK = re.compile(r'<a class="button button--secondary" rel="(prev|next)" href="([^"]+)"')


def logged_in(app, ref):
    client = app.test_client()
    post_form(client, "/auth/login", {"email": ref.email, "password": PASSWORD})
    return client


def pager_links(html: str) -> dict[str, str]:
    return {rel: href.replace("&amp;", "&") for rel, href in PAGER_LINK.findall(html)}


def names_in(html: str, names: list[str]) -> list[str]:
    return [name for name in names if f">{name}</a>" in html]


@pytest.fixture
def network(app, make_user):
    """A member connected to 60 others whose names sort in a known order."""
    me = make_user(display_name="Hub")
    names = [f"Friend {n:02d}" for n in range(60)]
    friends = [make_user(display_name=name).id for name in reversed(names)]  # reverse order
    with app.app_context():
        hub = db.session.get(User, me.id)
        for friend_id in friends:
            other = db.session.get(User, friend_id)
            request = connections.send_request(other, hub.id)
            connections.accept_request(hub, request.id)
        db.session.commit()
    return me, names


def test_network_page_pages_connections_by_name(app, network, count_queries):
    me, names = network
    client = logged_in(app, me)
    html = client.get("/connections").get_data(as_text=True)
    assert '<span class="count">60</span>' in html
    first = names_in(html, names)
    assert first == names[:48]
    links = pager_links(html)
    assert set(links) == {"next"}
    with count_queries() as counter:
        second_html = client.get(links["next"]).get_data(as_text=True)
    assert names_in(second_html, names) == names[48:]
    assert set(pager_links(second_html)) == {"prev"}
    back = client.get(pager_links(second_html)["prev"]).get_data(as_text=True)
    assert names_in(back, names) == names[:48]
    with count_queries() as first_counter:
        client.get("/connections")
    assert counter.count == first_counter.count


def test_network_page_with_a_bad_cursor_is_a_400_page(app, network):
    me, _names = network
    response = logged_in(app, me).get("/connections?cursor=not-ours")
    assert response.status_code == 400
    assert "text/html" in response.content_type


@pytest.fixture
def admin_and_accounts(app, make_user):
    admin = make_user(display_name="Ada Admin", roles=(Role.ADMIN,))
    for n in range(55):
        make_user(email=f"member{n:02d}@example.org", display_name=f"Member {n:02d}")
    make_user(email="percent@example.org", display_name="100% Real")
    make_user(email="under_score@example.org", display_name="Under Score")
    return admin


def test_admin_list_pages_through_every_account_once(app, admin_and_accounts):
    client = logged_in(app, admin_and_accounts)
    seen, url = [], "/admin"
    for _ in range(5):
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<h2 class="admin-user__name">([^<]+)</h2>', html)
        url = pager_links(html).get("next")
        if url is None:
            break
    assert len(seen) == 58
    assert len(set(seen)) == 58


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", ["100% Real"]),
        ("_", ["Under Score"]),
        ("MEMBER 0", [f"Member 0{n}" for n in range(10)]),
    ],
    ids=["percent", "underscore", "case"],
)
def test_admin_search_takes_wildcards_literally(app, admin_and_accounts, query, expected):
    html = logged_in(app, admin_and_accounts).get("/admin", query_string={"q": query})
    found = re.findall(r'<h2 class="admin-user__name">([^<]+)</h2>', html.get_data(as_text=True))
    assert found == expected


def test_directory_pager_keeps_the_filters(app, make_user):
    viewer = make_user()
    for n in range(25):
        make_user(display_name=f"Sam {n:02d}")
    client = logged_in(app, viewer)
    html = client.get("/members", query_string={"q": "sam"}).get_data(as_text=True)
    links = pager_links(html)
    assert set(links) == {"next"}
    assert "q=sam" in links["next"]
    more = client.get(links["next"]).get_data(as_text=True)
    assert "Sam 04" in more
    assert "Sam 24" not in more
    assert set(pager_links(more)) == {"prev"}
