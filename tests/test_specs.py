"""Map and timeline specs are data: inspect them without a browser."""

from __future__ import annotations

import copy
import json
from datetime import date

import pandas as pd
import pytest

from atlas.filters import Filters, apply_filters
from atlas.grid import Cell
from atlas.incidents import incident_table
from atlas.mapspec import build_deck, deck_and_marks
from atlas.marks import mark_source, pixel_radius
from atlas.sources import disagreements, source_matrix, source_summary
from atlas.timeline import BRUSH, PICK, timeline_chart
from ui.text import md

CROSSINGS = pd.DataFrame(
    {
        "crossing_id": ["a", "b"],
        "name": ["A–B", "C–D"],
        "latitude": [40.1171, None],
        "longitude": [124.3947, None],
        "located": [True, False],
    }
)


@pytest.fixture(scope="module")
def frame(bundled):
    return apply_filters(incident_table(bundled), Filters())


def _layers(deck) -> dict:
    spec = json.loads(deck.to_json())
    return spec, {layer["id"]: layer for layer in spec["layers"]}


def test_offline_deck_has_no_basemap_and_static_outlines(frame, bundled):
    deck = build_deck(frame, bundled.places, CROSSINGS)
    spec, layers = _layers(deck)
    assert not spec.get("mapProvider")
    # pydeck's placeholder default: with no provider Streamlit draws no basemap (STACK.md)
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
    for name in ("countries", "provinces", "rivers", "border"):
        assert layers[f"base-{name}"]["data"] == f"app/static/geo/{name}.geojson"
    # Streamlit passes deck._tooltip to deck.gl; "text" is shown as text, "html" would not be
    assert "html" not in deck._tooltip and "{title}" in deck._tooltip["text"]


def test_online_basemap_only_when_asked(frame, bundled):
    spec, _ = _layers(build_deck(frame, bundled.places, CROSSINGS, online_basemap=True))
    assert spec["mapProvider"] == "carto"


def test_points_split_by_known_and_unknown_counts(frame, bundled):
    _, layers = _layers(build_deck(frame, bundled.places, CROSSINGS))
    known = {r["incident_id"] for r in layers["incidents"]["data"]}
    unknown = {r["incident_id"] for r in layers["incidents-unknown-count"]["data"]}
    assert "2013-11-15-kunming-detention" in known
    assert "2024-03-01-hyesan-border-fortifications" in unknown
    # hollow to the eye (a fill of alpha 1 only makes the whole disc clickable)
    assert layers["incidents-unknown-count"]["getFillColor"][3] <= 1
    # each place of a multi-place incident is its own point; no datetime objects leak
    assert (
        sum(
            r["incident_id"] == "2013-11-02-detentions-shenyang-yanji-dandong"
            for r in layers["incidents"]["data"]
        )
        == 3
    )
    assert all(
        isinstance(v, str | int | float | list | type(None))
        for r in layers["incidents"]["data"]
        for v in r.values()
    )


def test_imprecise_places_are_no_giant_rings(frame, bundled):
    _, layers = _layers(build_deck(frame, bundled.places, CROSSINGS))
    halos = {r["incident_id"]: r["halo_m"] for r in layers["incidents-area"]["data"]}
    assert halos == {"2013-11-07-detention-near-beijing": 50_000}  # only "near" has a ring
    assert layers["incidents-area"]["pickable"] is False  # the mark is what one clicks
    # a country-level count is a mark of the people scale, in the tray
    known = {r["incident_id"]: r for r in layers["incidents"]["data"]}
    assert known["2023-10-repatriation-500-600"]["radius"] == pixel_radius(600, 500)
    # a province-level place: its outline and its name, not a ring
    outlines = layers["province-outlines"]["data"]["features"]
    assert "Jilin" in {f["properties"]["name_en"] for f in outlines}
    labels = {r["text"] for r in layers["province-labels"]["data"]}
    assert "Jilin (whole province)" in labels


