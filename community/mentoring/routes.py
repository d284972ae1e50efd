"""Programme and application pages (H: programmes)."""

from community.mentoring import bp  # noqa: F401
