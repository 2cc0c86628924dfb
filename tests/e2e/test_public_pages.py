"""Browser checks of the customer's side (issue 15, items 2 and 4) on a phone-sized screen: a
complaint filed on /complain/ with a double click is filed once, its number is shown, and /track/
finds it with the phone's last four digits. No page breaks the Content-Security-Policy.

Set ``E2E_SCREENSHOTS=<dir>`` to keep screenshots of both pages.
"""

import os
import re

import pytest

from complaints.models import Complaint, PublicRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("E2E_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def customer(browser, live_server, users, settings):
    """customer("en") → a Playwright page of an anonymous visitor on a phone (390×844)."""
    settings.THROTTLE_RATES = {
        **settings.THROTTLE_RATES,
        "public_complain": "100/hour",
        "public_track": "100/min",
    }
    contexts = []

    def make(language="zh-hans"):
        context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
        context.set_default_timeout(15000)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.csp_errors = []
        page.on(
            "console",
            lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_customer_files_once_and_tracks_the_complaint(customer, language):
    page = customer(language)
    # given the form, filled in
    page.goto("/complain/")
    page.fill("#id_customer_name", "周先生")
    page.fill("#id_phone", "13655554321")
    page.fill("#id_address", "滨江市城北区新华路21号")
    page.select_option("#id_category", index=1)
    page.fill("#id_content", "电费账单金额异常，比上月高出三倍。")
    page.fill("#id_demand", "核实电量并退还多收电费")
    question = page.inner_text("[data-testid=complain-question]")
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.fill("#id_challenge_answer", str(a + b))
    shot(page, f"public-complain-{language}")
    # when it is sent with a double click
    page.dblclick("[data-testid=complain-submit]")
    # then one complaint is filed, and its number is shown
    number = page.inner_text("[data-testid=complain-tracking-no]").strip()
    complaint = Complaint.objects.get(channel="web_95598")
    assert complaint.tracking_no == number
    shot(page, f"public-complain-filed-{language}")
    # and the link leads to the lookup, which finds it with the phone's last four digits
    page.click("[data-testid=complain-track-link]")
    page.fill("#id_tracking_no", number)
    page.fill("#id_phone_last4", "4321")
    page.click("[data-testid=track-submit]")
    page.wait_for_selector("[data-testid=track-result]")
    assert page.inner_text("[data-testid=track-stage]")
    assert "13655554321" not in page.content()
    shot(page, f"public-track-{language}")
    assert page.csp_errors == []
    assert PublicRequest.objects.filter(kind="track", outcome="found").count() == 1
