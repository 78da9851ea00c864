"""The embed layout as data: how a view for an iframe or a screenshot divides a frame of
`width` × `height` CSS pixels, so that the title, the filters in words, the legend, the map,
the timeline and the footer all fit without scrolling.

Every box has a fixed height computed here (the page only draws them, ui.embed): text boxes
hold a whole number of lines (estimated from the text's length and the frame's width,
capped, the rest cut with an ellipsis), the timeline shows one row per event type shown,
and the map takes what is left. A landscape frame (wider than 1.15 × its height) lays the
incident card as a panel right of the map; a portrait or narrow one below it (the map gives
up that room, so that the card never hides a mark).

URL parameters of the embed (validated here, never trusted): `w` and `h`, the frame's size
as the snippet or the screenshot knows it, and `title`, the title line.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# px: the page's padding (top/bottom, left/right) and the gap between boxes (ui.embed CSS)
PAD_Y, PAD_X, GAP = 6, 12, 4
TITLE_PX = 26  # one line of the 18 px title
SENTENCE_PX, LEGEND_PX, FOOTER_PX = 17, 17, 15  # line heights of the smaller texts
# average glyph width over font size of the sans-serif text (measured in Chromium on the
# footer and filter sentences: 0.50-0.53), rounded up so that an estimate errs long
GLYPH = 0.56
TEXT_PX = {"sentence": 13.0, "legend": 12.5, "footer": 11.5}
# px of one timeline row in an embed (the dashboard's 40 when there is room: its largest
# marks are about 40 px across and would be clipped in a smaller single row)
ROW_MIN, ROW_MAX = 18, 40
# px a timeline chart takes beyond its rows in Streamlit (the time axis and Vega's padding):
# measured in Chromium, a chart 64 px high had a plot 17 px high
AXIS_PX = 48
MIN_MAP = 120  # px: below this the map is not worth drawing
SIZE_RANGE = (240, 4000)  # px accepted for w and h
TITLE_MAX = 120  # characters of a title= parameter
DEFAULT_SIZE = (1280, 720)


@dataclass(frozen=True)
class EmbedLayout:
    width: int  # the frame, CSS px
    height: int
    variant: str  # "landscape" or "portrait"
    content_width: int  # inside the page's padding
    sentence_lines: int
    legend_lines: int
    footer_lines: int
    map_height: int
    timeline_height: int
    row_px: int
    card_width: int  # the card's panel: beside the map (landscape) or below it (portrait)
    card_height: int

    @property
    def header_height(self) -> int:
        return TITLE_PX + self.sentence_lines * SENTENCE_PX + self.legend_lines * LEGEND_PX

    @property
    def footer_height(self) -> int:
        return self.footer_lines * FOOTER_PX

    def map_size(self, selected: bool) -> tuple[int, int]:
        """(width, height) of the map: the whole row, less the card's panel when an incident
        is selected."""
        if not selected:
            return self.content_width, self.map_height
        if self.variant == "landscape":
            return self.content_width - self.card_width - GAP, self.map_height
        return self.content_width, self.map_height - self.card_height - GAP

    def total_height(self) -> int:
        """Every box and gap, as the page stacks them: never more than the frame."""
        boxes = [
            TITLE_PX,
            self.sentence_lines * SENTENCE_PX,
            self.legend_lines * LEGEND_PX,
            self.map_height,
            self.timeline_height,
            self.footer_height,
        ]
        return 2 * PAD_Y + sum(boxes) + GAP * (len(boxes) - 1)


def text_lines(text: str, width: float, font_px: float, cap: int) -> int:
    """Lines that `text` takes in a box `width` px wide (an estimate that errs long),
    between 1 and `cap`."""
    per_line = max(1, int(width / (font_px * GLYPH)))
    return max(1, min(cap, math.ceil(len(text) / per_line)))


def embed_layout(
    width: int,
    height: int,
    *,
    rows: int,
    sentence: str,
    legend: str,
    footer: str,
) -> EmbedLayout:
    """Divide a `width` × `height` frame. `rows` is the number of timeline rows (event types
    shown); the texts are those the boxes will hold (only their length is used)."""
    variant = "landscape" if width >= 1.15 * height else "portrait"
    inner = width - 2 * PAD_X
    small = height < 560  # a short frame: one line less for every text
    lines = {
        "sentence": text_lines(sentence, inner, TEXT_PX["sentence"], 1 if small else 2),
        "legend": text_lines(legend, inner, TEXT_PX["legend"], 1 if small else 2),
        "footer": text_lines(footer, inner, TEXT_PX["footer"], 2 if small else 3),
    }
    fixed = (
        2 * PAD_Y
        + 5 * GAP
        + TITLE_PX
        + lines["sentence"] * SENTENCE_PX
        + lines["legend"] * LEGEND_PX
        + lines["footer"] * FOOTER_PX
    )
    body = max(0, height - fixed)
    rows = max(1, rows)
    # the timeline gets at most 40 % of the body (a portrait frame: 35 %), rows between
    # ROW_MIN and ROW_MAX; the map the rest
    share = 0.40 if variant == "landscape" else 0.35
    row_px = int(max(ROW_MIN, min(ROW_MAX, (body * share - AXIS_PX) // rows)))
    timeline = rows * row_px + AXIS_PX
    map_height = body - timeline
    if map_height < MIN_MAP:  # a very short frame: the timeline yields first
        timeline = max(AXIS_PX + rows * 10, body - MIN_MAP)
        row_px = max(10, (timeline - AXIS_PX) // rows)
        timeline = rows * row_px + AXIS_PX
        map_height = max(0, body - timeline)
    if variant == "landscape":
        card_w, card_h = int(min(380, max(240, inner * 0.34))), map_height
    else:
        card_w, card_h = inner, int(min(150, max(96, map_height * 0.3)))
    return EmbedLayout(
        width=width,
        height=height,
        variant=variant,
        content_width=inner,
        sentence_lines=lines["sentence"],
        legend_lines=lines["legend"],
        footer_lines=lines["footer"],
        map_height=int(map_height),
        timeline_height=int(timeline),
        row_px=row_px,
        card_width=card_w,
        card_height=int(card_h),
    )


def frame_size(params: Mapping[str, Sequence[str]]) -> tuple[int, int] | None:
    """The frame's size from `w` and `h` (whole CSS pixels within SIZE_RANGE), or None when
    either is missing or unusable (the browser then reports it: ui.embed)."""
    size = []
    for key in ("w", "h"):
        values = params.get(key) or []
        raw = values[-1] if values else ""
        if not raw.isascii() or not raw.isdigit():
            return None
        size.append(int(raw))
    if not all(SIZE_RANGE[0] <= v <= SIZE_RANGE[1] for v in size):
        return None
    return size[0], size[1]


def embed_title(raw: str | None) -> str | None:
    """A `title=` parameter as a title line: control and format characters removed,
    whitespace collapsed, at most TITLE_MAX characters (cut with "…"); None when empty.
    Still text from a URL: the page escapes it (ui.text.md) like any data."""
    if not raw:
        return None
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in raw
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    text = " ".join(kept.split())
    if len(text) > TITLE_MAX:
        text = text[: TITLE_MAX - 1].rstrip() + "…"
    return text or None
