"""The JSON API v1 contract (DESIGN.md, "JSON API v1"): tokens, /me, the directory,
connections and blocks, the OpenAPI document, and that private data never leaves through it.

Test data is made through the real services (`update_profile`, the connection verbs) or the
API itself; every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from community.auth import services as accounts
from community.auth.models import User, UserRole
from community.auth.roles import UserStatus
from community.connections import services as connections
from community.extensions import db
from community.profiles.services import ProfileData, update_profile
from tests.conftest import AuthActions
from tests.factories import PASSWORD, UserRef

BACKENDS = ("sqlite", "postgresql")

MISSING_ID = 987_654


# --- helpers -------------------------------------------------------------------------------


@dataclass
class ApiClient:
    """A test client that sends one member's bearer token with every request."""

    client: FlaskClient
    token: str
    user: UserRef

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path: str, json=None, **kw):
        return self.client.post(path, json=json, headers=self.headers, **kw)

    def patch(self, path: str, json=None, **kw):
        return self.client.patch(path, json=json, headers=self.headers, **kw)

    def put(self, path: str, json=None, **kw):
        return self.client.put(path, json=json, headers=self.headers, **kw)

    def delete(self, path: str, **kw):
        return self.client.delete(path, headers=self.headers, **kw)


def request_token(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/api/v1/tokens", json={"email": email, "password": password})


def api_login(app: Flask, user: UserRef) -> ApiClient:
    """A fresh client holding a token of `user`, obtained through POST /api/v1/tokens."""
    client = app.test_client()
    response = request_token(client, user.email, user.password)
    assert response.status_code == 201, response.get_data(as_text=True)
    return ApiClient(client, response.get_json()["token"], user)


def set_profile(app: Flask, user: UserRef, **fields) -> None:
    """Change `user`'s profile through the real service and commit."""
    with app.app_context():
        update_profile(db.session.get(User, user.id), ProfileData(**fields))
        db.session.commit()


def connect(app: Flask, requester: UserRef, other: UserRef) -> None:
    """Make two members connected through the connection services."""
    with app.app_context():
        request = connections.send_request(db.session.get(User, requester.id), other.id)
        connections.accept_request(db.session.get(User, other.id), request.id)
        db.session.commit()


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def error_fields(response) -> dict:
    return response.get_json()["error"].get("fields") or {}


def item_ids(response) -> list[int]:
    return [item["id"] for item in response.get_json()["items"]]


def encode_cursor(raw: str) -> str:
    """A cursor the server never made: base64 of arbitrary JSON text."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# --- tokens --------------------------------------------------------------------------------


def test_token_is_issued_for_the_right_password(app, make_user):
    user = make_user()
    response = request_token(app.test_client(), user.email)
    assert response.status_code == 201
    token = response.get_json()["token"]
    assert isinstance(token, str) and len(token) >= 32
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == user.id
    assert request_token(app.test_client(), user.email.upper()).status_code == 201


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user()
    wrong_password = request_token(client, user.email, "not the passphrase at all")
    unknown_email = request_token(client, "nobody-here@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.get_json() == unknown_email.get_json()
    assert error_code(wrong_password) == "unauthorized"


def test_unconfirmed_account_gets_403(client, make_user):
    user = make_user(confirmed=False)
    response = request_token(client, user.email)
    assert response.status_code == 403
    assert error_code(response) == "forbidden"


def test_token_is_stored_only_as_a_hash(app, make_user):
    api = api_login(app, make_user())
    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM api_tokens")).mappings().all()
    assert len(rows) == 1
    stored = json.dumps([dict(row) for row in rows], default=str)
    assert api.token not in stored
    assert api.token[4:] not in stored  # not even without its prefix
    assert rows[0]["token_hash"] == hashlib.sha256(api.token.encode()).hexdigest()


def test_revoked_token_gets_401_and_other_tokens_keep_working(app, make_user):
    user = make_user()
    phone, laptop = api_login(app, user), api_login(app, user)
    response = phone.delete("/api/v1/tokens/current")
    assert response.status_code == 204
    assert response.get_data() == b""
    revoked = phone.get("/api/v1/me")
    assert revoked.status_code == 401
    assert error_code(revoked) == "unauthorized"
    assert phone.delete("/api/v1/tokens/current").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200


def test_suspended_accounts_token_gets_401(app, make_user):
    user = make_user()
    api = api_login(app, user)
    assert api.get("/api/v1/me").status_code == 200
    with app.app_context():
        accounts.set_status(db.session.get(User, user.id), UserStatus.SUSPENDED)
        db.session.commit()
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert error_code(response) == "unauthorized"
    assert request_token(app.test_client(), user.email).status_code == 403


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic abc", "Bearer alg_not-a-real-token", "Bearer " + "x" * 500],
    ids=["none", "scheme-only", "empty", "basic", "unknown-token", "oversized"],
)
def test_requests_without_a_valid_token_get_401_json(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.is_json
    assert error_code(response) == "unauthorized"


@pytest.mark.parametrize(
    "app_overrides",
    [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per hour", "LOGIN_LIMIT_PER_IP": "50 per hour"}],
)
def test_failed_token_requests_are_rate_limited_like_logins(client, make_user):
    user = make_user()
    for _ in range(3):
        assert request_token(client, user.email, "wrong passphrase!").status_code == 401
    response = request_token(client, user.email, "wrong passphrase!")
    assert response.status_code == 429
    assert response.is_json
    assert error_code(response) == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"]["retry_after"] > 0
    # Even the right password waits now; another account is not affected.
    assert request_token(client, user.email).status_code == 429
    assert request_token(client, make_user().email).status_code == 201


@pytest.mark.parametrize("app_overrides", [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per hour"}])
def test_successful_token_requests_do_not_count(client, make_user):
    user = make_user()
    assert [request_token(client, user.email).status_code for _ in range(5)] == [201] * 5


@pytest.mark.parametrize(
    "app_overrides",
    [{"LOGIN_LIMIT_PER_ACCOUNT": "3 per hour", "LOGIN_LIMIT_PER_IP": "50 per hour"}],
)
def test_login_form_and_token_endpoint_share_the_per_account_budget(app, make_user):
    user = make_user()
    browser = AuthActions(app.test_client())
    for _ in range(2):
        assert browser.login(user.email, "wrong passphrase!").status_code == 200
    api = app.test_client()
    assert request_token(api, user.email, "wrong passphrase!").status_code == 401
    assert request_token(api, user.email, "wrong passphrase!").status_code == 429


@pytest.mark.parametrize(
    "body", [["a@example.org"], "a@example.org", 5], ids=["list", "str", "int"]
)
def test_token_request_with_a_non_object_body_is_refused_cleanly(client, body):
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == 422
    assert response.is_json
    assert error_code(response) == "validation_error"


# --- no cookies under /api -----------------------------------------------------------------


def test_a_logged_in_browser_session_is_not_accepted_by_the_api(app, member, login):
    client = login(member)
    assert client.get("/settings").status_code == 200  # the session works for pages
    me = client.get("/api/v1/me")
    assert me.status_code == 401
    assert error_code(me) == "unauthorized"
    patch = client.patch("/api/v1/me", json={"headline": "Written with a cookie"})
    assert patch.status_code == 401
    assert api_login(app, member).get("/api/v1/me").get_json()["headline"] == ""


# --- the OpenAPI document ------------------------------------------------------------------

HTTP_METHODS = {"get", "put", "post", "patch", "delete"}
OPENAPI_PATH = "/api/v1/openapi.json"


def app_api_operations(app: Flask) -> set[tuple[str, str]]:
    """(path, method) of every /api/v1 route the app serves, in OpenAPI path syntax."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == OPENAPI_PATH:
            continue
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operations.add((path, method.lower()))
    return operations


def documented_operations(document: dict) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_openapi_document_is_3_1(client):
    response = client.get(OPENAPI_PATH)
    assert response.status_code == 200
    document = response.get_json()
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert document["info"]["title"]
    assert "bearerAuth" in document["components"]["securitySchemes"]


def test_openapi_document_and_routes_match(app, client):
    document = client.get(OPENAPI_PATH).get_json()
    served, documented = app_api_operations(app), documented_operations(document)
    assert served, "no /api/v1 routes found"
    assert served - documented == set(), "routes missing from the OpenAPI document"
    assert documented - served == set(), "documented operations the app does not serve"


def test_openapi_document_is_written_once_when_first_read(app, client):
    """create_app leaves the description of the views to the document's first read
    (community.api.CommunityApi.spec); later reads serve the same document, not a second
    description of every view on top of the first."""
    first = client.get(OPENAPI_PATH).get_json()
    again = client.get(OPENAPI_PATH).get_json()
    assert again == first
    assert documented_operations(first) == app_api_operations(app)
    assert len({tag["name"] for tag in first["tags"]}) == len(first["tags"])


def test_openapi_marks_every_operation_but_login_as_needing_a_token(client):
    document = client.get(OPENAPI_PATH).get_json()
    for path, method in documented_operations(document):
        operation = document["paths"][path][method]
        if (path, method) == ("/api/v1/tokens", "post"):
            assert not operation.get("security")
        else:
            assert operation.get("security") == [{"bearerAuth": []}], (path, method)


def test_openapi_private_fields_appear_only_in_the_me_schemas(client):
    schemas = client.get(OPENAPI_PATH).get_json()["components"]["schemas"]
    private = {"nationality", "work_permit", "family_situation", "email"}
    assert {"Me", "Member", "MemberSummary", "Connection"} <= set(schemas)
    for name, schema in schemas.items():
        if name in {"Me", "MePatch", "TokenRequest"}:  # the owner's own data; the login form
            continue
        leaked = private & set(schema.get("properties", {}))
        assert not leaked, f"{name} exposes {leaked}"


# --- PATCH /api/v1/me ----------------------------------------------------------------------

FORBIDDEN_FIELDS = {
    "role": "admin",
    "roles": ["admin"],
    "status": "suspended",
    "email": "taken-over@example.org",
    "id": 1,
    "password_hash": "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA",
}


@pytest.mark.parametrize("field", FORBIDDEN_FIELDS)
def test_patch_me_refuses_mass_assignment(app, make_user, field):
    user = make_user()
    api = api_login(app, user)
    response = api.patch("/api/v1/me", json={field: FORBIDDEN_FIELDS[field], "headline": "New"})
    assert response.status_code == 422
    assert error_code(response) == "validation_error"
    assert field in error_fields(response)
    me = api.get("/api/v1/me").get_json()
    assert {key: me[key] for key in ("id", "email", "roles", "headline")} == {
        "id": user.id,
        "email": user.email,
        "roles": ["member"],
        "headline": "",
    }
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.status == UserStatus.ACTIVE
        assert row.password_hash != FORBIDDEN_FIELDS["password_hash"]
        assert db.session.scalars(select(UserRole).where(UserRole.user_id == user.id)).all() == []
    assert request_token(app.test_client(), user.email).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"host_city": "atlantis"}, "host_city", id="unknown-city"),
        pytest.param(
            {"languages": [{"code": "da", "level": "superb"}]}, "languages", id="bad-level"
        ),
        pytest.param(
            {"languages": [{"code": "xx", "level": "fluent"}]}, "languages", id="bad-language"
        ),
        pytest.param({"skills": [f"skill {n}" for n in range(26)]}, "skills", id="26-skills"),
        pytest.param({"skills": ["x" * 41]}, "skills", id="41-char-skill"),
        pytest.param({"headline": "h" * 121}, "headline", id="121-char-headline"),
        pytest.param({"home_country": "ZZ"}, "home_country", id="bad-home-country"),
        pytest.param({"nationality": "ZZ"}, "nationality", id="bad-nationality"),
        pytest.param({"work_permit": "maybe"}, "work_permit", id="bad-work-permit"),
        pytest.param({"visibility": "everyone"}, "visibility", id="bad-visibility"),
        pytest.param({"looking_for": ["money"]}, "looking_for", id="bad-looking-for"),
        pytest.param({"display_name": "   "}, "display_name", id="blank-name"),
        pytest.param({"family_situation": "f" * 301}, "family_situation", id="long-family"),
    ],
)
def test_patch_me_refuses_invalid_values_and_changes_nothing(app, make_user, changes, field):
    user = make_user()
    set_profile(app, user, headline="Before", skills=["Gardening"], host_city="oslo")
    api = api_login(app, user)
    before = api.get("/api/v1/me").get_json()
    response = api.patch("/api/v1/me", json={**changes, "bio": "Written in the same request"})
    assert response.status_code == 422
    assert error_code(response) == "validation_error"
    assert field in error_fields(response)
    assert api.get("/api/v1/me").get_json() == before


