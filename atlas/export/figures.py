"""Static figures of the filtered view, without a browser: the map (geopandas +
matplotlib, from the offline outlines) and the timeline (the dashboard's Altair chart via
vl-convert), each as PNG, SVG or PDF.

The map draws what the web map draws, from the same functions of atlas.mapspec: points by
event type sized by people (hollow when unknown), halos of the real uncertainty for
near/province/region/country places, movements as lines, border-precision incidents along
the border, crossings as white dots.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
from collections.abc import Callable
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
from shapely.geometry import LineString, Point  # noqa: E402

from atlas import schema  # noqa: E402
from atlas.coordinates import border_path  # noqa: E402
from atlas.export.files import write_atomic  # noqa: E402
from atlas.mapspec import _arcs, map_points  # noqa: E402
from atlas.paths import GEO_DATA_DIR  # noqa: E402
from atlas.timeline import timeline_chart  # noqa: E402

ATTRIBUTION = "Boundaries, rivers: Natural Earth. Place coordinates: GeoNames (CC BY 4.0)."
FORMATS = ("png", "svg", "pdf")
MERCATOR = "EPSG:3857"
REGION = (97.0, 20.0, 133.0, 45.5)  # lon/lat box shown when nothing narrower is drawn
WIDE = ("country", "region")
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


def _to_mercator(lon: float, lat: float) -> tuple[float, float]:
    point = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(MERCATOR).iloc[0]
    return point.x, point.y


def draw_map(ax, frame: pd.DataFrame, places: pd.DataFrame, crossings: pd.DataFrame) -> None:
    """Draw the in-period incidents of `frame` on `ax` (Web Mercator metres)."""
    visible = frame[frame["in_period"]]
    points = map_points(visible, places)
    _layer("countries").plot(ax=ax, color="#f5f3ee", edgecolor="#888888", linewidth=0.5)
    _layer("provinces").boundary.plot(ax=ax, color="#c8c8c8", linewidth=0.25)
    _layer("rivers").plot(ax=ax, color="#6ea0d2", linewidth=0.5)
    _layer("border").plot(ax=ax, color="#3c3c3c", linewidth=1.2)
    border = gpd.GeoSeries([LineString(border_path())], crs="EPSG:4326").to_crs(MERCATOR)
    for rec in visible[visible["geo_precision"] == "border"].to_dict("records"):
        colour = schema.EVENT_TYPE_BY_CODE[rec["event_type"]].colour
        border.plot(ax=ax, color=_rgb(colour, 0.55), linewidth=5)
    for arc in _arcs(visible, places):
        (x0, y0), (x1, y1) = _to_mercator(*arc["from"]), _to_mercator(*arc["to"])
        ax.annotate(
            "",
            (x1, y1),
            (x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": _rgb(arc["colour"]),
                "lw": 1.6,
                "connectionstyle": "arc3,rad=0.15",
            },
        )
    drawn = []
    for rec in points.to_dict("records") if len(points) else []:
        x, y = _to_mercator(rec["longitude"], rec["latitude"])
        colour = rec["colour"]
        if rec["geo_precision"] not in ("exact", "city") and rec["halo_m"]:
            # a Mercator circle of r / cos(lat) metres has r metres on the ground
            radius = rec["halo_m"] / math.cos(math.radians(rec["latitude"]))
            wide = rec["geo_precision"] in WIDE
            ax.add_patch(
                plt.Circle(
                    (x, y),
                    radius,
                    fill=False,
                    lw=0.6 if wide else 1.4,
                    ec=_rgb(colour, 0.35 if wide else 0.9),
                )
            )
            if not wide:
                drawn.append((x, y))
            continue
        size = (rec["radius"] * 0.75) ** 2
        known = not pd.isna(rec["people_min"])
        ax.scatter(
            [x],
            [y],
            s=size,
            c=[_rgb(colour, 0.9)] if known else "none",
            edgecolors="white" if known else [_rgb(colour)],
            linewidths=0.6 if known else 1.6,
            zorder=5,
        )
        drawn.append((x, y))
    located = crossings[crossings["located"]] if len(crossings) else crossings
    for rec in located.to_dict("records"):
        x, y = _to_mercator(rec["longitude"], rec["latitude"])
        ax.scatter([x], [y], s=10, c="white", edgecolors="#282828", linewidths=0.6, zorder=4)
    _fit(ax, drawn)
    ax.set_axis_off()


def _fit(ax, drawn: list[tuple[float, float]]) -> None:
    x0, y0 = _to_mercator(REGION[0], REGION[1])
    x1, y1 = _to_mercator(REGION[2], REGION[3])
    if drawn:
        xs, ys = zip(*drawn, strict=True)
        pad = 300_000
        x0, x1 = max(x0, min(xs) - pad), min(x1, max(xs) + pad)
        y0, y1 = max(y0, min(ys) - pad), min(y1, max(ys) + pad)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")


def legend_handles(frame: pd.DataFrame) -> list[Line2D]:
    present = set(frame.loc[frame["in_period"], "event_type"])
    handles = [
        Line2D([], [], marker="o", ls="", color=_rgb(e.colour), label=e.label)
        for e in schema.EVENT_TYPES
        if e.code in present
    ]
    handles += [
        Line2D([], [], marker="o", ls="", mfc="none", mec="#555555", label="count unknown"),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="none",
            mec="#555555",
            ms=12,
            label="halo = imprecise place",
        ),
        Line2D(
            [], [], marker="o", ls="", mfc="white", mec="#282828", ms=5, label="border crossing"
        ),
    ]
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
    fig, ax = plt.subplots(figsize=(8, 6.5), dpi=100)
    draw_map(ax, frame, places, crossings)
    ax.legend(handles=legend_handles(frame), loc="lower right", fontsize=7, framealpha=0.9)
    fig.suptitle(title, fontsize=13, x=0.02, ha="left")
    if subtitle:
        # wrapped here: matplotlib's wrap=True measures text as mathtext whatever
        # text.parse_math says (matplotlib 3.11, Text._get_rendered_text_width)
        wrapped = "\n".join(textwrap.wrap(subtitle, 120))
        fig.text(0.02, 0.925, wrapped, fontsize=8, ha="left", va="top")
    fig.text(0.02, 0.015, ATTRIBUTION, fontsize=6, color="#555555")
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.04)
    return fig


def timeline_spec(frame: pd.DataFrame, selected: str | None = None, first_year: int = 2011) -> dict:
    last = int(frame["date_end"].max().year) + 1 if len(frame) else 2025
    domain = (f"{first_year}-01-01T00:00:00Z", f"{last}-01-01T00:00:00Z")
    chart = timeline_chart(frame, selected, domain).properties(width=720)
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

        spec = timeline_spec(frame, selected)
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
