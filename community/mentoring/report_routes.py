"""The coordinator's report pages."""

from community.mentoring import bp  # noqa: F401
