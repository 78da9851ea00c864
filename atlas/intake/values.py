"""Values as people write them → the atlas's fields, uncertainty kept.

Pure functions; each returns the parsed value or raises `ValueProblem` with what is wrong
and how to fix it. Nothing is guessed: an ambiguous date (03/04/2013) is an error unless
the column's other dates or the mapping's date order settle it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from atlas import schema


class ValueProblem(ValueError):
    def __init__(self, message: str, fix: str):
        self.message, self.fix = message, fix
        super().__init__(message)


@dataclass(frozen=True)
class DateSpan:
    start: date
    end: date
    precision: str  # a key of schema.DATE_PRECISIONS
    basis: str = ""


MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ][\d:.]+Z?)?$")
_SLASHED = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_CJK = re.compile(r"^(\d{4})\s*[년年]\s*(?:(\d{1,2})\s*[월月]\s*(?:(\d{1,2})\s*[일日])?)?$")
_WORDS_DMY = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_WORDS_MDY = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_WORDS_MY = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")

FIX_DATE = "write YYYY-MM-DD (or YYYY-MM, or YYYY for a year)"


def _day(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"{raw!r} is not a real calendar date", FIX_DATE) from None


def _month(year: int, month: int, raw: str) -> DateSpan:
    if not 1 <= month <= 12:
        raise ValueProblem(f"{raw!r} has no month {month}", FIX_DATE)
    if year < 1:  # Python's dates (and calendars) start at year 1
        raise ValueProblem(f"{raw!r} has no year {year}", FIX_DATE)
    last = calendar.monthrange(year, month)[1]
    return DateSpan(date(year, month, 1), date(year, month, last), "month")


def _year(year: int, raw: str) -> DateSpan:
    if year < 1:
        raise ValueProblem(f"{raw!r} has no year {year}", FIX_DATE)
    return DateSpan(date(year, 1, 1), date(year, 12, 31), "year")


def numeric_order(values: list[str]) -> str | None:
    """'DMY' or 'MDY' when some dd/mm/yyyy value in the column settles it; 'mixed' when
    the column has both (25/12/2013 and 12/25/2013); else None."""
    orders = set()
    for value in values:
        match = _NUMERIC.match(value.strip())
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 >= second:
                orders.add("DMY")
            elif second > 12 >= first:
                orders.add("MDY")
    if len(orders) > 1:
        return "mixed"
    return orders.pop() if orders else None


def parse_date(raw: str, order: str = "auto") -> DateSpan:
    """A date as written → the span it stands for (a day, a month or a year)."""
    value = raw.strip()
    if not value:
        raise ValueProblem("the date is empty", FIX_DATE)
    if match := _ISO.match(value):
        year, month, day = (int(g) if g else None for g in match.groups())
        if day is not None:
            d = _day(year, month, day, raw)
            return DateSpan(d, d, "day")
        return _month(year, month, raw) if month is not None else _year(year, raw)
    if match := _SLASHED.match(value):
        d = _day(int(match.group(1)), int(match.group(2)), int(match.group(3)), raw)
        return DateSpan(d, d, "day")
    if match := _CJK.match(value):
        year, month, day = (int(g) if g else None for g in match.groups())
        if day is not None:
            d = _day(year, month, day, raw)
            return DateSpan(d, d, "day")
        return _month(year, month, raw) if month is not None else _year(year, raw)
    if match := _NUMERIC.match(value):
        first, second, year = (int(g) for g in match.groups())
        if order == "mixed":  # never read one row one way and the next the other way
            raise ValueProblem(
                f"{raw!r} cannot be read safely: this column writes some dates day/month "
                "and others month/day",
                "write YYYY-MM-DD, or correct the rows written in the other order",
            )
        if order == "auto":
            if first > 12 >= second:
                order = "DMY"
            elif second > 12 >= first:
                order = "MDY"
            elif first == second:
                order = "DMY"  # the same either way
            elif first > 12 or second > 12 or 0 in (first, second):
                raise ValueProblem(f"{raw!r} is not a real calendar date", FIX_DATE)
            else:
                raise ValueProblem(
                    f"{raw!r} is ambiguous: {first} {calendar.month_name[second]} or "
                    f"{calendar.month_name[first]} {second}",
                    "write YYYY-MM-DD, or set the date order (day/month or month/day) in "
                    "the mapping",
                )
        day, month = (first, second) if order == "DMY" else (second, first)
        d = _day(year, month, day, raw)
        return DateSpan(d, d, "day", f"read as {'day/month' if order == 'DMY' else 'month/day'}")
    for pattern, groups in ((_WORDS_DMY, (0, 1, 2)), (_WORDS_MDY, (1, 0, 2))):
        if match := pattern.match(value):
            parts = match.groups()
            day, month_name, year = parts[groups[0]], parts[groups[1]], parts[groups[2]]
            if month_name.lower() in MONTHS:
                d = _day(int(year), MONTHS[month_name.lower()], int(day), raw)
                return DateSpan(d, d, "day")
    if (match := _WORDS_MY.match(value)) and match.group(1).lower() in MONTHS:
        return _month(int(match.group(2)), MONTHS[match.group(1).lower()], raw)
    raise ValueProblem(f"{raw!r} is not a date the importer can read", FIX_DATE)


def parse_span(start_raw: str, end_raw: str, order: str = "auto") -> DateSpan:
    """A range from two dates as written: from the start of the first to the end of the
    second (each may itself be a month or a year)."""
    start, end = parse_date(start_raw, order), parse_date(end_raw, order)
    if end.end < start.start:
        raise ValueProblem(
            f"the range ends ({end_raw}) before it starts ({start_raw})",
            "swap the dates or correct the one that is wrong",
        )
    if (start.start, end.end) == (start.start, start.end) and start.precision != "day":
        return start
    if start.start == end.end:
        return DateSpan(start.start, start.start, "day")
    return DateSpan(start.start, end.end, "range", f"from {start_raw} to {end_raw}")


def check_not_future(span: DateSpan, raw: str, today: date) -> None:
    if span.start > today:
        raise ValueProblem(
            f"{raw!r} is in the future", "check the year (and the date order) of this date"
        )
    if span.start.year < 1900:
        raise ValueProblem(f"{raw!r} is before 1900", "check the year of this date")


# --- people ------------------------------------------------------------------------------

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"
_PEOPLE = (
    (re.compile(rf"^{_NUMBER}$"), "exact"),
    (
        re.compile(
            rf"^(?:about|approximately|approx\.?|around|some|circa|c\.|~|≈|약|约|大约)\s*{_NUMBER}\s*(?:명|人|people|persons)?$",
            re.I,
        ),
        "approximate",
    ),
    (
        re.compile(
            rf"^(?:at least|>=|≥|최소|至少)\s*{_NUMBER}\s*(?:명|人|people|persons)?$",
            re.I,
        ),
        "at_least",
    ),
    (re.compile(rf"^{_NUMBER}\s*(?:\+|or more|명 이상|多人|以上)$", re.I), "at_least"),
    (re.compile(rf"^{_NUMBER}\s*(?:명|人|people|persons)$", re.I), "exact"),
)
_RANGE = re.compile(rf"^{_NUMBER}\s*(?:-|–|—|to|~)\s*{_NUMBER}\s*(?:명|人|people|persons)?$", re.I)


MAX_PEOPLE = 100_000_000  # more than any incident; keeps counts inside 64-bit integers
_COUNT = re.compile(r"^\d+$")


def _plausible(number: int, raw: str) -> int:
    if number > MAX_PEOPLE:
        raise ValueProblem(
            f"{raw!r} is not a plausible number of people (over {MAX_PEOPLE:,})",
            "check the cell: a count of people, or leave it empty when unknown",
        )
    return number


def parse_count(raw: str) -> int | None:
    """A whole number of people as in a people_min / people_max column: '' → None."""
    value = raw.strip()
    if not value:
        return None
    if not _COUNT.match(value):
        raise ValueProblem(
            f"{raw!r} is not a whole number ≥ 0",
            "write digits only; put counts such as 'about 30' in a people column",
        )
    return _plausible(int(value), raw)  # int() reads digits of any script (\d)


@dataclass(frozen=True)
class People:
    low: int | None
    high: int | None
    qualifier: str
    text: str = ""  # the count as written, when it is not a plain number


def parse_people(raw: str) -> People:
    """'13' exact, '13-15' range, 'about 30' approximate, 'at least 24' / '24+' at least;
    anything else ('dozens') is kept as text with an unknown count, never turned into one."""
    value = raw.strip()
    if not value:
        return People(None, None, "unknown")
    if match := _RANGE.match(value):
        low, high = (_plausible(int(g.replace(",", "")), raw) for g in match.groups())
        if low > high:
            raise ValueProblem(
                f"the range {raw!r} runs backwards", "write the smaller number first"
            )
        return People(low, high, "range" if low < high else "exact", value)
    for pattern, qualifier in _PEOPLE:
        if match := pattern.match(value):
            number = _plausible(int(match.group(1).replace(",", "")), raw)
            high = None if qualifier == "at_least" else number
            return People(
                number, high, qualifier, "" if qualifier == "exact" and value.isdigit() else value
            )
    return People(None, None, "unknown", value)


# --- vocabularies --------------------------------------------------------------------------

_LABELS = {e.label.lower(): e.code for e in schema.EVENT_TYPES}


def event_type_code(raw: str, chosen: dict[str, str]) -> str:
    """The code for a value: a code or label of the atlas in any case, or what the mapping
    says; otherwise the value unchanged (validation reports it, with suggestions)."""
    value = raw.strip()
    if value in chosen:
        return chosen[value]
    key = re.sub(r"[\s\-]+", "_", value.lower())
    if key in schema.EVENT_TYPE_CODES:
        return key
    return _LABELS.get(value.lower(), value)


# Optional vocabularies: an unknown value is a warning, the row loads with the default
# below (what an empty cell gives) until a person maps the value on the Data page
# (`Mapping.vocabularies`). No suggestion is guessed from spelling: 'reported' is not
# 'disputed'. The event type is required and stays an error (`atlas.rules`).
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "status": tuple(schema.STATUSES),
    "source_type": tuple(schema.SOURCE_TYPES),
    "geo_precision": schema.GEO_PRECISION_CODES,
    "date_precision": tuple(schema.DATE_PRECISIONS),
    "people_qualifier": tuple(schema.PEOPLE_QUALIFIERS),
    "sensitivity": tuple(schema.SENSITIVITY_LEVELS),
}
VOCABULARY_DEFAULTS = {
    "status": "the status an empty cell gives (corroborated when the row names two or more "
    "sources, else single_source)",
    "source_type": "no source type",
    "geo_precision": "the precision an empty cell gives (city with coordinates, else the "
    "gazetteer's)",
    "date_precision": "the precision the dates themselves give",
    "people_qualifier": "the qualifier the counts themselves give",
    "sensitivity": "not rated (the policy's default level)",
}


def vocabulary_code(field: str, raw: str, chosen: dict[str, str]) -> str | None:
    """The code of an optional vocabulary for `raw`: the code itself in any case or
    spacing, or what the mapping chose; '' for an empty cell; None when unknown."""
    value = raw.strip()
    if not value:
        return ""
    if value in chosen:
        return chosen[value]
    key = re.sub(r"[\s\-]+", "_", value.lower())
    return key if key in VOCABULARIES[field] else None


def unknown_value(field: str, raw: str) -> ValueProblem:
    """The warning for a value an optional vocabulary does not have."""
    return ValueProblem(
        f"{raw!r} is not one of the atlas's {field} values; the row loads with "
        f"{VOCABULARY_DEFAULTS[field]}",
        f"choose what it means on the Data page (saved in the mapping), or use one of: "
        f"{', '.join(VOCABULARIES[field])}",
    )


# --- numbers and countries -----------------------------------------------------------------

_NUMBER_MARKS = {"．": ".", "٫": ".", "－": "-", "−": "-", "＋": "+"}


def ascii_number(raw: str) -> str:
    """'４０.１２' or '٤٠٫١٢' → '40.12': digits of any script (full-width, Arabic-Indic, …)
    as ASCII digits, their decimal point and signs as ASCII; other text unchanged (the rules
    then report it). The value means the same number: nothing is guessed."""
    if raw.isascii():  # the common case, at no cost per character
        return raw.strip()
    out = []
    for char in raw.strip():
        if char.isdecimal():  # a decimal digit of some script: unicodedata's value
            out.append(str(int(char)))
        else:
            out.append(_NUMBER_MARKS.get(char, char))
    return "".join(out)


@lru_cache(maxsize=4096)  # a column repeats a few countries over many rows
def country_iso2(raw: str) -> str | None:
    """ISO 3166-1 alpha-2 for a country as written: alpha-2, alpha-3 or numeric code, an
    English name (pycountry, ISO 3166), or a curated name in English, Korean or Chinese
    (`geo.places.country_code`: '중국', '中国', 'DPRK', '북한'). None when unknown."""
    import pycountry

    from geo.places import country_code

    value = raw.strip()
    if not value:
        return None
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return country_code(value)
