"""The scope line and the "About the data" list of documents, as Markdown (data words
escaped by `md`). Pure: ui.data keeps them once per dataset version, ui.summary draws them."""

from __future__ import annotations

import pandas as pd

from atlas.scope import covered_years
from ui.text import md


def scope_line(incidents: int, scope: pd.DataFrame) -> str:
    """'70 incidents from 5 documents reporting on 2006–2024. …'; `scope` is
    `atlas.scope.document_scope(dataset)`, `incidents` how many the data holds."""
    years = covered_years(scope)
    span = f" reporting on {years[0]}–{years[1]}" if years else ""
    return (
        f"{incidents:,} incidents from {len(scope):,} "
        f"document{'s' if len(scope) != 1 else ''}{md(span)}. A year no document reports on "
        "is a gap in the reporting, not a year without incidents."
    )


def document_lines(scope: pd.DataFrame) -> str:
    """One Markdown list item per document: publisher, date, title, incidents, years."""
    lines = []
    for row in scope.to_dict("records"):
        years = (
            f"reports on {row['first']}–{row['last']}"
            if pd.notna(row["first"])
            else "background only"
        )
        lines.append(
            f"- {md(row['publisher'])}, {md(row['published'])}: {md(row['title'])} "
            f"({row['incidents']:,} incidents; {md(years)})"
        )
    return "\n".join(lines) or "No documents."
