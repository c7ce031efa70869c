import pytest
from labormarket.accounts.choices import Role
from labormarket.accounts.tests.factories import PASSWORD, user_with_role

@pytest.mark.browser
def test_probe(page, site):
    page.goto(site.url("/accounts/login/"))
    page.evaluate("""() => { document.body.setAttribute("tabindex","-1"); document.body.focus(); document.body.removeAttribute("tabindex"); }""")
    page.keyboard.press("Tab")
    print("SKIP", page.evaluate("""() => { const a = document.querySelector("a[href='#main']"); const r = a.getBoundingClientRect();
      const top = document.elementFromPoint(r.x + r.width/2, r.y + r.height/2); return [r.x, r.y, r.width, r.height, top.outerHTML.slice(0,80), getComputedStyle(a).zIndex]; }"""))
    print("USER", page.locator("#id_username").evaluate("e => e.outerHTML"))
    print("PWD", page.locator("#id_password").evaluate("e => e.outerHTML"))
    user = user_with_role(Role.SPECIALIST)
    site.sign_in(page, user.username, PASSWORD)
    page.goto(site.url("/staff/persons/new/"))
    page.fill("#id_iin", "123")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#id_iin_error")
    print("IIN", page.locator("#id_iin").evaluate("e => e.outerHTML"))
    print("LAST", page.locator("#id_last_name").evaluate("e => e.outerHTML"))
    print("LASTERR", page.locator("#id_last_name_error").count())
    page.goto(site.url("/staff/persons/"))
    page.click("form[role=search] button[type=submit]")
    page.wait_for_timeout(1000)
    print("EMPTYSEARCH", page.locator("#results").inner_html()[:500], page.url)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(site.url("/staff/persons/"))
    site.shot(page, "probe-mobile.png")
    page.goto(site.url("/api/docs/"))
    site.shot(page, "probe-api.png")
