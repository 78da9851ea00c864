"""A table as read (`RawTable`) → the dataset's four tables of strings, row by row.

Each row of the file becomes one incident and one report per source it names, all with the
row's number in `_line`, so that every later problem points to the row of the file. What
cannot be read (a date, a count) is an error on that row; the row still goes through the
dataset's rules (`atlas.intake.import_file`), so that every problem of every row is listed
in one pass, and is then left out. What the file does not say is filled only where the rule
is stated here and shown to the user:

- no id: `row-N`; no title: "type · place · date"; no summary: the title;
- no status, or one outside the vocabulary (a warning): `corroborated` when the row names
  two or more sources, else `single_source` (the definitions in `atlas.schema.STATUSES`);
  the other optional vocabularies (`values.VOCABULARIES`) likewise fall back to what an
  empty cell gives, with a warning, until the mapping says what the value means;
- coordinates without a precision: `city`; a place name without coordinates: geocoded
  offline (`atlas.intake.geocode`), or `unlocated` when not found or ambiguous; digits of
  any script (`４０.１２`, `٤٠٫١٢`) read as the same number;
- a country as a name or code (`CHN`, `China`, `中国`, `중국`) → ISO 3166-1 alpha-2;
- no source: the file itself is the row's source;
- 03/04/2013: read in the mapping's date order, else in the order the column's
  unambiguous dates show (25/12/2013 is day/month); an error when nothing settles it.

The atlas's own columns (`date_text`, `date_precision`, `coord_basis`, `people_text`,
`status_note`, `related_ids`, …) are taken as written when the file has them. ACLED
exports are read by `atlas.intake.acled`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from atlas import schema
from atlas.intake.acled import acled_row, is_acled
from atlas.intake.formats import GEOMETRY_PRECISION, RawTable
from atlas.intake.geocode import locate_rows
from atlas.intake.mapping import Mapping
from atlas.intake.row import (
    DATE_FIELDS,
    NO_PLACE,
    Row,
    admin1_name,
    default_status,
    set_country,
    set_dates,
)
from atlas.intake.values import (
    ValueProblem,
    ascii_number,
    event_type_code,
    numeric_order,
    parse_count,
    parse_date,
    parse_people,
    parse_span,
    unknown_value,
    vocabulary_code,
)
from atlas.loading import COLUMNS
from atlas.validation import Problem, records

# Columns of the atlas's own schema taken as written (the mapping names their column).
AS_WRITTEN = (
    "date_basis",
    "coord_note",
    "status_note",
    "related_ids",
    "disagreement",
    "may_overlap",
)


@dataclass
class Converted:
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    review: pd.DataFrame = field(default_factory=pd.DataFrame)  # geocoding, one row a name
    layout: str = "flat"
    # (row, incident field) that could not be read: the rules' problems there are the same
    failed: set[tuple[int, str]] = field(default_factory=set)
    rejected: set[int] = field(default_factory=set)  # rows with a conversion error


def _title(row: Row) -> str:
    label = schema.EVENT_TYPE_BY_CODE.get(row.incident["event_type"])
    parts = (
        label.label if label else row.incident["event_type"],
        row.incident["location_name"],
        row.incident["date_text"],
    )
    return " · ".join(p for p in parts if p and p != NO_PLACE)


def _vocabulary(row: Row, name: str, raw: str, mapping: Mapping, column: str) -> str:
    """An optional vocabulary's code, or '' (the default) with a warning when unknown."""
    code = vocabulary_code(name, raw, mapping.vocabularies.get(name, {}))
    if code is None:
        problem = unknown_value(name, raw)
        row.fail(column, raw, problem.message, problem.fix, "warning")
        return ""
    return code


def _flat_row(rec: dict[str, str], raw: RawTable, mapping: Mapping, today: date) -> Row:
    row = Row(raw.file, int(rec["_line"]))

    def get(name: str) -> str:
        column = mapping.column(name)
        return rec.get(column, "").strip() if column else ""

    def col(name: str) -> str:
        return mapping.column(name) or name

    inc = row.incident
    inc["incident_id"] = get("incident_id") or f"row-{row.line}"
    inc["title"] = get("title")  # empty: made from type, place and date in `convert`
    inc["event_type"] = event_type_code(get("event_type"), mapping.event_types)
    _dates(row, get, col, mapping, today)
    set_country(row, get("country"), col("country"))
    inc["admin1"] = admin1_name(get("admin1"), inc["country"])
    inc["location_name"] = get("location_name")
    from_geometry = mapping.column("latitude") == "geometry_latitude"
    area = rec.get(GEOMETRY_PRECISION, "") if from_geometry else ""
    _coordinates(row, get, col, mapping, raw.file, area)
    _people(row, get, col, mapping)
    inc["actor"], inc["summary"] = get("actor"), get("summary")
    for name in AS_WRITTEN:
        inc[name] = get(name) or inc[name]
    row.sources = [s.strip() for s in get("source").replace("\n", ";").split(";") if s.strip()]
    status = _vocabulary(row, "status", get("status"), mapping, col("status"))
    inc["status"] = status or default_status(row)
    # A row's sensitivity is its incident's and its reports' (empty: not rated).
    level = _vocabulary(row, "sensitivity", get("sensitivity"), mapping, col("sensitivity"))
    inc["sensitivity"] = level
    row.report = {
        "sensitivity": level,
        "source_type": _vocabulary(
            row, "source_type", get("source_type"), mapping, col("source_type")
        ),
        "url": get("url"),
        "quote": get("quote"),
    }
    return row


