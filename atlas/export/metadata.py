"""What every export says about itself: the filters (in words and as URL parameters), the
date the data is as of, the versions, the link that reopens the view and the attribution.

One dictionary (`metadata`) written three ways: the XLSX "about" sheet, `metadata.json` in
the CSV ZIP and the GeoJSON foreign member "metadata".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from atlas.context import as_of, as_of_words, filters_in_words, tier_words
from atlas.filters import Filters, to_query
from atlas.loading import Dataset

ATTRIBUTION = (
    "Repatriation Atlas data, CC BY 4.0. Coordinates from GeoNames (CC BY 4.0; credit "
    '"GeoNames", https://www.geonames.org/) or from Natural Earth (public domain), as each '
    "row's coord_basis says. Each quote in reports is a short citation from the document "
    "named in its row (listed in documents), © its publisher; the documents themselves "
    "are not included."
)


@dataclass(frozen=True)
class ExportContext:
    """The view an export was made from."""

    filters: str  # in words (atlas.context.filters_in_words)
    query: dict[str, list[str]] = field(default_factory=dict)  # the URL parameters
    as_of: date | None = None
    as_of_words: str = ""
    dataset_version: str = ""  # of the dataset the rows were selected from
    link: str = ""  # reopens the view (atlas.export.links)
    link_note: str = ""  # e.g. that the link is a local address
    tier: str = ""  # in words (atlas.context.tier_words): public or team view


def export_context(
    dataset: Dataset, filters: Filters, first: date, last: date, link: str, link_note: str = ""
) -> ExportContext:
    """The context of an export of `dataset` filtered by `filters`."""
    return ExportContext(
        filters=filters_in_words(filters, first, last),
        query=to_query(filters),
        as_of=as_of(dataset),
        as_of_words=as_of_words(dataset),
        dataset_version=dataset.version,
        link=link,
        link_note=link_note,
        tier=tier_words(dataset.tier),
    )


def metadata(
    rows_version: str, exported_at: str, related: tuple[str, ...], context: ExportContext | None
) -> dict[str, object]:
    """The export's metadata as JSON-ready values (strings, lists, a dict of lists)."""
    about: dict[str, object] = {
        "title": "Repatriation Atlas - data export",
        "rows_version": rows_version,
        "exported_at": exported_at,
    }
    if context is not None:
        about |= {
            "filters": context.filters,
            "filters_query": context.query,
            "as_of": context.as_of.isoformat() if context.as_of else None,
            "tier": context.tier,
            "as_of_words": context.as_of_words,
            "dataset_version": context.dataset_version,
            "link": context.link,
            **({"link_note": context.link_note} if context.link_note else {}),
        }
    about |= {"related_only": list(related), "attribution": ATTRIBUTION}
    return about
