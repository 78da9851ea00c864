"""Static figures of the filtered view, without a browser: the map (geopandas +
matplotlib, from the offline outlines) and the timeline (the dashboard's Altair chart via
vl-convert), each as PNG, SVG or PDF.

The map draws what the web map draws, from the same functions (atlas.marks,
atlas.mapspec): points by event type sized by people (hollow when unknown), halos of the
real uncertainty for near/province/region/country places, movements as lines,
border-precision incidents along the border, crossings as white dots.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")  # no display; before pyplot
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from shapely.geometry import LineString  # noqa: E402

from atlas import schema  # noqa: E402
from atlas.coordinates import border_path  # noqa: E402
from atlas.export.files import write_atomic  # noqa: E402
from atlas.mapspec import legend_entries  # noqa: E402
from atlas.marks import arc_segments, map_marks  # noqa: E402
from atlas.paths import GEO_DATA_DIR  # noqa: E402
from atlas.timeline import AXIS_PX, DETAIL_WIDTH, timeline_chart  # noqa: E402
from atlas.zoom import period_domain  # noqa: E402

ATTRIBUTION = "Boundaries, rivers: Natural Earth. Place coordinates: GeoNames (CC BY 4.0)."
FORMATS = ("png", "svg", "pdf")
MERCATOR = "EPSG:3857"
EARTH_M = 6378137.0  # Web Mercator sphere radius, metres
MIN_LAYOUT_PX = 460.0  # the tray of the largest counts needs this much height
matplotlib.rcParams["pdf.fonttype"] = 42  # embed TrueType: text stays extractable
matplotlib.rcParams["svg.fonttype"] = "none"
CJK_FONT = ("cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf")
# Text from the data is drawn as written: "$...$" is not mathtext ("paid $500 and police
# $300" would lose its dollars; "$\\undefined$" would fail the whole figure), nor TeX.
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


def plain_text(function: Callable) -> Callable:
    """Run a figure-drawing function with PLAIN_TEXT: every Text it creates (titles,
    labels, legends, table cells) keeps the setting through savefig. Every function here
    and in atlas.export.briefing that draws text is wrapped in it."""

    @functools.wraps(function)
    def plain(*args, **kwargs):
        with matplotlib.rc_context(PLAIN_TEXT):
            return function(*args, **kwargs)

    return plain


def _cjk_fallback() -> str | None:
    """Korean and Chinese text (imported data) in figures and the briefing: Noto Sans CJK
    (SIL Open Font License), shipped by a pinned PyPI package, as the fallback after
    DejaVu Sans. Returns the font's name, or None when the package is missing."""
    try:
        path = str(files(CJK_FONT[0]) / CJK_FONT[1])
    except ModuleNotFoundError:
        return None
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", name]
    return name


CJK_FONT_NAME = _cjk_fallback()


@cache
def _layer(name: str) -> gpd.GeoDataFrame:
    return gpd.read_file(GEO_DATA_DIR / f"{name}.geojson").to_crs(MERCATOR)


def _rgb(colour, alpha: float = 1.0) -> tuple[float, float, float, float]:
    return (colour[0] / 255, colour[1] / 255, colour[2] / 255, alpha)


def _to_mercator_xy(lon: float, lat: float) -> tuple[float, float]:
    """EPSG:4326 lon/lat to Web Mercator metres, the formula deck.gl uses."""
    lat = max(min(lat, 85.0), -85.0)
    return EARTH_M * math.radians(lon), EARTH_M * math.log(
        math.tan(math.pi / 4 + math.radians(lat) / 2)
    )


def _axes_points(ax) -> tuple[float, float]:
    box = ax.get_window_extent()
    dpi = ax.figure.dpi
    return box.width / dpi * 72, box.height / dpi * 72


def _draw_provinces(ax, provinces: pd.DataFrame, to_pt: float) -> None:
    """Province-level places: the province's outline and its name, as on the web map."""
    shapes = _layer("provinces")
    names = set(provinces["admin1"].dropna())
    outlines = shapes[shapes["name_en"].isin(names)]
    if len(outlines):
        outlines.boundary.plot(ax=ax, color="#464646", linewidth=1.2)
    for rec in provinces.drop_duplicates("admin1").to_dict("records"):
        ax.annotate(
            f"{rec['admin1']} (whole province)",
            _to_mercator_xy(rec["longitude"], rec["latitude"]),
            xytext=(0, -16 * to_pt),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8 * to_pt,
            color="#323232",
            zorder=6,
        )


