"""MNIST loader: the real file, the env variable, and clear errors for bad files."""

import numpy as np
import pytest

from lenet5.train import data


def write_npz(path, **over):
    arrays = dict(
        x_train=np.zeros((100, 28, 28), np.uint8), y_train=np.arange(100, dtype=np.uint8) % 10,
        x_test=np.zeros((20, 28, 28), np.uint8), y_test=np.arange(20, dtype=np.uint8) % 10,
    )
    arrays.update(over)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


def test_real_file_and_validation_split(mnist_path):
    m = data.load_mnist(mnist_path, val_size=5000)
    assert m.x_train.shape == (55000, 28, 28) and m.x_val.shape == (5000, 28, 28)
    assert m.x_test.shape == (10000, 28, 28) and m.x_train.dtype == np.uint8
    assert m.sha256 == "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
    # the validation digits come from the training set, never the test set
    val_rows = {r.tobytes() for r in m.x_val[:200]}
    assert not val_rows & {r.tobytes() for r in m.x_test}


def test_env_variable_is_used(tmp_path, monkeypatch):
    path = write_npz(tmp_path / "m.npz")
    monkeypatch.setenv(data.ENV_VAR, str(path))
    m = data.load_mnist(val_size=10)
    assert len(m.x_train) == 90 and m.source == str(path)


def test_split_is_deterministic(tmp_path):
    x = np.arange(100 * 784, dtype=np.uint32).reshape(100, 28, 28) % 251
    path = write_npz(tmp_path / "m.npz", x_train=x.astype(np.uint8))
    a, b = data.load_mnist(path, val_size=10, seed=3), data.load_mnist(path, val_size=10, seed=3)
    assert (a.x_val == b.x_val).all()
    # train_index gives each training digit's row in the file
    assert np.array_equal(x.astype(np.uint8)[a.train_index], a.x_train)
    assert np.array_equal((np.arange(100) % 10)[a.train_index], a.y_train)


@pytest.mark.parametrize(
    "over,message",
    [
        (dict(y_test=None), "lacks keys"),
        (dict(x_train=np.zeros((100, 28, 27), np.uint8)), "shape"),
        (dict(x_train=np.zeros((100, 28, 28), np.float32)), "uint8"),
        (dict(y_train=np.zeros(99, np.uint8)), "y_train"),
        (dict(y_test=np.full(20, 12, np.uint8)), "labels 0-9"),
    ],
)
def test_malformed_files(tmp_path, over, message):
    path = write_npz(tmp_path / "m.npz", **over)
    with pytest.raises(data.DataError, match=message):
        data.load_mnist(path)


def test_missing_and_garbage_files(tmp_path):
    with pytest.raises(data.DataError, match="not found"):
        data.load_mnist(tmp_path / "nope.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip")
    with pytest.raises(data.DataError, match="not a readable"):
        data.load_mnist(junk)
