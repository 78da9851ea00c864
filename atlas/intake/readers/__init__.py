"""One reader per format, each reading an upload into a `RawTable` within `Limits`.

`delimited` (CSV/TSV), `workbook` (XLSX, and the ZIP checks it shares with the atlas's
own ZIP export), `geojson`, `geodata` (GeoPackage and GeoParquet), `export` (the atlas's
own exports, read back as its four tables) and `geometry` (what a geometry becomes: a
point, its type and, for an area, its precision). Every reader stops at the first row,
column or cell past a limit, so memory stays bounded by the limits. `atlas.intake.formats`
picks the reader.
"""
