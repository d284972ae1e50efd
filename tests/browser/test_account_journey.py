"""A newcomer's whole way in, on a phone, through the real pages of a real server.

Join, fix the empty form, confirm the address from the mail the server wrote, log in, find
the account page in the menu, log out (which must kill the old cookie), plus the admin's role
form, the skip link and the 404 page. Every page reached is checked by ``page_checker``:
no CSP violation, axe-core, no sideways scrolling at 390 px, and the HTML through vnu at the
end of the test; every page visited, checked or not, is watched for CSP violations.
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.live import DEMO_ADMIN, DEMO_PASSWORD

PASSWORD = "copper kettle harbour violin"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def new_address(who: str) -> str:
    return f"{who}.{uuid.uuid4().hex[:8]}@example.org"


def type_into(field: Locator, text: str) -> None:
    """Click a field and type, key by key, as a person would."""
    field.click()
    field.press_sequentially(text)


def url_path(page: Page) -> str:
    return urlsplit(page.url).path


def open_menu(page: Page) -> None:
    """On a phone the navigation is folded into a <details> whose summary says "Menu"."""
    menu = page.locator("details.site-nav__menu")
    expect(menu).to_be_visible()
    if menu.get_attribute("open") is None:
        page.locator("summary", has_text="Menu").click()
    expect(menu).to_have_attribute("open", "")


def register_and_confirm(page: Page, live_server, name: str, address: str) -> None:
    """Sign up through the form and confirm from the mail (no checks: other tests do them)."""
    page.goto(live_server.url + "/auth/register")
    type_into(page.get_by_label("Your name"), name)
    type_into(page.get_by_label("Email address"), address)
    type_into(page.get_by_label("Password"), PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(live_server.wait_for_link(address, "/auth/confirm/"))
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


def log_in(page: Page, live_server, address: str, password: str) -> None:
    page.goto(live_server.url + "/auth/login")
    type_into(page.get_by_label("Email address"), address)
    type_into(page.get_by_label("Password"), password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello, ")


def assert_real_csp_allows(new_context, live_server, paths: tuple[str, ...]) -> None:
    """The app's own Content-Security-Policy is served and allows what the pages use."""
    page = new_context().new_page()  # like every context here, under the server's CSP
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), (
            f"{path} is served without the app's CSP"
        )
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # The stylesheets were allowed: the wide navigation row is hidden on a phone.
        wide_nav = page.evaluate(
            "() => getComputedStyle(document.querySelector('.site-nav__list--wide')).display"
        )
        assert wide_nav == "none", f"{path}: app.css did not apply under the real CSP"
    assert not refused, "CSP problems in the console:\n" + "\n".join(refused)
    page.context.close()


