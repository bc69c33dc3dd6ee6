"""A client that floods the server with strokes, and another person drawing meanwhile. Used by
``python -m benchmarks.robustness``.

The flooding client speaks Streamlit's websocket itself (:class:`Flooder`, the ``websockets``
package, no browser: an attacker's own CPU is not the server's, and a browser driven through
Playwright here would take the two cores from the person measured). It opens a session with
the Draw page's own message for a canvas holding one real stroke (taken from a real page),
then in each round sends :data:`MESSAGES` canvas states back to back, each with more tiny
strokes (2-point paths across the canvas, as few bytes as a fabric.js path can be: the most
strokes a message within ``server.maxMessageSize`` can carry; the canvas' own objects are
~800 bytes, so 5,000 of them, 4 MB, would close the connection), the last with
:data:`STROKES`, as a script drawing as fast as it can would. ``answer_s``: from its last
message to the server's message naming the stroke cap. The other session, a real page in
Chromium, draws a digit with the mouse in each round and times stroke -> reading shown;
rounds alternate with and without the flood (sent right after the other's mouse-up, so that
both are served together), and the medians are compared in the same run. After each flood the
flooder goes back to one stroke (a full reading of its own) only once the other's reading is
timed (:attr:`Flooder.measured`), so that the delay measured is the flood's, not a second
person's drawing.
"""

from __future__ import annotations

import copy
import json
import os
import statistics
import threading
import time
from pathlib import Path

from lenet5.core.validate import MAX_STROKES
from lenet5.eval import browser as B
from lenet5.eval.hostile import path_object
from lenet5.eval.wire import Wire

STROKES = 5_000
MESSAGES = 20
CAP_TEXT = f"more than {MAX_STROKES} strokes"


