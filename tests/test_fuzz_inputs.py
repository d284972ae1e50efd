"""Every route and API endpoint, fed ids the database cannot hold and NUL characters (#13.7).

The URL map is enumerated, so a new route is fuzzed without a change here. Each rule is
requested with every method it allows, logged in as an admin (who may open every page)
through the real login page, with a CSRF token read from a form, and under /api/ with a token
from POST /api/v1/tokens. The expectations:

- an `<int:...>` outside 1..2**31-1 matches no route: 404;
- a string path argument holding a NUL: 404;
- a NUL in the query string, a form (value, field name, file name) or a JSON body (value or
  key, at any depth) answers 422 naming every such field;
- every integer the OpenAPI document declares in a request body or query, out of range,
  answers 422 naming it;
- huge numbers in every field of every form, body and query string never answer 5xx.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.routing import Rule
from werkzeug.test import encode_multipart
from wtforms import FieldList, Form, FormField

from community.auth.roles import Role
from community.core.database import MAX_ID
from tests.conftest import AuthActions, csrf_token

BACKENDS = ("sqlite", "postgresql")

NUL_TEXT = "a\x00b"
# Ids the id columns cannot hold, as numbers (bodies) and as path segments.
BAD_IDS = (0, -1, 2**31, 2**63, 99999999999999999999)
BAD_PATH_IDS = (*map(str, BAD_IDS), "9" * 5000)
# Names tried in every body and query besides those the forms and the API document declare.
EXTRA_FIELDS = ("user_id", "connection_id", "id", "message", "after", "limit", "cursor", "next")
# Requests that end the session or the token the fuzzer uses: sent last.
ENDS_LOGIN = ("auth.logout", "tokens.revoke_token")
ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


@pytest.fixture
def app_overrides() -> dict:
    # Hundreds of requests from one address, on purpose; and a crash is answered with the 500
    # a client would see, so that one run lists every request that fails.
    return {"RATELIMIT_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}


# --- what there is to fuzz -----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str

    @property
    def is_api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    def path(self, value_for) -> str:
        """The rule's path with each argument replaced by `value_for(converter, name)`."""
        return ARGUMENT.sub(
            lambda m: quote(value_for(m["converter"] or "default", m["name"]), safe=""),
            self.rule.rule,
        )

    def converters(self) -> list[str]:
        return [m["converter"] or "default" for m in ARGUMENT.finditer(self.rule.rule)]

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule}"


