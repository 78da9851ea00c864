"""Screenshot and embed helpers that need no browser."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image

from atlas.export.files import write_atomic
from atlas.export.screenshot import embed_url, ink_pixels, variance
from ui.exports import iframe_snippet


@pytest.mark.parametrize(
    "url",
    [
        "http://h:8501/",
        "http://h:8501/?type=detention&type=transfer",
        "http://h:8501/?embed=false&incident=x",
    ],
)
def test_embed_url_keeps_the_view_and_sets_embed_once(url):
    query = parse_qs(urlparse(embed_url(url)).query)
    assert query["embed"] == ["true"]
    original = parse_qs(urlparse(url).query)
    original.pop("embed", None)
    assert {k: v for k, v in query.items() if k != "embed"} == original


def test_embed_url_with_a_size_sets_w_and_h_once():
    query = parse_qs(urlparse(embed_url("http://h/?w=1&h=2&type=held", 800, 450)).query)
    assert query == {"type": ["held"], "embed": ["true"], "w": ["800"], "h": ["450"]}


def test_presets_are_the_sizes_the_issue_names():
    from atlas.export.screenshot import PRESETS

    sizes = {key: (w, h) for key, (_label, w, h) in PRESETS.items()}
    assert sizes["slide"] == (1280, 720)  # 16:9
    assert sizes["a4"][1] / sizes["a4"][0] == pytest.approx(297 / 210, rel=0.01)
    assert sizes["letter"][1] / sizes["letter"][0] == pytest.approx(11 / 8.5, rel=0.01)
    assert sizes["square"][0] == sizes["square"][1]


def test_iframe_snippet_is_one_iframe_whose_src_is_the_embed_url():
    from html.parser import HTMLParser

    url = 'http://h/?source=A"><script>x</script>&type=detention'
    tags: list[tuple[str, dict]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, dict(attrs)))

    Collect().feed(iframe_snippet(url))
    assert [t for t, _ in tags] == ["iframe"]
    assert tags[0][1]["src"] == embed_url(url)


def _png(colour: tuple[int, int, int], dot: bool = False) -> bytes:
    image = Image.new("RGB", (60, 40), colour)
    if dot:
        for x in range(10, 50):
            for y in range(10, 30):
                image.putpixel((x, y), (213, 94, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_blank_detection():
    assert ink_pixels(_png((255, 255, 255))) == 0 and variance(_png((255, 255, 255))) == 0
    assert ink_pixels(_png((255, 255, 255), dot=True)) == 800
    assert variance(_png((255, 255, 255), dot=True)) > 100


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.png"

    def broken(path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(target, broken)
    assert list(tmp_path.iterdir()) == []
    write_atomic(target, lambda path: path.write_bytes(b"ok"))
    assert target.read_bytes() == b"ok" and len(list(tmp_path.iterdir())) == 1
