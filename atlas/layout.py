"""Where each incident's mark is drawn: a pure layout in screen pixels that the web map
(atlas.marks, atlas.mapspec) and the static figures (atlas.export.figures) both use.

- Incidents whose place is a whole country, a region or not stated get no point on the
  map: their marks (same size scale as located ones) go into a labelled tray beside the
  located ones, so a ~2,000 is as large as it is and never a ring the size of China.
- Marks sharing a place are set around it on a small ring (radius from their own sizes),
  so none hides another; primary events (detentions) come first and are drawn last (top).
- The view (centre, zoom) is chosen so that the located marks and the tray fit a viewport
  of `width` × `height` pixels; pixel offsets become degrees at that zoom.

Coordinates: longitude, latitude (EPSG:4326); pixels are deck.gl's Web Mercator world
pixels (512 px around the world at zoom 0), y pointing down.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd

TRAY_PLACES = ("country", "region", "unlocated")  # no honest point on the map
TRAY_LABEL = "Whole country / place not stated\nor outside this map"
# Located places outside this lon/lat box (UN sessions in Geneva) join the tray rather than
# stretching the view from Europe to Yanji; their tooltips name the place.
MAP_BOX = (85.0, 5.0, 150.0, 55.0)
# Draw order, bottom to top: derived and context events first, primary events last.
DRAW_RANK = {"detention": 6, "held": 5, "transfer": 4, "repatriation": 3}
VIEWPORT = (540, 520)  # px: the map column at 1280 wide (the dashboard draws the map this wide)
# The map's height on the dashboard (with the summary row above it, the whole map fits in
# 1280×720); the deck's view is fitted to it. An embed sizes its map to its frame
# (atlas.embedlayout).
MAP_HEIGHT = {"dashboard": 400}
MARGIN = 24.0  # px around the drawn marks
GAP = 6.0  # px between marks of the tray and of a shared place
TITLE_PX = 32.0  # the tray's label, two lines
# The tray's widest row, the same in every renderer so that its marks pack alike
TRAY_MAX_PX = 275.0
MIN_ZOOM, MAX_ZOOM = 2.0, 7.0
DEFAULT_BOX = (97.0, 20.0, 133.0, 45.5)  # lon/lat shown when nothing is located


@dataclass(frozen=True)
class MapView:
    longitude: float
    latitude: float
    zoom: float
    width: float
    height: float

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the viewport."""
        scale = 2**self.zoom
        cx, cy = to_world(self.longitude, self.latitude)
        half_w, half_h = self.width / 2 / scale, self.height / 2 / scale
        west, north = from_world(cx - half_w, cy - half_h)
        east, south = from_world(cx + half_w, cy + half_h)
        return west, south, east, north


@dataclass(frozen=True)
class Tray:
    west: float
    south: float
    east: float
    north: float
    label: str = TRAY_LABEL

    def polygon(self) -> list[list[float]]:
        w, s, e, n = self.west, self.south, self.east, self.north
        return [[w, s], [e, s], [e, n], [w, n]]


