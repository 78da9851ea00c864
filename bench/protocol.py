"""A Streamlit session without a browser: Streamlit's own WebSocket protocol, as its frontend
speaks it (Streamlit 1.67). Used by bench/load.py.

- open `/_stcore/stream` with the `streamlit` subprotocol (no XSRF token: this app has no
  login, and the server only checks it before reading an auth cookie);
- send a `BackMsg` with `rerun_script` (the query string, page, widget states);
- read `ForwardMsg`s until `script_finished`.

Widget ids are learnt from the deltas (a keyed widget's id ends with `-<key>`; keyed tabs
arrive as a block), so a filter change, a map click, a tab opened or a button pressed is
sent as the widget state the browser would send. A session answers
the server's WebSocket pings and, with `ping_interval`, sends its own (keep-alive).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

DONE = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


# widgets whose value the client keeps as the frontend does: the sidebar's period and lists
# (others are only sent once set; the scenario sets none of them before it changes them)
KEPT = {"date_input", "multiselect"}


def user_key(widget_id: str) -> str:
    """The `key=` of a keyed widget from its id (`$$ID-<hash>-<key>`); "" if unkeyed."""
    parts = widget_id.split("-", 2) if widget_id.startswith("$$ID-") else []
    return parts[2] if len(parts) == 3 else ""


class ProtocolError(RuntimeError):
    """The server closed the session, or a run ended with an error."""


@dataclass
class RunResult:
    """One run of the script as the client saw it: seconds from the BackMsg sent to
    `script_finished`, bytes received, and what the run drew that the caller checks."""

    seconds: float
    nbytes: int
    messages: int
    metric: str | None = None  # the first st.metric value ("Matching incidents")
    texts: list[str] = field(default_factory=list)  # markdown bodies, to find the card
    downloads: dict[str, str] = field(default_factory=dict)  # button key -> /media/ URL
    exception: str | None = None


@dataclass
class Session:
    """One browser tab's worth of protocol: a WebSocket, its session id and widget ids."""

    base_url: str
    timeout: float = 120
    ping_interval: float | None = 20
    headers: dict[str, str] = field(default_factory=dict)
    widget_ids: dict[str, str] = field(default_factory=dict)
    page_hash: str = ""
    session_id: str = ""
    _ws: object = None
    _query: str = ""
    # every widget value this tab has set: the frontend sends them all on each rerun
    _states: dict[str, WidgetState] = field(default_factory=dict)

    async def connect(self) -> None:
        parsed = urlparse(self.base_url)
        path = parsed.path.rstrip("/")
        self._ws = await websockets.connect(
            f"ws://{parsed.netloc}{path}/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers=self.headers,
            max_size=None,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            open_timeout=self.timeout,
        )

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def load(self, query: str = "") -> RunResult:
        """The first run of a tab opened at `?query`."""
        self._query = query
        self._states.clear()
        return await self._run([])

    def _state(self, key: str, **value) -> WidgetState:
        if key not in self.widget_ids:
            raise ProtocolError(f"no widget with key {key!r} in this session's page")
        state = WidgetState(id=self.widget_ids[key])
        for name, v in value.items():
            if isinstance(v, list):
                getattr(state, name).data.extend(v)
            else:
                setattr(state, name, v)
        return state

    def remember(self, key: str, **value) -> None:
        """A widget's value that the frontend sends with the next rerun, without one of its
        own (as for a select box left at the value it shows)."""
        state = self._state(key, **value)
        self._states[state.id] = state

    async def set_widget(self, key: str, **value) -> RunResult:
        """A widget changed in the browser: its new state (e.g. `string_array_value=[...]`,
        `string_value=json`; a tab: `string_value=<its label>`), as the frontend sends it,
        triggers a rerun."""
        self.remember(key, **value)
        return await self._run(list(self._states.values()))

    async def press(self, key: str) -> RunResult:
        """A button clicked: `trigger_value` true, sent for the run it triggers only (the
        frontend does not repeat it), with every other widget's value."""
        trigger = self._state(key, trigger_value=True)
        others = [s for s in self._states.values() if s.id != trigger.id]
        return await self._run([*others, trigger])

    async def select_on_map(self, key: str, layer: str, incident_id: str) -> RunResult:
        """A click on a map mark: the selection state st.pydeck_chart sends."""
        selection = {
            "selection": {
                "indices": {layer: [0]},
                "objects": {layer: [{"incident_id": incident_id}]},
            }
        }
        return await self.set_widget(key, string_value=json.dumps(selection))

    def _keep(self, kind: str, inner) -> None:
        """What the frontend keeps of a drawn widget and sends with every rerun (Streamlit
        resets a widget whose state a rerun lacks to its default): the value the server
        set (`set_value`), else, when first drawn, its default."""
        if inner.id in self._states and not inner.set_value:
            return
        if kind == "date_input":
            values = inner.value if inner.set_value else inner.default
        else:  # multiselect: options by index, or the values the server set
            values = (
                inner.raw_values if inner.set_value else [inner.options[i] for i in inner.default]
            )
        state = WidgetState(id=inner.id)
        state.string_array_value.data.extend(values)
        self._states[inner.id] = state

    async def _receive(self, deadline: float) -> ForwardMsg:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no script_finished in time")
        data = await asyncio.wait_for(self._ws.recv(), left)
        fwd = ForwardMsg()
        fwd.ParseFromString(data)
        return fwd

    async def _run(self, widgets: list[WidgetState]) -> RunResult:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self._query
        state.page_script_hash = self.page_hash
        state.widget_states.widgets.extend(widgets)
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        result = RunResult(0.0, 0, 0)
        deadline = time.monotonic() + self.timeout
        while True:
            fwd = await self._receive(deadline)
            result.messages += 1
            result.nbytes += fwd.ByteSize()
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "delta":
                self._read_delta(fwd.delta, result)
            elif kind == "script_finished":
                if fwd.script_finished in DONE:
                    result.seconds = time.perf_counter() - start
                    return result
                if fwd.script_finished != ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN:
                    raise ProtocolError(f"script finished with status {fwd.script_finished}")

    def _read_delta(self, delta, result: RunResult) -> None:
        if delta.WhichOneof("type") == "add_block":
            block = delta.add_block
            if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
                tabs_id = block.tab_container.id
                self.widget_ids[user_key(tabs_id) or tabs_id] = tabs_id
            return
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        inner = getattr(element, kind)
        widget_id = getattr(inner, "id", "")
        key = user_key(widget_id)
        if key:
            self.widget_ids[key] = widget_id
        if kind in KEPT:
            self._keep(kind, inner)
        if kind == "metric" and result.metric is None:
            result.metric = inner.body
        elif kind == "markdown":
            result.texts.append(inner.body)
        elif kind == "exception":
            result.exception = inner.message or inner.type or "exception"
        elif kind == "download_button" and inner.url:
            result.downloads[key] = inner.url