def _tiny(k: int, size: tuple[int, int]) -> dict:
    """A 2-point dash at the ``k``-th place of a grid over a canvas of ``size``."""
    x, y = 10 + (k * 7) % (size[0] - 20), 10 + (k * 7 // (size[0] - 20) * 5) % (size[1] - 20)
    return path_object([[x, y], [x + 1, y]])


def flood_messages(wire: Wire, size: tuple[int, int], strokes: int = STROKES,
                   messages: int = MESSAGES) -> list:
    """The flood: copies of the page's last message (a canvas holding one real stroke), the
    ``j``-th with ``strokes * j / messages`` tiny strokes."""
    base = wire.message()
    canvas = next(w for w in base.rerun_script.widget_states.widgets
                  if w.id.endswith("-canvas") and w.WhichOneof("value") == "json_value")
    state = json.loads(canvas.json_value)
    tiny = [_tiny(k, size) for k in range(strokes)]
    out = []
    for j in range(1, messages + 1):
        msg = copy.deepcopy(base)
        w = next(w for w in msg.rerun_script.widget_states.widgets if w.id == canvas.id)
        state["drawing"]["raw"]["objects"] = tiny[: strokes * j // messages]
        w.json_value = json.dumps(state)
        out.append(msg)
    return out


class Flooder:
    """A Streamlit session over a bare websocket, in its own thread: :meth:`flood` sends
    the messages and times the answer."""

    def __init__(self, url: str, honest, flood: list):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from websockets.sync.client import connect

        self._fwd = ForwardMsg
        self.ws = connect(url.replace("http", "ws", 1) + "/_stcore/stream",
                          subprotocols=["streamlit"], max_size=2**24)
        self.honest = honest.SerializeToString()
        self.flood = [m.SerializeToString() for m in flood]
        self.go, self.answers, self.sent_at = threading.Event(), [], []
        self.measured = threading.Event()
        self.thread = threading.Thread(target=self._rounds, daemon=True)
        self.ws.send(self.honest)
        self._until(lambda m: self._finished(m), 60)

    def _finished(self, message: bytes) -> bool:
        try:
            return self._fwd.FromString(message).WhichOneof("type") == "script_finished"
        except Exception:  # noqa: BLE001 - not a message we know
            return False

    def _until(self, found, timeout: float) -> float | None:
        """Read messages until ``found(message)``; when, or None after ``timeout`` s."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                m = self.ws.recv(timeout=max(deadline - time.perf_counter(), 0.01))
            except TimeoutError:
                return None
            if isinstance(m, bytes) and found(m):
                return time.perf_counter()
        return None

    def _rounds(self) -> None:
        cap = CAP_TEXT.encode()
        while self.go.wait():
            self.go.clear()
            for m in self.flood:
                self.ws.send(m)
            sent = time.perf_counter()
            self.sent_at.append(sent)
            seen = self._until(lambda m: cap in m, 30)
            self.answers.append(None if seen is None else seen - sent)
            self._until(self._finished, 30)
            # Back to one stroke (read: a full run) only once the other session's reading is
            # timed: else the delay measured would be a second person's reading, not the flood.
            self.measured.wait(60)
            self.measured.clear()
            self.ws.send(self.honest)
            self._until(self._finished, 30)
            self.done.set()

    def start(self) -> None:
        self.done = threading.Event()
        self.thread.start()

    def close(self) -> None:
        self.ws.close()


def _reading_ms(page, reruns: B.Reruns, strokes, then=None) -> float:
    """Draw ``strokes`` with the mouse, call ``then()`` right after the mouse-up, and time
    mouse-up -> the reading on screen, ms."""
    t = B.draw(page, strokes)
    if then is not None:
        then()
    reruns.wait(page, t, timeout=60)
    page.locator(B.METRIC_VALUE).first.wait_for(timeout=30_000)
    return (time.perf_counter() - t) * 1000


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(context, url: str, pid: int, rounds: int = 5) -> dict:
    """``rounds`` rounds with the flood and as many without, alternating, against the server
    of process ``pid``; the figures (``server_cpu_ms``: the server's CPU time over each kind of
    round, median: what the flood costs it whatever else the machine runs)."""
    page = context.new_page()
    wire = Wire(page)
    box = B.open_app(page, url)
    t = B.draw(page, [B.seven(box)[0]])
    wire.settle(page, t)
    flood = flood_messages(wire, (int(box["width"]), int(box["height"])))
    flooder = Flooder(url, wire.message(), flood)
    page.close()
    other = context.new_page()
    reruns = B.Reruns(other)
    strokes = B.to_canvas(B.pen_samples()[1]["strokes"], B.open_app(other, url))
    quiet, flooded, cpu = [], [], {"quiet": [], "flooded": []}
    flooder.start()
    try:
        for k in range(2 * rounds):
            B.reset(other, reruns)
            used = cpu_s(pid)
            if k % 2 == 0:
                quiet.append(_reading_ms(other, reruns, strokes))
                cpu["quiet"].append(cpu_s(pid) - used)
                continue
            flooder.done.clear()
            flooded.append(_reading_ms(other, reruns, strokes, flooder.go.set))
            flooder.measured.set()
            flooder.done.wait(90)
            cpu["flooded"].append(cpu_s(pid) - used)
    finally:
        flooder.close()
    answers = flooder.answers
    return {"strokes": STROKES, "messages_per_flood": MESSAGES, "floods": rounds,
            "largest_message_bytes": len(flooder.flood[-1]),
            "answer_s": [None if a is None else round(a, 3) for a in answers],
            "answer_s_max": None if None in answers or not answers else round(max(answers), 3),
            "reading_ms_quiet": [round(v) for v in quiet],
            "reading_ms_flooded": [round(v) for v in flooded],
            "reading_ms_median_quiet": round(statistics.median(quiet)),
            "reading_ms_median_flooded": round(statistics.median(flooded)),
            "server_cpu_ms_quiet_round": round(1000 * statistics.median(cpu["quiet"])),
            "server_cpu_ms_flooded_round": round(1000 * statistics.median(cpu["flooded"])),
            "delay_ms": round(statistics.median(flooded) - statistics.median(quiet))}
