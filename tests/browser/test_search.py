"""Search and keyboard, in a real browser: "연길" typed into the search box and Enter select
a Yanji incident everywhere (URL, card); the incident list selects by keyboard too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.browser.harness import wait_until

DETAIL = ".st-key-detail"


def selected(page) -> list[str]:
    # Streamlit updates the URL with history.replaceState, which page.url does not follow
    return parse_qs(urlparse(page.evaluate("location.href")).query).get("incident", [])


def card(page) -> str:
    texts = page.locator(DETAIL).all_inner_texts()
    return texts[0] if texts else ""


def test_korean_search_selects_a_yanji_incident_by_keyboard(server, page):
    page.goto(server)
    box = page.get_by_label("Search incidents", exact=True)
    box.wait_for(timeout=60_000)
    box.focus()
    page.keyboard.type("연길")
    page.keyboard.press("Enter")
    wait_until(lambda: selected(page) == ["2013-11-repatriation-of-17"], timeout=30)
    wait_until(lambda: "Yanji" in card(page), timeout=30)


def test_list_incident_opened_by_keyboard(server, page):
    page.goto(f"{server}/?type=detention&from=2013-11-01&to=2013-11-30")
    box = page.get_by_label("Open an incident of the list", exact=True)
    box.wait_for(timeout=60_000)
    box.focus()
    page.keyboard.type("Kunming")
    page.keyboard.press("Enter")
    wait_until(lambda: selected(page) == ["2013-11-15-kunming-detention"], timeout=30)
    wait_until(lambda: "Kunming" in card(page), timeout=30)
    # the card is brought into view (the list is far below it)
    top = "e => e.getBoundingClientRect().top"
    wait_until(lambda: -5 <= page.locator(DETAIL).evaluate(top) < 400)