NULLABLE_VALUES = {
    "home_country": "NL",
    "host_city": "amsterdam",
    "professional_field": "technology",
    "education_level": "master",
    "availability": "part_time",
    "nationality": "DK",
    "work_permit": "restricted",
}


@pytest.mark.parametrize("field", NULLABLE_VALUES)
def test_patch_me_null_clears_a_nullable_field(app, make_user, field):
    api = api_login(app, make_user())
    initial = api.patch("/api/v1/me", json={**NULLABLE_VALUES, "headline": "Kept"})
    assert initial.status_code == 200
    assert initial.get_json()[field] == NULLABLE_VALUES[field]
    response = api.patch("/api/v1/me", json={field: None})
    assert response.status_code == 200
    me = api.get("/api/v1/me").get_json()
    assert response.get_json() == me
    assert me[field] is None
    assert me["headline"] == "Kept"
    assert {k: me[k] for k in NULLABLE_VALUES if k != field} == {
        k: v for k, v in NULLABLE_VALUES.items() if k != field
    }


def test_patch_me_normalises_skills_case_insensitively(app, make_user):
    first, second, viewer = make_user(), make_user(), make_user()
    api = api_login(app, first)
    response = api.patch(
        "/api/v1/me", json={"skills": ["Python", "python ", "  PYTHON", "Machine   learning"]}
    )
    assert response.status_code == 200
    assert response.get_json()["skills"] == ["Python", "Machine learning"]
    assert api.get("/api/v1/me").get_json()["skills"] == ["Python", "Machine learning"]
    api_login(app, second).patch("/api/v1/me", json={"skills": ["pYtHoN"]})
    found = api_login(app, viewer).get("/api/v1/members", query_string={"skill": "PYTHON"})
    assert sorted(item_ids(found)) == sorted([first.id, second.id])


