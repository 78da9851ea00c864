"""One row of an imported file on its way to becoming an incident: its fields, its sources
and the problems found on it, each pointing to the row of the file."""

from __future__ import annotations

from datetime import date

from atlas import schema
from atlas.intake.values import DateSpan, ValueProblem, check_not_future
from atlas.validation import Problem

NO_PLACE = "(no place stated)"


class Row:
    """Problems collect on the row; `failed` names the incident fields that could not be
    read, so that the dataset's rules, which still run on the row, do not report the
    same cell twice (a date that cannot be read is not also an empty date).

    `pack()` keeps the incident's values as a tuple until `incident` is read again: an
    import holds every row at once (geocoding needs them all), and a dict per row of
    200,000 took several hundred MB."""

    __slots__ = ("file", "line", "problems", "failed", "_incident", "_packed", "sources", "report")

    def __init__(self, file: str, line: int):
        self.file, self.line = file, line
        self.problems: list[Problem] = []
        self.failed: set[str] = set()
        self._incident: dict[str, str] | None = dict.fromkeys(schema.INCIDENT_COLUMNS, "")
        self._packed: tuple[str, ...] | None = None
        self.sources: list[str] = []
        self.report: dict[str, str] = {}

    @property
    def incident(self) -> dict[str, str]:
        if self._incident is None:
            self._incident = dict(zip(schema.INCIDENT_COLUMNS, self._packed, strict=True))
            self._packed = None
        return self._incident

    def pack(self, shared: dict[str, str] | None = None) -> None:
        """Keep the incident as a tuple (when it has exactly the schema's fields); with
        `shared`, equal strings of all rows (dates, counts) become one object."""
        inc = self._incident
        if inc is not None and tuple(inc) == schema.INCIDENT_COLUMNS:
            values = inc.values()
            if shared is not None:
                values = (shared.setdefault(v, v) if isinstance(v, str) else v for v in values)
            self._packed, self._incident = tuple(values), None

    def fail(
        self,
        column: str,
        value: str,
        message: str,
        fix: str,
        severity: str = "error",
        fields: tuple[str, ...] = (),
    ) -> None:
        self.problems.append(
            Problem(self.file, self.line, column, value[:200], message, fix, severity)
        )
        if severity == "error":
            self.failed.update(fields)

    @property
    def has_error(self) -> bool:
        return any(p.is_error for p in self.problems)


DATE_FIELDS = ("date_start", "date_end", "date_precision", "date_text", "date_basis")


def set_dates(row: Row, span: DateSpan, raw: str, today: date, column: str) -> None:
    try:
        check_not_future(span, raw, today)
    except ValueProblem as exc:
        row.fail(column, raw, exc.message, exc.fix, fields=DATE_FIELDS)
        return
    row.incident.update(
        date_start=span.start.isoformat(),
        date_end=span.end.isoformat(),
        date_precision=span.precision,
        date_text=raw,
        date_basis=span.basis,
    )


def default_status(row: Row) -> str:
    """No status given: corroborated when the row names two or more sources."""
    return "corroborated" if len(set(row.sources)) >= 2 else "single_source"


def set_country(row: Row, raw: str, column: str) -> None:
    """The country as ISO 3166-1 alpha-2 ('CHN', 'China', '中国', '중국' → 'CN'); an
    unknown name is kept as written, and the dataset's rules report it."""
    from atlas.intake.values import country_iso2

    value = raw.strip()
    row.incident["country"] = (country_iso2(value) or value) if value else ""


def admin1_name(raw: str, country: str) -> str:
    """A province as written → its name in geo/data/provinces.geojson when that is unique."""
    from geo.admin import find_provinces

    if not raw:
        return ""
    try:
        found = find_provinces(raw, country or None)
    except (ValueError, KeyError):
        return raw
    return found[0] if len(found) == 1 else raw
