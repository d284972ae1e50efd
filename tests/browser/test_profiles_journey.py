"""Two newcomers meet through their profiles, on a phone, through the real pages.

Noor fills in her profile (Markdown bio, city, languages, a skill nobody else has, a photo
whose EXIF carries a GPS position), Tomás finds her in the directory by that skill, asks to
connect with a note, she accepts, and later she blocks him: he can then neither find her
nor open her profile. A second test sends a photo over 5 MB. Every page reached is checked
by ``page_checker`` (no CSP violation, axe-core, no sideways scrolling, vnu at the end of the
test); every page visited is watched for CSP violations.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path
from urllib.parse import urljoin

from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_account_journey import PASSWORD, new_address, open_menu, type_into

GPS_IFD = 0x8825
COMPLETENESS = re.compile(r"Your profile is (\d+)% complete")


# --- helpers -------------------------------------------------------------------------------


def join_and_log_in(page: Page, live_server, checker, name: str, address: str) -> None:
    """Sign up, confirm from the mail, log in; each page is checked once, named after `name`."""
    first = name.split()[0]
    page.goto(live_server.url + "/auth/register")
    checker.check(page, f"register ({first})")
    type_into(page.get_by_label("Your name"), name)
    type_into(page.get_by_label("Email address"), address)
    type_into(page.get_by_label("Password"), PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    checker.check(page, f"check email ({first})")
    page.goto(live_server.wait_for_link(address, "/auth/confirm/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    checker.check(page, f"confirm ({first})")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_label("Email address")).to_have_value(address)
    checker.check(page, f"login ({first})")
    type_into(page.get_by_label("Password"), PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {name}")
    checker.check(page, f"home ({first})")


def go_to(page: Page, link: str) -> None:
    """Follow a link of the folded phone menu ("People", "Network", "Profile")."""
    open_menu(page)
    page.locator("details.site-nav__menu").get_by_role("link", name=link, exact=True).click()


def completeness(page: Page) -> int:
    heading = page.get_by_role("heading", level=2, name=COMPLETENESS)
    expect(heading).to_be_visible()
    match = COMPLETENESS.search(heading.inner_text())
    assert match, heading.inner_text()
    return int(match.group(1))


def photo_field(page: Page) -> Locator:
    return page.get_by_label(re.compile(r"^Photo"))


def bio_field(page: Page) -> Locator:
    return page.get_by_role("textbox", name=re.compile(r"^About you"))


def jpeg_with_gps(path: Path) -> Path:
    """A small JPEG whose EXIF says where it was taken (Copenhagen harbour)."""
    image = Image.new("RGB", (320, 240), (200, 120, 40))
    for x in range(0, 320, 40):  # some stripes, so the crop is not a flat colour
        image.paste((40, 90, 160), (x, 0, x + 20, 240))
    exif = Image.Exif()
    exif[0x010F] = "Alongside test camera"  # Make
    exif[0x0132] = "2026:01:15 10:30:00"  # DateTime
    exif.get_ifd(GPS_IFD).update(
        {
            1: "N",  # GPSLatitudeRef
            2: (55.0, 40.0, 35.0),  # GPSLatitude
            3: "E",  # GPSLongitudeRef
            4: (12.0, 35.0, 26.0),  # GPSLongitude
        }
    )
    image.save(path, "JPEG", exif=exif, quality=90)
    with Image.open(path) as check:  # the test means nothing if the GPS data is not there
        assert check.getexif().get_ifd(GPS_IFD).get(2), "the test photo has no GPS latitude"
    return path


# --- the journey ---------------------------------------------------------------------------


def test_two_members_meet_connect_and_block(
    page: Page, new_context, live_server, page_checker, tmp_path: Path
) -> None:
    run = secrets.token_hex(3)
    skill = f"Kintsugi-{run}"
    noor_name, tomas_name = "Noor Haddad", "Tomás Álvarez"
    noor_address, tomas_address = new_address("noor"), new_address("tomas")
    noor = page
    tomas = new_context().new_page()

    # -- Noor joins and finds her empty profile in the menu.
    join_and_log_in(noor, live_server, page_checker, noor_name, noor_address)
    go_to(noor, "Profile")
    expect(noor.get_by_role("heading", level=1)).to_have_text(noor_name)
    before = completeness(noor)
    assert before <= 10, f"a new member's profile is already {before}% complete"
    expect(noor.get_by_text("Your profile is empty.")).to_be_visible()
    page_checker.check(noor, "own profile (empty)")

    # -- She fills in the editor, with a photo that carries GPS data.
    noor.get_by_role("link", name="Edit your profile").click()
    expect(noor).to_have_url(re.compile(r"/settings/profile$"))
    expect(noor.get_by_role("heading", level=1)).to_have_text("Edit your profile")
    expect(noor.get_by_label("Your name", exact=True)).to_have_value(noor_name)
    page_checker.check(noor, "edit profile (empty)")

    headline = "Architect turned ceramicist, new in Copenhagen"
    type_into(noor.get_by_label("Headline"), headline)
    type_into(
        bio_field(noor),
        "I repair broken pots with gold, **slowly and with care**. "
        "See [my workshop](https://example.com/workshop).",
    )
    photo_field(noor).set_input_files(jpeg_with_gps(tmp_path / "noor.jpg"))
    noor.get_by_label("City you live in now").select_option(label="Copenhagen, Denmark")
    noor.get_by_label("Home country").select_option(label="Jordan")
    languages = noor.get_by_role("group", name=re.compile(r"^Languages you speak"))
    languages.get_by_label("Language 1").select_option(label="Arabic")
    languages.get_by_label("Level").first.select_option(label="Native")
    languages.get_by_label("Language 2").select_option(label="Danish")
    languages.get_by_label("Level").nth(1).select_option(label="Basic")
    type_into(noor.get_by_label("Add a skill 1", exact=True), skill)
    type_into(noor.get_by_label("Add an interest 1", exact=True), "Wild swimming")
    looking = noor.get_by_role("group", name=re.compile(r"^I am looking for"))
    looking.get_by_label("Meeting people").check()
    looking.get_by_label("Paid work and gigs").check()
    noor.get_by_role("button", name="Save profile").click()

    # -- The profile shows what she typed, rendered.
    expect(noor.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(noor).to_have_url(re.compile(r"/members/\d+$"))
    noor_url = noor.url
    expect(noor.get_by_role("heading", level=1)).to_have_text(noor_name)
    expect(noor.get_by_text(headline, exact=True)).to_be_visible()
    expect(noor.get_by_text("Lives in Copenhagen · From Jordan")).to_be_visible()
    about = noor.get_by_role("region", name="About")
    expect(about.locator("strong")).to_have_text("slowly and with care")
    expect(about.get_by_role("link", name="my workshop")).to_have_attribute(
        "href", "https://example.com/workshop"
    )
    expect(about).not_to_contain_text("**")
    chip = noor.get_by_role("link", name=skill, exact=True)
    expect(chip).to_be_visible()
    assert "skill=" in (chip.get_attribute("href") or "")
    expect(noor.get_by_text("Arabic (Native)")).to_be_visible()
    expect(noor.get_by_text("Wild swimming", exact=True)).to_be_visible()
    expect(noor.get_by_text("Meeting people", exact=True)).to_be_visible()
    after = completeness(noor)
    assert after > before, f"completeness stayed at {before}% after saving a full profile"
    assert after >= 80, f"a profile with all but the field filled in is only {after}% complete"
    photo = noor.locator("article header img")
    expect(photo).to_have_count(1)
    expect(photo).to_be_visible()
    photo.scroll_into_view_if_needed()
    assert noor.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle()), (
        "the avatar image did not load"
    )
    page_checker.check(noor, "own profile (filled in)")

    # -- The stored photo is WebP with no EXIF at all, let alone a position.
    source = photo.get_attribute("src") or ""
    assert re.search(r"/avatars/[a-f0-9]{32}\.webp$", source), source
    response = noor.request.get(urljoin(live_server.url, source))
    assert response.status == 200
    assert response.headers["content-type"] == "image/webp"
    body = response.body()
    with Image.open(io.BytesIO(body)) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (512, 512)
        assert not stored.getexif(), f"the stored avatar keeps EXIF: {dict(stored.getexif())}"
        assert "exif" not in stored.info, "the stored avatar keeps an EXIF chunk"
    assert b"EXIF" not in body and b"Exif" not in body  # no RIFF EXIF chunk, no APP1 header

    # -- Tomás joins, says he lives in Copenhagen too and knows the same craft.
    join_and_log_in(tomas, live_server, page_checker, tomas_name, tomas_address)
    go_to(tomas, "Profile")
    tomas.get_by_role("link", name="Edit your profile").click()
    tomas.get_by_label("City you live in now").select_option(label="Copenhagen, Denmark")
    type_into(tomas.get_by_label("Add a skill 1", exact=True), skill.upper())
    tomas.get_by_role("button", name="Save profile").click()
    expect(tomas.get_by_role("status")).to_contain_text("Your profile is saved.")
    # Tags are one per meaning: his upper-case spelling joined hers.
    expect(tomas.get_by_role("link", name=skill, exact=True)).to_be_visible()

    # -- He searches the directory by that skill, typed in lower case.
    go_to(tomas, "People")
    expect(tomas).to_have_url(re.compile(r"/members$"))
    expect(tomas.get_by_role("heading", level=1)).to_have_text("People")
    page_checker.check(tomas, "directory (Tomás)")
    search = tomas.get_by_role("search", name="Find members")
    type_into(search.get_by_label("Skill", exact=True), skill.lower())
    search.get_by_role("button", name="Search").click()
    expect(tomas).to_have_url(re.compile(r"/members\?.*skill=kintsugi"))
    card = tomas.get_by_role("listitem").filter(has=tomas.get_by_role("heading", name=noor_name))
    expect(card).to_have_count(1)
    expect(tomas.get_by_role("heading", level=3)).to_have_count(1)  # only Noor has it
    expect(card).to_contain_text(headline)
    expect(card).to_contain_text("Copenhagen")
    reasons = card.get_by_role("list", name="Why you might want to meet")
    expect(reasons).to_contain_text(f"Shared skill: {skill}")
    expect(reasons).to_contain_text("Lives in your city")
    page_checker.check(tomas, "directory (skill)")

    # -- He opens her profile and asks to connect, with a note.
    card.get_by_role("link", name=noor_name).click()
    expect(tomas).to_have_url(noor_url)
    expect(tomas.get_by_role("heading", level=1)).to_have_text(noor_name)
    expect(tomas.get_by_role("heading", name=COMPLETENESS)).to_have_count(0)
    page_checker.check(tomas, "Noor's profile (Tomás)")
    note = f"Hola Noor! I do kintsugi too — coffee at Torvehallerne? ({run})"
    type_into(tomas.get_by_label("Add a note (optional)"), note)
    tomas.get_by_role("button", name=f"Connect with {noor_name}").click()
    expect(tomas.get_by_role("status")).to_contain_text("Your request is sent.")
    expect(tomas).to_have_url(noor_url)
    connection = tomas.get_by_role("region", name="Connection")
    expect(connection.get_by_text("Request sent")).to_be_visible()
    expect(connection.get_by_role("button", name="Withdraw request")).to_be_visible()
    page_checker.check(tomas, "Noor's profile (request sent)")

    # -- Noor sees the request with the note on her network page and accepts it.
    go_to(noor, "Network")
    expect(noor).to_have_url(re.compile(r"/connections$"))
    incoming = noor.get_by_role("region", name="1 person wants to connect")
    expect(incoming).to_be_visible()
    expect(incoming.get_by_role("link", name=tomas_name)).to_be_visible()
    expect(incoming.get_by_text(note)).to_be_visible()
    page_checker.check(noor, "network (request)")
    incoming.get_by_role("button", name=f"Accept {tomas_name}").click()
    expect(noor.get_by_role("status")).to_contain_text("You are now connected.")
    expect(noor.get_by_role("region", name=re.compile(r"wants? to connect"))).to_have_count(0)
    connections = noor.get_by_role("region", name=re.compile(r"^Connections"))
    expect(connections.get_by_role("link", name=tomas_name)).to_be_visible()
    page_checker.check(noor, "network (connected)")

    # -- Tomás now sees "Connected" on her profile.
    tomas.reload()
    expect(tomas.get_by_role("region", name="Connection").get_by_text("Connected")).to_be_visible()
    expect(tomas.get_by_role("button", name="Remove connection")).to_be_visible()
    page_checker.check(tomas, "Noor's profile (connected)")

    # -- Noor blocks him from his profile page (behind "Block this member").
    connections.get_by_role("link", name=tomas_name).click()
    expect(noor.get_by_role("heading", level=1)).to_have_text(tomas_name)
    block_button = noor.get_by_role("button", name=f"Block {tomas_name}")
    expect(block_button).to_be_hidden()
    noor.get_by_text("Block this member").click()
    expect(block_button).to_be_visible()
    expect(noor.get_by_text(f"{tomas_name} will no longer see your profile")).to_be_visible()
    page_checker.check(noor, "Tomás's profile (block open)")
    block_button.click()
    expect(noor).to_have_url(re.compile(r"/connections$"))
    expect(noor.get_by_role("status")).to_contain_text("Blocked.")
    blocked = noor.get_by_role("region", name="Blocked members")
    expect(blocked).to_contain_text(tomas_name)
    expect(blocked.get_by_role("button", name=f"Unblock {tomas_name}")).to_be_visible()
    connections = noor.get_by_role("region", name=re.compile(r"^Connections"))
    expect(connections.get_by_role("link", name=tomas_name)).to_have_count(0)
    page_checker.check(noor, "network (blocked)")

    # -- Tomás can no longer find her, and her profile is a plain 404 for him.
    go_to(tomas, "People")
    search = tomas.get_by_role("search", name="Find members")
    type_into(search.get_by_label("Skill", exact=True), skill)
    search.get_by_role("button", name="Search").click()
    expect(tomas.get_by_text("Nobody matches these filters yet.")).to_be_visible()
    expect(tomas.get_by_role("heading", name=noor_name)).to_have_count(0)
    expect(tomas.get_by_role("link", name="See everyone")).to_be_visible()
    page_checker.check(tomas, "directory (skill, blocked)")
    response = tomas.goto(noor_url)
    assert response is not None and response.status == 404, (
        f"{noor_url} answers {response and response.status} to the member she blocked"
    )
    expect(tomas.get_by_text(noor_name)).to_have_count(0)
    page_checker.check(tomas, "Noor's profile (404 for Tomás)")

    # -- Noor reopens her editor: everything saved is there, and saving it unchanged
    # keeps her profile as it was.
    go_to(noor, "Profile")
    noor.get_by_role("link", name="Edit your profile").click()
    expect(noor.get_by_label("Headline")).to_have_value(headline)
    expect(noor.get_by_label("City you live in now")).to_have_value("copenhagen")
    expect(noor.get_by_label("Language 1")).to_have_value("ar")
    expect(noor.get_by_label("Remove my photo")).not_to_be_checked()
    skills = noor.get_by_role("group", name=re.compile(r"^Your skills"))
    interests = noor.get_by_role("group", name=re.compile(r"^Your interests"))
    page_checker.check(noor, "edit profile (filled in)")
    expect(skills.get_by_label(skill, exact=True)).to_be_checked()
    expect(interests.get_by_label("Wild swimming", exact=True)).to_be_checked()
    noor.get_by_role("button", name="Save profile").click()
    expect(noor.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(noor.get_by_role("link", name=skill, exact=True)).to_be_visible()
    expect(noor.get_by_text("Wild swimming", exact=True)).to_be_visible()
    expect(noor.locator("article header img")).to_have_count(1)


def test_oversized_photo_is_refused_and_the_form_kept(
    page: Page, live_server, page_checker
) -> None:
    name = "Rafael Mendes"
    join_and_log_in(page, live_server, page_checker, name, new_address("rafael"))
    page.goto(live_server.url + "/settings/profile")
    headline = "Sound engineer, learning Danish"
    bio = "Ten years of **live sound** in São Paulo."
    skill = f"Mixing-{secrets.token_hex(3)}"
    type_into(page.get_by_label("Headline"), headline)
    type_into(bio_field(page), bio)
    page.get_by_label("City you live in now").select_option(label="Aarhus, Denmark")
    type_into(page.get_by_label("Add a skill 1", exact=True), skill)
    page.get_by_role("group", name=re.compile(r"^I am looking for")).get_by_label(
        "Learning"
    ).check()
    too_big = secrets.token_bytes(5 * 1024 * 1024 + 512 * 1024)  # 5.5 MB, under the 6 MB cap
    photo_field(page).set_input_files(
        {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": too_big}
    )
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/settings/profile")
    ) as posted:
        page.get_by_role("button", name="Save profile").click()
    assert posted.value.status == 413, f"a 5.5 MB photo got status {posted.value.status}"

    # The message sits next to the photo field and is tied to it.
    message = "That image is larger than 5 MB. Choose a smaller one."
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#avatar")
    field = photo_field(page)
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\bavatar-error\b"))
    error = page.locator("#avatar-error")
    expect(error).to_have_text(re.compile(re.escape(message)))
    expect(error).to_be_visible()
    field_box, error_box = field.bounding_box(), error.bounding_box()
    assert field_box and error_box and 0 <= field_box["y"] - error_box["y"] < 200, (
        f"the error ({error_box}) is not just above the photo field ({field_box})"
    )

    # Everything else typed is still there, and nothing was saved.
    expect(page.get_by_label("Headline")).to_have_value(headline)
    expect(bio_field(page)).to_have_value(bio)
    expect(page.get_by_label("City you live in now")).to_have_value("aarhus")
    expect(page.get_by_label("Add a skill 1", exact=True)).to_have_value(skill)
    expect(
        page.get_by_role("group", name=re.compile(r"^I am looking for")).get_by_label("Learning")
    ).to_be_checked()
    page_checker.check(page, "edit profile (photo too big)")
    go_to(page, "Profile")
    expect(page.get_by_text(headline)).to_have_count(0)
    expect(page.get_by_text("Your profile is empty.")).to_be_visible()