def test_patch_me_private_fields_round_trip(app, make_user):
    api = api_login(app, make_user())
    private = {
        "nationality": "BR",
        "work_permit": "applying",
        "family_situation": "Two children, one dog",
    }
    response = api.patch("/api/v1/me", json=private)
    assert response.status_code == 200
    for body in (response.get_json(), api.get("/api/v1/me").get_json()):
        assert {k: body[k] for k in private} == private
        assert body["visibility"] == "members"


def test_patch_me_updates_the_public_profile(app, make_user):
    owner, viewer = make_user(), make_user()
    changes = {
        "display_name": "Ines  Okafor",
        "headline": "Data engineer ",
        "bio": "I *love* maps.",
        "languages": [{"code": "pt", "level": "native"}, {"code": "da", "level": "basic"}],
        "looking_for": ["gigs", "learning"],
        "interests": ["Hiking"],
        "visibility": "public",
    }
    assert api_login(app, owner).patch("/api/v1/me", json=changes).status_code == 200
    member = api_login(app, viewer).get(f"/api/v1/members/{owner.id}").get_json()
    assert member["display_name"] == "Ines Okafor"
    assert member["headline"] == "Data engineer"
    assert "<em>love</em>" in member["bio_html"]
    assert member["languages"] == changes["languages"]
    assert member["looking_for"] == ["gigs", "learning"]
    assert member["interests"] == ["Hiking"]


