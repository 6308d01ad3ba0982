import keras
import numpy as np
import pytest
import tensorflow as tf

from framepred_tf.layers import BilinearFlowWarp
from tests.layers._reference import warp_scipy

B, H, W, C = 2, 5, 7, 3


def _features(seed=0):
    return np.random.default_rng(seed).normal(size=(B, H, W, C)).astype("float32")


def _flow(seed=1, scale=0.4):
    # Up to ~1.4 pixels in x and ~0.8 in y, so some samples leave the image.
    return (scale * np.random.default_rng(seed).normal(size=(B, H, W, 2))).astype("float32")


def test_output_shape():
    layer = BilinearFlowWarp()
    out = layer([_features(), _flow()])
    assert tuple(out.shape) == (B, H, W, C)
    assert layer.compute_output_shape([(None, H, W, C), (None, H, W, 2)]) == (None, H, W, C)


def test_matches_scipy_map_coordinates():
    features, flow = _features(), _flow()
    assert np.any(np.abs(flow) * (W - 1) / 2 > 1.0)  # the test reaches beyond one pixel and the border
    out = BilinearFlowWarp()([features, flow])
    np.testing.assert_allclose(out, warp_scipy(features, flow), atol=1e-5)


def test_zero_flow_is_exact_identity():
    features = _features()
    out = BilinearFlowWarp()([features, np.zeros((B, H, W, 2), "float32")])
    np.testing.assert_array_equal(np.asarray(out), features)


@pytest.mark.parametrize("dx, dy", [(1, 0), (0, -2), (-3, 1), (2, 2)])
def test_integer_pixel_flow_is_a_shift_with_zero_fill(dx, dy):
    features = _features()
    flow = np.zeros((B, H, W, 2), "float32")
    flow[..., 0] = dx * 2.0 / (W - 1)
    flow[..., 1] = dy * 2.0 / (H - 1)
    out = np.asarray(BilinearFlowWarp()([features, flow]))
    # Output pixel (i, j) samples (i + dy, j + dx): roll by (-dy, -dx), zero what wrapped.
    expected = np.roll(features, (-dy, -dx), axis=(1, 2))
    if dy > 0:
        expected[:, H - dy:] = 0
    elif dy < 0:
        expected[:, :-dy] = 0
    if dx > 0:
        expected[:, :, W - dx:] = 0
    elif dx < 0:
        expected[:, :, :-dx] = 0
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_gradients_match_central_finite_differences():
    features, flow = _features(), _flow(scale=0.2)
    weights = np.random.default_rng(2).normal(size=(B, H, W, C)).astype("float32")
    layer = BilinearFlowWarp()

    def objective(f, fl):
        return float(np.sum(np.asarray(layer([f, fl]), np.float64) * weights))

    feats_t, flow_t = tf.constant(features), tf.constant(flow)
    with tf.GradientTape() as tape:
        tape.watch([feats_t, flow_t])
        value = tf.reduce_sum(layer([feats_t, flow_t]) * weights)
    grad_features, grad_flow = (g.numpy() for g in tape.gradient(value, [feats_t, flow_t]))
    assert np.abs(grad_flow).max() > 1e-2

    eps = 1e-3
    rng = np.random.default_rng(3)
    for _ in range(12):
        idx = tuple(rng.integers(0, s) for s in flow.shape)
        plus, minus = flow.copy(), flow.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric = (objective(features, plus) - objective(features, minus)) / (2 * eps)
        np.testing.assert_allclose(grad_flow[idx], numeric, rtol=2e-2, atol=2e-3)
    for _ in range(6):
        idx = tuple(rng.integers(0, s) for s in features.shape)
        plus, minus = features.copy(), features.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric = (objective(plus, flow) - objective(minus, flow)) / (2 * eps)
        np.testing.assert_allclose(grad_features[idx], numeric, rtol=2e-2, atol=2e-3)


def test_mixed_precision_keeps_subpixel_accuracy():
    features, flow = _features(), _flow()
    out = BilinearFlowWarp(dtype="mixed_bfloat16")([features, flow])
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"
    np.testing.assert_allclose(np.asarray(out, np.float32), warp_scipy(features, flow), atol=5e-2)


def test_config_round_trip():
    layer = BilinearFlowWarp(name="warp")
    assert BilinearFlowWarp.from_config(layer.get_config()).get_config() == layer.get_config()


def test_save_and_reload_functional_model(keras_round_trip):
    features = keras.Input((H, W, C))
    flow = keras.Input((H, W, 2))
    model = keras.Model([features, flow], BilinearFlowWarp()([features, flow]))
    keras_round_trip(model, [_features(), _flow()])


def test_rejects_bad_flow_shape():
    with pytest.raises(ValueError):
        BilinearFlowWarp()([_features(), np.zeros((B, H, W, 3), "float32")])
