"""A Streamlit client with no browser: Streamlit 1.67's own websocket protocol, for tests and the class benchmark.

The browser (frontend/app) does, and so does this client:
1. open ws://HOST/_stcore/stream with the subprotocol "streamlit" (the header's 2nd and 3rd entries would carry an
   XSRF token and a session id to resume; neither is needed for an anonymous session);
2. send a BackMsg `rerun_script` (a ClientState): the page's URL path as `page_name` (a page's url_path, e.g.
   "sampling-hallucination", or "" for the default page), the URL's `query_string` without "?", and no
   `page_script_hash` on the first run;
3. read ForwardMsgs: `new_session`, `navigation` (which carries the page's `page_script_hash`), `delta`s (each with
   `metadata.delta_path`, the element's place on the page, and, inside a fragment, `delta.fragment_id`),
   `page_info_changed` (st.query_params written by the script), until `script_finished` says FINISHED_SUCCESSFULLY
   or FINISHED_FRAGMENT_RUN_SUCCESSFULLY (FINISHED_EARLY_FOR_RERUN means another run follows: keep reading);
4. a widget change is another `rerun_script` with the page's `page_script_hash`, the current query string and the
   changed WidgetState (id from the widget's element). A widget drawn inside an st.fragment reruns only that
   fragment: the ClientState then carries `fragment_id`, as the browser sends it. Widgets not sent keep their value
   (the session keeps the last state of every widget).

Only messages whose hash the client declared in `cached_message_hashes` come back as references; this client
declares none, so every element arrives whole.

    async with Session("http://127.0.0.1:8501", "sampling-hallucination", "samp_seed=3") as s:
        run = await s.run()                      # first load
        seed = s.widget("number_input", "Seed")
        run = await s.set(seed, 4)               # rerun with a new value (a fragment rerun if it is in one)
        s.markdown()                             # every markdown/html body now on the page
"""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from html import unescape
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
DONE_STATUSES = {FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
                 FINISHED.FINISHED_WITH_COMPILE_ERROR}
WIDGET_KINDS = {"number_input", "slider", "checkbox", "selectbox", "radio", "text_input", "text_area", "button",
                "multiselect", "toggle", "button_group"}


class ProtocolError(RuntimeError):
    pass


@dataclass
class Run:
    """One script run as the client saw it."""
    seconds: float
    status: int
    messages: int
    bytes: int
    fragment: bool


