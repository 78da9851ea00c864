"""Exports of the filtered view: data files, static figures, briefing PDF, screenshots.

Nothing here imports Streamlit. Every writer writes to a temporary file beside the target
and renames it into place, so a failed export leaves no half-written file.
"""
