"""The briefing PDF, read back with pypdf: a real as-of date, the link from
ATLAS_PUBLIC_URL (or the local address, said so), the incidents newest first with ISO
dates and the words as written, people per flow type, A4 and Letter."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from atlas.context import dates_iso
from atlas.export.briefing import briefing_pdf, people_lines
from atlas.export.links import LOCAL_NOTE, PublicUrlError, public_base, reopen_link
from atlas.filters import Filters, Vocabulary, apply_filters
from atlas.incidents import incident_table
from atlas.loading import load_dataset
from atlas.paths import BUNDLED_DATA_DIR
from geo.crossings import load_crossings

WHEN = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
POST_2020 = Filters(start=date(2020, 1, 1))


@pytest.fixture(scope="module")
def bundled():
    dataset = load_dataset(BUNDLED_DATA_DIR, strict=True)
    table = incident_table(dataset)
    return dataset, table, Vocabulary.of(table)


def render(bundled, filters: Filters, url: str, **kwargs) -> tuple[PdfReader, str]:
    dataset, table, vocab = bundled
    pdf = briefing_pdf(
        dataset,
        apply_filters(table, filters),
        filters,
        load_crossings(),
        first=vocab.first,
        last=vocab.last,
        url=url,
        generated_at=WHEN,
        **kwargs,
    )
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(reader.pages[0].extract_text().split())


@pytest.fixture(scope="module")
def post_2020(bundled):
    link = reopen_link(
        POST_2020,
        "http://127.0.0.1:8501/?from=2020-01-01",
        {"ATLAS_PUBLIC_URL": "https://atlas.example.org/briefings"},
    )
    return render(bundled, POST_2020, link.url, link_note=link.note)


def test_briefing_states_a_real_as_of_date_and_when_it_was_made(post_2020, bundled):
    _, text = post_2020
    assert "Data as of 7 Jun 2024" in text
    assert "generated 2026-12-02 07:00 UTC" in text
    assert f"dataset version {bundled[0].version}" in text
    assert "Period: 1 Jan 2020 – 7 Jun 2024" in text


def test_briefing_links_to_the_public_url(post_2020):
    reader, text = post_2020
    link = "https://atlas.example.org/briefings/?from=2020-01-01"
    assert link in text.replace(" ", "")
    assert "127.0.0.1" not in text and "local address" not in text
    uris = [a.get_object()["/A"]["/URI"] for a in reader.pages[0].get("/Annots", [])]
    assert link in uris  # the printed link is also a live one


@pytest.fixture(scope="module")
def no_filters(bundled):
    link = reopen_link(Filters(), "http://localhost:8501/", {})
    assert link.url == "http://localhost:8501/" and not link.shareable
    return render(bundled, Filters(), link.url, link_note=link.note, paper="Letter")


def test_briefing_without_a_public_url_says_its_link_is_local(no_filters):
    _, text = no_filters
    assert "http://localhost:8501/" in text.replace(" ", "")
    assert LOCAL_NOTE in text


def _table_dates(text: str) -> list[str]:
    body = text.split("Sources Date ", 1)[-1] if "Sources Date " in text else text
    return re.findall(r"(?:≤ )?(\d{4}-\d{2}(?:-\d{2})?)", body.split("Date as written")[1])


@pytest.mark.parametrize("view", ["post_2020", "no_filters"])
def test_table_is_newest_first_with_iso_dates(request, view):
    _, text = request.getfixturevalue(view)
    dates = _table_dates(text.split("Sources: ")[0])
    assert len(dates) >= 5
    assert dates[0].startswith("2024-06-07")  # the newest event leads, also with no filters
    starts = [d for d in dates]
    assert starts[0] >= starts[-1] and all(d >= "2020" for d in dates[:5])


def test_table_keeps_the_date_as_written_whole(bundled):
    filters = Filters(start=date(2013, 11, 1), end=date(2013, 11, 30))
    _, text = render(bundled, filters, "http://localhost:8501/")
    flat = text.replace(" ", "")
    assert "(reported19Novemberand13December2013)" in flat  # 43 characters, not cut at 26
    assert "2013-11-15–2013-11-19" in flat  # a range as the data's precision allows


def test_people_are_given_per_flow_type_never_summed(bundled):
    dataset, table, _ = bundled
    frame = apply_filters(table, Filters(start=date(2013, 11, 1), end=date(2013, 11, 30)))
    lines = people_lines(frame[frame["in_period"]])
    assert lines[1].startswith("Detention / arrest: 35–37")
    assert any(line.startswith("Forced repatriation: 22") for line in lines)
    assert not any("total" in line.lower() for line in lines)


@pytest.mark.parametrize(
    ("view", "points"),
    [("post_2020", (595, 842)), ("no_filters", (612, 792))],
    ids=["A4", "Letter"],
)
def test_paper_sizes(request, view, points):
    reader, _ = request.getfixturevalue(view)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == points


@pytest.mark.parametrize(
    ("precision", "start", "end", "words"),
    [
        ("day", date(2013, 11, 8), date(2013, 11, 8), "2013-11-08"),
        ("range", date(2013, 11, 8), date(2013, 11, 15), "2013-11-08 – 2013-11-15"),
        ("month", date(2013, 11, 1), date(2013, 11, 30), "2013-11"),
        ("year", date(2013, 1, 1), date(2013, 12, 31), "2013"),
        ("on_or_before", date(2013, 11, 21), date(2013, 11, 21), "≤ 2013-11-21"),
        ("as_of", date(2024, 6, 7), date(2024, 6, 7), "2024-06-07"),
    ],
)
def test_dates_iso(precision, start, end, words):
    assert dates_iso(precision, start, end) == words


@pytest.mark.parametrize(
    ("value", "base"),
    [
        ("https://atlas.example.org", "https://atlas.example.org/"),
        (" http://example.org/atlas ", "http://example.org/atlas/"),
        ("", None),
    ],
)
def test_public_base(value, base):
    assert public_base(value) == base


@pytest.mark.parametrize(
    "value",
    [
        "ftp://example.org/",
        "javascript:alert(1)",
        "https://",
        "https://example.org/?a=1",
        "https://user:pw@example.org/",
        "https://example.org/#top",
        "example.org",
    ],
)
def test_public_base_refuses_what_is_not_an_http_base(value):
    with pytest.raises(PublicUrlError, match="ATLAS_PUBLIC_URL"):
        public_base(value)


def test_readme_documents_the_public_url_and_shows_the_briefing():
    root = BUNDLED_DATA_DIR.parent
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    assert "`ATLAS_PUBLIC_URL`" in readme and LOCAL_NOTE in readme
    assert "(docs/briefing-post-2020.png)" in readme
    assert (root / "docs" / "briefing-post-2020.png").stat().st_size > 10_000
