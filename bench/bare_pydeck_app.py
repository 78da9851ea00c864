"""The baseline of bench.browser_timing: a bare `st.pydeck_chart` of 300 points (offline,
no basemap), to compare the dashboard's first map with in the same run."""

from __future__ import annotations

import random

import pandas as pd
import pydeck as pdk
import streamlit as st

rng = random.Random(42)  # noqa: S311 (fixed positions for a benchmark, not secrets)
points = pd.DataFrame(
    {  # longitude, latitude (EPSG:4326), in the dashboard's map box
        "lon": [rng.uniform(100, 130) for _ in range(300)],
        "lat": [rng.uniform(20, 45) for _ in range(300)],
    }
)
layer = pdk.Layer(
    "ScatterplotLayer",
    points,
    id="points",
    get_position=["lon", "lat"],
    get_fill_color=[213, 94, 0],  # the detention colour, which wait_for_map looks for
    get_radius=20_000,
    pickable=True,
)
view = pdk.ViewState(longitude=115, latitude=33, zoom=3)
st.pydeck_chart(pdk.Deck(layers=[layer], initial_view_state=view, map_provider=None), height=480)
