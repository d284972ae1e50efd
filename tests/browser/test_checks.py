"""The browser checks are not vacuous: what they exist to catch, they catch.

The journeys pass only if no page breaks the Content-Security-Policy. Here a page breaks it
on purpose, the three ways a careless template or script would (a script from a data: URL,
a <style> element, a style attribute), and the watch must see each one, through the
``securitypolicyviolation`` events and the console alike; the page checker must refuse the
page, and a violation on a page the test has already left must still be reported. axe runs
in a bypass-CSP copy of the page, which must be the page as it is, not a fresh load.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.checks import CspWatch, VnuService, html_errors
from tests.browser.conftest import Contexts

BREAK_THE_POLICY = """() => {
  const script = document.createElement('script');
  script.src = 'data:text/javascript,window.injected = true';
  document.head.append(script);
  const style = document.createElement('style');
  style.textContent = 'body { outline: 3px solid red; }';
  document.head.append(style);
  document.body.setAttribute('style', 'outline: 3px solid red');
}"""
BLOCKED_DIRECTIVES = {"script-src-elem", "style-src-elem", "style-src-attr"}


def break_the_policy(page: Page, watch: CspWatch) -> None:
    """Break the policy three ways and wait until the watch has heard of each, both ways."""
    page.evaluate(BREAK_THE_POLICY)
    page.wait_for_function("(n) => window.__cspViolations.length >= n", arg=3)
    for _ in range(250):  # binding calls and console messages arrive on their own schedule
        if len(watch.events) >= 3 and len(watch.console) >= 3:
            return
        page.wait_for_timeout(20)
    pytest.fail(f"the watch heard of {watch.events} and {watch.console} only")


def test_the_app_serves_a_policy_that_forbids_the_injections(page: Page, live_server) -> None:
    response = page.goto(live_server.url + "/auth/login")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_the_watch_catches_each_blocked_injection(page: Page, live_server, csp_watch) -> None:
    page.goto(live_server.url + "/auth/login")
    csp_watch.assert_clean(page)  # the real page is clean
    break_the_policy(page, csp_watch)
    assert page.evaluate("() => window.injected") is None, "the data: script ran"
    outline = page.evaluate("() => getComputedStyle(document.body).outlineStyle")
    assert outline != "solid", "the injected styles applied"

    events, console = csp_watch.take(page)
    assert {event["directive"] for event in events} == BLOCKED_DIRECTIVES, events
    assert len(events) == 3, events  # each once, though heard through the binding and read back
    assert all(event["url"] == live_server.url + "/auth/login" for event in events), events
    assert any(event["blocked"] == "data" for event in events), events
    assert len(console) >= 3, console
    assert all("Content Security Policy" in text for text in console), console
    assert all(text.startswith(live_server.url + "/auth/login: ") for text in console), console


def test_the_page_checker_refuses_a_page_that_broke_the_policy(
    page: Page, live_server, csp_watch, page_checker
) -> None:
    page.goto(live_server.url + "/auth/login")
    page_checker.check(page, "login")
    break_the_policy(page, csp_watch)
    with pytest.raises(AssertionError, match=r"Content-Security-Policy violations up to login"):
        page_checker.check(page, "login (policy broken)")
    events, _console = csp_watch.take(page)
    assert {event["directive"] for event in events} == BLOCKED_DIRECTIVES


def test_a_violation_on_a_page_already_left_is_still_reported(
    page: Page, live_server, csp_watch, page_checker
) -> None:
    page.goto(live_server.url + "/auth/login")
    break_the_policy(page, csp_watch)
    page.goto(live_server.url + "/auth/register")  # the broken document is gone
    with pytest.raises(AssertionError, match=re.escape(live_server.url + "/auth/login")):
        page_checker.check(page, "register")
    events, _console = csp_watch.take(page)
    assert {event["directive"] for event in events} == BLOCKED_DIRECTIVES


def test_closing_the_contexts_reads_what_the_open_pages_recorded(browser, live_server) -> None:
    """The end-of-test check: violations not yet delivered are read from the open pages."""

    class BindingNeverDelivers(CspWatch):
        def _reported(self, source, entry) -> None:
            pass

    watch = BindingNeverDelivers()
    contexts = Contexts(browser, watch)
    page = contexts.new().new_page()
    page.goto(live_server.url + "/auth/login")
    page.evaluate(BREAK_THE_POLICY)
    page.wait_for_function("(n) => window.__cspViolations.length >= n", arg=3)
    assert watch.events == {}
    contexts.close()
    with pytest.raises(AssertionError, match="style-src-attr"):
        watch.assert_clean(where=" during the test")
    assert {event["directive"] for event in watch.events.values()} == BLOCKED_DIRECTIVES


def test_contexts_that_bypass_the_policy_are_refused(new_context) -> None:
    with pytest.raises(ValueError, match="CSP"):
        new_context(bypass_csp=True)


def test_axe_runs_on_the_page_as_it_is_now(page: Page, live_server, page_checker) -> None:
    """axe sees the page's current document (here an image added after load, without the
    text alternative axe requires), not a fresh load of its address."""
    page.goto(live_server.url + "/auth/login")
    page_checker.check(page, "login")
    page.evaluate(
        """() => {
          const image = document.createElement('img');
          image.src = '/static/img/logo.svg';
          document.querySelector('main').append(image);
        }"""
    )
    with pytest.raises(AssertionError, match=r"axe found 1 violation\(s\) on login \(changed\)"):
        page_checker.check(page, "login (changed)", keep_html=False)


INVALID_HTML = {
    "valid": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fine</title>'
    "</head><body><p>Caf\u00e9 \u2014 fine</p></body></html>",
    "broken": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Broken</title>'
    '</head><body><p id="x">One</p><p id="x">Two<div></span></body></html>',
    "no title": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head>'
    '<body><a href="/x"><a href="/y">nested</a></a></body></html>',
}


def test_the_vnu_service_finds_what_the_command_line_finds(vnu_service: VnuService) -> None:
    through_service = html_errors(INVALID_HTML, vnu_service)
    assert through_service == html_errors(INVALID_HTML)  # one `java -jar vnu.jar` run
    assert through_service["valid"] == []
    assert any("Duplicate ID" in error for error in through_service["broken"])
    assert any("Stray end tag" in error for error in through_service["broken"])
    assert through_service["no title"], "a head without a title passed"
