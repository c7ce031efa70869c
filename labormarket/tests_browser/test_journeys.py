"""Browser journeys of the foundation: sign in, find a person, open the card, switch language.

Labels are compared with what gettext gives for the active language (``tr``), so the tests hold
before and after the translation catalogues are filled in. Screenshots of every step go to
``artifacts/browser/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, Response, expect

from labormarket.accounts.choices import Role
from labormarket.accounts.forms import SignInForm
from labormarket.core.iin import IIN_ERROR_MESSAGES
from labormarket.core.testing import next_iin
from labormarket.registry.models import Person, PersonAccessLog

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    from labormarket.accounts.models import User
    from labormarket.reference.models import Region

    from .conftest import Site

    # The factories live under tests/, which mypy leaves out; these are the signatures used here.
    PASSWORD: str

    def user_with_role(role: str, **kw: object) -> User: ...
    def region(code: str = ...) -> Region: ...
    def PersonFactory(**kw: object) -> Person: ...  # noqa: N802

else:
    from labormarket.accounts.tests.factories import PASSWORD, region, user_with_role
    from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.browser

REGISTRY = "/staff/persons/"


def tr(message: str | StrPromise, language: str = "ru") -> str:
    """``message`` (a msgid or a lazy translation) as the user sees it in ``language``."""
    with translation.override(language):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def ahmetova() -> Person:
    return PersonFactory(
        last_name="Ахметова", first_name="Айгерим", middle_name="Сериковна", male=False
    )


def is_search_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith(REGISTRY)


def search(page: Page, query: str) -> Response:
    """Type ``query`` in the registry search and wait for htmx to put the results in place."""
    page.fill("#id_q", query)
    with page.expect_response(is_search_post) as answer:
        page.click("form[role=search] button[type=submit]")
    response = answer.value
    assert response.status == 200
    assert response.request.header_value("hx-request") == "true", "the search did not go via htmx"
    expect(page.locator("#results [role=status]")).to_be_visible()
    return response


def follow(page: Page, action: Callable[[], object]) -> None:
    with page.expect_navigation():
        action()


def test_specialist_signs_in_finds_a_person_and_opens_the_card(page: Page, site: Site) -> None:
    user = user_with_role(Role.SPECIALIST)
    person = ahmetova()
    PersonFactory(last_name="Петров")  # must not be found
    PersonFactory(last_name="Ахметова", region=region("110000000"))  # another region: hidden

    page.goto(site.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_title(f"{tr('Home')} — {tr('Labour market')}")
    expect(page.locator("main h1")).to_have_text(tr("Public employment services"))
    expect(page.locator("#language-select")).to_have_value("ru")
    expect(page.locator("#language-select option:checked")).to_have_text("Русский")
    expect(page.locator("#user-menu")).to_have_count(0)
    site.shot(page, "01-home-public-ru.png")

    follow(page, lambda: page.click("main a[href='/accounts/login/']"))
    assert site.path_of(page) == "/accounts/login/"
    expect(page.locator("main h1")).to_have_text(tr("Sign in"))
    expect(page.locator("#id_username")).to_be_focused()
    site.shot(page, "02-login-ru.png")

    site.submit_sign_in(page, user.username, PASSWORD)
    assert site.path_of(page) == "/"
    expect(page.locator("#user-menu")).to_contain_text(user.get_full_name())
    workspace = page.locator(f"main a.card[href='{REGISTRY}']")
    expect(workspace).to_contain_text(tr("Person registry"))
    expect(page.locator(f"#main-nav a.nav-link[href='{REGISTRY}']")).to_be_visible()
    site.shot(page, "03-home-specialist-ru.png")

    follow(page, workspace.click)
    assert site.path_of(page) == REGISTRY
    expect(page.locator("main h1")).to_have_text(tr("Person registry"))
    expect(page.locator(f"#main-nav a.nav-link[href='{REGISTRY}']")).to_have_attribute(
        "aria-current", "page"
    )
    site.shot(page, "04-registry-ru.png")

    search(page, "ахмет")
    assert site.path_of(page) == REGISTRY  # htmx swapped #results; no new URL
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    link = rows.first.get_by_role("link", name=person.full_name)
    expect(link).to_have_attribute("href", re.compile(rf"^/staff/persons/{person.pk}/\?purpose="))
    expect(rows.first).to_contain_text(person.birth_date.strftime("%d.%m.%Y"))
    site.shot(page, "05-search-results-ru.png")

    follow(page, link.click)
    assert site.path_of(page) == f"/staff/persons/{person.pk}/?purpose=service_delivery"
    expect(page.locator("#person-name")).to_have_text(person.full_name)
    expect(page.locator("main")).to_contain_text(person.iin)
    expect(page).to_have_title(f"{person.full_name} — {tr('Labour market')}")
    assert PersonAccessLog.objects.filter(person=person, user=user).count() == 1
    site.shot(page, "06-person-card-ru.png")


def test_search_by_iin_finds_exactly_that_person_and_no_url_carries_the_iin(
    page: Page, site: Site
) -> None:
    user = user_with_role(Role.SPECIALIST)
    person = ahmetova()
    PersonFactory(last_name="Ахметов", first_name="Серик")
    iin = person.iin
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    navigated: list[str] = []
    page.on("framenavigated", lambda frame: navigated.append(frame.url))

    def check_url() -> None:
        assert iin not in page.url, f"the IIN is in the address bar: {page.url}"

    site.sign_in(page, user.username, PASSWORD)
    check_url()
    page.goto(site.url(REGISTRY))
    check_url()

    search(page, iin)
    check_url()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(person.full_name)
    expect(page.locator("#results")).not_to_contain_text(iin)  # the list shows no IINs
    site.shot(page, "07-search-by-iin-ru.png")

    follow(page, rows.first.get_by_role("link").click)
    check_url()
    expect(page.locator("#person-name")).to_have_text(person.full_name)
    expect(page.locator("main")).to_contain_text(iin)
    site.shot(page, "08-person-card-from-iin-search-ru.png")

    # Without a purpose the card asks for one first (a GET form: the purpose, not the IIN).
    page.goto(site.url(f"/staff/persons/{person.pk}/"))
    check_url()
    expect(page.locator("#id_purpose")).to_be_visible()
    site.shot(page, "09-purpose-of-access-ru.png")
    page.select_option("#id_purpose", "consultation")
    follow(page, lambda: page.click("main form button[type=submit]"))
    check_url()
    assert site.path_of(page) == f"/staff/persons/{person.pk}/?purpose=consultation"
    expect(page.locator("#person-name")).to_have_text(person.full_name)

    follow(page, page.go_back)
    check_url()
    follow(page, page.go_back)
    check_url()

    leaks = [url for url in requested + navigated if iin in url]
    assert not leaks, f"the IIN went into URLs: {leaks}"


def test_sign_in_with_the_iin_instead_of_the_username(page: Page, site: Site) -> None:
    user = user_with_role(Role.SPECIALIST)
    user.iin = next_iin()
    user.save()

    page.goto(site.url("/accounts/login/"))
    page.fill("#id_username", user.iin)
    page.fill("#id_password", PASSWORD)
    site.shot(page, "10-login-with-iin-ru.png")
    follow(page, lambda: page.click("main form button[type=submit]"))

    assert site.path_of(page) == "/"
    assert user.iin not in page.url
    expect(page.locator("#user-menu")).to_contain_text(user.get_full_name())
    expect(page.locator(f"main a.card[href='{REGISTRY}']")).to_be_visible()
    site.shot(page, "11-signed-in-with-iin-ru.png")


def test_five_wrong_passwords_lock_the_account(page: Page, site: Site) -> None:
    user = user_with_role(Role.SPECIALIST)
    limit = settings.LOGIN_FAILURE_LIMIT
    assert limit == 5
    invalid = tr(SignInForm.error_messages["invalid_login"]) % {
        "limit": limit,
        "minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    alert = page.locator("main .alert-danger")

    page.goto(site.url("/accounts/login/"))
    for attempt in range(1, limit + 1):
        site.submit_sign_in(page, user.username, f"wrong-password-{attempt}")
        assert site.path_of(page) == "/accounts/login/"
        expect(page.locator("#user-menu")).to_have_count(0)
        if attempt < limit:
            expect(alert).to_have_text(invalid)
        if attempt == 1:
            site.shot(page, "12-login-wrong-password-ru.png")
    user.refresh_from_db()
    assert user.is_locked

    site.submit_sign_in(page, user.username, PASSWORD)
    assert site.path_of(page) == "/accounts/login/"
    with translation.override("ru"):
        until = formats.date_format(timezone.localtime(user.locked_until), "DATETIME_FORMAT")
    expect(alert).to_have_text(tr(SignInForm.error_messages["account_locked"]) % {"until": until})
    expect(page.locator("#user-menu")).to_have_count(0)
    site.shot(page, "13-login-locked-ru.png")

    # Really not signed in: a staff page sends us back to sign in.
    page.goto(site.url(REGISTRY))
    assert site.path_of(page).startswith("/accounts/login/?next=")


def test_language_switch_to_kazakh_english_and_back_to_russian(page: Page, site: Site) -> None:
    user = user_with_role(Role.SPECIALIST)
    site.sign_in(page, user.username, PASSWORD)
    page.goto(site.url(REGISTRY))
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    for number, language in enumerate(("kk", "en", "ru"), start=14):
        page.evaluate("window.__beforeSwitch = true")
        with page.expect_navigation():
            page.select_option("#language-select", language)
        assert page.evaluate("window.__beforeSwitch") is None, "the page was not reloaded"
        assert site.path_of(page) == REGISTRY  # back where we were
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#language-select")).to_have_value(language)
        expect(page.locator("main h1")).to_have_text(tr("Person registry", language))
        expect(page).to_have_title(
            f"{tr('Person registry', language)} — {tr('Labour market', language)}"
        )
        expect(page.locator("#id_q")).to_have_attribute(
            "placeholder", tr("e.g. 850101300125 or Ivanov A", language)
        )
        site.shot(page, f"{number}-registry-{language}.png")

        # The choice sticks for the next page too.
        page.goto(site.url("/"))
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("main h1")).to_have_text(tr("Public employment services", language))
        page.goto(site.url(REGISTRY))

    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get(settings.LANGUAGE_COOKIE_NAME) == "ru"


def test_add_person_form_shows_the_iin_error_then_creates_the_person(
    page: Page, site: Site
) -> None:
    user = user_with_role(Role.SPECIALIST)
    good_iin = next_iin(date(1988, 3, 8), "female")
    bad_iin = good_iin[:-1] + str((int(good_iin[-1]) + 1) % 10)  # wrong check digit
    before = Person.objects.count()

    site.sign_in(page, user.username, PASSWORD)
    page.goto(site.url(REGISTRY))
    follow(page, lambda: page.click("main a[href='/staff/persons/new/']"))
    assert site.path_of(page) == "/staff/persons/new/"
    expect(page.locator("#id_region")).to_have_value(str(region().pk))  # the only region
    page.fill("#id_iin", bad_iin)
    page.fill("#id_last_name", "Нурланова")
    page.fill("#id_first_name", "Жанар")
    page.fill("#id_middle_name", "Ерлановна")
    page.fill("#id_phone", "+7 701 234 56 78")
    site.shot(page, "17-person-form-filled-ru.png")

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("main form button[type=submit]")
    assert answer.value.status == 400
    page.wait_for_load_state()
    assert site.path_of(page) == "/staff/persons/new/"
    iin_input = page.locator("#id_iin")
    expect(iin_input).to_have_attribute("aria-invalid", "true")
    expect(iin_input).to_have_attribute("aria-describedby", re.compile(r"\bid_iin_error\b"))
    error = page.locator("#id_iin_error")
    expect(error).to_have_text(tr(IIN_ERROR_MESSAGES["iin_check_digit"]))
    # Next to the field: in the same wrapper as the input, right after it (and its help).
    wrapper = iin_input.locator("xpath=..")
    expect(wrapper.locator("#id_iin_error")).to_have_count(1)
    expect(page.locator("main [aria-invalid=true]")).to_have_count(1)
    expect(page.locator("main .alert-danger")).to_be_visible()
    expect(page.locator("#id_last_name")).to_have_value("Нурланова")  # nothing retyped
    assert Person.objects.count() == before
    assert bad_iin not in page.url
    site.shot(page, "18-person-form-invalid-iin-ru.png")

    page.fill("#id_iin", good_iin)
    follow(page, lambda: page.click("main form button[type=submit]"))
    person = Person.objects.get(iin=good_iin)
    assert Person.objects.count() == before + 1
    assert site.path_of(page) == f"/staff/persons/{person.pk}/?purpose=data_correction"
    assert good_iin not in page.url
    expect(page.locator("#person-name")).to_have_text("Нурланова Жанар Ерлановна")
    expect(page.locator("main .alert-success")).to_contain_text(
        tr("The person has been added to the registry.")
    )
    expect(page.locator("main")).to_contain_text(good_iin)
    expect(page.locator("main")).to_contain_text("08.03.1988")  # read from the IIN
    site.shot(page, "19-person-created-card-ru.png")


FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "body";
  if (e.id) return "#" + e.id;
  if (e.getAttribute("href")) return "a[href=" + e.getAttribute("href") + "]";
  return e.tagName.toLowerCase() + ":" + (e.getAttribute("type") || "") + ":" + e.textContent.trim();
}"""

