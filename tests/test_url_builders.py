"""The suite shares werkzeug's compiled URL builders between apps (`tests/url_builders.py`):
every URL an app builds through them is the one werkzeug builds with its own."""

from __future__ import annotations

from community import create_app
from config import TestingConfig
from tests import url_builders

SAMPLES = {"IdConverter": 7, "UnicodeConverter": "a b/é", "PathConverter": "x/y z"}


def urls(app) -> dict:
    adapter = app.url_map.bind("localhost")
    built = {}
    for rule in app.url_map.iter_rules():
        values = {
            name: SAMPLES.get(type(converter).__name__, "v1")
            for name, converter in rule._converters.items()
        }
        for extra in ({}, {"page": "2", "q": "a&b"}):
            key = (rule.rule, rule.endpoint, tuple(extra))
            built[key] = adapter.build(rule.endpoint, {**values, **extra}, force_external=True)
    return built


def test_shared_builders_build_what_werkzeug_builds(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)  # fills the shared builders
    shared = urls(create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url))
    url_builders.unshare()
    try:
        own = urls(create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url))
    finally:
        url_builders.share()
    assert len(own) > 500
    assert shared == own
