"""A newcomer's browser says where they are: the sign-up form's small script
(static/js/timezone.js, allowed by the CSP) stores the browser's time zone, and the account
page shows it and lets the member change it. Every page reached is checked by
``page_checker``."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_account_journey import (
    PASSWORD,
    log_in,
    new_address,
    register_and_confirm,
)


def test_sign_up_guesses_the_zone_and_the_account_page_changes_it(
    new_context, live_server, page_checker
) -> None:
    page = new_context(timezone_id="Asia/Tokyo").new_page()
    address = new_address("kenji")
    page.goto(live_server.url + "/auth/register")
    expect(page.locator("input[name=timezone]")).to_have_value("Asia/Tokyo")
    register_and_confirm(page, live_server, "Kenji Tanaka", address)
    log_in(page, live_server, address, PASSWORD)
    page.goto(live_server.url + "/settings")
    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("Asia/Tokyo")
    page_checker.check(page, "account with time zone")
    zone.select_option("Europe/Copenhagen")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator(".flash").first).to_contain_text("Your time zone is saved.")
    expect(page.get_by_label("Your time zone")).to_have_value("Europe/Copenhagen")
