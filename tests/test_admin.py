"""The admin page: who may see it, granting and removing roles, suspension."""

from __future__ import annotations

import pytest

from community.auth.models import User
from community.auth.roles import Role, UserStatus
from community.extensions import db
from tests.conftest import post_form
from tests.factories import PASSWORD

BACKENDS = ("sqlite", "postgresql")

NOT_ADMINS = ("member", "organiser", "coordinator", "moderator")  # fixtures of tests/people.py


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("who", NOT_ADMINS)
def test_only_admins_see_and_use_the_admin_page(app, request, make_user, login, who):
    user = request.getfixturevalue(who)
    target = make_user()
    client = login(user)
    assert client.get("/admin").status_code == 403
    token_page = client.get("/settings").get_data(as_text=True)
    assert "Admin" not in token_page.split("<main")[0]  # no link in the navigation
    from tests.conftest import CSRF_RE

    token = CSRF_RE.search(token_page).group(1)
    grant = client.post(
        f"/admin/users/{target.id}/roles",
        data={"role": "admin", "action": "grant", "csrf_token": token},
    )
    suspend = client.post(
        f"/admin/users/{target.id}/status", data={"status": "suspended", "csrf_token": token}
    )
    assert grant.status_code == suspend.status_code == 403
    with app.app_context():
        victim = db.session.get(User, target.id)
        assert victim.roles == {Role.MEMBER}
        assert victim.status == UserStatus.ACTIVE


def test_admin_grants_and_removes_roles(app, admin, member, login):
    client = login(admin)
    page = client.get("/admin")
    assert page.status_code == 200
    assert "Mia Member" in page.get_data(as_text=True)
    response = post_form(
        client,
        f"/admin/users/{member.id}/roles",
        {"role": "organiser", "action": "grant"},
        form_page="/admin",
        follow_redirects=True,
    )
    assert "Mia Member is now organiser." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, member.id).has_role(Role.ORGANISER)
    post_form(
        client,
        f"/admin/users/{member.id}/roles",
        {"role": "organiser", "action": "remove"},
        form_page="/admin",
    )
    with app.app_context():
        assert not db.session.get(User, member.id).has_role(Role.ORGANISER)


def test_the_last_admin_cannot_be_removed(app, admin, login):
    client = login(admin)
    response = post_form(
        client,
        f"/admin/users/{admin.id}/roles",
        {"role": "admin", "action": "remove"},
        form_page="/admin",
        follow_redirects=True,
    )
    assert "last admin" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).has_role(Role.ADMIN)


def test_unknown_role_or_action_is_a_400(admin, member, login):
    client = login(admin)
    for data in ({"role": "emperor", "action": "grant"}, {"role": "organiser", "action": "nuke"}):
        response = post_form(client, f"/admin/users/{member.id}/roles", data, form_page="/admin")
        assert response.status_code == 400
    missing = post_form(
        client,
        "/admin/users/999999/roles",
        {"role": "organiser", "action": "grant"},
        form_page="/admin",
    )
    assert missing.status_code == 404


def test_suspension_ends_every_session_and_blocks_login(app, admin, make_user, login):
    member = make_user(display_name="Troll")
    member_client = login(member)
    assert member_client.get("/settings").status_code == 200

    admin_client = login(admin)
    response = post_form(
        admin_client,
        f"/admin/users/{member.id}/status",
        {"status": "suspended"},
        form_page="/admin",
        follow_redirects=True,
    )
    assert "Troll is suspended and logged out." in response.get_data(as_text=True)
    assert member_client.get("/settings").status_code == 302
    again = post_form(
        app.test_client(), "/auth/login", {"email": member.email, "password": PASSWORD}
    )
    assert "suspended" in again.get_data(as_text=True)

    post_form(
        admin_client, f"/admin/users/{member.id}/status", {"status": "active"}, form_page="/admin"
    )
    assert login(member).get("/settings").status_code == 200


def test_admin_list_uses_a_constant_number_of_queries(admin, make_user, login, count_queries):
    client = login(admin)
    client.get("/admin")
    with count_queries() as few:
        client.get("/admin")
    for _ in range(12):
        make_user(roles=(Role.ORGANISER,))
    with count_queries() as many:
        page = client.get("/admin")
    assert page.status_code == 200
    assert many.count == few.count, many.statements


def test_search_finds_by_name_or_email(admin, make_user, login):
    make_user(email="zoe@example.org", display_name="Zoë Zander")
    make_user(email="other@example.org", display_name="Other Person")
    client = login(admin)
    html = client.get("/admin?q=zander").get_data(as_text=True)
    assert "Zoë Zander" in html
    assert "Other Person" not in html