def test_newcomer_joins_confirms_logs_in_and_out(
    page: Page, new_context, live_server, page_checker
) -> None:
    name = "Tamsin Okafor"
    address = new_address("tamsin")
    assert_real_csp_allows(new_context, live_server, ("/", "/auth/register", "/auth/login"))

    # The visitor's home page leads to the sign-up form.
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You moved for their job. Alongside is for you."
    )
    page_checker.check(page, "home (visitor)")
    page.get_by_role("link", name="Join Alongside").click()
    expect(page).to_have_url(re.compile(r"/auth/register$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Alongside")
    page_checker.check(page, "register")

    # An empty form comes back with an error summary that links to each field.
    page.get_by_role("button", name="Create account").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary).to_have_attribute("tabindex", "-1")
    summary.focus()
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        ["Enter your name.", "Enter your email address.", "Choose a password."]
    )
    expected_fields = [
        page.get_by_label("Your name"),
        page.get_by_label("Email address"),
        page.get_by_label("Password"),
    ]
    for link, field in zip(links.all(), expected_fields, strict=True):
        href = link.get_attribute("href") or ""
        assert href.startswith("#"), f"error summary link {href!r} is not a link into the page"
        field_id = field.get_attribute("id")
        assert href == f"#{field_id}", f"{href!r} should point to the field #{field_id}"
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = f"{field_id}-error"
        expect(page.locator(f"#{error_id}")).to_be_visible()
        assert error_id in (field.get_attribute("aria-describedby") or "").split()
    links.first.click()
    assert urlsplit(page.url).fragment == expected_fields[0].get_attribute("id")
    expect(expected_fields[0]).to_be_in_viewport()
    page_checker.check(page, "register (errors)")

    # Filled in properly, it says to check the inbox.
    type_into(page.get_by_label("Your name"), name)
    type_into(page.get_by_label("Email address"), address)
    type_into(page.get_by_label("Password"), PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/auth/check-email"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page_checker.check(page, "check email")

    # The real sender writes the mail; its link leads to a confirm button.
    link = live_server.wait_for_link(address, "/auth/confirm/", timeout=10)
    assert link.startswith(live_server.url + "/auth/confirm/"), link
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    expect(page.get_by_text(address)).to_be_visible()
    page_checker.check(page, "confirm")
    page.get_by_role("button", name="Confirm my email address").click()

    # The login page knows the address and says the confirmation worked.
    expect(page).to_have_url(re.compile(r"/auth/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("Email address")).to_have_value(address)
    expect(page.get_by_role("status")).to_contain_text("your email address is confirmed")
    page_checker.check(page, "login (confirmed)")

    type_into(page.get_by_label("Password"), PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
    expect(page.get_by_role("status")).to_contain_text(f"Welcome back, {name}.")
    assert url_path(page) == "/"
    page_checker.check(page, "home (member)")

    # The account page is in the folded menu.
    open_menu(page)
    page_checker.check(page, "home (member, menu open)")
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page).to_have_url(re.compile(r"/settings$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text(address)).to_be_visible()
    page_checker.check(page, "account")

    # The session cookie works in another browser until the member logs out...
    cookies = page.context.cookies()
    assert cookies, "no cookies after logging in"
    before = new_context().new_page()
    before.context.add_cookies(cookies)
    before.goto(live_server.url + "/settings")
    expect(before.get_by_role("heading", level=1)).to_have_text("Your account")
    before.context.close()

    open_menu(page)
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out on all your devices.")
    # The page's own call to join (the top bar's copy is hidden on phones by the stylesheet,
    # which a loaded machine may apply a moment after the check starts).
    expect(page.locator("#main").get_by_role("link", name="Join Alongside")).to_be_visible()

    # ... and not after: the saved cookie leads to the login page.
    after = new_context().new_page()
    after.context.add_cookies(cookies)
    after.goto(live_server.url + "/settings")
    assert url_path(after) == "/auth/login", f"the old cookie still opens {after.url}"
    expect(after.get_by_role("heading", level=1)).to_have_text("Log in")


def test_admin_grants_a_role(page: Page, new_context, live_server, page_checker) -> None:
    name = "Noor Haddad"
    address = new_address("noor")
    register_and_confirm(page, live_server, name, address)

    log_in(page, live_server, DEMO_ADMIN, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ada Admin")
    open_menu(page)
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Members and roles")
    page_checker.check(page, "admin")

    type_into(page.get_by_label("Search by name or email"), address)
    page.get_by_role("button", name="Search", exact=True).click()
    card = page.locator("li.admin-user").filter(has=page.get_by_role("heading", name=name))
    expect(card).to_have_count(1)
    page_checker.check(page, "admin (search)")
    card.get_by_label("Role").select_option(label="Organiser")
    card.get_by_role("button", name="Grant", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(f"{name} is now organiser.")
    expect(card.locator(".chip", has_text=re.compile(r"^\s*organiser\s*$"))).to_have_count(1)
    page_checker.check(page, "admin (role granted)")

    # The member sees the new role on their account page.
    member = new_context().new_page()
    log_in(member, live_server, address, PASSWORD)
    member.goto(live_server.url + "/settings")
    expect(member.locator(".summary-list .chip", has_text="organiser")).to_have_count(1)


def test_skip_link_is_the_first_tab_stop(page: Page, live_server, page_checker) -> None:
    page.goto(live_server.url + "/auth/login")
    page_checker.check(page, "login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()


def test_not_found_page(page: Page, live_server, page_checker) -> None:
    response = page.goto(live_server.url + "/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    page_checker.check(page, "404")


@pytest.mark.parametrize(
    ("viewport", "scheme"),
    [(PHONE, "dark"), (DESKTOP, "light"), (DESKTOP, "dark")],
    ids=["phone-dark", "desktop-light", "desktop-dark"],
)
def test_other_sizes_and_colour_schemes(
    new_context, live_server, page_checker, viewport: dict, scheme: str
) -> None:
    """The wide navigation row and the dark palette only show up here: axe and sideways
    scrolling on every page, all reported together (the HTML is the same as at phone size,
    so vnu does not see it again)."""
    page = new_context(viewport=viewport, color_scheme=scheme).new_page()
    problems: list[str] = []

    def check(name: str) -> None:
        try:
            page_checker.check(page, name, keep_html=False)
        except AssertionError as problem:
            problems.append(str(problem))

    for path in ("/", "/auth/register", "/auth/login", "/no-such-page"):
        page.goto(live_server.url + path)
        check(f"{path} (visitor)")
    page.goto(live_server.url + "/auth/register")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("register (errors)")
    log_in(page, live_server, DEMO_ADMIN, DEMO_PASSWORD)
    check("home (admin)")
    for path in ("/settings", "/admin"):
        page.goto(live_server.url + path)
        check(path)
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
