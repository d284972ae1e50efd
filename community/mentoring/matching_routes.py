"""The coordinator's matching pages."""

from community.mentoring import bp  # noqa: F401
