"""The server process' memory: large blocks handed back to the system when they are freed.

Every reading makes arrays and PNGs of a few hundred KB (the canvas' RGBA pixels alone are
313 KB). glibc's malloc gives blocks that large a mapping of their own, returned when freed, but
only above a threshold that it raises to the size of each such block freed (up to 32 MB), and
with it the free memory each arena may keep at its top (twice that). Soon the blocks come from
malloc's arenas instead and stay there once freed. Streamlit runs every script run in a thread
of its own, and with several people drawing at once the threads take different arenas (up to 8
a core), each keeping its own share. Fixed thresholds keep large blocks on their own mappings
and the arenas' tops small. Measured side by side, same commit with and without (``python -m
benchmarks.compare --other BEFORE/app.py --memory-rounds 3``, medians of 3): after 10 sessions
at once, 10 digits each, the server held 242 MB instead of 317 MB; after 100 drawings in one
session 235 instead of 240 MB; stroke -> page 424 vs 429 ms (canvas-only app: 363 ms).

Limiting the number of arenas (``M_ARENA_MAX``) saves about as much, but only if set before
the server starts threads: by the first script run Streamlit has already made more arenas than
that (its static files are served from a pool of threads), and glibc fixes its limit then.
``$MALLOC_ARENA_MAX`` set by whoever starts the process still works.

That still leaves the small blocks: each arena keeps the free pages between the live ones it
holds. A thread of its own hands such pages back (glibc's ``malloc_trim``, every arena) a moment
after script runs have ended: never in a script run, which would wait for it, and never while
the server is idle. Measured, it changed nothing after 10 sessions here (248 MB before and
after): it bounds what many script threads' arenas could keep, no more. (CI's 311 MB against
this machine's 248 were not arenas: its server held the same 166 MB it allocated, and more
resident pages of freshly installed libraries; the memory gates count what it allocated.)

Called once at app start (``resources.warm_up``); ``app.py`` asks for a trim after each run.
Where malloc is not glibc's (macOS, musl), it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading

log = logging.getLogger("lenet5")

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers in <malloc.h>
THRESHOLD = 128 * 1024  # glibc's own starting value of both, kept from then on
TRIM_AFTER_S = 2.0  # runs ending within this long share one trim
_asked = threading.Event()
_trimmer: list[threading.Thread] = []
_lock = threading.Lock()


def _glibc() -> ctypes.CDLL | None:
    """glibc, if this process runs on it, else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "gnu_get_libc_version") else None


def keep_large_blocks_apart(threshold: int = THRESHOLD) -> bool:
    """From now on let glibc's malloc give every block of ``threshold`` bytes or more a mapping
    of its own, unmapped when freed, whatever blocks were freed before; and hand back the free
    memory above ``threshold`` at the top of each arena (raised with the first threshold, to
    twice it, it lets every arena keep megabytes unused). True if set; False without glibc, or
    when ``$MALLOC_MMAP_THRESHOLD_`` already says (the process' owner chose)."""
    if os.environ.get("MALLOC_MMAP_THRESHOLD_"):
        return False
    libc = _glibc()
    if libc is None:
        return False
    ok = all([libc.mallopt(M_MMAP_THRESHOLD, int(threshold)),
              libc.mallopt(M_TRIM_THRESHOLD, int(threshold))])
    if not ok:  # glibc refused a value: its default stays, which only costs memory
        log.warning("mallopt refused a threshold of %s bytes", threshold)
    return ok


def start_handing_back(after_s: float = TRIM_AFTER_S) -> bool:
    """Start (once per process) the thread that trims every arena ``after_s`` seconds after a
    trim was asked for (``hand_back_soon``). True if it runs; False without glibc."""
    libc = _glibc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    with _lock:
        if not _trimmer:
            thread = threading.Thread(target=_trim_forever, args=(libc, after_s),
                                      name="lenet5-trim", daemon=True)
            thread.start()
            _trimmer.append(thread)
    return True


def hand_back_soon() -> None:
    """Ask the trimming thread to hand free memory back shortly (cheap; any thread)."""
    _asked.set()


def _trim_forever(libc: ctypes.CDLL, after_s: float) -> None:
    while True:
        _asked.wait()
        threading.Event().wait(after_s)  # let the runs ending now share this trim
        _asked.clear()
        libc.malloc_trim(0)
