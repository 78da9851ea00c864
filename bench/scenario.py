"""What one simulated viewer does, and what the page must then show (bench/load.py).

A viewer opens a link (one of QUERIES), then changes filters in the sidebar (event type,
period), clicks an incident on the map and, last, downloads the filtered data: opens the
Export tab, chooses CSV, presses "Prepare" and fetches the file. Every step is a widget
state as Streamlit's frontend sends it; the expected number of matching
incidents comes from atlas.filters on the same data, so a protocol client that got a wrong or
stale page counts as an error, not as a fast answer."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from atlas import schema
from atlas.export.data import FORMATS
from atlas.filters import Filters, Vocabulary, apply_filters, from_query, visible_rows
from atlas.incidents import incident_table
from atlas.loading import load_dataset
from ui.text import md  # the card shows titles escaped (a plain function, no Streamlit)

# links people open: the whole set, a briefing's period, a type, both
QUERIES = (
    "",
    "from=2013-10-01&to=2014-03-31",
    "type=detention",
    "type=repatriation&from=2012-01-01&to=2012-12-31",
    "type=detention&type=repatriation&from=2013-01-01",
)
TYPES = (("detention",), ("detention", "repatriation"), ())
PERIODS = ((date(2013, 10, 1), date(2014, 3, 31)), (date(2012, 1, 1), date(2012, 12, 31)), None)
MAP_LAYER = "incidents"  # atlas.mapspec: the layer of incidents with a point and a count
EXPORT_TAB = "Export & embed"  # views/dashboard.py TABS; a tab's value is its label
# ui/exports.py show_data_downloads: format select box, "Prepare" button, download button
DATA_FORMAT, DATA_PREPARE, DATA_DOWNLOAD = "data_fmt", "data_go", "data_download"


@dataclass(frozen=True)
class Step:
    """One action: its kind ("type", "period", "select", "export") and widget value (for
    "export": the format's label as the select box sends it)."""

    kind: str
    widget: str = ""
    value: object = None
    expected_count: int | None = None
    expected_text: str | None = None  # in the detail card's Markdown after a selection


class Data:
    """The bundled data as the app reads it, to compute what each page must show."""

    def __init__(self) -> None:
        self.table = incident_table(load_dataset())
        self.vocab = Vocabulary.of(self.table)

    def initial(self, query: str) -> Filters:
        params: dict[str, list[str]] = {}
        for pair in filter(None, query.split("&")):
            key, _, value = pair.partition("=")
            params.setdefault(key, []).append(value)
        return from_query(params, self.vocab)[0]

    def visible(self, filters: Filters) -> pd.DataFrame:
        return visible_rows(apply_filters(self.table, filters))

    def count(self, filters: Filters) -> int:
        return len(self.visible(filters))


def plan(data: Data, session: int, actions: int, export: bool = True) -> tuple[str, list[Step]]:
    """The link a viewer opens and the steps that follow (deterministic per `session`)."""
    rng = random.Random(session)  # noqa: S311 - a reproducible plan, not security
    query = QUERIES[session % len(QUERIES)]
    model = data.initial(query)
    steps = []
    for k in range(actions):
        kind = ("type", "period", "select")[k % 3]
        if kind == "type":
            types = rng.choice([t for t in TYPES if t != model.types])  # a real change
            model = replace(model, types=types)
            labels = [schema.EVENT_TYPE_BY_CODE[t].label for t in types]
            steps.append(Step("type", "f_types", labels, data.count(model)))
        elif kind == "period":
            now = (model.start, model.end) if model.start or model.end else None
            period = rng.choice([p for p in PERIODS if p != now])
            start, end = period or (data.vocab.first, data.vocab.last)
            model = replace(model, start=period and start, end=period and end)
            value = [start.isoformat(), end.isoformat()]
            steps.append(Step("period", "f_period", value, data.count(model)))
        else:
            shown = data.visible(model)
            shown = shown[shown["longitude"].notna()]  # drawn on the map at a point
            if shown.empty:
                continue
            row = shown.iloc[rng.randrange(len(shown))]
            steps.append(
                Step("select", "map", row["incident_id"], data.count(model), md(row["title"]))
            )
    if export and data.count(model):
        steps.append(Step("export", DATA_PREPARE, FORMATS["csv"].label, data.count(model)))
    return query, steps
