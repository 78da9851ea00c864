"""China–DPRK border crossings: geo/data/crossings.csv.

The coordinates are approximate (see geo/SOURCES.md): the point on the Natural Earth
boundary nearest the midpoint of the GeoNames points of the two towns. A crossing
neither of whose towns is in GeoNames keeps its row with empty coordinates and
``located`` false; it is never guessed. ``verify`` marks rows whose notes say
"verify before use".

``python -m geo.crossings SOURCE.csv`` rewrites geo/data/crossings.csv from the draft
(/work/shared/geo/crossings.csv), adding crossing_id, located and verify and leaving
every other value as written.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd

from geo.layers import CROSSINGS_PATH


def crossing_slug(china_side_city: str, dprk_side_city: str) -> str:
    """ "Ji'an (Jilin)", "Manpo" -> "jian-manpo": the towns without qualifiers, in ASCII."""

    def part(town: str) -> str:
        town = town.split("(")[0]
        ascii_town = unicodedata.normalize("NFKD", town).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "", ascii_town.casefold())

    return f"{part(china_side_city)}-{part(dprk_side_city)}"


def annotate_crossings(draft: pd.DataFrame) -> pd.DataFrame:
    """Add crossing_id (first), located and verify (last) to the draft table of strings."""
    frame = draft.copy()
    sides = zip(frame["china_side_city"], frame["dprk_side_city"], strict=True)
    ids = [crossing_slug(china, dprk) for china, dprk in sides]
    if len(set(ids)) != len(ids):
        raise ValueError(f"crossing ids are not unique: {ids}")
    frame.insert(0, "crossing_id", ids)
    located = (frame["latitude"].str.strip() != "") & (frame["longitude"].str.strip() != "")
    frame["located"] = located.map({True: "true", False: "false"})
    verify = frame["notes"].str.casefold().str.contains("verify before use", regex=False)
    frame["verify"] = verify.map({True: "true", False: "false"})
    return frame


def read_draft(path: Path) -> pd.DataFrame:
    """Read a crossings CSV as strings, so that values are written back unchanged."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_crossings(path: Path = CROSSINGS_PATH) -> pd.DataFrame:
    """The crossings with typed columns: latitude/longitude floats (NaN when not
    located), located and verify booleans, GeoNames ids as nullable integers."""
    frame = read_draft(path)
    for column in ("latitude", "longitude", *[c for c in frame if c.endswith(("_lat", "_lon"))]):
        frame[column] = pd.to_numeric(frame[column].replace("", None), errors="raise")
    for column in ("china_side_geonameid", "dprk_side_geonameid"):
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
    for column in ("located", "verify"):
        frame[column] = frame[column].map({"true": True, "false": False}).astype(bool)
    return frame


def main(argv: list[str]) -> None:
    """Rewrite geo/data/crossings.csv from the draft CSV named on the command line."""
    if len(argv) != 1:
        raise SystemExit("usage: python -m geo.crossings DRAFT.csv")
    annotate_crossings(read_draft(Path(argv[0]))).to_csv(
        CROSSINGS_PATH, index=False, lineterminator="\n"
    )
    print(f"wrote {CROSSINGS_PATH}")


if __name__ == "__main__":
    main(sys.argv[1:])