# --- GET /api/v1/members -------------------------------------------------------------------


@pytest.fixture
def directory(app, make_user) -> dict[str, UserRef]:
    """A viewer and four members with distinct profiles, made through the services."""
    people = {
        "viewer": make_user(display_name="Vera Viewer"),
        "ana": make_user(display_name="Ana Lima"),
        "ben": make_user(display_name="Ben Okoro"),
        "chen": make_user(display_name="Chen Wei"),
        "dora": make_user(display_name="Dora Berg"),
    }
    set_profile(
        app,
        people["ana"],
        headline="Nurse and marathon runner",
        skills=["Nursing", "Python"],
        languages=[("pt", "native"), ("en", "fluent")],
        host_city="copenhagen",
        looking_for=["gigs"],
    )
    set_profile(
        app,
        people["ben"],
        headline="Carpenter",
        skills=["python", "Woodwork"],
        languages=[("en", "native")],
        host_city="oslo",
        looking_for=["learning", "gigs"],
    )
    set_profile(
        app,
        people["chen"],
        headline="Teaches yoga",
        skills=["Yoga"],
        languages=[("zh", "native"), ("da", "basic")],
        host_city="copenhagen",
        looking_for=["mentoring"],
    )
    return people


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"ana", "ben", "chen", "dora"}),
        ({"q": "okoro"}, {"ben"}),
        ({"q": "MARATHON"}, {"ana"}),
        ({"q": "zzz-nobody"}, set()),
        ({"skill": "PYTHON"}, {"ana", "ben"}),
        ({"skill": " python "}, {"ana", "ben"}),
        ({"skill": "yoga"}, {"chen"}),
        ({"language": "en"}, {"ana", "ben"}),
        ({"language": "da"}, {"chen"}),
        ({"city": "copenhagen"}, {"ana", "chen"}),
        ({"city": "lisbon"}, set()),
        ({"looking_for": "gigs"}, {"ana", "ben"}),
        ({"looking_for": "gigs", "city": "oslo"}, {"ben"}),
        ({"skill": "python", "language": "pt", "q": "nurse"}, {"ana"}),
    ],
    ids=[
        "no-filter",
        "q-name",
        "q-headline-case",
        "q-nothing",
        "skill-upper",
        "skill-padded",
        "skill-lower",
        "language-en",
        "language-da",
        "city",
        "city-empty",
        "looking-for",
        "looking-for-and-city",
        "three-filters",
    ],
)
def test_members_filters(app, directory, query, expected):
    response = api_login(app, directory["viewer"]).get("/api/v1/members", query_string=query)
    assert response.status_code == 200
    found = set(item_ids(response))
    assert found == {directory[name].id for name in expected}


