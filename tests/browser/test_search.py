"""Search and keyboard, in a real browser: "연길" typed into the search box and Enter select
a Yanji incident everywhere (URL, card); the incident list selects by keyboard too."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.browser.harness import choose_by_keyboard, wait_until

DETAIL = ".st-key-detail"


def selected(page) -> list[str]:
    # Streamlit updates the URL with history.replaceState, which page.url does not follow
    return parse_qs(urlparse(page.evaluate("location.href")).query).get("incident", [])


def card(page) -> str:
    texts = page.locator(DETAIL).all_inner_texts()
    return texts[0] if texts else ""


def test_korean_search_selects_a_yanji_incident_by_keyboard(server, page):
    page.goto(server)
    choose_by_keyboard(
        page,
        "Search incidents",
        "연길",
        lambda: selected(page) == ["2013-11-repatriation-of-17"],
    )
    wait_until(lambda: "Yanji" in card(page), timeout=30)


def test_list_incident_opened_by_keyboard(server, page):
    page.goto(f"{server}/?type=detention&from=2013-11-01&to=2013-11-30")
    choose_by_keyboard(
        page,
        "Open an incident of the list",
        "Kunming",
        lambda: selected(page) == ["2013-11-15-kunming-detention"],
        option="Kunming",
    )
    wait_until(lambda: "Kunming" in card(page), timeout=30)
    # the card is brought into view (the list is far below it)
    top = "e => e.getBoundingClientRect().top"
    wait_until(lambda: -5 <= page.locator(DETAIL).evaluate(top) < 400)
