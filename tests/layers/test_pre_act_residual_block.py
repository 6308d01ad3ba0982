import keras
import numpy as np
import pytest
import tensorflow as tf

from framepred_tf.layers import MaskedConv2D, PreActResidualBlock
from tests.layers._reference import raster_future_mask

H, W, FILTERS = 5, 5, 8


def _input(seed=0):
    return np.random.default_rng(seed).normal(size=(2, H, W, FILTERS)).astype("float32")


def test_parameter_count_of_the_vpn_block():
    block = PreActResidualBlock(256, 3)
    block.build((None, 16, 16, 256))
    assert block.count_params() == 213_504
    masked = PreActResidualBlock(256, 3, mask_type="B")
    masked.build((None, 16, 16, 256))
    assert masked.count_params() == 213_504


def test_matches_keras_conv2d_composition():
    x = _input()
    block = PreActResidualBlock(FILTERS, 3)
    out = block(x)
    assert tuple(out.shape) == x.shape
    weights = block.get_weights()
    assert [tuple(w.shape) for w in weights[::2]] == [(1, 1, 8, 4), (3, 3, 4, 4), (1, 1, 4, 8)]
    y = x
    for n, (filters, size, channels) in enumerate(((4, 1, FILTERS), (4, 3, 4), (FILTERS, 1, 4))):
        conv = keras.layers.Conv2D(filters, size, padding="same")
        conv.build((None, H, W, channels))
        conv.set_weights(weights[2 * n:2 * n + 2])
        y = conv(np.maximum(y, 0.0))
    np.testing.assert_allclose(out, x + np.asarray(y), atol=1e-5)


def test_masked_block_is_causal_and_sees_the_current_pixel():
    block = PreActResidualBlock(FILTERS, 3, mask_type="B")
    x = _input()[:1]
    block(x)
    assert all(isinstance(conv, MaskedConv2D) and conv.mask_type == "B"
               for conv in (block.reduce, block.spatial, block.expand))
    rng = np.random.default_rng(1)
    # Full random kernels (masked taps included); positive inputs and biases keep the
    # ReLUs open so a missing dependence cannot hide behind a dead unit.
    block.set_weights([
        (0.3 * rng.normal(size=w.shape) if w.ndim == 4 else np.full(w.shape, 3.0)).astype("float32")
        for w in block.get_weights()
    ])
    x = np.abs(x)
    for i, j in [(2, 2), (0, 4), (4, 0)]:
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            value = tf.reduce_sum(block(xt)[0, i, j] - xt[0, i, j])  # residual branch only
        grad = np.abs(tape.gradient(value, xt).numpy()[0]).sum(-1)
        assert np.all(grad[raster_future_mask(H, W, i, j, include_self=False)] == 0.0)
        assert grad[i, j] > 0


def test_colour_groups_order_the_channels_of_the_current_pixel():
    """With 2 groups, output group 0 at a pixel ignores input group 1 there; group 1 sees both."""
    block = PreActResidualBlock(FILTERS, 3, mask_type="B", color_groups=2)
    x = np.abs(_input()[:1])
    block(x)
    block.set_weights([(0.3 * w + 0.5 if w.ndim == 4 else np.full(w.shape, 3.0)).astype("float32")
                       for w in block.get_weights()])
    half = FILTERS // 2
    for out_group, visible_groups in ((0, 1), (1, 2)):
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            residual = block(xt)[0, 2, 2] - xt[0, 2, 2]
            value = tf.reduce_sum(residual[out_group * half:(out_group + 1) * half])
        grad = np.abs(tape.gradient(value, xt).numpy()[0, 2, 2])
        assert np.all(grad[:visible_groups * half] > 0)
        assert np.all(grad[visible_groups * half:] == 0)


def test_config_round_trip():
    block = PreActResidualBlock(FILTERS, 5, mask_type="B", color_groups=2, name="res")
    clone = PreActResidualBlock.from_config(block.get_config())
    assert clone.get_config() == block.get_config()


def test_save_and_reload_functional_model(keras_round_trip):
    inputs = keras.Input((H, W, FILTERS))
    x = PreActResidualBlock(FILTERS, 3)(inputs)
    x = PreActResidualBlock(FILTERS, 3, mask_type="B")(x)
    keras_round_trip(keras.Model(inputs, x), _input())


@pytest.mark.parametrize("kwargs", [{"filters": 7}, {"filters": 0}, {"filters": 8, "mask_type": "A"},
                                    {"filters": 8, "mask_type": "B", "kernel_size": 4},
                                    {"filters": 8, "color_groups": 2}])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        PreActResidualBlock(**kwargs)


def test_wrong_input_channels_raise():
    with pytest.raises(ValueError, match="identity skip"):
        PreActResidualBlock(FILTERS).build((None, H, W, FILTERS + 2))
