import keras
import numpy as np
import pytest
import tensorflow as tf

from framepred_tf.layers import MaskedConv2D
from tests.layers._reference import raster_future_mask

H, W = 5, 6


def _input(channels, seed=0):
    return np.random.default_rng(seed).normal(size=(1, H, W, channels)).astype("float32")


def _randomise(layer):
    """Overwrite every kernel tap (masked ones too) with random values via set_weights."""
    rng = np.random.default_rng(11)
    layer.set_weights([rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()])


def _input_gradient(fn, x, i, j):
    """d sum(fn(x)[0, i, j, :]) / dx, shape (H, W, C_in)."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = tf.reduce_sum(fn(x)[0, i, j, :])
    return tape.gradient(value, x).numpy()[0]


def test_3x3_masks_are_equations_3_11_and_3_12():
    for mask_type, expected in (
        ("A", [[1, 1, 1], [1, 0, 0], [0, 0, 0]]),
        ("B", [[1, 1, 1], [1, 1, 0], [0, 0, 0]]),
    ):
        layer = MaskedConv2D(2, 3, mask_type=mask_type)
        layer.build((None, H, W, 3))
        for cin in range(3):
            for cout in range(2):
                np.testing.assert_array_equal(layer.mask[:, :, cin, cout], expected)


@pytest.mark.parametrize("kernel_size, mask_type", [(7, "A"), (3, "B"), (1, "B"), (5, "A"), (3, "A")])
def test_output_depends_only_on_the_raster_past(kernel_size, mask_type):
    channels = 2
    layer = MaskedConv2D(3, kernel_size, mask_type=mask_type)
    x = _input(channels)
    assert tuple(layer(x).shape) == (1, H, W, 3)
    _randomise(layer)  # a full random kernel: only the mask applied at call time keeps causality
    for i, j in [(0, 0), (2, 3), (H - 1, W - 1), (1, 0), (3, W - 1)]:
        grad = np.abs(_input_gradient(layer, x, i, j)).sum(-1)
        forbidden = raster_future_mask(H, W, i, j, include_self=(mask_type == "A"))
        assert np.all(grad[forbidden] == 0.0)
        if mask_type == "B":
            assert grad[i, j] > 0
        # The visible past inside the kernel's reach is actually used.
        if kernel_size > 1 and j > 0:
            assert grad[i, j - 1] > 0


def test_stack_of_a_then_b_layers_stays_causal():
    first = MaskedConv2D(4, 5, mask_type="A")
    middle = MaskedConv2D(4, 3, mask_type="B")
    last = MaskedConv2D(2, 1, mask_type="B")

    def net(x):
        return last(tf.nn.relu(middle(tf.nn.relu(first(x)))))

    x = _input(2)
    net(x)
    for layer in (first, middle, last):
        _randomise(layer)
    for i, j in [(2, 2), (4, 0), (0, W - 1)]:
        grad = np.abs(_input_gradient(net, x, i, j)).sum(-1)
        assert np.all(grad[raster_future_mask(H, W, i, j, include_self=True)] == 0.0)
        assert np.any(grad[~raster_future_mask(H, W, i, j, include_self=True)] > 0) or (i, j) == (0, 0)


def test_context_channels_are_fully_visible():
    context, frame = 2, 3
    layer = MaskedConv2D(4, 3, mask_type="A", context_channels=context)
    x = _input(context + frame)
    layer(x)
    _randomise(layer)
    i, j = 2, 2
    grad = np.abs(_input_gradient(layer, x, i, j))
    # Context: the whole 3x3 neighbourhood, future and centre included.
    assert np.all(grad[i - 1:i + 2, j - 1:j + 2, :context] > 0)
    # Frame channels: still causal, centre hidden for A.
    frame_grad = grad[..., context:].sum(-1)
    assert np.all(frame_grad[raster_future_mask(H, W, i, j, include_self=True)] == 0.0)
    assert np.all(frame_grad[i - 1, j - 1:j + 2] > 0) and frame_grad[i, j - 1] > 0


def test_mask_survives_set_weights_and_training_updates():
    layer = MaskedConv2D(2, 3, mask_type="B")
    x = _input(2)
    layer(x)
    kernel = np.random.default_rng(5).normal(size=layer.kernel.shape).astype("float32")
    layer.set_weights([kernel, np.zeros(2, "float32")])
    # The stored kernel keeps its future taps; they must simply not be used.
    np.testing.assert_array_equal(layer.get_weights()[0], kernel)
    masked_kernel = kernel * layer.mask
    reference = keras.layers.Conv2D(2, 3, padding="same")
    reference.build(x.shape)
    reference.set_weights([masked_kernel, np.zeros(2, "float32")])
    np.testing.assert_allclose(layer(x), reference(x), atol=1e-5)
    # Gradients of masked taps are zero, so an optimiser step cannot grow them either.
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) ** 2)
    grad = tape.gradient(loss, layer.trainable_variables[0]).numpy()
    assert np.all(grad[layer.mask == 0] == 0)


@pytest.mark.parametrize("mask_type", ["A", "B"])
@pytest.mark.parametrize("kernel_size", [1, 3])
@pytest.mark.parametrize("groups, cin, cout", [(True, 6, 9), (4, 8, 4)])  # RGB; 2×2 patch sub-pixels
def test_colour_groups_at_the_centre_tap(mask_type, kernel_size, groups, cin, cout):
    n = 3 if groups is True else groups
    layer = MaskedConv2D(cout, kernel_size, mask_type=mask_type, color_groups=groups)
    x = _input(cin)
    layer(x)
    _randomise(layer)
    i, j = 2, 3
    for out_channel in range(cout):
        out_group = out_channel // (cout // n)
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            value = layer(xt)[0, i, j, out_channel]
        grad = np.abs(tape.gradient(value, xt).numpy()[0, i, j])  # w.r.t. the same pixel
        for in_channel in range(cin):
            in_group = in_channel // (cin // n)
            visible = in_group < out_group if mask_type == "A" else in_group <= out_group
            assert (grad[in_channel] > 0) == visible, (out_channel, in_channel)
    if kernel_size == 3:
        # Past pixels see every colour group.
        grad = np.abs(_input_gradient(layer, x, i, j))
        assert np.all(grad[i, j - 1] > 0) and np.all(grad[i - 1, j] > 0)


def test_colour_groups_with_context():
    layer = MaskedConv2D(3, 1, mask_type="A", context_channels=1, color_groups=True)
    layer.build((None, H, W, 4))
    centre = layer.mask[0, 0]
    np.testing.assert_array_equal(centre[0], [1, 1, 1])  # context row
    np.testing.assert_array_equal(centre[1:], [[0, 1, 1], [0, 0, 1], [0, 0, 0]])


def test_config_round_trip():
    layer = MaskedConv2D(6, 5, mask_type="A", context_channels=4, color_groups=True, activation="relu", name="m")
    clone = MaskedConv2D.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert (clone.mask_type, clone.context_channels, clone.color_groups, clone.padding) == ("A", 4, 3, "same")


def test_save_and_reload_functional_model(keras_round_trip):
    inputs = keras.Input((H, W, 5))
    x = MaskedConv2D(6, 3, mask_type="A", context_channels=2, color_groups=True)(inputs)
    x = MaskedConv2D(3, 1, mask_type="B", color_groups=True)(x)
    model = keras.Model(inputs, x)
    for layer in model.layers[1:]:
        _randomise(layer)
    reloaded = keras_round_trip(model, _input(5))
    assert isinstance(reloaded.layers[1], MaskedConv2D)
    np.testing.assert_array_equal(reloaded.layers[1].mask, model.layers[1].mask)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filters": 4, "kernel_size": 2},
        {"filters": 4, "kernel_size": (3, 4)},
        {"filters": 4, "kernel_size": 3, "mask_type": "C"},
        {"filters": 4, "kernel_size": 3, "color_groups": True},
        {"filters": 4, "kernel_size": 3, "padding": "valid"},
        {"filters": 4, "kernel_size": 3, "strides": 2},
        {"filters": 4, "kernel_size": 3, "context_channels": -1},
    ],
)
def test_bad_constructor_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        MaskedConv2D(**kwargs)


def test_bad_input_channels_raise_at_build():
    with pytest.raises(ValueError, match="divisible by 3"):
        MaskedConv2D(3, 3, color_groups=True).build((None, H, W, 4))
    with pytest.raises(ValueError, match="no masked channels"):
        MaskedConv2D(3, 3, context_channels=4).build((None, H, W, 4))