def all_routes(app: Flask) -> list[Route]:
    routes = [
        Route(rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(routes, key=lambda route: route.rule.endpoint in ENDS_LOGIN)


def _form_field_names(fields) -> Iterator[str]:
    for field in fields:
        if isinstance(field, FieldList | FormField):
            yield from _form_field_names(field)
        else:
            yield field.name


def form_field_names(app: Flask) -> list[str]:
    """Every field name of every WTForms form of the app (nested rows included)."""
    names: set[str] = set()
    stack = list(Form.__subclasses__())
    with app.test_request_context():
        while stack:
            form_class = stack.pop()
            stack.extend(form_class.__subclasses__())
            if form_class.__module__.startswith("community."):
                names.update(_form_field_names(form_class(formdata=None)))
    return sorted(names - {"csrf_token"})


def openapi_fields(document: dict, route: Route) -> dict[str, str]:
    """{name: OpenAPI type} of the JSON body and query parameters the document declares."""
    path = ARGUMENT.sub(r"{\g<name>}", route.rule.rule)
    operation = document["paths"].get(path, {}).get(route.method.lower(), {})
    fields = {
        parameter["name"]: parameter["schema"].get("type", "")
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    if "$ref" in body.get("schema", {}):
        schema = document["components"]["schemas"][body["schema"]["$ref"].rsplit("/", 1)[1]]
        for name, prop in schema.get("properties", {}).items():
            fields[name] = prop.get("type", "")
    return fields


# --- the fuzzer ----------------------------------------------------------------------------


@dataclass
class Fuzzer:
    """One logged-in admin: a page session with its CSRF token and an API token."""

    client: FlaskClient
    csrf: str
    token: str
    ids: dict[str, int]
    form_fields: list[str]
    document: dict

    def valid_value(self, converter: str, name: str) -> str:
        return str(self.ids.get(name, self.ids["user_id"])) if converter == "int" else "x"

    def send(self, route: Route, path: str, *, query=None, form=None, json=None, body=None):
        headers = {"X-CSRFToken": self.csrf}
        if route.is_api:
            headers = {"Authorization": f"Bearer {self.token}"}
        kwargs = {}
        if route.method == "GET":
            pass
        elif body is not None:  # (content type, bytes)
            kwargs = {"content_type": body[0], "data": body[1]}
        elif form is not None:
            kwargs = {"data": {**form, "csrf_token": self.csrf}}
        elif json is not None:
            kwargs = {"json": json}
        return self.client.open(
            path, method=route.method, query_string=query, headers=headers, **kwargs
        )

    def body_fields(self, route: Route) -> list[str]:
        declared = openapi_fields(self.document, route) if route.is_api else {}
        return sorted({*declared, *self.form_fields, *EXTRA_FIELDS})


@pytest.fixture
def fuzzer(app: Flask, client: FlaskClient, auth: AuthActions, make_user) -> Fuzzer:
    admin = make_user(roles=(Role.ADMIN,))
    member = make_user()
    assert auth.login(admin.email).status_code == 302
    response = client.post(
        "/api/v1/tokens", json={"email": admin.email, "password": admin.password}
    )
    token = response.get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/connections", json={"user_id": member.id}, headers=bearer)
    assert response.status_code == 201, response.get_data(as_text=True)
    return Fuzzer(
        client=client,
        csrf=csrf_token(client, "/settings"),
        token=token,
        ids={"user_id": member.id, "connection_id": response.get_json()["id"]},
        form_fields=form_field_names(app),
        document=client.get("/api/v1/openapi.json").get_json(),
    )


def named_fields(response, route: Route) -> set[str] | str:
    """The field names a 422 names: `error.fields` in JSON, the page text in HTML."""
    if route.is_api:
        return set(response.get_json()["error"].get("fields", {}))
    return response.get_data(as_text=True)


def missing_names(response, route: Route, expected) -> list[str]:
    named = named_fields(response, route)
    return [name for name in expected if name not in named]


# --- the tests -----------------------------------------------------------------------------


def test_ids_outside_the_id_range_match_no_route(app: Flask, fuzzer: Fuzzer):
    """Every `<int:...>` in every rule, with every method: 0, -1, 2**31 ... answer 404."""
    failures = []
    tried = 0
    for route in all_routes(app):
        if "int" not in route.converters():
            continue
        for bad in BAD_PATH_IDS:
            path = route.path(lambda c, n, bad=bad: bad if c == "int" else fuzzer.valid_value(c, n))
            response = fuzzer.send(route, path, form={})
            tried += 1
            if response.status_code != 404:
                failures.append(f"{route} with {bad[:24]}: {response.status_code}")
            elif route.is_api and response.get_json()["error"]["code"] != "not_found":
                failures.append(f"{route} with {bad[:24]}: {response.get_json()}")
        # The largest id the columns hold is looked up like any other (none exists).
        path = route.path(lambda c, n: str(MAX_ID) if c == "int" else fuzzer.valid_value(c, n))
        response = fuzzer.send(route, path, form={})
        if response.status_code >= 500:
            failures.append(f"{route} with MAX_ID: {response.status_code}")
    assert tried >= 14 * len(BAD_PATH_IDS)  # 14 rule-method pairs with ids today
    assert not failures, "\n".join(failures)


def test_nul_in_a_path_segment_answers_404(app: Flask, fuzzer: Fuzzer):
    failures = []
    for route in all_routes(app):
        if not {"default", "string", "path"} & set(route.converters()):
            continue
        path = route.path(lambda c, n: NUL_TEXT if c != "int" else fuzzer.valid_value(c, n))
        response = fuzzer.send(route, path, form={})
        if response.status_code != 404:
            failures.append(f"{route}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_nul_in_any_field_is_refused_naming_the_field(app: Flask, fuzzer: Fuzzer):
    """Query string on every route; form, file and JSON bodies on every route that takes them."""
    failures = []

    def expect_422(route: Route, how: str, response, expected) -> None:
        if response.status_code != 422:
            failures.append(f"{route} {how}: {response.status_code}")
            return
        missing = missing_names(response, route, expected)
        if missing:
            failures.append(f"{route} {how}: 422 without naming {missing}")

    for route in all_routes(app):
        path = route.path(fuzzer.valid_value)
        names = fuzzer.body_fields(route)
        query = {name: NUL_TEXT for name in names}
        expect_422(route, "query", fuzzer.send(route, path, query=query), names)
        if route.method == "GET":
            continue
        form = {**{name: NUL_TEXT for name in names}, "a\x00key": "x"}
        expect_422(route, "form", fuzzer.send(route, path, form=form), [*names, "a\\0key"])
        upload = FileStorage(io.BytesIO(b"\x89PNG"), filename="a\x00b.png", name="avatar")
        boundary, data = encode_multipart({"avatar": upload, "csrf_token": fuzzer.csrf})
        body = (f"multipart/form-data; boundary={boundary}", data)
        expect_422(route, "file name", fuzzer.send(route, path, body=body), ["avatar"])
        nested = {"languages": [{"code": "da", "level": NUL_TEXT}], "skills": ["ok", NUL_TEXT]}
        json = {**{name: NUL_TEXT for name in names}, **nested, "a\x00key": 1}
        if route.is_api:
            flat = [name for name in names if name not in nested]
            expected = [*flat, "languages.0.level", "skills.1", "a\\0key"]
            expect_422(route, "JSON", fuzzer.send(route, path, json=json), expected)
            expect_422(route, "JSON string", fuzzer.send(route, path, json=NUL_TEXT), ["body"])
        else:  # pages take forms only
            status = fuzzer.send(route, path, json=json).status_code
            if status != 415:
                failures.append(f"{route} JSON: {status}")
    assert not failures, "\n".join(failures)


def test_ids_in_api_bodies_and_queries_are_bounded(app: Flask, fuzzer: Fuzzer):
    """Every id (and page limit) the OpenAPI document declares in a request: out of range
    answers 422. Counts such as `guests` take 0 and are bounded by their own rules."""
    failures = []
    tried = 0
    for route in all_routes(app):
        if not route.is_api:
            continue
        path = route.path(fuzzer.valid_value)
        in_query = route.method == "GET"
        for name, kind in openapi_fields(fuzzer.document, route).items():
            if kind != "integer" or not (name.endswith("_id") or name in {"id", "limit"}):
                continue
            for bad in BAD_IDS:
                tried += 1
                if in_query:
                    response = fuzzer.send(route, path, query={name: str(bad)})
                else:
                    response = fuzzer.send(route, path, json={name: bad})
                if response.status_code != 422:
                    failures.append(f"{route} {name}={bad}: {response.status_code}")
                elif name not in named_fields(response, route):
                    failures.append(f"{route} {name}={bad}: {response.get_json()}")
    assert tried >= 4 * len(BAD_IDS)  # user_id of connections and blocks, the two limits
    assert not failures, "\n".join(failures)


def test_odd_json_bodies_never_fail(app: Flask, fuzzer: Fuzzer):
    """Not an object, not JSON, nested too deep: 400, 415 or 422 from every route."""
    bodies = ("1", '"text"', "[1, [2]]", "null", "{", "[" * 100_000, '{"a": {"b": ' * 30_000)
    failures = []
    for route in all_routes(app):
        if route.method == "GET":
            continue
        path = route.path(fuzzer.valid_value)
        for text in bodies:
            response = fuzzer.send(route, path, body=("application/json", text.encode()))
            if response.status_code >= 500 or (not route.is_api and response.status_code != 415):
                failures.append(f"{route} with {text[:12]}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_huge_numbers_in_any_field_never_fail(app: Flask, fuzzer: Fuzzer):
    """The views themselves (valid path, valid CSRF token) given numbers in every field."""
    failures = []
    for route in all_routes(app):
        path = route.path(fuzzer.valid_value)
        names = fuzzer.body_fields(route)
        for bad in BAD_IDS:
            values = {name: bad for name in names}
            query = {name: str(bad) for name in names}
            responses = [fuzzer.send(route, path, query=query)]
            if route.method != "GET":
                if route.is_api:
                    responses.append(fuzzer.send(route, path, json=values))
                else:
                    responses.append(fuzzer.send(route, path, form=query))
            failures += [
                f"{route} with {bad}: {r.status_code}" for r in responses if r.status_code >= 500
            ]
    assert not failures, "\n".join(failures)


def test_a_refused_nul_changes_nothing(fuzzer: Fuzzer):
    """The profile form and PATCH /api/v1/me with a NUL in the bio: 422 naming only `bio`,
    and the profile (its Markdown rendering included) stays as it was."""
    client, bearer = fuzzer.client, {"Authorization": f"Bearer {fuzzer.token}"}
    before = client.get("/api/v1/me", headers=bearer).get_json()
    bio = "*Hello*\x00 there"

    form = {"csrf_token": fuzzer.csrf, "display_name": "Renamed", "bio": bio}
    response = client.post("/settings/profile", data=form)
    assert response.status_code == 422
    assert "not accepted: bio." in response.get_data(as_text=True)

    response = client.patch(
        "/api/v1/me", json={"display_name": "Renamed", "bio": bio}, headers=bearer
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["bio"]

    assert client.get("/api/v1/me", headers=bearer).get_json() == before