TO_TOP = """() => {
  document.body.setAttribute("tabindex", "-1");
  document.body.focus();
  document.body.removeAttribute("tabindex");
}"""


def test_keyboard_reaches_the_sign_in_fields_in_order(page: Page, site: Site) -> None:
    user = user_with_role(Role.SPECIALIST)
    page.goto(site.url("/accounts/login/"))
    expect(page.locator("#id_username")).to_be_focused()  # autofocus

    # From the top of the page: the first Tab shows the skip link.
    page.evaluate(TO_TOP)
    page.keyboard.press("Tab")
    skip = page.locator("a[href='#main']")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["width"] > 20, "skip link not shown"
    assert box["height"] > 10, "skip link not shown"
    on_top = page.evaluate(
        """([x, y]) => document.elementFromPoint(x, y)?.closest("a[href='#main']") !== null""",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top, "the focused skip link is hidden behind another element (the navbar?)"
    site.shot(page, "20-keyboard-skip-link-ru.png")

    # Tab alone walks through the top bar and on to the form, in order.
    submit = "button:submit:" + tr("Sign in")
    order = [page.evaluate(FOCUSED)]
    for _ in range(15):
        page.keyboard.press("Tab")
        order.append(page.evaluate(FOCUSED))
        if order[-1] == submit:
            break
    assert order[0] == "a[href=#main]"
    assert "#id_username" in order, order
    start = order.index("#id_username")
    assert order[start : start + 3] == ["#id_username", "#id_password", submit], order
    assert "#language-select" in order[:start], order

    # The skip link jumps over the top bar: Enter, then Tab lands in the username field.
    page.evaluate(TO_TOP)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    expect(page.locator("main form button[type=submit]")).to_be_focused()
    site.shot(page, "21-keyboard-submit-focused-ru.png")
    follow(page, lambda: page.keyboard.press("Enter"))
    # The browser keeps the #main fragment across the redirect; the server sent us home.
    assert site.path_of(page).split("#")[0] == "/"
    expect(page.locator("#user-menu")).to_contain_text(user.get_full_name())


def test_citizen_sees_own_cabinet_and_not_the_registry(page: Page, site: Site) -> None:
    user = user_with_role(Role.CITIZEN)
    person = Person.objects.get(user=user)

    site.sign_in(page, user.username, PASSWORD)
    assert site.path_of(page) == "/"
    cabinet = page.locator("main a.card[href='/cabinet/']")
    expect(cabinet).to_contain_text(tr("My cabinet"))
    expect(page.locator(f"a[href='{REGISTRY}']")).to_have_count(0)
    site.shot(page, "22-home-citizen-ru.png")

    follow(page, cabinet.click)
    assert site.path_of(page) == "/cabinet/"
    expect(page.locator("main h1")).to_have_text(tr("My cabinet"))
    expect(page.locator("main")).to_contain_text(person.full_name)
    expect(page.locator("#main-nav a.nav-link[href='/cabinet/']")).to_have_attribute(
        "aria-current", "page"
    )
    site.shot(page, "23-cabinet-citizen-ru.png")

    card = f"/staff/persons/{person.pk}/?purpose=consultation"
    for path in (REGISTRY, "/staff/persons/new/", card):
        response = page.goto(site.url(path))
        assert response is not None
        assert response.status == 404, path
    site.shot(page, "24-citizen-registry-404.png")
