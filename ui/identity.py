"""Who edits, and where editing exists: the identity provider's signed-in user
(st.login), else the header a trusted proxy sets; the team database of a team deployment."""

from __future__ import annotations

import os
from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from atlas.policy import PolicyError, tier
from ui import data
from ui.text import md

# The request header a trusted proxy sets to the signed-in editor: deploy/nginx.conf.template
# sets USER_HEADER to nginx's own authenticated user (and so drops a client's). Read only
# when ATLAS_USER_HEADER names it: behind such a proxy, with Streamlit not reachable around it.
USER_HEADER_VARIABLE = "ATLAS_USER_HEADER"
USER_HEADER = "X-Atlas-User"


def editing_enabled() -> bool:
    """The editing page exists on the team database of a team deployment only (an unknown
    tier: no editing; app.py then refuses to serve anything)."""
    try:
        team = tier() == "team"
    except PolicyError:
        return False
    return team and data.database_backend() is not None


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return False


def identity(user: Mapping, headers: Mapping, header: str) -> str | None:
    """The editor: the identity provider's signed-in user (st.user), else the value of
    `header` (empty: no header is trusted), else None."""
    if user.get("is_logged_in", False):
        return str(user.get("email") or user.get("name") or user.get("sub") or "") or None
    named = (headers.get(header) or "").strip() if header else ""
    return named or None


def editor() -> str | None:
    """Who is editing (`identity` of st.user and the request's headers); None after
    showing a sign-in button (st.login configured) or why nobody may edit."""
    header = os.environ.get(USER_HEADER_VARIABLE, "").strip()
    found = identity(st.user, st.context.headers, header)
    if found:
        return found
    if _auth_configured():
        st.info("Sign in to edit.", icon=":material/login:")
        st.button("Sign in", on_click=st.login, icon=":material/login:")
        return None
    st.error(
        "Editing needs to know who you are, and this deployment names nobody: configure "
        "an identity provider ([auth] in .streamlit/secrets.toml, st.login) or a proxy "
        f"that signs editors in and sets {md(USER_HEADER)}, named by "
        f"{md(USER_HEADER_VARIABLE)} (README, Editing, review and history).",
        icon=":material/person_off:",
    )
    return None