def test_movements_are_arcs_and_border_incidents_follow_the_border(frame, bundled):
    _, layers = _layers(build_deck(frame, bundled.places, CROSSINGS))
    arcs = {r["incident_id"]: r for r in layers["movements"]["data"]}
    assert arcs["2013-11-kunming-liaoning-transfer"]["from"] == [102.7183, 25.0389]
    assert set(arcs) == {"2013-11-kunming-liaoning-transfer"}  # Dandong: no arrival named
    # arcs never cover the marks drawn after them (3D arcs win the depth test otherwise)
    assert layers["movements"]["parameters"]["depthWriteEnabled"] is False
    border = layers["incidents-border"]["data"]
    assert {r["incident_id"] for r in border} == {
        "2013-12-border-security-increase",
        "2013-12-refugee-routes-security",
    }
    assert len(border[0]["path"]) > 100
    assert [r["crossing_id"] for r in layers["crossings"]["data"]] == ["a"]


def test_selection_ring_and_period_filter(frame, bundled):
    chosen = "2013-11-15-kunming-detention"
    _, layers = _layers(build_deck(frame, bundled.places, CROSSINGS, chosen))
    assert [r["incident_id"] for r in layers["selection"]["data"]] == [chosen]
    narrowed = apply_filters(incident_table(bundled), Filters(types=("transfer",)))
    _, layers = _layers(build_deck(narrowed, bundled.places, CROSSINGS))
    drawn = {r["incident_id"] for r in layers["incidents"]["data"]}
    assert drawn == {"2013-11-kunming-liaoning-transfer"}  # its origin point only


def test_size_is_square_root_of_people():
    assert pixel_radius(100, 100) - 5 == pytest.approx(2 * (pixel_radius(25, 25) - 5))
    assert pixel_radius(float("nan"), float("nan")) == 5.0


def test_timeline_spec(frame):
    spec = timeline_chart(frame, "2013-11-15-kunming-detention").to_dict()
    params = {p["name"]: p for p in spec["params"]}  # Altair lifts layer params to the top
    assert params[BRUSH]["select"]["encodings"] == ["x"]
    assert params[PICK]["select"]["fields"] == ["incident_id"]
    spans, marks = spec["layer"]
    assert spans["encoding"]["x"]["scale"]["type"] == "utc"
    assert spans["encoding"]["x2"]["field"] == "end"
    rows = spec["datasets"][spec["data"]["name"]]
    kunming = next(r for r in rows if r["incident_id"] == "2013-11-15-kunming-detention")
    assert kunming["selected"] is True and kunming["start"] == "2013-11-15T00:00:00Z"
    assert kunming["end"] == "2013-11-16T00:00:00Z" and kunming["people"] == 15
    context = next(r for r in rows if r["incident_id"] == "2023-10-hangzhou-asian-games")
    assert context["shape"] == "diamond"


def test_kunming_disagreement_is_visible_per_source(bundled):
    dis = disagreements(bundled.reports)
    assert set(dis.loc[dis["incident_id"] == "2013-11-15-kunming-detention", "source"]) >= {
        "JoongAng Daily",
        "Korea Herald",
    }
    summary = source_summary(incident_table(bundled), bundled.reports).set_index("source")
    assert "2013-11-15-kunming-detention" in summary.loc["JoongAng Daily", "disagrees_on"]
    assert summary.loc["Chosun Ilbo", "incidents"] >= 5
    matrix = source_matrix(incident_table(bundled), bundled.reports)
    assert matrix.loc["JoongAng Daily", "2013-11-15-kunming-detention"] == "15"


@pytest.mark.parametrize(
    "payload",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "![x](http://evil/x.png)",
        "[click](javascript:alert(1))",
        "**bold** `code` :red[x] $x$",
    ],
)
def test_markdown_escaping_leaves_no_active_syntax(payload):
    escaped = md(payload)
    for char in "<>[]()*`$:!":
        assert char not in escaped.replace("\\" + char, "")


def test_an_imported_province_level_point_has_the_halo_of_its_province():
    from atlas.marks import halo_km

    yunnan = halo_km("province", "ne_admin1:Yunnan", "Yunnan")
    assert yunnan > 100  # km: a province, not a town
    assert halo_km("province", "ACLED geo_precision 3", "Yunnan") == yunnan
    assert halo_km("province", "ACLED geo_precision 3", "Not a province") == 0.0
    assert halo_km("city", "", "Yunnan") == 10.0


