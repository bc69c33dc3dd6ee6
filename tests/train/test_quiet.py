"""TensorFlow's start-up chatter is dropped from stderr; everything else written meanwhile stays."""

import os

import pytest

from lenet5.train import quiet

NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    "I0000 00:00:1796215165.279881   10495 port.cc:153] oneDNN custom operations are on.\n",
    "I0000 00:00:1796215165.280621   10495 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.\n",
    "W0000 00:00:1796215165.280621   10495 gpu_device.cc:2344] Cannot dlopen some GPU "
    "libraries.\n",
]
KEPT = [
    "E0000 00:00:1796215671.927422   15830 some_op.cc:52] a real error\n",
    "Traceback (most recent call last):\n",
    "ImportError: libfoo.so: cannot open shared object file\n",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n",
]


@pytest.mark.parametrize("line", NOISE)
def test_start_up_chatter_is_noise(line):
    assert quiet.is_noise(line)


@pytest.mark.parametrize("line", KEPT)
def test_errors_and_other_lines_are_not(line):
    assert not quiet.is_noise(line)


def test_filtered_stderr_drops_the_noise_at_the_file_descriptor(capfd):
    with quiet.filtered_stderr():
        for line in NOISE + KEPT:  # written as native code writes: to descriptor 2
            os.write(2, line.encode())
    assert capfd.readouterr().err == "".join(KEPT)


def test_filtered_stderr_still_shows_what_came_before_an_exception(capfd):
    with pytest.raises(ImportError), quiet.filtered_stderr():
        os.write(2, (NOISE[0] + KEPT[2]).encode())
        raise ImportError("no TensorFlow")
    assert capfd.readouterr().err == KEPT[2]
