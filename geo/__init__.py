"""Geography for the Repatriation Atlas: base layers, admin-1 units, and a gazetteer.

Modules (domain code: none of them imports Streamlit):

- `geo.layers`     paths of the reference layers in geo/data/; the light browser copies
                   in static/geo/ (``python -m geo.layers`` regenerates them)
- `geo.admin`      provinces: point-in-polygon (`assign_admin1`), `check_admin1`,
                   representative points
- `geo.gazetteer`  offline name -> place resolution (`resolve`, `resolve_many`)
- `geo.places`     the `Place` record, curated places, GeoNames records
- `geo.names`      name normalisation (keys for matching)
- `geo.crossings`  China–DPRK border crossings (geo/data/crossings.csv)
- `geo.build_curated`  builds geo/data/curated_places.csv from the hand-written list

Coordinates are longitude, latitude (EPSG:4326) in code. Origins, licences and the
derivation of every data file are in geo/SOURCES.md.
"""

# Shown wherever these layers or coordinates are displayed. GeoNames (CC BY 4.0)
# requires the credit; Natural Earth (public domain) welcomes it.
ATTRIBUTION = "Boundaries, rivers: Natural Earth. Place coordinates: GeoNames (CC BY 4.0)."
