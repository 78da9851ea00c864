"""The column and value mapping of the Data page's import: which column is which field,
the date order, and what the file's unknown vocabulary values mean (saved in the mapping)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from atlas import schema
from atlas.intake.mapping import (
    DATE_ORDERS,
    FIELDS,
    Mapping,
    MappingError,
    auto_mapping,
    unused_columns,
)
from atlas.intake.values import VOCABULARIES, vocabulary_code
from ui.text import md

NONE = "—"


def start_mapping(columns: list[str], saved, token: str) -> Mapping | None:
    if saved is not None:
        try:
            return Mapping.from_json(saved.getvalue())
        except MappingError as exc:
            st.error(f"The mapping file cannot be used: {md(exc)}")
            return None
    return st.session_state.get(f"_mapping_{token}") or auto_mapping(columns)


def edit_mapping(raw, mapping: Mapping, token: str) -> Mapping:
    complete = mapping.column("event_type") and (
        mapping.column("date") or mapping.column("date_start")
    )
    title = "Column mapping (recognised names are set; choose the rest)"
    pending = any(_unknown_values(raw, mapping, n) for n in ("event_type", *VOCABULARIES))
    if pending:
        title += " · values to map"
    with st.expander(title, expanded=not complete or pending):
        options = [NONE, *raw.columns]
        cols = st.columns(3)
        chosen = {}
        for n, (name, help_text) in enumerate(FIELDS.items()):
            current = mapping.column(name)
            index = options.index(current) if current in options else 0
            value = cols[n % 3].selectbox(
                name, options, index=index, help=help_text, key=f"map_{token}_{name}"
            )
            chosen[name] = None if value == NONE else value
        order = st.radio(
            "Dates like 03/04/2013 are",
            DATE_ORDERS,
            horizontal=True,
            index=DATE_ORDERS.index(mapping.date_order),
            key=f"order_{token}",
            format_func={
                "auto": "decided by the column (else an error)",
                "DMY": "day/month/year",
                "MDY": "month/day/year",
            }.get,
        )
        mapping = replace(mapping.with_columns(**chosen), date_order=order)
        mapping = replace(
            mapping, columns={k: v for k, v in mapping.columns.items() if chosen.get(k)}
        )
        mapping = replace(
            mapping,
            event_types=_map_values(
                raw, mapping, "event_type", mapping.event_types, schema.EVENT_TYPE_CODES, token
            ),
        )
        chosen_values = dict(mapping.vocabularies)
        for name, codes in VOCABULARIES.items():
            picks = _map_values(
                raw, mapping, name, mapping.vocabularies.get(name, {}), codes, token
            )
            chosen_values.pop(name, None)
            if picks:
                chosen_values[name] = picks
        mapping = replace(mapping, vocabularies=chosen_values)
    unused = unused_columns(raw.columns, mapping)
    if unused:
        st.warning(
            f"{len(unused)} column(s) of the file are not imported (no field takes them): "
            + ", ".join(md(c) for c in unused),  # md() escapes: no code span around it
            icon=":material/playlist_remove:",
        )
    st.session_state[f"_mapping_{token}"] = mapping
    return mapping


def _unknown_values(raw, mapping: Mapping, name: str) -> list[str]:
    """The column's values (first 30) that are not the atlas's codes for the field."""
    column = mapping.column(name)
    if not column or column not in raw.frame:
        return []
    values = sorted(set(raw.frame[column]) - {""})
    if name == "event_type":
        return [v for v in values if v not in schema.EVENT_TYPE_CODES][:30]
    return [v for v in values if vocabulary_code(name, v, {}) is None][:30]


def _map_values(
    raw, mapping: Mapping, name: str, picks: dict[str, str], codes, token: str
) -> dict[str, str]:
    """A choice of code for each value of the column that the atlas does not know: an
    unknown event type is an error, another unknown value a warning (its default)."""
    unknown = _unknown_values(raw, mapping, name)
    if not unknown:
        return picks
    picks = dict(picks)
    st.markdown(
        f"**Values of the column {md(mapping.column(name) or '')} ({md(name)}) "
        "that are not the atlas's codes**"
    )
    options = [NONE, *codes]
    grid = st.columns(3)
    for n, value in enumerate(unknown):
        index = options.index(picks[value]) if picks.get(value) in options else 0
        pick = grid[n % 3].selectbox(
            md(value) or " ", options, index=index, key=f"value_{token}_{name}_{n}"
        )
        if pick != NONE:
            picks[value] = pick
        else:
            picks.pop(value, None)
    return picks
