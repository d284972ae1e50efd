"""Browser tests: a real `python wsgi.py` per worker, headless Chromium, axe-core and vnu.

Servers, Chromium and vnu are package-scoped: they stop after the last browser test, so
Playwright's event loop (running in the main thread while it is open) does not outlive them
into other tests on the same worker, where `asyncio.run` would refuse to start.

Fixtures:

* ``live_server`` (package): the app served for real with the demo data loaded
  (see :mod:`tests.browser.live`); has ``url``, ``mail_dir`` and ``wait_for_link()``.
* ``browser`` (package): Debian's Chromium driven by Playwright's sync API.
* ``new_context`` (function): makes browser contexts at phone size (390x844, en-GB), always
  under the app's Content-Security-Policy (``bypass_csp`` is refused). All are closed after
  the test.
* ``page`` (function): a page in a fresh phone-size context.
* ``csp_watch`` (function): the :class:`~tests.browser.checks.CspWatch` listening to every
  page of those contexts; a violation anywhere fails the test (at the next check, or at
  its end).
* ``page_checker`` (function): ``check(page, name)`` fails on CSP violations so far, checks
  for horizontal scrolling, runs axe on a copy of the page in a bypass-CSP twin context and
  keeps the HTML; at teardown every kept document goes to vnu.
* ``vnu_service`` (package): the Nu Html Checker as a local HTTP service, so its JVM starts
  once per worker rather than once per test.

Every test here is marked ``browser``. Without Chromium, Java or the node tools the tests are
skipped with what to install, or fail in CI (:func:`tests.tools.skip_or_fail`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.browser.checks import (
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    CspWatch,
    VnuService,
    axe_violations,
    checks_available,
    format_violations,
    html_errors,
)
from tests.browser.live import LiveServer, seeded_live_server
from tests.tools import skip_or_fail

HERE = Path(__file__).resolve().parent
PHONE = {"width": 390, "height": 844}
LOCALE = "en-GB"


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


@pytest.fixture(scope="package")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    skip_or_fail(checks_available(), what="browser checks")
    server = seeded_live_server(request, tmp_path_factory.mktemp("live"))
    server.start()
    yield server
    crashed = not server.running
    status = server.stop()
    if crashed:
        print(f"\n--- live server exited early (status {status}) ---\n{server.log()}")
        pytest.fail(f"the live server died during the tests (status {status}):\n{server.log()}")


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="package")
def playwright_instance(live_server: LiveServer) -> Iterator[Playwright]:
    # Depends on live_server so a missing tool skips before Chromium is looked for.
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM_PATH, args=list(CHROMIUM_ARGS), headless=True
    )
    yield browser
    browser.close()


class Contexts:
    """The browser contexts of one test: phone size by default, the app's CSP always on.

    Every context is watched by the test's :class:`CspWatch`. axe has to inject a script,
    which the CSP forbids, so it runs on a copy of the page in a twin context made with
    ``bypass_csp=True`` (same size, colour scheme and cookies) that the test never sees.
    """

    def __init__(self, browser: Browser, watch: CspWatch) -> None:
        self.browser = browser
        self.watch = watch
        self.made: list[tuple[BrowserContext, dict[str, Any]]] = []
        self.twins: dict[int, BrowserContext] = {}

    def new(self, **options: Any) -> BrowserContext:
        if options.get("bypass_csp"):
            raise ValueError(
                "the journeys run under the app's CSP; axe gets its own bypass context"
            )
        settings: dict[str, Any] = {"viewport": dict(PHONE), "locale": LOCALE, **options}
        context = self.browser.new_context(**settings)
        context.set_default_timeout(10_000)
        self.watch.watch(context)
        self.made.append((context, settings))
        return context

    def axe_twin(self, context: BrowserContext) -> BrowserContext:
        """The bypass-CSP context for axe checks of ``context``'s pages (made once)."""
        key = id(context)
        if key not in self.twins:
            settings = next(options for made, options in self.made if made is context)
            twin = self.browser.new_context(**{**settings, "bypass_csp": True})
            twin.set_default_timeout(10_000)
            self.twins[key] = twin
        return self.twins[key]

    def close(self) -> None:
        """Read the open pages' last violations, then close every context."""
        for context, _settings in self.made:
            for page in context.pages:
                with contextlib.suppress(PlaywrightError):  # a page caught mid-navigation
                    self.watch.collect(page)
        for context in [*self.twins.values(), *(made for made, _ in self.made)]:
            context.close()


