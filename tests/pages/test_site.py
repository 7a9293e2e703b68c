"""The pages everyone shares: the landing page, signing in, first access, errors, language."""

import re

import pytest
from django.core import mail

from tests.accounts.factories import UserFactory
from tests.pages.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_landing_page_says_what_the_programme_is_and_leads_to_sign_in(page, site):
    page.goto(site + "/")

    assert "300" in page.inner_text("main")
    page.click("text=Sign in to learn")
    assert page.url.startswith(site + "/accedi/")
    assert "next=/catalogo/" in page.url
    assert_accessible(page)


def test_italian_is_the_first_language_and_english_is_one_click_away(page_factory, site):
    page = page_factory(locale="it-IT")
    page.goto(site + "/")
    assert page.get_attribute("html", "lang") == "it"
    assert "Accedi" in page.inner_text("header")

    page.click("[data-testid=language-en]")
    assert page.get_attribute("html", "lang") == "en"
    assert "Sign in" in page.inner_text("header")


def test_a_person_signs_in_sees_their_places_and_signs_out(page, site, milano_coordinator):
    sign_in(page, site, milano_coordinator)

    nav = page.inner_text("nav")
    assert "Coordination" in nav
    assert "My progress" in nav
    assert "Teaching" not in nav  # a coordinator does not teach
    assert_accessible(page)

    page.click("header >> text=Sign out")
    assert "Sign in" in page.inner_text("header")


def test_a_wrong_password_is_refused_with_a_message(page, site, learner):
    page.goto(site + "/accedi/")
    page.fill("input[name=username]", learner.username)
    page.fill("input[name=password]", "not-the-password")
    page.click("main button[type=submit]")

    assert "correct username and password" in page.inner_text("[role=alert]")
    assert_accessible(page)


def test_an_imported_person_sets_a_password_through_the_first_access_link(page, site, milano_org):
    person = UserFactory(organisation=milano_org, email="anna.verdi@comune.example")
    person.set_unusable_password()
    person.save()

    page.goto(site + "/accedi/")
    page.click("text=First access: set your password")
    page.fill("input[name=email]", "Anna.Verdi@comune.example")
    page.click("main button[type=submit]")
    assert "Check your e-mail" in page.inner_text("main")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/password/reimposta/\S+/", mail.outbox[0].body).group(0)
    assert person.username in mail.outbox[0].body
    page.goto(link)
    page.wait_for_url(re.compile(r".*/set-password/$"))
    page.fill("input[name=new_password1]", "una-password-lunga-2026")
    page.fill("input[name=new_password2]", "una-password-lunga-2026")
    page.click("main button[type=submit]")

    assert "Password saved" in page.inner_text("main")
    person.refresh_from_db()
    assert person.check_password("una-password-lunga-2026")


def test_the_first_access_link_is_not_sent_to_a_person_who_has_a_password(page, site, learner):
    learner.email = "has.password@comune.example"
    learner.save()

    page.goto(site + "/primo-accesso/")
    page.fill("input[name=email]", learner.email)
    page.click("main button[type=submit]")

    assert "Check your e-mail" in page.inner_text("main")  # says nothing about who exists
    assert mail.outbox == []


def test_a_missing_page_is_a_404_in_the_sites_look(page, site):
    response = page.goto(site + "/non-esiste/")

    assert response.status == 404
    assert "Page not found" in page.inner_text("h1")
    assert page.locator("link[href*=bootstrap-italia]").count() == 1
    assert_accessible(page)


def test_a_page_that_needs_signing_in_leads_to_the_login_page(page, site):
    page.goto(site + "/catalogo/")

    assert page.url == f"{site}/accedi/?next=/catalogo/"
