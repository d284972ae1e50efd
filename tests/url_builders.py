"""Werkzeug compiles two URL-building functions for every rule an app adds (it builds an
AST and compiles it): about 55 of the 67 ms `create_app` takes, and every test makes an app.
The functions are pure: what they return depends only on the rule's parts, its defaults
(turned into constants by its converters) and `append_unknown`; everything else they reach
through the rule they are bound to. So one function serves every app's copy of a rule, and
the suite compiles each rule once per worker instead of once per test.

Tests only: a served app makes its rules once. `tests/conftest.py` calls `share()`;
`tests/test_url_builders.py` checks that URLs built through shared functions are the ones
werkzeug builds itself.
"""

from __future__ import annotations

from werkzeug.routing.rules import Rule

_ORIGINAL = Rule._compile_builder
_BUILDERS: dict[tuple, object] = {}


def _key(rule: Rule, append_unknown: bool) -> tuple:
    defaults = rule.defaults or {}
    converters = tuple(
        (name, type(converter).__qualname__, getattr(converter, "regex", None))
        for name, converter in sorted(rule._converters.items())
    )
    return (
        rule.rule,
        tuple(rule._trace),
        tuple(sorted((str(name), repr(value)) for name, value in defaults.items())),
        converters,
        append_unknown,
    )


def _compile_builder(self: Rule, append_unknown: bool = True):
    key = _key(self, append_unknown)
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _ORIGINAL(self, append_unknown)
    return builder


def share() -> None:
    """Make werkzeug reuse the URL builders it compiled for an equal rule."""
    Rule._compile_builder = _compile_builder


def unshare() -> None:
    Rule._compile_builder = _ORIGINAL
