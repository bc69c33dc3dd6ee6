"""The pieces of the 1998 LeNet-5 that Keras lacks: pure model construction, no I/O.

After LeCun, Bottou, Bengio, Haffner, "Gradient-based learning applied to document
recognition", Proc. IEEE 86(11), 1998 (Section II-B, Table I, Appendix A):

- :func:`scaled_tanh`, the squashing function ``f(a) = A tanh(S a)``, ``A = 1.7159``,
  ``S = 2/3`` (:data:`lenet5.core.forward.TANH_A`, ``TANH_S``: the NumPy pass uses the same),
  applied after every trainable layer (C1 to F6);
- :class:`Subsampling`, the S2 and S4 layers: each map's 2x2 non-overlapping *sum* times a
  trainable coefficient plus a trainable bias (one pair per map), then squashed;
- :class:`PartialConv2D`, the C3 layer: a convolution in which each output map sees only the
  input maps listed in :data:`C3_TABLE` (Table I). Only the connected 5x5 kernels are weights,
  so ``count_params()`` is the paper's 1,516.

All layers are registered Keras objects, so models using them load with ``safe_mode=True``
once this module is imported (:mod:`lenet5.train.model` imports it).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from lenet5.core.forward import TANH_A, TANH_S

PACKAGE = "lenet5"

# Table I: the S2 maps (0-5) each C3 map (0-15) sees. Maps 0-5: 3 contiguous; 6-11: 4
# contiguous; 12-14: 4 non-contiguous; 15: all six.
C3_TABLE: tuple[tuple[int, ...], ...] = (
    *(tuple((j + k) % 6 for k in range(3)) for j in range(6)),
    *(tuple((j + k) % 6 for k in range(4)) for j in range(6)),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)

# Trainable parameters per layer in the paper (Section II-B). The paper's output layer is 10
# Euclidean RBF units with fixed weights (84 x 10 = 840 connections, no biases); here it is a
# dense layer giving 10 logits (850 parameters, see lenet5.train.model.build_classic).
PAPER_PARAMS = {"c1": 156, "s2": 12, "c3": 1_516, "s4": 32, "c5": 48_120, "f6": 10_164,
                "output": 840}


@keras.saving.register_keras_serializable(package=PACKAGE)
def scaled_tanh(x):
    """``1.7159 * tanh(2x/3)`` elementwise: any shape, float32 in, float32 in (-1.7159, 1.7159)
    out; ``f(1) ~= 1`` and ``f(-1) ~= -1``."""
    return TANH_A * ops.tanh(TANH_S * x)


def _side(size) -> int:
    """The side of a square window given as ``k`` or ``(k, k)``."""
    if isinstance(size, (tuple, list)):
        if len(set(size)) != 1:
            raise ValueError(f"only square windows, got {size}")
        size = size[0]
    return int(size)


def connection_matrix(table, inputs: int) -> np.ndarray:
    """``(inputs, len(table)) bool``: True where output map ``j`` sees input map ``i``."""
    mask = np.zeros((inputs, len(table)), bool)
    for j, seen in enumerate(table):
        mask[list(seen), j] = True
    return mask


@keras.saving.register_keras_serializable(package=PACKAGE)
class Subsampling(keras.layers.Layer):
    """``(N, H, W, C)`` -> ``(N, H/p, W/p, C)``: per map ``c``, the sum of each non-overlapping
    ``p x p`` block times ``coefficient[c]`` plus ``bias[c]``, then the activation (2C weights)."""

    def __init__(self, pool_size: int = 2, activation=scaled_tanh, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _side(pool_size)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        maps = input_shape[-1]
        self.coefficient = self.add_weight(
            shape=(maps,), initializer=keras.initializers.Constant(1 / self.pool_size**2),
            name="coefficient")  # starts as the block's average
        self.bias = self.add_weight(shape=(maps,), initializer="zeros", name="bias")

    def call(self, x):
        p = self.pool_size
        summed = ops.average_pool(x, p, p, padding="valid") * float(p * p)
        return self.activation(summed * self.coefficient + self.bias)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, h // self.pool_size, w // self.pool_size, c)

    def get_config(self):
        return {**super().get_config(), "pool_size": (self.pool_size, self.pool_size),
                "activation": keras.activations.serialize(self.activation)}


@keras.saving.register_keras_serializable(package=PACKAGE)
class PartialConv2D(keras.layers.Layer):
    """Valid ``k x k`` convolution ``(N, H, W, I)`` -> ``(N, H-k+1, W-k+1, len(table))`` in which
    output map ``j`` sums over the input maps in ``table[j]`` only.

    Weights: ``kernel`` ``(k*k, connections)`` (one k x k kernel per connection) and ``bias``
    ``(maps,)``; the dense HWIO kernel, zero where not connected, is :meth:`full_kernel`. Each
    kernel starts uniform in ``+-sqrt(3 / fan_in)`` of its own output map (LeCun uniform).
    """

    def __init__(self, filters: int, kernel_size: int, table, activation=scaled_tanh, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size = int(filters), _side(kernel_size)
        self.table = tuple(tuple(int(i) for i in seen) for seen in table)
        if len(self.table) != self.filters:
            raise ValueError(f"table has {len(self.table)} rows for {self.filters} maps")
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        inputs, k = input_shape[-1], self.kernel_size
        mask = connection_matrix(self.table, inputs)
        pairs = np.argwhere(mask)  # (connections, 2): (input map, output map), row-major
        # (connections, inputs * maps) 0/1: puts connection c at its (input, output) entry
        self._scatter = np.zeros((len(pairs), mask.size), np.float32)
        self._scatter[np.arange(len(pairs)), pairs[:, 0] * self.filters + pairs[:, 1]] = 1
        fan_in = k * k * mask.sum(0)[pairs[:, 1]]
        limit = np.sqrt(3.0 / fan_in).astype(np.float32)

        def init(shape, dtype=None):
            return keras.initializers.RandomUniform(-1.0, 1.0)(shape, dtype) * limit

        self.kernel = self.add_weight(shape=(k * k, len(pairs)), initializer=init, name="kernel")
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
        self._inputs = inputs

    def full_kernel(self):
        """``(k, k, inputs, maps) float32``, HWIO, zero for the unconnected pairs."""
        k = self.kernel_size
        dense = ops.matmul(self.kernel, ops.convert_to_tensor(self._scatter))
        return ops.reshape(dense, (k, k, self._inputs, self.filters))

    def call(self, x):
        y = ops.conv(x, self.full_kernel(), strides=1, padding="valid")
        return self.activation(y + self.bias)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        k = self.kernel_size
        return (n, None if h is None else h - k + 1, None if w is None else w - k + 1,
                self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": (self.kernel_size, self.kernel_size),
                "table": [list(seen) for seen in self.table],
                "activation": keras.activations.serialize(self.activation)}
