"""Password rules and hashing: length only, no composition rules, no common passwords.

Hashes are Argon2id with the cost set in config (at or above OWASP ASVS 5 appendix C).
The list of common passwords is the 30,000-entry list that ships with the maintained
`zxcvbn` package, loaded once.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 10
MAX_LENGTH = 256

# A valid hash of a random password: verifying against it costs what a real check costs,
# so an unknown email takes as long to refuse as a wrong password.
_DUMMY_PASSWORD = "alongside-timing-equaliser-3f1b"  # noqa: S105 (not a credential)


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list, lower-cased."""
    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Say what is wrong with a new password in words a member understands, or None.

    Called by the registration, reset and change-password forms.
    """
    from flask_babel import gettext as _

    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        return _("This password is one of the most common ones. Choose something less guessable.")
    local_part = email.split("@", 1)[0].lower()
    if (local_part and len(local_part) >= 4 and lowered == local_part) or (
        display_name and lowered == display_name.lower()
    ):
        return _("Your password must not be your name or email address.")
    return None


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST_KIB"],
        parallelism=config["ARGON2_PARALLELISM"],
        type=Type.ID,
    )


def hash_password(password: str) -> str:
    """Return an Argon2id hash of `password` with the configured cost."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check `password` against a stored hash in constant work, also when there is no hash."""
    hasher = _hasher()
    try:
        stored = password_hash or _dummy_hash(
            hasher.time_cost, hasher.memory_cost, hasher.parallelism
        )
        return hasher.verify(stored, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash used weaker settings than the current config."""
    return _hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(_DUMMY_PASSWORD)
