"""Training-time augmentation: Keras preprocessing layers plus stroke-thickness variation.

All functions take and return ``(N, 28, 28, 1) float32 in [0, 1]`` tensors, white ink on black.
Geometry uses Keras' own random layers; the stroke thickness is varied by blending each image
with its grey-scale dilation (thicker) or erosion (thinner) by a random per-image amount, which is
what a thinner or thicker canvas brush does to a digit once it is scaled to 20 px.
"""

from __future__ import annotations

import keras
import tensorflow as tf

# the settings live with the recipe, so that the command lines parse without TensorFlow
from lenet5.train.recipe import AugmentConfig


def vary_thickness(x: tf.Tensor, amount: tf.Tensor) -> tf.Tensor:
    """Blend towards dilation (``amount > 0``) or erosion (``amount < 0``), per image.

    ``amount`` is ``(N,)`` in [-1, 1]; 0 leaves the image unchanged.
    """
    dilated = tf.nn.max_pool2d(x, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-x, 3, 1, "SAME")
    a = tf.reshape(amount, (-1, 1, 1, 1))
    return x + tf.nn.relu(a) * (dilated - x) + tf.nn.relu(-a) * (eroded - x)


class RandomThickness(keras.layers.Layer):
    """Random per-image stroke thickness (see :func:`vary_thickness`); identity at inference."""

    def __init__(self, thinner: float, thicker: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.thinner, self.thicker = thinner, thicker
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=None):
        if not training:
            return x
        amount = keras.random.uniform(
            (tf.shape(x)[0],), -self.thinner, self.thicker, seed=self.seed_generator
        )
        return tf.clip_by_value(vary_thickness(x, amount), 0.0, 1.0)


class Augment(keras.layers.Layer):
    """Augments a ``cfg.prob`` fraction of a training batch; identity at inference."""

    def __init__(self, cfg: AugmentConfig, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        side = 28.0
        shift = cfg.translate_px / side
        self.prob = cfg.prob
        self.steps = [
            keras.layers.RandomRotation(cfg.rotation_deg / 360, fill_mode="constant", seed=seed),
            keras.layers.RandomShear(cfg.shear, cfg.shear, fill_mode="constant", seed=seed + 1),
            keras.layers.RandomZoom(cfg.zoom, fill_mode="constant", seed=seed + 2),
            keras.layers.RandomTranslation(shift, shift, fill_mode="constant", seed=seed + 3),
            RandomThickness(cfg.thinner, cfg.thicker, seed=seed + 4),
        ]
        if cfg.elastic > 0:
            self.steps.insert(0, keras.layers.RandomElasticTransform(
                1.0, cfg.elastic, fill_mode="constant", value_range=(0, 1), seed=seed + 6))
        self.seed_generator = keras.random.SeedGenerator(seed + 5)

    def build(self, input_shape):
        for step in self.steps:
            step.build(input_shape)
        self.built = True

    def call(self, x, training=None):
        if not training:
            return x
        changed = x
        for step in self.steps:
            changed = step(changed, training=True)
        draw = keras.random.uniform((tf.shape(x)[0], 1, 1, 1), seed=self.seed_generator)
        return tf.where(draw < self.prob, changed, x)
