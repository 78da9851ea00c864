"""The embed layout (atlas.embedlayout): every box fits the frame, the variant follows the
frame's shape, and the URL parameters of an embed are validated."""

from __future__ import annotations

import pytest

from atlas.embedlayout import (
    MIN_MAP,
    ROW_MAX,
    TITLE_MAX,
    embed_layout,
    embed_title,
    frame_size,
    text_lines,
)

LONG = "Sources: " + ", ".join(f"Source number {i}" for i in range(40))
FRAMES = [(800, 450), (1280, 720), (600, 800), (1080, 1080), (794, 1123), (816, 1056), (480, 320)]


@pytest.mark.parametrize("size", FRAMES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("rows", [1, 4, 7])
@pytest.mark.parametrize("text", ["short", LONG])
def test_every_box_fits_the_frame(size, rows, text):
    lay = embed_layout(*size, rows=rows, sentence=text, legend=text, footer=text)
    assert lay.total_height() <= size[1]
    # the map keeps MIN_MAP px in any frame of 450 px or more (a tiny one: what is left)
    assert lay.map_height >= (MIN_MAP if size[1] >= 450 else 60)
    assert lay.timeline_height >= rows * 10
    for selected in (False, True):
        width, height = lay.map_size(selected)
        assert 0 < width <= lay.content_width and 0 < height <= lay.map_height


@pytest.mark.parametrize(
    ("size", "variant"),
    [
        ((800, 450), "landscape"),
        ((1280, 720), "landscape"),
        ((600, 800), "portrait"),
        ((1080, 1080), "portrait"),
        ((794, 1123), "portrait"),
    ],
)
def test_the_variant_follows_the_frame_shape(size, variant):
    lay = embed_layout(*size, rows=3, sentence="s", legend="l", footer="f")
    assert lay.variant == variant
    width, height = lay.map_size(selected=True)
    if variant == "landscape":  # the card's panel beside the map
        assert height == lay.map_height and width < lay.content_width
    else:  # below it
        assert width == lay.content_width and height < lay.map_height


def test_a_roomy_frame_gives_the_timeline_full_rows_and_the_rest_to_the_map():
    lay = embed_layout(1280, 720, rows=1, sentence="s", legend="l", footer="f")
    assert lay.row_px == ROW_MAX
    assert lay.map_height > 450


def test_a_short_frame_keeps_one_line_per_text_and_a_long_text_is_capped():
    short = embed_layout(800, 450, rows=2, sentence=LONG, legend=LONG, footer=LONG)
    tall = embed_layout(800, 900, rows=2, sentence=LONG, legend=LONG, footer=LONG)
    assert (short.sentence_lines, short.legend_lines) == (1, 1)
    assert (tall.sentence_lines, tall.legend_lines) == (2, 2)
    assert short.footer_lines == 2 and tall.footer_lines == 3


def test_text_lines_grow_with_the_text_and_shrink_with_the_width():
    assert text_lines("x" * 10, 800, 13, 3) == 1
    assert text_lines("x" * 300, 800, 13, 3) > text_lines("x" * 100, 800, 13, 3)
    assert text_lines("x" * 300, 400, 13, 9) > text_lines("x" * 300, 800, 13, 9)
    assert text_lines("x" * 10_000, 400, 13, 2) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"w": ["800"], "h": ["450"]}, (800, 450)),
        ({"w": ["1"], "h": ["450"]}, None),  # too small
        ({"w": ["800"]}, None),  # h missing
        ({"w": ["800px"], "h": ["450"]}, None),
        ({"w": ["-800"], "h": ["450"]}, None),
        ({"w": ["８００"], "h": ["４５０"]}, None),  # full-width digits: not ASCII
        ({"w": ["99999"], "h": ["450"]}, None),
        ({"w": ["640", "800"], "h": ["450"]}, (800, 450)),  # the last of repeated keys
    ],
)
def test_frame_size_from_the_url(params, expected):
    assert frame_size(params) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   \n\t ", None),
        ("Briefing:\nNov 2013", "Briefing: Nov 2013"),
        ("a\u202eb\u200bc\x00d", "abcd"),  # bidi override, zero width, NUL: dropped
        ("**bold** [x](http://h) <b>", "**bold** [x](http://h) <b>"),  # text; md() escapes
    ],
)
def test_title_parameter_is_plain_text_of_one_line(raw, expected):
    assert embed_title(raw) == expected


def test_title_parameter_is_capped():
    title = embed_title("word " * 100)
    assert len(title) == TITLE_MAX and title.endswith("…")


def test_the_readme_states_the_presets_and_limits_the_code_has():
    from pathlib import Path

    from atlas.embedlayout import SIZE_RANGE
    from atlas.export.screenshot import PRESETS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for key, (_label, width, height) in PRESETS.items():
        assert f"`{key}` {width}×{height}" in readme, key
    assert f"{SIZE_RANGE[0]}–{SIZE_RANGE[1]}" in readme
    assert f"at most {TITLE_MAX} characters" in readme