def to_world(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator world pixels at zoom 0 (0..512, y down)."""
    lat = max(min(lat, 85.0), -85.0)
    x = (lon + 180.0) / 360.0 * 512.0
    y = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * 512.0
    return x, y


def from_world(x: float, y: float) -> tuple[float, float]:
    """Longitude and latitude of a world pixel (zoom 0); beyond the Web Mercator square the
    latitude stays at its edge (±85.05°): a ring of thousands of marks around one place
    (aggregation off, `bench.scale`'s naive run) reaches past the poles."""
    lon = x / 512.0 * 360.0 - 180.0
    y = min(max(y, 0.0), 512.0)
    lat = math.degrees(2 * math.atan(math.exp(math.pi * (1 - 2 * y / 512.0))) - math.pi / 2)
    return lon, lat


def draw_rank(event_type: str) -> int:
    return DRAW_RANK.get(event_type, 0)


def _pack(radii: list[float], width: float) -> tuple[list[tuple[float, float]], float, float]:
    """Centres (px, from the tray's top-left) of marks packed in rows; tray width, height."""
    centres, x, y, row_h, used_w = [], GAP, TITLE_PX + GAP, 0.0, 0.0
    for r in radii:
        if x > GAP and x + 2 * r + GAP > width:
            x, y, row_h = GAP, y + row_h + GAP, 0.0
        centres.append((x + r, y + r))
        x += 2 * r + GAP
        row_h = max(row_h, 2 * r)
        used_w = max(used_w, x)
    return centres, max(used_w, 245.0), y + row_h + GAP


def _ring(radii: list[float]) -> list[tuple[float, float]]:
    """Offsets (px) of marks sharing one place: on a ring wide enough that neighbours
    clear each other, the first at the top, clockwise."""
    n = len(radii)
    if n == 1:
        return [(0.0, 0.0)]
    need = max(
        (radii[i] + radii[(i + 1) % n] + GAP) / (2 * math.sin(math.pi / n)) for i in range(n)
    )
    return [
        (need * math.sin(2 * math.pi * k / n), -need * math.cos(2 * math.pi * k / n))
        for k in range(n)
    ]


def _spread(
    anchors: dict[int, tuple[float, float]], radii: dict[int, float]
) -> tuple[dict[int, tuple[float, float]], dict[int, int]]:
    """Offsets (px) that keep every mark clear of the others: marks that would touch are
    joined into a cluster laid on a ring around the cluster's centre, repeated until no two
    touch. `anchors` are screen pixels, in draw order (primary last). Returns each mark's
    offset from its anchor and the size of its cluster.

    Each round looks for touching pairs among neighbours only (`_touching`) and joins
    clusters with a union-find: what a round yields is the same as comparing every pair
    (the partition into clusters does not depend on the order of the joins), in time that
    grows with the marks, not with their square (1,000 marks took 5 s)."""
    cluster = {i: i for i in anchors}  # mark -> representative
    order = list(anchors)[::-1]  # primary first: at the top of a ring
    offsets: dict[int, tuple[float, float]] = {i: (0.0, 0.0) for i in anchors}
    for _round in range(20):
        members: dict[int, list[int]] = {}
        for i in order:
            members.setdefault(cluster[i], []).append(i)
        for group in members.values():
            cx = sum(anchors[i][0] for i in group) / len(group)
            cy = sum(anchors[i][1] for i in group) / len(group)
            for i, (dx, dy) in zip(group, _ring([radii[i] for i in group]), strict=True):
                offsets[i] = (cx + dx - anchors[i][0], cy + dy - anchors[i][1])
        pos = {i: (anchors[i][0] + offsets[i][0], anchors[i][1] + offsets[i][1]) for i in anchors}
        touching = _touching(order, pos, radii, cluster)
        if not touching:
            break
        cluster = _joined(cluster, touching)
    counts = Counter(cluster.values())
    sizes = {i: counts[cluster[i]] for i in anchors}
    return offsets, sizes


def _joined(cluster: dict[int, int], touching: list[tuple[int, int]]) -> dict[int, int]:
    """Each mark's cluster once the clusters of every touching pair are one (union-find)."""
    parent: dict[int, int] = {}

    def root(c: int) -> int:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for i, j in touching:
        a, b = root(cluster[i]), root(cluster[j])
        if a != b:
            parent[b] = a
    return {k: root(c) for k, c in cluster.items()}


def _touching(
    order: list[int],
    pos: dict[int, tuple[float, float]],
    radii: dict[int, float],
    cluster: dict[int, int],
) -> list[tuple[int, int]]:
    """Pairs of touching marks of different clusters, enough of them that joining their
    clusters joins the same clusters as every touching pair does. Marks at one spot always
    touch: they are chained, and the spot stands for them all with its largest radius
    (what touches one of them touches that one). Spots are put in square bins as wide as
    the largest distance at which two can touch, so only spots of the same or an adjacent
    bin are compared."""
    if not order:
        return []
    pairs: list[tuple[int, int]] = []
    spots: dict[tuple[float, float], list[int]] = {}
    for i in order:
        spots.setdefault(pos[i], []).append(i)
    standing: list[int] = []  # one mark per spot: the largest
    for marks in spots.values():
        first = marks[0]
        pairs += [(first, j) for j in marks[1:] if cluster[j] != cluster[first]]
        standing.append(max(marks, key=lambda i: radii[i]))
    reach = max(2 * max(radii[i] for i in standing) + GAP / 2, 1.0)
    bins: dict[tuple[int, int], list[int]] = {}
    for rank, i in enumerate(standing):
        x, y = pos[i]
        bins.setdefault((math.floor(x / reach), math.floor(y / reach)), []).append(rank)
    for (bx, by), ranks in bins.items():
        near = [
            rank
            for dx in (-1, 0, 1)
            for dy in (-1, 0, 1)
            for rank in bins.get((bx + dx, by + dy), ())
        ]
        for a in ranks:
            i = standing[a]
            for b in near:
                j = standing[b] if b > a else None
                if (
                    j is not None
                    and cluster[i] != cluster[j]
                    and math.dist(pos[i], pos[j]) < radii[i] + radii[j] + GAP / 2
                ):
                    pairs.append((i, j))
    return pairs


def _zoom(span_w: float, span_h: float, avail_w: float, avail_h: float) -> float:
    """The zoom at which a span of world pixels (zoom 0) fills the room available (not
    clamped: -30 when there is no room; `_clamped` makes it a map zoom)."""
    fits = [
        avail_w / span_w if span_w > 0 else math.inf,
        avail_h / span_h if span_h > 0 else math.inf,
    ]
    return math.log2(max(min(fits), 1e-9))


def _clamped(zoom: float) -> float:
    return min(MAX_ZOOM, max(MIN_ZOOM, zoom))


def layout_marks(
    points: pd.DataFrame, width: float = VIEWPORT[0], height: float = VIEWPORT[1]
) -> tuple[pd.DataFrame, MapView, Tray | None]:
    """Lay out `points` (columns incident_id, event_type, geo_precision, longitude,
    latitude, radius in px). Returns them sorted in draw order with `x_lon`, `x_lat` (where
    the mark is drawn), `in_tray` and `shared` (how many marks share its place), the view,
    and the tray (None when no mark needs one)."""
    # Worked out on the columns' values, not on the frame: pandas' per-call overhead (a
    # copy, two sorts, a groupby, `iterrows` of a few dozen rows) was ~3/4 of laying out a
    # map; the frame is taken once, in draw order, at the end.
    ids = points["incident_id"].tolist()
    rank = [draw_rank(t) for t in points["event_type"]]
    radius = points["radius"].to_numpy(dtype=float).tolist()
    lons = points["longitude"].to_numpy(dtype=float)
    lats = points["latitude"].to_numpy(dtype=float)
    west, south, east, north = MAP_BOX
    inside = (lons >= west) & (lons <= east) & (lats >= south) & (lats <= north)
    in_tray = (points["geo_precision"].isin(TRAY_PLACES).to_numpy(dtype=bool) | ~inside).tolist()
    # draw order: derived and context events first, primary ones last (on top); from here
    # on a mark is its position in that order
    order = sorted(range(len(ids)), key=lambda i: (rank[i], ids[i]))
    ids, rank, radius = (
        [ids[i] for i in order],
        [rank[i] for i in order],
        [radius[i] for i in order],
    )
    lons, lats, in_tray = lons[order].tolist(), lats[order].tolist(), [in_tray[i] for i in order]
    tray_rows = sorted(
        (i for i, t in enumerate(in_tray) if t), key=lambda i: (-radius[i], -rank[i], ids[i])
    )
    radii = [radius[i] for i in tray_rows]
    tray_w_max = TRAY_MAX_PX
    centres, tray_w, tray_h = _pack(radii, tray_w_max)
    # a tray taller than the map (many marks, a short map) grows wider instead of running
    # off the map's bottom: every mark stays in view
    while tray_h > height - 2 * MARGIN and tray_w_max + 2 * MARGIN < width:
        tray_w_max += 20.0
        centres, tray_w, tray_h = _pack(radii, tray_w_max)
    located = [i for i, t in enumerate(in_tray) if not t]

    # located marks: anchor pixels at zoom 0, and ring offsets for shared places
    places: dict[str, list[int]] = {}
    for i in located:
        places.setdefault(f"{lons[i]:.3f},{lats[i]:.3f}", []).append(i)
    offsets: dict[int, tuple[float, float]] = {}
    shared: dict[int, int] = {}
    for group in places.values():
        group = group[::-1]  # primary first: at the top of the ring
        for i, off in zip(group, _ring([radius[i] for i in group]), strict=True):
            offsets[i], shared[i] = off, len(group)
    anchors = {i: to_world(lons[i], lats[i]) for i in located}
    if anchors:
        xs, ys = [a[0] for a in anchors.values()], [a[1] for a in anchors.values()]
    else:
        (x0, y1), (x1, y0) = to_world(*DEFAULT_BOX[:2]), to_world(*DEFAULT_BOX[2:])
        xs, ys = [x0, x1], [y0, y1]
    reach = max(
        [math.hypot(*offsets[i]) + radius[i] for i in located] or [0.0]
    )  # px a mark reaches beyond its place, at any zoom
    span_w, span_h = max(xs) - min(xs), max(ys) - min(ys)
    pad = 2 * (MARGIN + reach)
    has_tray = len(tray_rows) > 0
    # the tray beside the located marks, or below them: whichever leaves them more room
    side = _zoom(span_w, span_h, width - pad - (tray_w + MARGIN) * has_tray, height - pad)
    below = _zoom(span_w, span_h, width - pad, height - pad - (tray_h + MARGIN) * has_tray)
    # (compared before clamping: at the smallest zoom, the one where the tray fits wins)
    zoom, beside = (_clamped(side), True) if side >= below else (_clamped(below), False)
    scale = 2**zoom
    # viewport (px at this zoom): the located block and the tray centred together
    block_w, block_h = span_w * scale + pad, span_h * scale + pad
    content_left, content_top = min(xs) * scale - pad / 2, min(ys) * scale - pad / 2
    content_w = block_w + (tray_w + MARGIN) * has_tray * beside
    content_h = block_h + (tray_h + MARGIN) * has_tray * (not beside)
    left = content_left - (width - content_w) / 2
    top = content_top - (height - content_h) / 2
    view_lon, view_lat = from_world((left + width / 2) / scale, (top + height / 2) / scale)
    view = MapView(round(view_lon, 4), round(view_lat, 4), round(zoom, 3), width, height)

    # at this zoom, marks of nearby places that would touch are set around their centre
    offsets, shared = _spread(
        {i: (ax * scale, ay * scale) for i, (ax, ay) in anchors.items()},
        {i: radius[i] for i in located},
    )
    x_lon, x_lat = [math.nan] * len(ids), [math.nan] * len(ids)
    for i, (ax, ay) in anchors.items():
        dx, dy = offsets[i]
        x_lon[i], x_lat[i] = from_world(ax + dx / scale, ay + dy / scale)
    tray = None
    if has_tray:
        if beside:
            tray_left = content_left + block_w
            tray_top = top + max(MARGIN / 2, (height - tray_h) / 2)
        else:
            tray_left = left + max(MARGIN / 2, (width - tray_w) / 2)
            tray_top = content_top + block_h
        for i, (px, py) in zip(tray_rows, centres, strict=True):
            x_lon[i], x_lat[i] = from_world((tray_left + px) / scale, (tray_top + py) / scale)
        west, north = from_world(tray_left / scale, tray_top / scale)
        east, south = from_world((tray_left + tray_w) / scale, (tray_top + tray_h) / scale)
        tray = Tray(west, south, east, north)
    marks = points.take(order).reset_index(drop=True)
    marks = marks.assign(
        in_tray=in_tray,
        x_lon=x_lon,
        x_lat=x_lat,
        shared=[shared.get(i, 1) for i in range(len(ids))],
    )
    return marks, view, tray
