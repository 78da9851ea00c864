"""Every quote is verbatim in the document it cites (typographic quotes and spacing aside)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from atlas.paths import seeds_dir

TYPOGRAPHY = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-"}
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(TYPOGRAPHY)
    return re.sub(r"\s+", " ", text).strip().casefold()


def test_every_quote_is_verbatim_in_its_document(bundled):
    folder = seeds_dir()
    if not folder.is_dir():
        pytest.skip(f"source documents not found at {folder} (set ATLAS_SEEDS_DIR)")
    documents = {p.name: normalise(p.read_text(encoding="utf-8")) for p in folder.glob("*.txt")}
    missing = [
        rec["report_id"]
        for rec in bundled.reports.to_dict("records")
        if normalise(rec["quote"]) not in documents.get(rec["document"], "")
    ]
    assert len(bundled.reports) > 0
    assert missing == []


def test_quote_check_detects_an_altered_quote():
    assert normalise("“are not refugees,”") in normalise('"are  not refugees,"')
    assert normalise("are not refugee") != normalise("are not refugees")