def test_members_q_is_case_insensitive_for_non_ascii_names(app, make_user):
    viewer = make_user()
    asa = make_user(display_name="Åsa Ærøskøbing")
    api = api_login(app, viewer)
    for q in ("Åsa", "åsa", "ÅSA", "ærø"):
        assert item_ids(api.get("/api/v1/members", query_string={"q": q})) == [asa.id], q


@pytest.mark.parametrize("q", ["%", "_"], ids=["percent", "underscore"])
def test_members_q_treats_wildcards_literally(app, make_user, q):
    """q runs on the search index (words of letters and digits): a wildcard is no word, so
    it matches nobody rather than everybody."""
    viewer = make_user()
    make_user(display_name="Ana Lima")
    make_user(display_name="100% Cotton")
    make_user(display_name="snake_case Sam")
    response = api_login(app, viewer).get("/api/v1/members", query_string={"q": q})
    assert response.status_code == 200
    assert item_ids(response) == []


def test_members_results_carry_no_private_fields_in_the_summary(app, directory):
    response = api_login(app, directory["viewer"]).get("/api/v1/members")
    for item in response.get_json()["items"]:
        assert set(item) == {
            "id",
            "display_name",
            "headline",
            "host_city",
            "avatar_url",
            "reasons",
            "connected",
            "presence",
        }


