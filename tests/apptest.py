"""One way to run the app in AppTest: URL parameters, a page, an imported dataset in use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.runtime.context import ContextProxy
from streamlit.testing.v1 import AppTest

from atlas.loading import Dataset
from ui.data import IN_USE, session_data
from ui.state import TAB

APP = Path(__file__).resolve().parent.parent / "app.py"


def run_app(
    params: dict | None = None,
    page: str | None = None,
    dataset: Dataset | None = None,
    timeout: float = 60,
) -> AppTest:
    """Run app.py (then `page`, a views/ script) and fail on any exception it shows."""
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if dataset is not None:
        at.session_state[IN_USE] = session_data(dataset)
    if params:
        at.query_params = params
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open a dashboard tab, as a click on it does: the tabs are lazy (only the open one
    runs), so a test of a tab's content opens it first."""
    at.session_state[TAB] = label
    at.run()
    assert not at.exception, at.exception
    return at


@contextmanager
def embedded() -> Iterator[None]:
    """Runs inside draw the embed (an iframe's page): AppTest, like Streamlit's server, hides
    `embed` from st.query_params, and it has no browser to set st.context.is_embedded, so
    app.py's embed mode is reached by making the context say so."""
    saved = ContextProxy.is_embedded
    ContextProxy.is_embedded = property(lambda self: True)
    try:
        yield
    finally:
        ContextProxy.is_embedded = saved
