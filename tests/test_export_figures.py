"""Static figures and the one-page briefing: each format opens, the map is not blank, the
briefing states its filters, data version, attribution and reopening URL."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader

from atlas.context import filters_in_words
from atlas.export.briefing import briefing_pdf
from atlas.export.figures import export_figure
from atlas.filters import Filters, Vocabulary, apply_filters
from atlas.incidents import incident_table

FIRST, LAST = date(1960, 1, 1), date(2024, 6, 7)
WHEN = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def frame(bundled):
    return apply_filters(
        incident_table(bundled), Filters(types=("detention", "repatriation", "transfer"))
    )


def _opens(data: bytes, fmt: str) -> None:
    if fmt == "png":
        assert Image.open(io.BytesIO(data)).size[0] > 500
    elif fmt == "svg":
        assert ET.fromstring(data).tag.endswith("svg")  # noqa: S314 (our own output)
    else:
        assert data.startswith(b"%PDF") and len(PdfReader(io.BytesIO(data)).pages) == 1


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("kind", ["map", "timeline"])
def test_each_figure_in_each_format_opens(kind, fmt, frame, bundled, crossings):
    _opens(export_figure(kind, fmt, frame, bundled.places, crossings, scale=1), fmt)


def test_map_png_is_not_blank_and_shows_incident_colours(frame, bundled, crossings):
    image = Image.open(
        io.BytesIO(export_figure("map", "png", frame, bundled.places, crossings, scale=1))
    ).convert("RGB")
    assert image.size == (1000, 650)  # the legend beside the map, never over its marks
    assert sum(ImageStat.Stat(image.convert("L")).var) > 200
    pixels = image.get_flattened_data()
    near = sum(1 for r, g, b in pixels if abs(r - 204) + abs(g - 121) + abs(b - 167) < 50)
    assert near > 20  # forced repatriation pink


def test_unknown_format_is_refused(frame):
    with pytest.raises(ValueError, match="format"):
        export_figure("timeline", "gif", frame)


def test_failed_figure_export_leaves_no_file(frame, tmp_path, monkeypatch):
    import vl_convert

    def broken(*args, **kwargs):
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(vl_convert, "vegalite_to_png", broken)
    with pytest.raises(RuntimeError):
        export_figure("timeline", "png", frame, path=tmp_path / "t.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        (Filters(), "No filters: every incident from 1 Jan 1960 to 7 Jun 2024"),
        (
            Filters(start=date(2013, 10, 1), end=date(2014, 3, 31)),
            "Period: 1 Oct 2013 – 31 Mar 2014",
        ),
        (
            Filters(types=("detention", "repatriation")),
            "Event types: Detention / arrest, Forced repatriation",
        ),
        (
            Filters(start=date(2020, 1, 1), places=("Liaoning",), min_sources=2),
            "Period: 1 Jan 2020 – 7 Jun 2024 · Places: Liaoning · At least 2 sources",
        ),
        (
            Filters(statuses=("single_source",), min_people=10),
            "Status: single source · At least 10 people",
        ),
    ],
)
def test_filters_in_words(filters, words):
    assert filters_in_words(filters, FIRST, LAST) == words


def test_briefing_is_one_page_with_filters_version_attribution_and_url(bundled, crossings):
    table = incident_table(bundled)
    filters = Filters(start=date(2013, 10, 1), end=date(2014, 3, 31))
    url = "http://localhost:8501/?from=2013-10-01&to=2014-03-31"
    vocab = Vocabulary.of(table)
    data = briefing_pdf(
        bundled,
        apply_filters(table, filters),
        filters,
        crossings,
        first=vocab.first,
        last=vocab.last,
        url=url,
        generated_at=WHEN,
    )
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Period: 1 Oct 2013 – 31 Mar 2014" in text
    assert "Data as of 7 Jun 2024" in text  # the newest dated report, not a hash
    assert f"dataset version {bundled.version}" in text and "2026-11-23" in text
    assert "Natural Earth" in text and "GeoNames" in text
    assert "Congressional-Executive Commission on China" in text  # a document's publisher
    assert url in text.replace(" ", "")
    assert "China suggests it would veto" in text  # the incident table, newest first


def test_briefing_of_an_import_prints_korean_and_chinese(crossings):
    """Imported titles in Korean and Chinese are set in the bundled CJK font: the PDF
    carries the text itself, not missing-glyph boxes."""
    import warnings

    from atlas.intake import import_file

    sheet = (
        "id,date,type,place,lat,lon,title\n"
        "k1,2013-11-15,detention,Kunming,25.0389,102.7183,시험 행: 탈북자 구금\n"
        "k2,2012-02-20,repatriation,Dandong,40.1292,124.3947,测试行：强制遣返\n"
    )
    dataset = import_file(sheet.encode("utf-8"), "sheet.csv").dataset
    table = incident_table(dataset)
    vocab = Vocabulary.of(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font"
        data = briefing_pdf(
            dataset,
            apply_filters(table, Filters()),
            Filters(),
            crossings,
            first=vocab.first,
            last=vocab.last,
            url="http://localhost:8501/",
            generated_at=WHEN,
        )
    text = "".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "탈북자구금" in text and "强制遣返" in text


def test_figure_timeline_spans_the_filtered_period_like_the_dashboard(bundled):
    """One design, several renderers: the timeline of the figure and the briefing spans
    the period filter (atlas.zoom.period_domain), not the whole range."""
    from atlas.export.figures import timeline_spec

    table = incident_table(bundled)
    filters = Filters(start=date(2013, 11, 1), end=date(2013, 11, 30))
    frame = apply_filters(table, filters)

    def domains(spec) -> list:
        found = []

        def walk(node):
            if isinstance(node, dict):
                if "domain" in node and isinstance(node["domain"], list):
                    found.append(node["domain"])
                for value in node.values():
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(spec)
        return found

    zoomed = domains(timeline_spec(frame, period=(filters.start, filters.end)))
    assert ["2013-11-01T00:00:00Z", "2013-12-01T00:00:00Z"] in zoomed
    whole = domains(timeline_spec(frame))
    assert ["2013-11-01T00:00:00Z", "2013-12-01T00:00:00Z"] not in whole