def _draw_tray(ax, tray, to_pt: float) -> None:
    (x0, y0), (x1, y1) = (
        _to_mercator_xy(tray.west, tray.south),
        _to_mercator_xy(tray.east, tray.north),
    )
    ax.add_patch(
        plt.Rectangle(
            (x0, y0), x1 - x0, y1 - y0, fc=(1, 1, 1, 0.92), ec="#5a5a5a", lw=0.8, zorder=4.5
        )
    )
    ax.annotate(
        tray.label,
        (x0, y1),
        xytext=(4 * to_pt, -3 * to_pt),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=9 * to_pt,
        color="#282828",
        zorder=6,
    )


def draw_map(ax, frame: pd.DataFrame, places: pd.DataFrame, crossings: pd.DataFrame) -> None:
    """Draw the in-period incidents of `frame` on `ax` (Web Mercator metres) with the web
    map's layout (atlas.marks.map_marks): the same marks, offsets, tray and view, laid
    out for a viewport of the axes' shape and scaled from screen pixels to points."""
    visible = frame[frame["in_period"]]
    w_pt, h_pt = _axes_points(ax)
    h_px = max(h_pt, MIN_LAYOUT_PX)  # a short axes: lay out as a taller screen, scaled down
    w_px = h_px * w_pt / h_pt
    to_pt = w_pt / w_px
    marks, view, tray = map_marks(visible, places, w_px, h_px)
    _layer("countries").plot(ax=ax, color="#f5f3ee", edgecolor="#888888", linewidth=0.5)
    _layer("provinces").boundary.plot(ax=ax, color="#c8c8c8", linewidth=0.25)
    _layer("rivers").plot(ax=ax, color="#6ea0d2", linewidth=0.5)
    _layer("border").plot(ax=ax, color="#3c3c3c", linewidth=1.2)
    located = marks[~marks["in_tray"]] if len(marks) else marks
    if len(located) and (located["geo_precision"] == "province").any():
        _draw_provinces(ax, located[located["geo_precision"] == "province"], to_pt)
    border = gpd.GeoSeries([LineString(border_path())], crs="EPSG:4326").to_crs(MERCATOR)
    for rec in visible[visible["geo_precision"] == "border"].to_dict("records"):
        colour = schema.EVENT_TYPE_BY_CODE[rec["event_type"]].colour
        border.plot(ax=ax, color=_rgb(colour, 0.55), linewidth=5)
    for arc in arc_segments(visible, places):
        ax.annotate(
            "",
            _to_mercator_xy(*arc["to"]),
            _to_mercator_xy(*arc["from"]),
            arrowprops={
                "arrowstyle": "-|>",
                "color": _rgb(arc["colour"]),
                "lw": 1.6,
                "connectionstyle": "arc3,rad=0.15",
            },
        )
    for rec in located.to_dict("records"):
        x, y = _to_mercator_xy(rec["longitude"], rec["latitude"])
        if rec["geo_precision"] == "near" and rec["halo_m"]:
            # a Mercator circle of r / cos(lat) metres has r metres on the ground
            radius = rec["halo_m"] / math.cos(math.radians(rec["latitude"]))
            ax.add_patch(
                plt.Circle((x, y), radius, fill=False, lw=1.0, ec=_rgb(rec["colour"], 0.8))
            )
        if rec["shared"] > 1:  # from the shared place to its mark
            mx, my = _to_mercator_xy(rec["x_lon"], rec["x_lat"])
            ax.plot([x, mx], [y, my], color="#3c3c3c", lw=0.6, zorder=4)
    if tray is not None:
        _draw_tray(ax, tray, to_pt)
    located_crossings = crossings[crossings["located"]] if len(crossings) else crossings
    for rec in located_crossings.to_dict("records"):
        x, y = _to_mercator_xy(rec["longitude"], rec["latitude"])
        ax.scatter([x], [y], s=10, c="white", edgecolors="#282828", linewidths=0.6, zorder=4)
    for rec in marks.to_dict("records"):  # in draw order: primary events last, on top
        x, y = _to_mercator_xy(rec["x_lon"], rec["x_lat"])
        known = not pd.isna(rec["people_min"])
        ax.scatter(
            [x],
            [y],
            s=(2 * rec["radius"] * to_pt) ** 2,
            c=[_rgb(rec["colour"], 0.9)] if known else "none",
            edgecolors="white" if known else [_rgb(rec["colour"])],
            linewidths=0.6 if known else 1.6,
            zorder=5,
        )
    west, south, east, north = view.bounds()
    (x0, y0), (x1, y1) = _to_mercator_xy(west, south), _to_mercator_xy(east, north)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()