def test_vega_lite_gives_streamlits_own_conversion_without_validating(frame):
    """ui.specs.vega_lite skips Altair's schema validation (its cost, not its output): the
    same dict as Streamlit's conversion, which validates, for each kind of timeline chart;
    and a chart the schema refuses still fails where the builders' tests call to_dict()."""
    import altair as alt
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    from atlas.timebins import binned_timeline_chart
    from atlas.timeline import overview_chart
    from ui.specs import vega_lite

    whole = ("2011-01-01T00:00:00Z", "2025-01-01T00:00:00Z")
    builders = (
        lambda: timeline_chart(frame, "2013-11-15-kunming-detention"),
        lambda: overview_chart(frame, whole),
        lambda: binned_timeline_chart(frame),
    )
    for build in builders:
        mine, theirs = vega_lite(build()), _convert_altair_to_vega_lite_spec(build())
        assert mine.keys() == theirs.keys()
        assert json.dumps(mine, sort_keys=True, default=repr) == json.dumps(
            theirs, sort_keys=True, default=repr
        )
    broken = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q")
    broken.mark = "bogus"  # set after construction: only to_dict() validates it
    with pytest.raises(Exception, match="bogus"):
        broken.to_dict()
    assert vega_lite(broken)["mark"] == {"type": "bogus"}  # not validated


def _as_drawn(spec: dict) -> str:
    """The spec as st.vega_lite_chart sends it, datasets aside: Altair names views by a hash
    of their data, which Streamlit renames view_1, view_2... in order."""
    from streamlit.elements.vega_charts import _stabilize_vega_json_spec

    rest = {k: v for k, v in spec.items() if k != "datasets"}
    return _stabilize_vega_json_spec(json.dumps(rest, sort_keys=True))


def test_a_kept_chart_with_new_rows_is_the_chart_built_on_them(bundled):
    """ui.specs.timeline_spec builds each timeline chart once per gaps and builder, for
    every period (vega_lite_of), and swaps the rows and the period in: the dict must
    be the one a chart built on those rows gives (view names aside: Streamlit names them by
    a hash of the chart built), for every part, filter and selection, while the kept charts
    do not grow with the selection, the types or the period."""
    from atlas.coverage import coverage_gaps, covered_spans
    from atlas.filters import selected_incident
    from atlas.timebins import binned_timeline_chart
    from atlas.timeline import DETAIL_PX, overview_chart
    from atlas.zoom import period_domain
    from ui import specs

    table = incident_table(bundled)
    covered = covered_spans(bundled.documents, bundled.reports, bundled.incidents)
    whole = ("2011-01-01T00:00:00Z", "2025-01-01T00:00:00Z")
    gaps = coverage_gaps(covered, *(pd.Timestamp(w[:10]) for w in whole))
    views = [
        Filters(),
        Filters(incident="2013-11-15-kunming-detention"),
        Filters(types=("detention",), incident="2013-11-15-kunming-detention"),
        Filters(start=pd.Timestamp("2013-01-01").date(), end=pd.Timestamp("2014-06-30").date()),
        Filters(types=("nothing-matches",)),
    ]
    specs._CHARTS.clear()
    for filters in views:
        frame = apply_filters(table, filters)
        period = period_domain(filters.start, filters.end, whole)
        selected = selected_incident(frame, filters)
        built = {
            ("detail", False): timeline_chart(frame, selected, period, gaps=gaps),
            ("detail", True): binned_timeline_chart(frame, period, height=DETAIL_PX),
            ("overview", False): overview_chart(frame, whole, period, gaps),
        }
        for (part, large), chart in built.items():
            kept = specs.timeline_spec(table, covered, filters, whole, large, part)
            direct = specs.vega_lite(chart)
            assert kept["datasets"] == direct["datasets"], (part, large, filters)
            assert _as_drawn(kept) == _as_drawn(direct), (part, large, filters)
        # the filters' rows without their selection, kept (ui.data), serve the selection
        rows = specs.detail_rows(table, filters.with_selection(None), whole)
        before = rows.copy()
        shared = specs.timeline_spec(table, covered, filters, whole, False, "detail", detail=rows)
        direct = specs.vega_lite(built[("detail", False)])
        assert shared["datasets"] == direct["datasets"], filters
        assert _as_drawn(shared) == _as_drawn(direct), filters
        pd.testing.assert_frame_equal(rows, before)
    # one chart per part for every period (ui.specs.Swapped, SwappedRows): not one per view
    assert len(specs._CHARTS) == 3
    kept = next(iter(specs._CHARTS.values()))
    specs.timeline_spec(table, covered, Filters(), whole, False, "detail")["layer"].clear()
    assert next(iter(specs._CHARTS.values())) == kept and kept["layer"]  # callers get copies


