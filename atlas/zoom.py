"""How the timeline's brushes and zoom presets turn into the period filter (pure dates).

The period filter (sidebar "Period", URL `from`/`to`) is the one state. The timeline's
detail view spans it; a brush on the detail or on the overview strip sets it. A brush is
snapped to the calendar so that a drag lands on whole units on the first try: to months
when the brushed view spans more than `MONTH_SNAP_DAYS` (a month is then only a few dozen
pixels wide), to days otherwise. Snapping rounds each edge to the *nearest* boundary, and
the end is exclusive, so a drag from about 1 November to about 1 December selects
2013-11-01 … 2013-11-30 even when it starts or stops a little off.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

MONTH_SNAP_DAYS = 120
ZOOMS = {"year": "Year", "quarter": "Quarter", "month": "Month"}


def _day(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _nearest_day(moment: datetime) -> date:
    return (moment + timedelta(hours=12)).date()


def _nearest_month(moment: datetime) -> date:
    first = date(moment.year, moment.month, 1)
    nxt = _add_months(first, 1)
    midpoint = (
        datetime(first.year, first.month, 1, tzinfo=UTC)
        + (
            datetime(nxt.year, nxt.month, 1, tzinfo=UTC)
            - datetime(first.year, first.month, 1, tzinfo=UTC)
        )
        / 2
    )
    return nxt if moment >= midpoint else first


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def brush_period(
    bounds_ms: list[float] | tuple[float, ...], view_days: float, first: date, last: date
) -> tuple[date, date] | None:
    """The period (inclusive days) a brush of epoch-ms bounds selects, or None when the
    brush is empty or narrower than one snapping unit. `view_days` is the span of the view
    that was brushed; `first`/`last` clamp to the data's range."""
    if not bounds_ms or len(bounds_ms) != 2:
        return None
    lo, hi = _day(min(bounds_ms)), _day(max(bounds_ms))
    snap = _nearest_month if view_days > MONTH_SNAP_DAYS else _nearest_day
    start, end_exclusive = snap(lo), snap(hi)
    if end_exclusive <= start:
        return None
    end = end_exclusive - timedelta(days=1)
    start, end = max(start, first), min(end, last)
    return (start, end) if start <= end else None


def zoom_period(anchor: date, unit: str, first: date, last: date) -> tuple[date, date]:
    """The calendar year, quarter or month containing `anchor`, clamped to the data's range."""
    if unit == "year":
        start, months = date(anchor.year, 1, 1), 12
    elif unit == "quarter":
        start, months = date(anchor.year, (anchor.month - 1) // 3 * 3 + 1, 1), 3
    elif unit == "month":
        start, months = date(anchor.year, anchor.month, 1), 1
    else:
        raise ValueError(f"zoom {unit!r}: use one of {', '.join(ZOOMS)}")
    end = _add_months(start, months) - timedelta(days=1)
    return max(start, first), min(end, last)


def period_domain(start: date | None, end: date | None, whole: tuple[str, str]) -> tuple[str, str]:
    """The detail view's x-domain (UTC ISO, end exclusive): the period filter, or the
    whole range where the filter is open."""
    lo = f"{start:%Y-%m-%d}T00:00:00Z" if start else whole[0]
    hi = f"{end + timedelta(days=1):%Y-%m-%d}T00:00:00Z" if end else whole[1]
    return lo, hi


def zoom_anchor(frame, selected: str | None, fallback: date) -> date:
    """The day a zoom preset centres on: the selected incident's start, else the earliest
    incident in the period, else `fallback` (the period's start)."""
    if selected is not None:
        rows = frame.loc[frame["incident_id"] == selected, "date_start"]
        if len(rows):
            return rows.iloc[0].date()
    starts = frame.loc[frame["in_period"], "date_start"]
    return starts.min().date() if len(starts) else fallback
