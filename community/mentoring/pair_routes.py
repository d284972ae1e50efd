"""A pair's pages."""

from community.mentoring import bp  # noqa: F401
