"""What several browser tests and the screenshots do on the live server's demo data: the
demo members' addresses and logging in through the real login page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.live import DEMO_PASSWORD

DEMO_MEMBER = "member@alongside.example"  # Mia Member
DEMO_ORGANISER = "organiser@alongside.example"
SOFIA = "sofia@alongside.example"  # Sofía Herrera


def log_in(page: Page, url: str, address: str) -> None:
    """Log the demo account `address` in on `page` (password DEMO_PASSWORD) and wait for
    the home page."""
    page.goto(url + "/auth/login")
    page.get_by_label("Email address").fill(address)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello, ")
