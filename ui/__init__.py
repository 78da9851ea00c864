"""Streamlit components. Each `show_*` function renders one part and returns what it read."""
