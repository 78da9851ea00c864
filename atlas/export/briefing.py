"""One-page briefing PDF of the filtered view: filters in words, map, timeline, incident
table, sources, data version, attribution and the URL that reopens the view."""

from __future__ import annotations

import io
import textwrap
from datetime import date, datetime
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages

from atlas.context import filters_in_words
from atlas.export.figures import (
    ATTRIBUTION,
    draw_map,
    legend_handles,
    plain_text,
    timeline_spec,
)
from atlas.export.files import write_atomic
from atlas.filters import Filters
from atlas.loading import Dataset

A4 = (8.27, 11.69)  # inches, portrait
TABLE_ROWS = 14  # what fits; the rest is counted, and is in the data export


def _table_rows(visible: pd.DataFrame) -> list[list[str]]:
    rows = []
    for rec in visible.head(TABLE_ROWS).to_dict("records"):
        rows.append(
            [
                textwrap.shorten(rec["date_text"], 26, placeholder="…"),
                textwrap.shorten(rec["title"], 62, placeholder="…"),
                textwrap.shorten(rec["location_name"], 24, placeholder="…"),
                rec["people_label"],
                textwrap.shorten(", ".join(rec["sources"]), 40, placeholder="…"),
            ]
        )
    return rows


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
    path: Path | None = None,
) -> bytes:
    """Render the briefing; `frame` is the filtered frame (rows with `in_period`)."""
    import vl_convert as vlc

    visible = frame[frame["in_period"]]
    fig = plt.figure(figsize=A4)
    fig.text(0.05, 0.965, "Repatriation Atlas — briefing", fontsize=16, weight="bold")
    fig.text(
        0.05,
        0.945,
        "\n".join(textwrap.wrap(filters_in_words(filters, first, last), 120)),
        fontsize=7.5,
        va="top",
    )
    fig.text(0.05, 0.915, f"{len(visible)} incident(s) shown.", fontsize=7.5)

    ax_map = fig.add_axes((0.05, 0.56, 0.68, 0.35))
    draw_map(ax_map, frame, dataset.places, crossings)
    ax_map.legend(  # beside the map, never over its marks
        handles=legend_handles(frame), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=5.5
    )

    png = vlc.vegalite_to_png(
        timeline_spec(frame, filters.incident, period=(filters.start, filters.end)), scale=2
    )
    ax_time = fig.add_axes((0.05, 0.42, 0.9, 0.13))
    ax_time.imshow(plt.imread(io.BytesIO(png), format="png"))
    ax_time.set_axis_off()

    ax_table = fig.add_axes((0.05, 0.15, 0.9, 0.26))
    ax_table.set_axis_off()
    rows = _table_rows(visible)
    if rows:
        table = ax_table.table(
            cellText=rows,
            colLabels=["Date (as written)", "Incident", "Place", "People", "Sources"],
            colWidths=[0.15, 0.38, 0.16, 0.07, 0.24],
            loc="upper left",
            cellLoc="left",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(5.5)
        table.scale(1, 0.8)

    reports = dataset.reports[dataset.reports["incident_id"].isin(visible["incident_id"])]
    sources = reports.drop_duplicates("source").sort_values("source")
    listed = "; ".join(
        f"{s} ({t})" for s, t in zip(sources["source"], sources["source_type"], strict=True)
    )
    docs = "; ".join(
        f"{p}, “{t}” ({d})"
        for p, t, d in zip(
            dataset.documents["publisher"],
            dataset.documents["title"],
            dataset.documents["published"],
            strict=True,
        )
    )
    more = len(visible) - TABLE_ROWS
    footer = [
        *(
            [f"… and {more} more incident(s) in this view (see the data export)."]
            if more > 0
            else []
        ),
        ("Sources: " + (listed or "none")),
        (
            f"Data as of: dataset version {dataset.version} · generated "
            f"{generated_at:%Y-%m-%d %H:%M} UTC"
        ),
        f"Attribution: {ATTRIBUTION} Documents: {docs}.",
        f"Reopen this view: {url}",
    ]
    y = 0.2
    for line in footer:
        wrapped = textwrap.wrap(line, 150)
        fig.text(0.05, y, "\n".join(wrapped), fontsize=5.8, va="top")
        y -= 0.012 * len(wrapped) + 0.006

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