def _dates(row: Row, get, col, mapping: Mapping, today: date) -> None:
    try:
        if get("date_start") or get("date_end"):
            start, end = get("date_start") or get("date_end"), get("date_end") or get("date_start")
            span = parse_span(start, end, mapping.date_order)
            raw_text = start if start == end else f"{start} – {end}"
            set_dates(row, span, raw_text, today, col("date_start"))
        else:
            set_dates(
                row, parse_date(get("date"), mapping.date_order), get("date"), today, col("date")
            )
    except ValueProblem as exc:
        column = col("date") if mapping.column("date") else col("date_start")
        row.fail(column, get("date") or get("date_start"), exc.message, exc.fix, fields=DATE_FIELDS)
    if get("date_text"):  # the date as the source wrote it ('2019년 5월 2일'), kept
        row.incident["date_text"] = get("date_text")
    precision = _vocabulary(
        row, "date_precision", get("date_precision"), mapping, col("date_precision")
    )
    if precision and "date_start" not in row.failed:
        row.incident["date_precision"] = precision  # the rules check it against the dates


def _coordinates(row: Row, get, col, mapping: Mapping, file: str, area: str = "") -> None:
    """`area`: the precision a geo file's geometry gives (an area's, by its size)."""
    inc = row.incident
    written = get("latitude"), get("longitude")
    inc["latitude"], inc["longitude"] = (ascii_number(v) for v in written)
    precision = _vocabulary(
        row, "geo_precision", get("geo_precision"), mapping, col("geo_precision")
    )
    inc["geo_precision"] = precision or area
    if not (inc["latitude"] or inc["longitude"]):
        return
    notes = []
    if (inc["latitude"], inc["longitude"]) != written:
        notes.append(f"Coordinates as written: {written[0]}, {written[1]}.")
    if not inc["geo_precision"]:
        inc["geo_precision"] = "city"
        notes.append("The file gives no location precision: drawn as city-level.")
    inc["coord_note"] = " ".join(notes)
    inc["coord_basis"] = get("coord_basis") or f"imported: {file}, row {row.line}"
    if not inc["location_name"]:
        inc["location_name"] = f"{inc['latitude']}, {inc['longitude']}"


def _people(row: Row, get, col, mapping: Mapping) -> None:
    inc = row.incident
    people_raw = get("people")
    fields = ("people_min", "people_max", "people_qualifier")
    if people_raw:
        try:
            people = parse_people(people_raw)
            inc["people_min"] = "" if people.low is None else str(people.low)
            inc["people_max"] = "" if people.high is None else str(people.high)
            inc["people_qualifier"], inc["people_text"] = people.qualifier, people.text
        except ValueProblem as exc:
            row.fail(col("people"), people_raw, exc.message, exc.fix, fields=fields)
    elif get("people_min") or get("people_max"):
        for name in ("people_min", "people_max"):
            try:
                count = parse_count(get(name))
                inc[name] = "" if count is None else str(count)
            except ValueProblem as exc:
                row.fail(
                    col(name), get(name), exc.message, exc.fix, fields=(name, "people_qualifier")
                )
        inc["people_qualifier"] = _qualifier(inc["people_min"], inc["people_max"])
    else:
        inc["people_qualifier"] = "unknown"
    inc["people_text"] = get("people_text") or inc["people_text"]
    qualifier = _vocabulary(
        row, "people_qualifier", get("people_qualifier"), mapping, col("people_qualifier")
    )
    if qualifier:
        inc["people_qualifier"] = qualifier  # the rules check it against the counts


def _qualifier(low: str, high: str) -> str:
    if low and high:
        return "exact" if low == high else "range"
    if low:
        return "at_least"
    return "unknown" if not high else "range"  # max alone: the rules report it


