"""Links out of the site built on BASE_URL, the hosts it answers to, and redirect targets
that stay on it."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` on BASE_URL, for links that leave the site (mail).

    Never built from the request's Host or X-Forwarded-Host, which the client chooses; works
    outside a request too (the CLI). Called by the account services for every mailed link.
    """
    parts = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values) -> str:
    """The path of `endpoint` on this site ("/posts/3"), inside a request or outside one
    (what a commit in the CLI sends live, mail that puts BASE_URL in front)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def trusted_hosts(config: Mapping) -> list[str]:
    """Flask's TRUSTED_HOSTS: BASE_URL's host name plus EXTRA_TRUSTED_HOSTS (the port is not
    compared). Called by create_app; a request for any other host gets a 400."""
    hosts = [urlsplit(config["BASE_URL"]).hostname or ""]
    return hosts + [host for host in config.get("EXTRA_TRUSTED_HOSTS", ()) if host not in hosts]


def allowed_origins(config: Mapping) -> list[str]:
    """The browser origins Socket.IO accepts: BASE_URL's, and the same scheme and port on
    each extra trusted host (development's loopback names)."""
    parts = urlsplit(config["BASE_URL"])
    port = f":{parts.port}" if parts.port else ""
    hosts = [host if ":" not in host else f"[{host}]" for host in trusted_hosts(config)]
    return [f"{parts.scheme}://{host}{port}" for host in hosts]


def safe_next_url(target: str | None, default: str) -> str:
    """Return `target` if it is a path on this site, else `default`.

    Refuses absolute URLs, scheme-relative `//host`, backslash tricks and control characters.
    Called by login and by any view that honours a `next` parameter.
    """
    if not target or len(target) > 2000:
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