def legend_handles(frame: pd.DataFrame) -> list[Line2D]:
    """The types present and how to read the marks (atlas.mapspec.legend_entries)."""
    handles = []
    for entry in legend_entries(frame):
        colour = _rgb(entry.colour) if entry.colour else "#555555"
        style = {
            "type": {"marker": "o", "color": colour},
            "unknown": {"marker": "o", "mfc": "none", "mec": colour},
            "near": {"marker": "o", "mfc": "none", "mec": colour, "ms": 12},
            "province": {"marker": "s", "mfc": "none", "mec": "#464646", "ms": 10},
            "tray": {"marker": "s", "mfc": "white", "mec": "#5a5a5a", "ms": 10},
            "crossing": {"marker": "o", "mfc": "white", "mec": "#282828", "ms": 5},
        }[entry.kind]
        handles.append(Line2D([], [], ls="", label=entry.label, **style))
    return handles


@plain_text
def map_figure(
    frame: pd.DataFrame,
    places: pd.DataFrame,
    crossings: pd.DataFrame,
    *,
    title: str = "Repatriation Atlas",
    subtitle: str = "",
) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(10, 6.5), dpi=100)
    draw_map(ax, frame, places, crossings)
    # beside the map, never over its marks
    ax.legend(handles=legend_handles(frame), loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7)
    fig.suptitle(title, fontsize=13, x=0.02, ha="left")
    if subtitle:
        # wrapped here: matplotlib's wrap=True measures text as mathtext whatever
        # text.parse_math says (matplotlib 3.11, Text._get_rendered_text_width)
        wrapped = "\n".join(textwrap.wrap(subtitle, 120))
        fig.text(0.02, 0.925, wrapped, fontsize=8, ha="left", va="top")
    fig.text(0.02, 0.015, ATTRIBUTION, fontsize=6, color="#555555")
    fig.subplots_adjust(left=0.02, right=0.74, top=0.9, bottom=0.04)
    return fig


def timeline_spec(
    frame: pd.DataFrame,
    selected: str | None = None,
    first_year: int = 2011,
    period: tuple[date | None, date | None] = (None, None),
    width: int | None = None,
    row_px: int | None = None,
) -> dict:
    """The dashboard's detail timeline: spanning the filtered `period` (start, end; None
    for an open end), else the whole range, as the dashboard draws it (atlas.zoom);
    `width` and `row_px` (an event type's row) in CSS pixels: the briefing's are smaller,
    so that its labels print larger."""
    last = int(frame["date_end"].max().year) + 1 if len(frame) else 2025
    whole = (f"{first_year}-01-01T00:00:00Z", f"{last}-01-01T00:00:00Z")
    height = row_px * len(schema.EVENT_TYPES) + AXIS_PX if row_px else None
    domain = period_domain(*period, whole)
    chart = timeline_chart(frame, selected, domain, height, width=width or DETAIL_WIDTH)
    chart = chart.properties(width=width or 720)
    return chart.to_dict()


@plain_text
def export_figure(
    kind: str,
    fmt: str,
    frame: pd.DataFrame,
    places: pd.DataFrame | None = None,
    crossings: pd.DataFrame | None = None,
    *,
    selected: str | None = None,
    period: tuple[date | None, date | None] = (None, None),
    title: str = "Repatriation Atlas",
    subtitle: str = "",
    scale: float = 2,
    path: Path | None = None,
) -> bytes:
    """The map or the timeline of the filtered frame as PNG, SVG or PDF bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    if kind == "map":
        fig = map_figure(frame, places, crossings, title=title, subtitle=subtitle)
        buffer = io.BytesIO()
        fig.savefig(
            buffer, format=fmt, dpi=100 * scale, metadata={"Title": title} if fmt == "pdf" else None
        )
        plt.close(fig)
        data = buffer.getvalue()
    elif kind == "timeline":
        import vl_convert as vlc

        spec = timeline_spec(frame, selected, period=period)
        if subtitle:  # the same words as the map's: what it shows, its tier and date
            lines = textwrap.wrap(subtitle, 120)
            spec["title"] = {"text": title, "subtitle": lines, "anchor": "start"}
        data = {
            "png": lambda: vlc.vegalite_to_png(spec, scale=scale),
            "svg": lambda: vlc.vegalite_to_svg(spec).encode("utf-8"),
            "pdf": lambda: vlc.vegalite_to_pdf(spec),
        }[fmt]()
    else:
        raise ValueError(f"kind {kind!r}: use 'map' or 'timeline'")
    if path is not None:
        write_atomic(Path(path), lambda tmp: tmp.write_bytes(data))
    return data