def convert(
    raw: RawTable,
    mapping: Mapping,
    *,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Converted:
    """Turn `raw` into the four tables. Every row readable as a row is in them, also one
    with a conversion error (listed in `rejected`, left out after the rules ran on it)."""
    today = today or date.today()
    acled = is_acled(raw.columns)
    missing = [] if acled else _missing_fields(mapping)
    if missing or not acled and set(mapping.columns.values()) - set(raw.columns):
        problems = [
            Problem(
                raw.file,
                None,
                name,
                "",
                "no column is mapped to this required field",
                "choose its column on the Data page (or in the mapping file)",
            )
            for name in missing
        ]
        problems += [
            Problem(
                raw.file,
                None,
                column,
                name,
                f"the mapping takes '{name}' from this column, which the file does not have",
                "choose one of the file's columns on the Data page (or fix the mapping file)",
            )
            for name, column in mapping.columns.items()
            if not acled and column not in raw.columns
        ]
        return Converted(_empty_tables(), problems, layout="flat")
    if not acled and mapping.date_order == "auto":
        mapping = replace(mapping, date_order=_column_order(raw, mapping))
    build = acled_row if acled else _flat_row
    bad_lines = {p.row for p in raw.problems if p.is_error}
    rows, shared = [], {}
    for rec in records(raw.frame):
        if int(rec["_line"]) not in bad_lines:
            rows.append(build(rec, raw, mapping, today))
            rows[-1].pack(shared)
    del shared
    review = locate_rows(rows, mapping, progress)
    return _tables(rows, raw.file, review, "ACLED" if acled else "flat")


def _tables(rows: list[Row], file: str, review: pd.DataFrame, layout: str) -> Converted:
    """The rows into column lists, each Row dropped as soon as it is taken (at 200,000 rows
    a dict per incident and per report, all alive at once, was most of an import's peak
    memory); repeated values (dates, counts, notes, titles) share one string."""
    incidents: dict[str, list] = {c: [] for c in (*COLUMNS["incidents"], "_line")}
    reports: dict[str, list] = {c: [] for c in (*COLUMNS["reports"], "_line")}
    shared: dict[str, str] = {}
    problems: list[Problem] = []
    failed: set[tuple[int, str]] = set()
    rejected: set[int] = set()
    no_source = "The row names no source: the imported file is its source."
    rows.reverse()  # popped from the end: the file's order
    while rows:
        row = rows.pop()
        inc = row.incident
        inc["title"] = inc["title"] or _title(row)
        inc["summary"] = inc["summary"] or inc["title"]
        for column, values in incidents.items():
            value = row.line if column == "_line" else inc.get(column, "")
            values.append(shared.setdefault(value, value) if isinstance(value, str) else value)
        sources = row.sources or [file]
        for k, source in enumerate(sources, start=1):
            report = dict.fromkeys(schema.REPORT_COLUMNS, "")
            report.update(
                report_id=f"r{row.line}-{k}",  # unique by construction: row and position
                incident_id=inc["incident_id"],
                source=source,
                document=file,
                _line=row.line,
            )
            if k == 1:  # one quote or link on the row: it goes with the first source
                report.update({key: v for key, v in row.report.items() if key != "note"})
            report["source_type"] = row.report.get("source_type", "")
            report["note"] = row.report.get("note", "") or ("" if row.sources else no_source)
            for column, values in reports.items():
                value = report.get(column, "")
                values.append(shared.setdefault(value, value) if isinstance(value, str) else value)
        problems += row.problems
        failed.update((row.line, name) for name in row.failed)
        if row.has_error:
            rejected.add(row.line)
    del shared
    tables = _empty_tables()
    tables["incidents"] = _columns_table(incidents, "incidents")
    tables["reports"] = _columns_table(reports, "reports")
    tables["documents"] = _table(
        [{"document": file, "title": file, "kind": "import", "_line": 2}], "documents"
    )
    return Converted(tables, problems, review, layout, failed=failed, rejected=rejected)


def _column_order(raw: RawTable, mapping: Mapping) -> str:
    """'DMY' or 'MDY' when the date columns' unambiguous dd/mm/yyyy values settle it (25/12
    is day/month, so 03/04 in the same column is too), else 'auto'."""
    columns = [mapping.column(n) for n in ("date", "date_start", "date_end")]
    values = [v for c in columns if c in raw.frame for v in raw.frame[c]]
    return numeric_order(values) or "auto"


def _missing_fields(mapping: Mapping) -> list[str]:
    missing = []
    if not mapping.column("event_type"):
        missing.append("event_type")
    if not (mapping.column("date") or mapping.column("date_start")):
        missing.append("date")
    return missing


def _table(records: list[dict], name: str) -> pd.DataFrame:
    columns = [*COLUMNS[name], "_line"]
    frame = pd.DataFrame(records, columns=columns)
    for column in COLUMNS[name]:
        frame[column] = frame[column].astype(object).fillna("")  # unfilled: float NaN
    return frame


def _columns_table(columns: dict[str, list], name: str) -> pd.DataFrame:
    """Like `_table`, from column lists (emptied as they are taken)."""
    frame = pd.DataFrame(index=range(len(columns["_line"])))
    for column in (*COLUMNS[name], "_line"):
        values = columns.pop(column)
        frame[column] = values if column == "_line" else pd.Series(values, dtype=object).fillna("")
        values.clear()
    return frame


def _empty_tables() -> dict[str, pd.DataFrame]:
    return {name: _table([], name) for name in COLUMNS}
