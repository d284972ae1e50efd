"""Browser tests: a real `python wsgi.py` per worker, headless Chromium, axe-core and vnu.

Fixtures:

* ``live_server`` (session): the app served for real with the demo data loaded
  (see :mod:`tests.browser.live`); has ``url``, ``mail_dir`` and ``wait_for_link()``.
* ``browser`` (session): Debian's Chromium driven by Playwright's sync API.
* ``new_context`` (function): makes browser contexts at phone size (390x844, en-GB); pass
  ``bypass_csp=True`` only where axe has to be injected. All are closed after the test.
* ``page`` (function): a page in a fresh phone-size context that may inject axe.
* ``page_checker`` (function): ``check(page, name)`` runs axe, checks for horizontal
  scrolling and keeps the HTML; at teardown every kept document goes to vnu in one run.

Every test here is marked ``browser``. Without Chromium, Java or the node tools the tests are
skipped with what to install, or fail in CI (:func:`tests.tools.skip_or_fail`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.browser.checks import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    axe_violations,
    checks_available,
    format_violations,
    html_errors,
)
from tests.browser.live import LiveServer
from tests.tools import skip_or_fail

HERE = Path(__file__).resolve().parent
PHONE = {"width": 390, "height": 844}
LOCALE = "en-GB"

# The script element axe_violations() injects: removed again so later snapshots of the same
# document (page.content()) are the app's HTML, not a 500 kB inline script.
_REMOVE_AXE = """() => {
  for (const s of Array.from(document.querySelectorAll('script:not([src]):not([nonce])'))) {
    if (s.textContent.startsWith('/*! axe')) s.remove();
  }
}"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test in tests/browser as `browser` (this hook sees the whole session)."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Attach the live server's log to a browser test that failed in setup or call."""
    report = yield
    server = getattr(item, "funcargs", {}).get("live_server")
    if report.failed and report.when != "teardown" and isinstance(server, LiveServer):
        report.sections.append(
            (f"live server log ({server.log_path})", server.log(40, static=False) or "(empty)")
        )
    return report


# --- the server ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    skip_or_fail(checks_available(), what="browser checks")
    server = LiveServer(tmp_path_factory.mktemp("live"))
    server.start()
    yield server
    crashed = not server.running
    status = server.stop()
    if crashed:
        print(f"\n--- live server exited early (status {status}) ---\n{server.log()}")
        pytest.fail(f"the live server died during the tests (status {status}):\n{server.log()}")


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance(live_server: LiveServer) -> Iterator[Playwright]:
    # Depends on live_server so a missing tool skips before Chromium is looked for.
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM_PATH, args=list(CHROMIUM_ARGS), headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Factory for phone-size contexts; ``new_context(bypass_csp=True)`` for axe."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {"viewport": dict(PHONE), "locale": LOCALE, **options}
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page at 390x844 whose context ignores the CSP (needed only to inject axe)."""
    return new_context(bypass_csp=True).new_page()


# --- the checks ----------------------------------------------------------------------------


class PageChecker:
    """Checks each page a test reaches; the HTML is validated in one vnu run at the end."""

    def __init__(self) -> None:
        self.documents: dict[str, str] = {}
        self.names: set[str] = set()

    def check(self, page: Page, name: str, *, keep_html: bool = True) -> None:
        """axe (0 violations), no horizontal scrolling, and keep the HTML as ``name`` for vnu
        (``keep_html=False``: a page whose HTML another check already keeps)."""
        if name in self.names:
            raise ValueError(f"page name {name!r} is used twice in this test")
        self.names.add(name)
        page.wait_for_load_state("load")
        if keep_html:
            self.documents[name] = page.content()
        width = (page.viewport_size or PHONE)["width"]
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, (
            f"{name} ({page.url}) scrolls sideways: scrollWidth {scroll_width} > {width}px"
        )
        violations = axe_violations(page)
        page.evaluate(_REMOVE_AXE)
        if violations:
            raise AssertionError(
                f"axe found {len(violations)} violation(s) on {name} ({page.url}):\n"
                f"{format_violations(violations)}"
            )

    def validate(self) -> None:
        if not self.documents:
            return
        errors = {name: found for name, found in html_errors(self.documents).items() if found}
        if errors:
            raise AssertionError(
                "vnu found HTML errors:\n"
                + "\n".join(f"{name}:\n" + _grouped(found) for name, found in errors.items())
            )


def _grouped(errors: list[str]) -> str:
    """One line per distinct message with the lines it occurs on ("line 53: Duplicate ID")."""
    lines_by_message: dict[str, list[str]] = {}
    for entry in errors:
        where, _, message = entry.partition(": ")
        lines_by_message.setdefault(message or where, []).append(where.removeprefix("line "))
    return "\n".join(
        f"    {message} (line {', '.join(lines)})" for message, lines in lines_by_message.items()
    )


@pytest.fixture
def page_checker() -> Iterator[PageChecker]:
    checker = PageChecker()
    yield checker
    checker.validate()