@pytest.fixture
def csp_watch() -> CspWatch:
    """Every CSP violation of the test's pages; any left at the end fails the test."""
    return CspWatch()


@pytest.fixture
def contexts(browser: Browser, csp_watch: CspWatch) -> Iterator[Contexts]:
    made = Contexts(browser, csp_watch)
    yield made
    made.close()
    csp_watch.assert_clean(where=" during the test")


@pytest.fixture
def new_context(contexts: Contexts) -> Callable[..., BrowserContext]:
    """Factory for phone-size contexts under the app's CSP: ``new_context(color_scheme=...)``."""
    return contexts.new


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page at 390x844, under the app's CSP, watched for violations."""
    return new_context().new_page()


# --- the checks ----------------------------------------------------------------------------


@pytest.fixture(scope="package")
def vnu_service(
    live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VnuService]:
    """The Nu Html Checker served once per worker (depends on live_server so a missing
    tool skips first)."""
    service = VnuService(tmp_path_factory.mktemp("vnu") / "vnu.log").start()
    yield service
    service.stop()


class PageChecker:
    """Checks each page a test reaches; the HTML is validated by vnu at the test's end."""

    def __init__(self, contexts: Contexts, vnu: VnuService) -> None:
        self.contexts = contexts
        self.vnu = vnu
        self.documents: dict[str, str] = {}
        self.names: set[str] = set()

    def check(self, page: Page, name: str, *, keep_html: bool = True) -> None:
        """No CSP violation so far, no horizontal scrolling, axe (0 violations) on a copy of
        the page, and keep the HTML as ``name`` for vnu (``keep_html=False``: a page whose
        HTML another check already keeps)."""
        if name in self.names:
            raise ValueError(f"page name {name!r} is used twice in this test")
        self.names.add(name)
        page.wait_for_load_state("load")
        self.contexts.watch.assert_clean(page, where=f" up to {name} ({page.url})")
        html = page.content()
        if keep_html:
            self.documents[name] = html
        width = (page.viewport_size or PHONE)["width"]
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll_width <= width, (
            f"{name} ({page.url}) scrolls sideways: scrollWidth {scroll_width} > {width}px"
        )
        violations = self.axe_on_copy(page, html)
        if violations:
            raise AssertionError(
                f"axe found {len(violations)} violation(s) on {name} ({page.url}):\n"
                f"{format_violations(violations)}"
            )

    def axe_on_copy(self, page: Page, html: str) -> list[dict[str, Any]]:
        """Run axe on ``html`` (``page``'s document as it is now: after a POST, with a menu
        open...) served at the same address in the page's bypass-CSP twin, with its cookies,
        so its stylesheets and images load as they did."""
        twin = self.contexts.axe_twin(page.context)
        twin.clear_cookies()
        twin.add_cookies(page.context.cookies())
        address = urldefrag(page.url).url
        copy = twin.new_page()
        try:
            copy.route(
                lambda url: urldefrag(url).url == address,
                lambda route: route.fulfill(
                    status=200, content_type="text/html; charset=utf-8", body=html
                ),
            )
            copy.goto(address)
            copy.wait_for_load_state("load")
            return axe_violations(copy)
        finally:
            copy.close()

    def validate(self) -> None:
        if not self.documents:
            return
        found_by_name = html_errors(self.documents, self.vnu)
        errors = {name: found for name, found in found_by_name.items() if found}
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
def page_checker(contexts: Contexts, vnu_service: VnuService) -> Iterator[PageChecker]:
    checker = PageChecker(contexts, vnu_service)
    yield checker
    checker.validate()
