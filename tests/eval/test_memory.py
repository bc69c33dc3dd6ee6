"""lenet5.ui.memory: once set, a large block still gets a mapping of its own after a larger one
was freed, and 2 MB freed at the top of the heap go back to the system (glibc's own counts,
``mallinfo2``, say), where by default malloc raises both thresholds and keeps them; a
``$MALLOC_MMAP_THRESHOLD_`` set by whoever started the process is left as it is. Each case
runs in a fresh interpreter, so that nothing malloc did earlier (or the setting) carries over."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest
from support import ROOT

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")

# A 4 MB block is mapped and freed (by default this raises the threshold to 4 MB, and the trim
# threshold to 8 MB); then is a 512 KB block mapped too? mallinfo2's hblks counts the blocks
# malloc holds as mappings. Then 2 MB of 100 KB blocks are freed: how much of it does malloc
# keep at the top of its heap (keepcost)?
MAPPED_AFTER_A_LARGER_FREE = """
import ctypes, sys
from lenet5.ui import memory

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = MallInfo2
print("SET", memory.keep_large_blocks_apart() if sys.argv[1] == "set" else None)
libc.free(libc.malloc(4 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(512 << 10)
print("MAPPED", libc.mallinfo2().hblks - before)
libc.free(block)
small = [libc.malloc(100 << 10) for _ in range(20)]
for b in reversed(small):
    libc.free(b)
print("KEPT_KB", libc.mallinfo2().keepcost >> 10)
"""


def run(mode: str, **env) -> tuple[str, str, int]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")} | env
    out = subprocess.run([sys.executable, "-c", MAPPED_AFTER_A_LARGER_FREE, mode], cwd=ROOT,
                         env=environ, capture_output=True, text=True, timeout=60,
                         check=True).stdout
    lines = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    return lines["SET"], lines["MAPPED"], int(lines["KEPT_KB"])


def test_once_set_large_blocks_get_their_own_mapping_and_freed_memory_goes_back():
    setting, mapped, kept_kb = run("set")
    assert (setting, mapped) == ("True", "1") and kept_kb < 256


def test_by_default_malloc_serves_them_from_its_heap_and_keeps_what_is_freed():
    """The control: the checks above can fail, since by default neither happens."""
    setting, mapped, kept_kb = run("default")
    assert (setting, mapped) == ("None", "0") and kept_kb > 1024


def test_a_threshold_from_the_environment_is_left_alone():
    setting, mapped, _ = run("set", MALLOC_MMAP_THRESHOLD_="8388608")
    assert (setting, mapped) == ("False", "0")


# 40 MB of 4 KB blocks are allocated, then all but every 256th freed, so that the free memory
# lies between live blocks, where no top-of-heap trim reaches it: is it handed back (resident
# memory, /proc/self/statm) once the trimming thread has been asked?
FREED_BETWEEN_LIVE_BLOCKS = """
import ctypes, sys, threading, time
from lenet5.ui import memory

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]

def resident_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

blocks = [libc.malloc(4096) for _ in range(10240)]
for i, b in enumerate(blocks):
    if i % 256:
        libc.free(b)
before = resident_mb()
if sys.argv[1] == "trim":
    print("STARTED", memory.start_handing_back(after_s=0.05))
    memory.hand_back_soon()
time.sleep(1.0)
print("FREED_MB", round(before - resident_mb()))
"""


def freed_mb(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", FREED_BETWEEN_LIVE_BLOCKS, mode], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return int(dict(line.split(" ", 1) for line in out.splitlines())["FREED_MB"])


def test_the_trimming_thread_hands_back_memory_freed_between_live_blocks():
    assert freed_mb("wait") < 5  # malloc alone keeps it
    assert freed_mb("trim") > 30
