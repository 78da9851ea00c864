"""oEmbed answers (atlas.export.oembed): JSON type "rich" for this app's views only,
sized within maxwidth × maxheight; other hosts 404, other formats 501, bad sizes 400."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from atlas.export.oembed import oembed

BASES = ["http://127.0.0.1:8501/", "https://atlas.example.org/briefings/"]
VIEW = "http://127.0.0.1:8501/?type=detention&from=2013-11-01"


class _Iframe(HTMLParser):
    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.attrs = dict(attrs)


def test_a_view_of_this_app_gets_a_rich_iframe():
    answer = oembed(VIEW, BASES)
    assert answer.status == 200
    body = answer.body
    assert (body["version"], body["type"]) == ("1.0", "rich")
    assert (body["width"], body["height"]) == (800, 450)
    parser = _Iframe()
    parser.feed(body["html"])
    assert parser.attrs["src"] == VIEW + "&embed=true"
    assert (parser.attrs["width"], parser.attrs["height"]) == ("800", "450")


@pytest.mark.parametrize(
    ("maxwidth", "maxheight", "size"),
    [("600", None, (600, 337)), (None, "300", (533, 299)), ("2000", "2000", (800, 450))],
)
def test_size_fits_within_the_maximum(maxwidth, maxheight, size):
    body = oembed(VIEW, BASES, maxwidth, maxheight).body
    assert (body["width"], body["height"]) == size
    assert body["width"] <= int(maxwidth or 10**6) and body["height"] <= int(maxheight or 10**6)


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/?type=detention",
        "http://127.0.0.1:8502/",  # another port is another app
        "https://atlas.example.org/other/",  # outside the public base's path
        "https://atlas.example.org.evil.example/briefings/",
        "http://user@127.0.0.1:8501/",
        "javascript:alert(1)",
        "",
        None,
    ],
)
def test_other_urls_are_not_answered(url):
    assert oembed(url, BASES).status == 404


def test_the_public_base_is_answered():
    assert oembed("https://atlas.example.org/briefings/?type=transfer", BASES).status == 200


def test_xml_is_not_implemented_and_bad_sizes_are_refused():
    assert oembed(VIEW, BASES, fmt="xml").status == 501
    assert oembed(VIEW, BASES, maxwidth="-5").status == 400
    assert oembed(VIEW, BASES, maxheight="1e9").status == 400
