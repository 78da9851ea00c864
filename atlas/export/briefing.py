"""One-page briefing PDF of the filtered view: title, filters in words, a real as-of date,
map, timeline, people per flow type, the incidents newest first (ISO dates and the words as
written), sources, attribution and the link that reopens the view. A4 or Letter."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages

from atlas import people, schema
from atlas.context import as_of_words, dates_iso, day, filters_in_words, tier_words, view_title
from atlas.export.briefing_table import COLUMNS, table_rows
from atlas.export.figures import ATTRIBUTION, draw_map, legend_handles, plain_text, timeline_spec
from atlas.export.files import write_atomic
from atlas.filters import Filters
from atlas.loading import Dataset

PAPERS = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}  # inches, portrait
LEFT, WIDTH = 0.05, 0.9
BODY_PT, SMALL_PT = 7.5, 6.0


@dataclass
class _Cursor:
    """Writes lines of text down the page (figure fractions; `y` is the next line's top)."""

    fig: plt.Figure
    y: float

    def line_height(self, size: float) -> float:
        return size * 1.3 / 72 / self.fig.get_figheight()

    def chars(self, size: float, width: float = WIDTH) -> int:
        # DejaVu Sans averages about 0.55 em a character
        return int(width * self.fig.get_figwidth() * 72 / (0.55 * size))

    def write(self, text: str, size: float, gap: float = 0.004, **style) -> None:
        lines = textwrap.wrap(text, self.chars(size)) or [""]
        self.fig.text(LEFT, self.y, "\n".join(lines), fontsize=size, va="top", **style)
        self.y -= self.line_height(size) * len(lines) + gap


def newest_first(visible: pd.DataFrame) -> pd.DataFrame:
    """The incidents by date, the most recent first (by start, then end)."""
    return visible.sort_values(["date_start", "date_end"], ascending=False, kind="stable")


def people_lines(visible: pd.DataFrame) -> list[str]:
    """People per flow type (atlas.people: never added across types), and the stocks with
    their dates (never added to anything)."""
    lines = ["People, per type (the same people may be in several types; never added up):"]
    for total in people.flow_totals(visible):
        if total.incidents:
            label = schema.EVENT_TYPE_BY_CODE[total.event_type].label
            lines.append(
                f"{label}: {total.label()} — {total.counted} of {total.incidents} state a count"
            )
    for _, row in people.stocks(visible).head(3).iterrows():
        lines.append(f"Held as of {day(row['date_end'].date())}: {row['people_label']} (a stock)")
    if len(lines) == 1:
        lines.append("No detention, transfer or return in this view.")
    return lines


@plain_text
def briefing_pdf(
    dataset: Dataset,
    frame: pd.DataFrame,
    filters: Filters,
    crossings: pd.DataFrame,
    *,
    first: date,
    last: date,
    url: str,
    generated_at: datetime,
    link_note: str = "",
    paper: str = "A4",
    path: Path | None = None,
) -> bytes:
    """Render the briefing; `frame` is the filtered frame (rows with `in_period`), `url`
    the link that reopens the view (atlas.export.links; `link_note` says when it is only
    a local address), `paper` "A4" or "Letter"."""
    import vl_convert as vlc

    if paper not in PAPERS:
        raise ValueError(f"paper {paper!r}: use one of {', '.join(PAPERS)}")
    visible = newest_first(frame[frame["in_period"]])
    fig = plt.figure(figsize=PAPERS[paper])
    page = _Cursor(fig, 0.975)
    page.write(f"Repatriation Atlas — briefing · {tier_words(dataset.tier)}", 15, weight="bold")
    page.write(view_title(filters, first, last), 10.5)
    page.write(filters_in_words(filters, first, last), BODY_PT)
    page.write(
        f"{len(visible)} incident(s) shown · {as_of_words(dataset)} · dataset version "
        f"{dataset.version or 'not stated'} · generated {generated_at:%Y-%m-%d %H:%M} UTC",
        BODY_PT,
        gap=0.01,
        weight="bold",
    )

    map_h = 0.29
    ax_map = fig.add_axes((LEFT, page.y - map_h, 0.6, map_h))
    draw_map(ax_map, frame, dataset.places, crossings)
    legend = ax_map.legend(  # beside the map, never over its marks
        handles=legend_handles(frame), loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=6.5
    )
    box = legend.get_window_extent(fig.canvas.get_renderer()).transformed(
        fig.transFigure.inverted()
    )
    side = _Cursor(fig, box.y0 - 0.012)  # the people per type under the legend
    for line in people_lines(visible):
        text = "\n".join(textwrap.wrap(line, side.chars(6.5, 0.3)))
        fig.text(0.67, side.y, text, fontsize=6.5, va="top")
        side.y -= side.line_height(6.5) * (text.count("\n") + 1) + 0.003
    page.y = min(page.y - map_h, side.y) - 0.01

    # the timeline as the dashboard draws it, sized so that its row labels print at ~7 pt
    spec = timeline_spec(
        frame, filters.incident, period=(filters.start, filters.end), width=560, row_px=26
    )
    spec.setdefault("config", {})["axis"] = {"labelFontSize": 12, "titleFontSize": 12}
    png = vlc.vegalite_to_png(spec, scale=2)
    image = plt.imread(io.BytesIO(png), format="png")
    time_h = min(
        0.22, WIDTH * image.shape[0] / image.shape[1] * fig.get_figwidth() / fig.get_figheight()
    )
    ax_time = fig.add_axes((LEFT, page.y - time_h, WIDTH, time_h))
    ax_time.imshow(image)
    ax_time.set_axis_off()
    page.y -= time_h + 0.01

    footer = _footer(dataset, visible, url, link_note)
    foot = _Cursor(fig, 0)
    foot_h = sum(
        foot.line_height(SMALL_PT) * len(textwrap.wrap(t, foot.chars(SMALL_PT))) + 0.003
        for t in footer
    )
    shown = _draw_table(fig, page, visible, bottom=0.03 + foot_h + 0.02)
    if (more := len(visible) - shown) > 0:
        page.write(f"… and {more} older incident(s) in this view (see the data export).", SMALL_PT)
    page.y = min(page.y, 0.03 + foot_h)
    for text in footer:
        page.write(text, SMALL_PT, gap=0.003, **({"url": url} if text.startswith("Reopen") else {}))

    buffer = io.BytesIO()
    metadata = {
        "Title": "Repatriation Atlas — briefing",
        "CreationDate": generated_at,
        "ModDate": generated_at,
        "Subject": filters_in_words(filters, first, last),
    }
    with PdfPages(buffer, metadata=metadata) as pdf:
        pdf.savefig(fig)
    plt.close(fig)
    data = buffer.getvalue()
    if path is not None:
        write_atomic(Path(path), lambda tmp: tmp.write_bytes(data))
    return data


def _footer(dataset: Dataset, visible: pd.DataFrame, url: str, link_note: str) -> list[str]:
    reports = dataset.reports[dataset.reports["incident_id"].isin(visible["incident_id"])]
    sources = reports.drop_duplicates("source").sort_values("source")
    listed = "; ".join(
        f"{s} ({t})" for s, t in zip(sources["source"], sources["source_type"], strict=True)
    )
    cited = dataset.documents[dataset.documents["document"].isin(set(reports["document"]))]
    docs = "; ".join(
        f"{p}, “{t}” ({d})"
        for p, t, d in zip(cited["publisher"], cited["title"], cited["published"], strict=True)
    )
    return [
        "Sources: " + (listed or "none"),
        *([f"Documents: {docs}."] if docs else []),
        f"Attribution: incident data Repatriation Atlas, CC BY 4.0. {ATTRIBUTION}",
        f"Reopen this view: {url}" + (f" ({link_note})" if link_note else ""),
    ]


def _draw_table(fig: plt.Figure, page: _Cursor, visible: pd.DataFrame, bottom: float) -> int:
    """The incidents, newest first, with wrapped cells, down to `bottom`; returns how many
    rows fit (the rest is counted under the table)."""
    line = page.line_height(SMALL_PT)
    x = LEFT
    for column in COLUMNS:
        fig.text(x, page.y, column.title, fontsize=SMALL_PT, va="top", weight="bold")
        x += column.width * WIDTH
    page.y -= line + 0.004
    fig.add_artist(plt.Line2D([LEFT, LEFT + WIDTH], [page.y + 0.002] * 2, lw=0.5, color="#888"))
    shown = 0
    for cells in table_rows(visible, lambda width: page.chars(SMALL_PT, width * WIDTH)):
        height = line * max(len(c) for c in cells) + 0.004
        if page.y - height < bottom and shown:
            break
        x = LEFT
        for column, lines in zip(COLUMNS, cells, strict=True):
            fig.text(x, page.y, "\n".join(lines), fontsize=SMALL_PT, va="top", linespacing=1.1)
            x += column.width * WIDTH
        page.y -= height
        fig.add_artist(plt.Line2D([LEFT, LEFT + WIDTH], [page.y + 0.002] * 2, lw=0.3, color="#ccc"))
        shown += 1
    page.y -= 0.004
    return shown


__all__ = ["PAPERS", "briefing_pdf", "dates_iso", "newest_first", "people_lines"]