@pytest.mark.parametrize(
    "incident",
    [
        "2013-11-15-kunming-detention",  # one mark
        "2013-11-02-detentions-shenyang-yanji-dandong",  # one mark per place
        "2013-12-border-security-increase",  # drawn along the border: an empty ring layer
        "2012-02-davies-raises-concerns",  # in the tray
        "1960-prc-dprk-extradition-treaty",  # outside the period: no ring at all
        "no-such-incident",
    ],
)
def test_a_selection_over_a_kept_map_is_the_map_built_with_it(bundled, crossings, incident):
    """ui.specs.with_selection rings the selection on the deck drawn without it (the map of
    a click is not laid out again): the JSON Streamlit sends is build_deck's with it."""
    from atlas.filters import selected_incident
    from ui import specs

    table = incident_table(bundled)
    filters = Filters(start=pd.Timestamp("2011-01-01").date(), incident=incident)
    frame = apply_filters(table, filters)
    view = specs.map_view(bundled, table, crossings, filters, False, 560, False)
    plain = specs.map_view(
        bundled, table, crossings, filters.with_selection(None), False, 560, False
    )
    direct = build_deck(
        frame, bundled.places, crossings, selected_incident(frame, filters), height=560
    )
    assert view.deck.to_json() == direct.freeze().to_json()
    assert specs.with_selection(plain, incident).deck.to_json() == view.deck.to_json()
    ids = [layer["id"] for layer in json.loads(view.deck.to_json())["layers"]]
    assert ("selection" in ids) == (incident in plain.shown)
    assert "selection" not in [layer["id"] for layer in json.loads(plain.deck.to_json())["layers"]]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(types=("transfer", "detention")),
        Filters(start=date(2013, 10, 1), end=date(2014, 3, 31)),
        Filters(places=("Liaoning",), min_people=10),
        Filters(cell=Cell(5.0, 120.0, 40.0)),
        Filters(start=date(1990, 1, 1), end=date(1990, 2, 1)),  # nothing in the period
    ],
    ids=repr,
)
def test_a_deck_from_the_tables_mark_source_is_the_deck_from_its_rows(bundled, crossings, filters):
    """ui.data keeps a small table's MarkSource: a deck taking its incidents' share of it
    is the deck worked out from the filtered rows (marks, their order and layout, arcs,
    border lines, crossings), at two map sizes; and drawing decks leaves the source as it
    was (every later deck of the server shares it)."""
    table = incident_table(bundled)
    source = mark_source(table, bundled.places, crossings)
    assert source.arcs and source.border and len(source.points) > len(table) / 2
    before = copy.deepcopy(source)
    frame = apply_filters(table, filters)
    for height, width in ((400, 540), (300, 1000)):
        own, own_marks = deck_and_marks(
            frame, bundled.places, crossings, height=height, width=width
        )
        kept, kept_marks = deck_and_marks(
            frame, bundled.places, crossings, height=height, width=width, source=source
        )
        assert kept.freeze().to_json() == own.freeze().to_json()
        assert kept_marks["incident_id"].tolist() == own_marks["incident_id"].tolist()
    pd.testing.assert_frame_equal(source.points, before.points)
    assert (source.arcs, source.border, source.crossings) == (
        before.arcs,
        before.border,
        before.crossings,
    )


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(types=("detention", "transfer", "repatriation")),
        Filters(start=date(2013, 1, 1), end=date(2017, 12, 31)),
        Filters(types=("held",), min_people=2),
    ],
    ids=["all", "flows", "period", "held"],
)
def test_people_view_reads_only_its_columns_and_gives_what_atlas_people_gives(bundled, filters):
    """ui.specs.people narrows the rows to the columns atlas.people reads (a copy of ~10
    columns per filter, not ~40): the same totals and stocks as on the whole rows."""
    from atlas.filters import visible_rows
    from atlas.people import flow_totals, stocks
    from ui import specs

    table = incident_table(bundled)
    visible = visible_rows(apply_filters(table, filters))
    got = specs.people(table, filters)
    assert got.totals == tuple(flow_totals(visible))
    held = stocks(visible)
    want = held.head(specs.STOCKS_KEPT)[["date_start", "date_end", "people_label"]]
    pd.testing.assert_frame_equal(got.held, want)
    assert (got.n_held, got.matching) == (len(held), len(visible))
    assert any(t.incidents for t in got.totals) or filters.types == ("held",)
