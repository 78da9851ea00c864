"""Figures and the briefing draw data text as written: no mathtext from `$…$`."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import matplotlib
import pytest
from pypdf import PdfReader

from atlas.export.briefing import briefing_pdf
from atlas.export.figures import export_figure
from atlas.filters import Filters, Vocabulary, apply_filters
from atlas.incidents import incident_table
from atlas.intake import import_file

WHEN = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PAID = "paid $500 and police $300"
UNDEFINED = "$\\undefined$"


@pytest.fixture(scope="module")
def dollars():
    sheet = (
        "id,date,type,place,lat,lon,title,source\n"
        f'k1,2013-11-15,detention,Kunming,25.0389,102.7183,"{PAID}",Source {UNDEFINED}\n'
        f"k2,2012-02-20,repatriation,Dandong,40.1292,124.3947,Title {UNDEFINED},Plain\n"
    )
    result = import_file(sheet.encode("utf-8"), "dollars.csv")
    assert result.loaded == 2, result.errors
    table = incident_table(result.dataset)
    return result.dataset, table, Vocabulary.of(table)


def _text(pdf: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def test_briefing_keeps_dollars_and_survives_undefined_math(dollars, crossings):
    dataset, table, vocab = dollars
    pdf = briefing_pdf(
        dataset,
        apply_filters(table, Filters()),
        Filters(),
        crossings,
        first=vocab.first,
        last=vocab.last,
        url="http://localhost:8501/",
        generated_at=WHEN,
    )
    text = _text(pdf)
    assert PAID in text
    assert f"Title {UNDEFINED}" in text and f"Source {UNDEFINED}" in text


def test_map_figure_title_and_subtitle_are_plain_text(dollars, crossings):
    dataset, table, _ = dollars
    pdf = export_figure(
        "map",
        "pdf",
        apply_filters(table, Filters()),
        dataset.places,
        crossings,
        title=PAID,
        subtitle=f"Sources: {UNDEFINED}",
    )
    text = _text(pdf)
    assert PAID in text and f"Sources: {UNDEFINED}" in text


def test_plain_text_does_not_leak_into_other_figures(dollars, crossings):
    dataset, table, _ = dollars
    export_figure("map", "png", apply_filters(table, Filters()), dataset.places, crossings)
    assert matplotlib.rcParams["text.parse_math"] is True  # only inside the export
