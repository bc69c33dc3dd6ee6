"""TensorFlow loaded without its start-up chatter on the training commands' stderr.

TensorFlow 2.21 writes on import, twice over, absl's "All log messages before
absl::InitializeLog() is called..." and INFO lines (oneDNN, "Could not find cuda drivers"), so
that a command's ``--help`` seemed to come twice; ``TF_CPP_MIN_LOG_LEVEL`` cannot stop these, as
they come before its logging is set up. Later, on a machine without a GPU, it logs "failed call
to cuInit" and "NodeDef mentions attribute use_unbounded_threadpool" as errors although nothing
is wrong; level 3 (fatal only) stops those. Anything else written during the import (a real
error, a Python warning) is still shown. Set ``TF_CPP_MIN_LOG_LEVEL`` yourself (e.g. 0) to see
everything again.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

LOG_LEVEL = "3"  # TensorFlow's C++ log after start-up: fatal errors only (see above)
NOISE = re.compile(  # absl's preamble, and INFO or WARNING lines in absl's format
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} [\d:. ]+\d+ [\w.]+:\d+\] ")


def is_noise(line: str) -> bool:
    """Whether one line TensorFlow wrote while loading is its known start-up chatter."""
    return bool(NOISE.match(line))


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Meanwhile, what native code (and Python) writes to file descriptor 2 goes to a temporary
    file; afterwards its lines, less :func:`is_noise`, are written to stderr (also if the block
    raised)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().decode("utf-8", "replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not is_noise(line)))
            sys.stderr.flush()


def load_tensorflow() -> None:
    """Import TensorFlow and Keras once, quietly (see the module's docstring); call it before
    anything that imports them. Nothing happens if TensorFlow is loaded already."""
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", LOG_LEVEL)
    with filtered_stderr():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401