def walk(api: ApiClient, limit: int, **query) -> tuple[list[int], list[int]]:
    """Follow next_cursor to the end; returns (all ids in order, size of each page)."""
    seen, sizes, cursor = [], [], None
    for _ in range(50):
        params = {**query, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = api.get("/api/v1/members", query_string=params)
        assert response.status_code == 200
        body = response.get_json()
        seen += item_ids(response)
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, sizes
    raise AssertionError("pagination never ended")


@pytest.mark.parametrize(
    ("members", "sizes"), [(5, [2, 2, 1]), (6, [2, 2, 2])], ids=["odd", "exact-multiple"]
)
def test_members_cursor_pagination_walks_every_member_once(app, make_user, members, sizes):
    viewer = make_user()
    others = [make_user() for _ in range(members)]
    seen, page_sizes = walk(api_login(app, viewer), limit=2)
    assert len(seen) == len(set(seen)), "duplicates across pages"
    assert set(seen) == {user.id for user in others}, "gaps across pages"
    assert seen == sorted(seen, reverse=True), "newest first"
    assert page_sizes == sizes


def test_members_cursor_keeps_the_filters(app, make_user):
    viewer = make_user()
    gardeners = []
    for n in range(5):
        user = make_user()
        set_profile(app, user, skills=["Gardening" if n % 2 == 0 else "Cooking"])
        if n % 2 == 0:
            gardeners.append(user.id)
    seen, _sizes = walk(api_login(app, viewer), limit=1, skill="gardening")
    assert seen == sorted(gardeners, reverse=True)


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("not a cursor!!", id="garbage"),
        pytest.param(encode_cursor("[1, 2]"), id="json-list"),
        pytest.param(encode_cursor('"text"'), id="json-string"),
        pytest.param(encode_cursor('{"x": 1}'), id="no-id"),
        pytest.param(encode_cursor('{"id": "abc"}'), id="id-not-a-number"),
        pytest.param(encode_cursor('{"id": [1]}'), id="id-a-list"),
        pytest.param(encode_cursor('{"id": 1e999}'), id="id-infinite"),
    ],
)
def test_members_bad_cursor_is_a_400_json_error(app, make_user, cursor):
    make_user()
    response = api_login(app, make_user()).get("/api/v1/members", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.is_json
    assert error_code(response) == "bad_request"


@pytest.mark.parametrize("cursor_id", [2**31, 2**70], ids=["beyond-int32", "beyond-int64"])
def test_members_cursor_with_an_out_of_range_id_is_not_a_500(app, make_user, cursor_id):
    make_user()
    cursor = encode_cursor(json.dumps({"id": cursor_id}))
    response = api_login(app, make_user()).get("/api/v1/members", query_string={"cursor": cursor})
    # A position no id can have (the ids are 32-bit): refused as a bad cursor, not a 500.
    assert response.status_code == 400
    assert response.is_json
    assert error_code(response) == "bad_request"


@pytest.mark.parametrize("limit", [0, 51, -1], ids=["zero", "fifty-one", "negative"])
def test_members_limit_out_of_range_is_422(app, make_user, limit):
    response = api_login(app, make_user()).get("/api/v1/members", query_string={"limit": limit})
    assert response.status_code == 422
    assert "limit" in error_fields(response)


def test_members_limit_50_is_accepted(app, make_user):
    response = api_login(app, make_user()).get("/api/v1/members", query_string={"limit": 50})
    assert response.status_code == 200


# --- private data never leaves ------------------------------------------------------------

PRIVATE_VALUES = {
    "nationality": "LI",
    "work_permit": "restricted",
    "family_situation": "Raising three axolotls with Quintessa",
}
PRIVATE_KEYS = ("nationality", "work_permit", "family_situation", "email")


def assert_nothing_private(response, owner: UserRef) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    for key in PRIVATE_KEYS:
        assert f'"{key}"' not in body, f"key {key} in {response.request.path}"
    for value in (*PRIVATE_VALUES.values(), owner.email):
        assert json.dumps(value) not in body, f"{value!r} in {response.request.path}"
    assert PRIVATE_VALUES["family_situation"].split()[2] not in body  # "axolotls"


@pytest.mark.parametrize("visibility", ["members", "public", "connections"])
def test_private_fields_never_reach_other_members(app, make_user, visibility):
    owner = make_user("quiet.owner@example.org", display_name="Odile Quiet")
    viewer = make_user()
    set_profile(app, owner, visibility=visibility, headline="Architect", **PRIVATE_VALUES)
    connect(app, viewer, owner)
    api = api_login(app, viewer)
    for path in ("/api/v1/members", f"/api/v1/members/{owner.id}", "/api/v1/connections"):
        assert_nothing_private(api.get(path), owner)
    assert owner.id in item_ids(api.get("/api/v1/members"))
    for q in (PRIVATE_VALUES["family_situation"], "axolotls", "quiet.owner"):
        assert item_ids(api.get("/api/v1/members", query_string={"q": q})) == [], q
    # The owner, and only the owner, gets them back.
    mine = api_login(app, owner).get("/api/v1/me").get_json()
    assert {k: mine[k] for k in PRIVATE_VALUES} == PRIVATE_VALUES


def test_private_fields_stay_private_in_pending_requests(app, make_user):
    owner, viewer = make_user(), make_user()
    set_profile(app, owner, **PRIVATE_VALUES)
    sent = api_login(app, owner).post("/api/v1/connections", json={"user_id": viewer.id})
    assert sent.status_code == 201
    assert_nothing_private(api_login(app, viewer).get("/api/v1/connections"), owner)


# --- connections ---------------------------------------------------------------------------


@pytest.fixture
def pair(app, make_user) -> tuple[ApiClient, ApiClient]:
    """Two members, each with a token."""
    return api_login(app, make_user()), api_login(app, make_user())


def ask(api: ApiClient, other: ApiClient, message: str = ""):
    return api.post("/api/v1/connections", json={"user_id": other.user.id, "message": message})


def connection_items(api: ApiClient) -> list[dict]:
    response = api.get("/api/v1/connections")
    assert response.status_code == 200
    return response.get_json()["items"]


def test_send_a_request(pair):
    ana, ben = pair
    response = ask(ana, ben, "Hello from the running club")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "pending"
    assert body["direction"] == "outgoing"
    assert body["message"] == "Hello from the running club"
    assert body["member"]["id"] == ben.user.id
    [incoming] = connection_items(ben)
    assert (incoming["id"], incoming["direction"], incoming["member"]["id"]) == (
        body["id"],
        "incoming",
        ana.user.id,
    )
    assert [item["direction"] for item in connection_items(ana)] == ["outgoing"]


def test_duplicate_request_is_409(pair):
    ana, ben = pair
    assert ask(ana, ben).status_code == 201
    again = ask(ana, ben)
    assert again.status_code == 409
    assert error_code(again) == "conflict"
    assert len(connection_items(ana)) == 1


def test_accept_by_the_other_side(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    response = ben.post(f"/api/v1/connections/{request_id}/accept")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["direction"], body["member"]["id"]) == (
        "accepted",
        "mutual",
        ana.user.id,
    )
    for api, other in ((ana, ben), (ben, ana)):
        [item] = connection_items(api)
        assert (item["status"], item["direction"], item["member"]["id"]) == (
            "accepted",
            "mutual",
            other.user.id,
        )
        assert item["member"]["connected"] is True
    assert ask(ana, ben).status_code == 409  # already connected
    assert ben.post(f"/api/v1/connections/{request_id}/accept").status_code == 404


def test_asking_someone_who_already_asked_me_accepts(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    response = ask(ben, ana)
    assert response.status_code == 201
    assert (response.get_json()["id"], response.get_json()["status"]) == (request_id, "accepted")


def test_decline(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    response = ben.post(f"/api/v1/connections/{request_id}/decline")
    assert response.status_code == 204
    assert connection_items(ben) == []
    assert ben.post(f"/api/v1/connections/{request_id}/decline").status_code == 404
    assert ben.post(f"/api/v1/connections/{request_id}/accept").status_code == 404


def test_a_decline_is_not_revealed_to_the_requester(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    before = connection_items(ana)
    assert ben.post(f"/api/v1/connections/{request_id}/decline").status_code == 204
    assert connection_items(ana) == before


def test_withdraw_my_request(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    conflict = ben.delete(f"/api/v1/connections/{request_id}")
    assert conflict.status_code == 409  # a request to me is declined, not deleted
    response = ana.delete(f"/api/v1/connections/{request_id}")
    assert response.status_code == 204
    assert connection_items(ana) == connection_items(ben) == []
    assert ana.delete(f"/api/v1/connections/{request_id}").status_code == 404
    assert ask(ana, ben).status_code == 201  # may ask again


def test_end_a_connection_from_either_side(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    ben.post(f"/api/v1/connections/{request_id}/accept")
    assert ben.delete(f"/api/v1/connections/{request_id}").status_code == 204
    assert connection_items(ana) == connection_items(ben) == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/connections", {"user_id": MISSING_ID}),
        ("post", f"/api/v1/connections/{MISSING_ID}/accept", None),
        ("post", f"/api/v1/connections/{MISSING_ID}/decline", None),
        ("delete", f"/api/v1/connections/{MISSING_ID}", None),
        ("get", f"/api/v1/members/{MISSING_ID}", None),
        ("post", "/api/v1/blocks", {"user_id": MISSING_ID}),
        ("delete", f"/api/v1/blocks/{MISSING_ID}", None),
    ],
    ids=[
        "connect",
        "accept",
        "decline",
        "withdraw",
        "member",
        "block",
        "unblock",
    ],
)
def test_unknown_ids_are_404(app, make_user, method, path, body):
    api = api_login(app, make_user())
    response = getattr(api, method)(path, **({"json": body} if body is not None else {}))
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_own_request_cannot_be_accepted_or_declined(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    assert ana.post(f"/api/v1/connections/{request_id}/accept").status_code == 404
    assert ana.post(f"/api/v1/connections/{request_id}/decline").status_code == 404
    assert [item["status"] for item in connection_items(ben)] == ["pending"]


def test_connecting_to_myself_is_404(pair):
    ana, _ben = pair
    assert ask(ana, ana).status_code == 404


def test_a_third_member_cannot_touch_someone_elses_request(app, make_user, pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    carl = api_login(app, make_user())
    for response in (
        carl.post(f"/api/v1/connections/{request_id}/accept"),
        carl.post(f"/api/v1/connections/{request_id}/decline"),
        carl.delete(f"/api/v1/connections/{request_id}"),
    ):
        assert response.status_code == 404
    assert [item["status"] for item in connection_items(ben)] == ["pending"]


def test_connection_message_is_limited(pair):
    ana, ben = pair
    response = ask(ana, ben, "m" * 301)
    assert response.status_code == 422
    assert "message" in error_fields(response)


# --- blocks --------------------------------------------------------------------------------


def test_block_hides_me_from_the_blocked_member(pair):
    ana, ben = pair
    response = ana.post("/api/v1/blocks", json={"user_id": ben.user.id})
    assert response.status_code == 201
    assert response.get_json() == {"user_id": ben.user.id, "display_name": ben.user.display_name}
    assert ana.get("/api/v1/blocks").get_json()["items"] == [response.get_json()]

    profile = ben.get(f"/api/v1/members/{ana.user.id}")
    missing = ben.get(f"/api/v1/members/{MISSING_ID}")
    assert profile.status_code == missing.status_code == 404
    assert profile.get_json() == missing.get_json()  # the block is not revealed

    assert ana.user.id not in item_ids(ben.get("/api/v1/members"))
    assert ana.user.id not in item_ids(ben.get("/api/v1/members", query_string={"q": "Person"}))

    connect_blocker = ask(ben, ana)
    connect_missing = ben.post("/api/v1/connections", json={"user_id": MISSING_ID})
    assert connect_blocker.status_code == connect_missing.status_code == 404
    assert connect_blocker.get_json() == connect_missing.get_json()
    assert ask(ana, ben).status_code == 404  # hidden both ways


def test_unblock(pair):
    ana, ben = pair
    ana.post("/api/v1/blocks", json={"user_id": ben.user.id})
    assert ana.delete(f"/api/v1/blocks/{ben.user.id}").status_code == 204
    assert ana.get("/api/v1/blocks").get_json()["items"] == []
    assert ben.get(f"/api/v1/members/{ana.user.id}").status_code == 200
    assert ana.user.id in item_ids(ben.get("/api/v1/members"))
    assert ask(ben, ana).status_code == 201
    assert ana.delete(f"/api/v1/blocks/{ben.user.id}").status_code == 404


def test_block_ends_a_connection(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    ben.post(f"/api/v1/connections/{request_id}/accept")
    assert ben.post("/api/v1/blocks", json={"user_id": ana.user.id}).status_code == 201
    assert connection_items(ana) == connection_items(ben) == []
    assert ana.get(f"/api/v1/members/{ben.user.id}").status_code == 404


def test_blocking_twice_is_idempotent_and_myself_is_404(pair):
    ana, ben = pair
    assert ana.post("/api/v1/blocks", json={"user_id": ben.user.id}).status_code == 201
    assert ana.post("/api/v1/blocks", json={"user_id": ben.user.id}).status_code == 201
    assert len(ana.get("/api/v1/blocks").get_json()["items"]) == 1
    assert ana.post("/api/v1/blocks", json={"user_id": ana.user.id}).status_code == 404


def test_a_blocked_member_cannot_accept_an_old_request(pair):
    ana, ben = pair
    request_id = ask(ana, ben).get_json()["id"]
    ana.post("/api/v1/blocks", json={"user_id": ben.user.id})
    response = ben.post(f"/api/v1/connections/{request_id}/accept")
    assert response.status_code == 404
    assert connection_items(ana) == []


def test_connections_list_is_cursor_paginated(app, make_user):
    me = make_user()
    others = [make_user() for _ in range(5)]
    with app.app_context():
        for other in others:
            connections.send_request(db.session.get(User, other.id), me.id)
        db.session.commit()
    client = api_login(app, me)
    seen, cursor = [], None
    for _ in range(10):  # 5 requests in pages of 2 take 3 pages
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/connections", query_string=query).get_json()
        assert len(body["items"]) <= 2
        assert {item["direction"] for item in body["items"]} <= {"incoming"}
        seen += [item["member"]["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    else:
        pytest.fail(f"still a next_cursor after 10 pages; seen {seen}")
    assert sorted(seen) == sorted(o.id for o in others)
    bad = client.get("/api/v1/connections", query_string={"cursor": "nope!"})
    assert bad.status_code == 400
    assert error_code(bad) == "bad_request"
