"""The import panel of the Data page: upload, mapping, validation report, preview, use.

Uploads stay in this session's memory (Streamlit's uploader keeps them there; GeoPackage
alone passes through a private temporary folder, removed at once): nothing is written to
the project or shared with other sessions. Every value from the file is shown through
st.dataframe or `md`, as text.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pandas as pd
import streamlit as st

from atlas.intake import ImportResult, combine, describe_result, import_file, read_upload
from atlas.intake.convert import is_acled
from atlas.intake.encoding import CHOICES
from atlas.intake.formats import EXTENSIONS, IntakeError, Limits, RawTable
from ui import data
from ui.mapping_editor import NONE, edit_mapping, start_mapping
from ui.text import md

RESULT = "import_result"
UPLOAD = "_import_upload"  # (file id, token) of the file being imported
READ = "_import_read"  # ((token, encoding, layer), RawTable or IntakeError): the last read
PREVIEW_COLUMNS = [
    "incident_id",
    "title",
    "event_type",
    "date_text",
    "date_start",
    "date_end",
    "date_precision",
    "location_name",
    "latitude",
    "longitude",
    "geo_precision",
    "people_min",
    "people_max",
    "status",
]
LIMITS = Limits()


def show_import() -> None:
    """Upload → mapping → import → report, preview and the choice to use the data."""
    st.caption(
        f"CSV (UTF-8, CP949/EUC-KR, GB18030/GBK: detected), XLSX, GeoJSON, GeoPackage, "
        f"GeoParquet, ACLED exports and the atlas's own exports; up to "
        f"{LIMITS.max_bytes // 2**20:,} MB and {LIMITS.max_rows:,} rows. The file stays in "
        "this browser session's memory on this machine: it is not saved, and nothing is "
        "sent anywhere."
    )
    upload = st.file_uploader("File to import", type=list(EXTENSIONS), key="upload")
    if upload is None:
        for key in (RESULT, UPLOAD, READ):
            st.session_state.pop(key, None)
        return
    content = upload.getvalue()
    token = _token(upload.file_id, content)
    col1, col2, col3 = st.columns(3)
    chosen = col1.selectbox(
        "Encoding (CSV)", ["Detect automatically", *CHOICES], key=f"enc_{token}"
    )
    encoding = None if chosen == "Detect automatically" else chosen
    saved = col2.file_uploader("Reuse a saved mapping (JSON)", type=["json"], key="mapping_file")
    layer = st.session_state.get(f"layer_{token}")
    raw = _read(content, upload.name, encoding, layer, token)
    layers = st.session_state.get(f"_layers_{token}") or []
    if len(layers) > 1:
        col3.selectbox(
            "Sheet or layer",
            layers,
            index=layers.index(layer or getattr(raw, "layer", None) or layers[0]),
            key=f"layer_{token}",
        )
    if isinstance(raw, IntakeError):
        st.error(f"Cannot import this file: {md(raw.problem.message)}. Fix: {md(raw.problem.fix)}")
        return
    mapping = start_mapping(raw.columns, saved, token)
    if mapping is None:
        return
    if raw.tables is None and not is_acled(raw.columns):
        mapping = edit_mapping(raw, mapping, token)
    elif raw.tables is None:
        st.info("ACLED layout detected: ACLED's columns and precision codes are used.")
    else:
        st.info("An atlas data export: its incidents, places, reports and documents are read.")
    if st.button("Check and import", type="primary", key="import_go"):
        bar = st.progress(0.0, text="Reading…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Geocoding place names offline: {done:,}/{total:,}")

        result = import_file(
            content,
            upload.name,
            mapping,
            encoding=encoding,
            limits=LIMITS,
            progress=progress,
            layer=raw.layer,
        )
        bar.empty()
        st.session_state[RESULT] = (token, result)
    stored = st.session_state.get(RESULT)
    if stored and stored[0] == token:
        show_result(stored[1], token)


def rows_of(problems) -> set[tuple[str, int]]:
    """The rows (file, row) that these problems name; file-level problems name none."""
    return {(p.file, p.row) for p in problems if p.row is not None}


def problem_count(problems, kind: str, rows_did: str) -> str:
    """'5 error(s) in 3 row(s), which were not loaded (and 1 about whole files).': problems
    and rows counted apart, since a row can have several problems."""
    rows = rows_of(problems)
    whole = sum(p.row is None for p in problems)
    text = f"{len(problems):,} {kind} in {len(rows):,} row(s), which {rows_did}"
    return text + (f" (and {whole:,} about whole files)." if whole else ".")


def _token(file_id: str, content: bytes) -> str:
    """A short hash of the upload, computed once per uploaded file (not on every rerun)."""
    known = st.session_state.get(UPLOAD)
    if known and known[0] == file_id:
        return known[1]
    token = hashlib.sha256(content).hexdigest()[:10]
    st.session_state[UPLOAD] = (file_id, token)
    return token


def _read(
    content: bytes, name: str, encoding: str | None, layer: str | None, token: str
) -> RawTable | IntakeError:
    """The upload read once per file, encoding and sheet/layer, not on every rerun of the
    page (a widget change reruns it). Only the latest read is kept in the session."""
    key = (token, encoding, layer)
    cached = st.session_state.get(READ)
    if cached and cached[0] == key:
        return cached[1]
    if cached and cached[0][:2] == key[:2] and getattr(cached[1], "layer", None) == layer:
        return cached[1]  # the sheet read by default, now chosen by name
    try:
        raw: RawTable | IntakeError = read_upload(
            content, name, encoding=encoding, limits=LIMITS, layer=layer
        )
        if raw.layers:
            st.session_state[f"_layers_{token}"] = raw.layers
    except IntakeError as exc:
        raw = exc
    st.session_state[READ] = (key, raw)
    return raw


def show_result(result: ImportResult, token: str) -> None:
    summary = describe_result(result)
    (st.error if result.dataset is None or not result.loaded else st.success)(md(summary))
    for note in result.notes:
        st.caption(md(note))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Rows read", f"{result.rows:,}")
    c2.metric("Incidents loaded", f"{result.loaded:,}")
    c3.metric("Rows not loaded", f"{result.rows_not_loaded:,}")
    c4.metric("Errors · warnings", f"{len(result.errors):,} · {len(result.warnings):,}")
    if result.problems:
        with st.container(key="import_report"):
            st.markdown("**Validation report** — one line per problem")
            st.dataframe(
                result.report_frame(),
                hide_index=True,
                width="stretch",
                height=min(300, 40 + 35 * len(result.problems)),
            )
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Download the report (CSV)",
        result.report_csv(),
        f"{result.file}.report.csv",
        "text/csv",
        key="dl_report",
    )
    if result.errors:
        d2.download_button(
            "Download the rows that did not load (CSV)",
            result.invalid_rows_csv(),
            f"{result.file}.invalid.csv",
            "text/csv",
            key="dl_invalid",
        )
    d3.download_button(
        "Save this mapping (JSON)",
        result.mapping.to_json(),
        "atlas-mapping.json",
        "application/json",
        key="dl_mapping",
    )
    if not result.review.empty:
        st.markdown("**Places geocoded offline** (review before use)")
        st.dataframe(result.review, hide_index=True, width="stretch")
        _choose_places(result, token)
    if result.dataset is None or not result.loaded:
        return
    st.markdown(f"**Preview of what will load** ({result.loaded:,} incidents; first 500 shown)")
    incidents = pd.DataFrame(result.dataset.incidents.drop(columns="geometry"))
    preview = incidents[PREVIEW_COLUMNS].head(500).copy()
    for column in ("date_start", "date_end"):
        preview[column] = preview[column].dt.strftime("%Y-%m-%d")
    with st.container(key="import_preview"):
        st.dataframe(preview, hide_index=True, width="stretch")
    u1, u2 = st.columns(2)
    if u1.button("Show this data on the dashboard", type="primary", key="use_import"):
        data.use_dataset(result.dataset)
        st.switch_page("views/dashboard.py")
    if u2.button("Show it alongside the bundled data", key="use_both"):
        bundled, _, _ = data.load_bundled()
        data.use_dataset(combine(bundled, result.dataset, data.bundled_tables()))
        st.switch_page("views/dashboard.py")


def _choose_places(result: ImportResult, token: str) -> None:
    ambiguous = result.review[result.review["status"] == "ambiguous"]
    if ambiguous.empty:
        return
    st.markdown("**Ambiguous place names**: choose each one's place, then import again")
    picks = dict(result.mapping.places)
    for n, rec in enumerate(ambiguous.to_dict("records")):
        options = [NONE, *rec["candidates"]]
        current = picks.get(rec["place as written"])
        pick = st.selectbox(
            md(rec["place as written"]) or " ",
            options,
            index=options.index(current) if current in options else 0,
            key=f"place_{token}_{n}",
        )
        if pick != NONE:
            picks[rec["place as written"]] = pick
    st.session_state[f"_mapping_{token}"] = replace(result.mapping, places=picks)
