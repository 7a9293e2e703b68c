"""The certificates pages in a real browser, on a phone (390 px) and on a desktop: the public
verification of a valid, a revoked and an unknown code, typed into the form; a learner's
certificates and their PDF; the coordinator's list, filtered, and its ZIP. axe on every page,
the Content Security Policy enforced (``page_factory`` fails on a violation)."""

import io
import zipfile
from pathlib import Path

import pytest

from certificates.models import Certificate
from certificates.services.issuing import certificate_reissue, certificate_revoke
from tests.pages.attendance.test_browser import PHONE, fits_the_screen
from tests.pages.conftest import SCREENSHOTS, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DESKTOP = {"width": 1280, "height": 900}
SHOTS = SCREENSHOTS / "certificates"  # one of each page at each width
REVOKED_BECAUSE = "Il nome era scritto male sul registro"


def at_both_widths(page, name: str) -> None:
    """The page as it is now, on a phone and on a desktop: nothing sideways on the phone, axe
    clean, and a screenshot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)
        if label == "390":
            assert fits_the_screen(page), f"{name}: wider than a phone"
        page.screenshot(path=SHOTS / f"{name}-{label}.png", full_page=True)
    assert_accessible(page)


@pytest.fixture
def generous_limit(settings):
    """axe opens every page a second time: the pages' tests must not meet the rate limit."""
    settings.CERTIFICATES_VERIFY_PER_MINUTE = 1000


def test_anyone_verifies_a_valid_a_revoked_and_an_unknown_code(
    page_factory, site, generous_limit, issue, staff, milano_person, module, course
):
    valid = issue(milano_person, module=module)
    old = issue(milano_person, kind=Certificate.Kind.COURSE, course=course)
    certificate_reissue(actor=staff, certificate=old, reason=REVOKED_BECAUSE)
    page = page_factory()

    page.goto(f"{site}/verify/")
    at_both_widths(page, "verify-form")
    page.fill("input[name=code]", valid.code.lower().replace("-", " "))
    page.click("main button[type=submit]")
    assert page.url == f"{site}/verify/{valid.code}"
    status = page.locator("[data-testid=verification-status]")
    assert status.get_attribute("data-status") == "valid"
    assert "Valid certificate" in status.inner_text()
    facts = page.inner_text("[data-testid=certificate-facts]")
    assert "Ambrogio Brambilla" in facts
    assert "Procedimenti digitali" in facts
    assert page.locator("meta[name=robots]").get_attribute("content") == "noindex"
    # The status is said in words and drawn in green: the colour is not the only sign.
    colour = status.evaluate("el => getComputedStyle(el).borderLeftColor")
    assert colour == "rgb(0, 105, 62)"
    at_both_widths(page, "verify-valid")

    page.goto(f"{site}/verify/{old.code}")
    status = page.locator("[data-testid=verification-status]")
    assert status.get_attribute("data-status") == "revoked"
    assert "Revoked certificate" in status.inner_text()
    assert REVOKED_BECAUSE in status.inner_text()
    assert "A new certificate was issued to its holder" in status.inner_text()
    assert status.evaluate("el => getComputedStyle(el).borderLeftColor") == "rgb(166, 31, 51)"
    at_both_widths(page, "verify-revoked")

    response = page.goto(f"{site}/verify/ABCD-EFGH-JKMN-PQRS")
    assert response.status == 404
    assert "No certificate has this code" in page.inner_text("main")
    at_both_widths(page, "verify-unknown")


def test_the_rate_limit_page_is_in_the_pages_look(
    page, site, settings, issue, milano_person, module
):
    settings.CERTIFICATES_VERIFY_PER_MINUTE = 0
    certificate = issue(milano_person, module=module)

    response = page.goto(f"{site}/verify/{certificate.code}")

    assert response.status == 429
    assert "Too many verifications from here" in page.inner_text("[data-testid=rate-limited]")
    assert "Ambrogio" not in page.inner_text("main")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "verify-limited-1280.png", full_page=True)


def test_a_learner_finds_their_certificates_and_downloads_the_pdf(
    page_factory, site, issue, staff, milano_person, learner, module, course
):
    valid = issue(milano_person, module=module)
    revoked = issue(milano_person, kind=Certificate.Kind.COURSE, course=course, hours=(20, 0, 0))
    certificate_revoke(actor=staff, certificate=revoked, reason=REVOKED_BECAUSE)
    pending = issue(milano_person, kind=Certificate.Kind.PROGRAMME, hours=(300, 12, 6))
    Certificate.objects.filter(pk=pending.pk).update(pdf="")
    page = page_factory()
    sign_in(page, site, milano_person, next_path="/i-miei-progressi/")

    page.click('nav >> text="My certificates"')
    assert page.url == f"{site}/i-miei-attestati/"
    cards = page.locator("[data-testid=certificate]")
    assert cards.count() == 3
    valid_card = page.locator(f"[data-code='{valid.code}']")
    assert valid_card.locator("[data-testid=status]").inner_text().strip() == "Valid"
    assert "Revoked on" in page.locator(f"[data-code='{revoked.code}']").inner_text()
    assert "The PDF is being written" in page.locator(f"[data-code='{pending.code}']").inner_text()
    at_both_widths(page, "mine")

    with page.expect_download() as download:
        valid_card.locator("[data-testid=download-pdf]").click()
    saved = Path(download.value.path()).read_bytes()
    assert saved.startswith(b"%PDF")
    assert download.value.suggested_filename == f"attestato-Ambrogio-Brambilla-{valid.code}.pdf"
    with page.expect_download() as credential:
        valid_card.locator("[data-testid=download-credential]").click()
    assert credential.value.suggested_filename.endswith(".json")

    empty = page_factory()
    sign_in(empty, site, learner, next_path="/i-miei-attestati/")
    assert "You have no certificates yet." in empty.inner_text("main")
    at_both_widths(empty, "mine-empty")


def test_a_coordinator_filters_their_people_s_certificates_and_downloads_the_zip(
    page_factory, site, issue, staff, milano_coordinator, milano_person, bologna_person, module
):
    mine = issue(milano_person, module=module)
    theirs = issue(bologna_person, module=module)
    page = page_factory()
    sign_in(page, site, milano_coordinator, next_path="/coordinamento/")

    page.click('nav >> text="Certificates"')
    assert page.url == f"{site}/coordinamento/attestati/"
    rows = page.locator("[data-testid=certificate]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-code") == mine.code
    assert theirs.code not in page.content()
    page.select_option("select[name=status]", "valid")
    page.click("[data-testid=filter-submit]")
    assert "status=valid" in page.url
    assert page.locator("[data-testid=certificate]").count() == 1
    at_both_widths(page, "coordinator")

    with page.expect_download() as download:
        page.click("[data-testid=download-zip]")
    assert download.value.suggested_filename.startswith("attestati-")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert sorted(archive.namelist()) == sorted(
        ["elenco.csv", f"attestato-Ambrogio-Brambilla-{mine.code}.pdf"]
    )
    assert theirs.code not in archive.read("elenco.csv").decode("utf-8-sig")