@dataclass
class Session:
    base: str                      # http://host:port (ws:// is derived)
    page: str = ""                 # url_path of the page, "" for the default page
    query: str = ""                # query string without "?"
    timeout: float = 600.0         # generous: a busy machine is slow, not wrong
    elements: dict = field(default_factory=dict)   # delta_path tuple -> (kind, proto, fragment_id)
    page_hash: str = ""
    runs: list = field(default_factory=list)
    log: list = field(default_factory=list)        # kinds of every ForwardMsg received (for debugging)
    headers: dict = field(default_factory=dict)    # extra handshake headers (a load balancer's sticky cookie)
    ws: Any = None

    async def __aenter__(self) -> "Session":
        url = re.sub(r"^http", "ws", self.base.rstrip("/")) + "/_stcore/stream"
        self.ws = await asyncio.wait_for(
            websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout,
                               ping_interval=None, compression=None,
                               additional_headers=self.headers or None), self.timeout)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    # ------------------------------------------------------------------------------------------------ running
    async def run(self, widgets: list[WidgetState] | None = None, fragment_id: str = "") -> Run:
        """Send a rerun (the first one opens the page) and wait until the script has finished."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        if self.page_hash:
            cs.page_script_hash = self.page_hash
        else:
            cs.page_name = self.page
        for w in widgets or []:
            cs.widget_states.widgets.append(w)
        if fragment_id:
            cs.fragment_id = fragment_id
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        n, size = 0, 0
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), self.timeout)
            n += 1
            size += len(raw)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            status = self._handle(fm, bool(fragment_id))
            if status is not None and status in DONE_STATUSES:
                run = Run(time.perf_counter() - t0, status, n, size, bool(fragment_id))
                self.runs.append(run)
                if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError(f"{self.page}: the script did not compile")
                return run

    def _handle(self, fm: ForwardMsg, fragment_run: bool) -> int | None:
        kind = fm.WhichOneof("type")
        self.log.append(kind)
        if kind == "new_session":
            if not fragment_run:
                self.elements.clear()
        elif kind == "navigation":
            self.page_hash = fm.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = fm.page_info_changed.query_string
        elif kind == "page_not_found":
            raise ProtocolError(f"page not found: {self.page!r}")
        elif kind == "ref_hash":
            raise ProtocolError("a cached-message reference arrived, but this client declares no cache")
        elif kind == "delta":
            d = fm.delta
            dk = d.WhichOneof("type")
            path = tuple(fm.metadata.delta_path)
            if dk == "new_element":
                ek = d.new_element.WhichOneof("type")
                self.elements[path] = (ek, getattr(d.new_element, ek) if ek else None, d.fragment_id)
            elif dk == "add_block":
                self.elements[path] = ("block", d.add_block, d.fragment_id)
        elif kind == "script_finished":
            return fm.script_finished
        return None

    # ----------------------------------------------------------------------------------------------- elements
    def ordered(self) -> list[tuple[str, Any, str]]:
        return [self.elements[k] for k in sorted(self.elements)]

    def of_kind(self, kind: str) -> list:
        return [p for k, p, _ in self.ordered() if k == kind]

    def markdown(self) -> list[str]:
        """Bodies of every markdown and html element, in page order."""
        return [p.body for k, p, _ in self.ordered() if k in ("markdown", "html") and p is not None]

    def exceptions(self) -> list[str]:
        return [f"{p.type}: {p.message}" for p in self.of_kind("exception")]

    def headings(self) -> list[str]:
        return [p.body for p in self.of_kind("heading")]

    def widget(self, kind: str, label: str):
        """The element of the widget with this label (its `id` is what a rerun sends)."""
        for k, p, frag in self.ordered():
            if k == kind and p.label == label:
                return p
        raise KeyError(f"no {kind} labelled {label!r}; labels: "
                       f"{[p.label for k, p, _ in self.ordered() if k in WIDGET_KINDS]}")

    def fragment_of(self, widget_id: str) -> str:
        for k, p, frag in self.ordered():
            if k in WIDGET_KINDS and p.id == widget_id:
                return frag
        return ""

    async def set(self, widget, value) -> Run:
        """Change a widget's value and rerun (only its fragment when it is drawn inside one)."""
        ws = WidgetState(id=widget.id)
        kind = type(widget).__name__
        if kind == "NumberInput":
            if widget.data_type == widget.INT:
                ws.int_value = int(value)
            else:
                ws.double_value = float(value)
        elif kind == "Slider":
            ws.double_array_value.data.extend([float(v) for v in (value if isinstance(value, (list, tuple))
                                                                  else [value])])
        elif kind in ("Checkbox",):
            ws.bool_value = bool(value)
        elif kind in ("TextInput", "TextArea"):
            ws.string_value = str(value)
        elif kind in ("Selectbox", "Radio"):
            # Streamlit 1.67 sends these as the chosen option's label (string_value), not its index; an int here
            # raised TypeError in the script (so a quiz answer never reached the quiz)
            ws.string_value = widget.options[value] if isinstance(value, int) else str(value)
        else:
            raise NotImplementedError(kind)
        return await self.run([ws], fragment_id=self.fragment_of(widget.id))

    async def click(self, widget) -> Run:
        ws = WidgetState(id=widget.id, trigger_value=True)
        return await self.run([ws], fragment_id=self.fragment_of(widget.id))


# ---------------------------------------------------------------------------------------------- page readers
_TOKEN = re.compile(r'<span[^>]*\btitle="p = [^"]*"[^>]*>(.*?)</span>', re.S)


def sample_texts(bodies: list[str]) -> list[str]:
    """The sampling page's samples, as shown: one row (a div) per sample, each token a span titled "p = ..." (see
    lib.lm_lab.coloured_tokens_html); a row's text is its tokens' texts joined, HTML entities decoded (a newline is
    drawn as the entity for "\u21b5")."""
    out = []
    for body in bodies:
        if 'title="p = ' not in body:
            continue
        for row in body.split("</div>"):
            toks = _TOKEN.findall(row)
            if toks:
                out.append("".join(unescape(re.sub(r"<[^>]+>", "", t)) for t in toks))
    return out


def server_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds user+system, resident MB) of a process, from /proc/<pid>/stat and /proc/<pid>/status."""
    import os

    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = 0.0
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    return cpu, rss


def run_sync(coro):
    """Run a coroutine to completion on its own event loop in a fresh thread (a sync Playwright in the same pytest
    process may own this thread's loop, and asyncio.run refuses to nest)."""
    import threading

    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
