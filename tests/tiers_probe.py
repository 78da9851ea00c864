"""Every output of one deployment as text, for tests/test_tiers_leak.py.

Run as a script in the deployment's environment (ATLAS_TIER, ATLAS_DATA_DIR, ...): the app
reads them at import, so each deployment gets a process of its own. Prints a JSON object
{output name: its text}: the AppTest element tree of every page and dashboard tab, the
incident page opened by URL ids (argv: ids to open), the embed, the data exports as the
Export tab prepares them (every file of the ZIP, the GeoJSON, every XML part of the XLSX),
and the figures' and the briefing's text (PDF text, SVG text).
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas.export.data import FORMATS  # noqa: E402
from tests.apptest import embedded, run_app  # noqa: E402
from ui.state import TAB  # noqa: E402


def tree_text(at: AppTest) -> str:
    """Everything the element tree holds: each element's protobuf as text (widget labels,
    options, Markdown, chart and map specs) and each table's cells."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        value = getattr(node, "value", None) if node.type in ("arrow_data_frame",) else None
        if value is not None:
            parts.append(value.to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def _run(params: dict | None = None, page: str | None = None) -> AppTest:
    return run_app(params, page, timeout=120)  # a public tier's first load validates the CSVs


def _tab(at: AppTest, label: str) -> AppTest:
    at.session_state[TAB] = label
    at.run()
    assert not at.exception, at.exception
    return at


def _unpack(name: str, data: bytes) -> str:
    """The text of an exported file: every member of a ZIP (CSV ZIP, XLSX), else itself."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                f"--- {name}/{m}\n" + archive.read(m).decode("utf-8", "replace")
                for m in archive.namelist()
            )
    if data[:4] == b"%PDF":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return data.decode("utf-8", "replace")


def probe(ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    at = _run()
    out["dashboard"] = tree_text(at)
    for label in [t.label for t in at.tabs][1:]:
        out[f"dashboard tab {label}"] = tree_text(_tab(at, label))
    # the data exports, as the Export tab prepares them
    for key in FORMATS:
        at.selectbox(key="data_fmt").set_value(key).run()
        at.button(key="data_go").click().run()
        assert not at.exception, at.exception
        out[f"export {key}"] = _unpack(key, at.session_state["_data"].data)
    # the figures and the briefing (PDF: its text; the timeline also as SVG)
    for kind, fmt in (("briefing", None), ("map", "pdf"), ("timeline", "svg")):
        at.selectbox(key="fig_kind").set_value(kind).run()
        if fmt:
            at.selectbox(key="fig_fmt").set_value(fmt).run()
        at.button(key="fig_go").click().run()
        assert not at.exception, at.exception
        out[f"figure {kind}"] = _unpack(kind, at.session_state["_figure"].data)
    with embedded():
        out["embed"] = tree_text(_run({"w": "800", "h": "600"}))
        assert "Open the full view" in out["embed"], "the dashboard was drawn, not the embed"
    for page in ("views/sources.py", "views/data.py", "views/incident.py"):
        out[f"page {page}"] = tree_text(_run(page=page))
    for incident in ids:
        out[f"incident {incident}"] = tree_text(_run({"incident": incident}, "views/incident.py"))
    return out


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1:])))
