"""Edit and review incidents on the team database, and see what changed (issue 17).
Registered by app.py only on the team database of a team deployment (ui.edit)."""

from __future__ import annotations

import streamlit as st

from ui.edit import show_editor
from ui.history import show_history
from ui.identity import editor
from ui.text import md

st.title("Edit & review")
user = editor()
if user:
    st.caption(f"Editing as {md(user)}.")
    show_editor(user)
st.header("History")
show_history()
