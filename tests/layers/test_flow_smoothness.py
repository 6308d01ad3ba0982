import numpy as np
import pytest
import tensorflow as tf

from framepred_tf.layers import flow_smoothness_penalty
from tests.layers._reference import smoothness_numpy

B, H, W = 3, 6, 7


def _huber(a, delta):
    a = abs(a)
    return 0.5 * a * a if a <= delta else delta * (a - 0.5 * delta)


def test_zero_and_constant_flow():
    assert float(flow_smoothness_penalty(np.zeros((B, H, W, 2), "float32"))) == 0.0
    # A constant flow (a global translation) has no gradient anywhere, borders included.
    flow = np.broadcast_to(np.array((0.5, -2e-4), "float32"), (B, H, W, 2))
    assert float(flow_smoothness_penalty(flow, 1e-3)) == 0.0
    # A single step is charged where the stencil straddles it: 2 columns × H rows, x stencil.
    step = np.zeros((1, H, W, 2), "float32")
    step[:, :, W // 2:, 0] = 0.5
    np.testing.assert_allclose(float(flow_smoothness_penalty(step, 1e-3)), 2 * H * _huber(0.5, 1e-3), rtol=1e-5)


@pytest.mark.parametrize("delta", [1e-3, 0.3])
def test_matches_numpy_stencil_and_huber(delta):
    rng = np.random.default_rng(0)
    flow = (rng.normal(size=(B, H, W, 2)) * np.where(rng.random((B, H, W, 2)) < 0.5, 1e-4, 0.5)).astype("float32")
    # Guard: the reference sees gradients on both sides of delta.
    padded = np.pad(flow, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    grads = np.abs(np.concatenate([padded[:, 1:-1, 2:] - padded[:, 1:-1, :-2], padded[:, 2:, 1:-1] - padded[:, :-2, 1:-1]]))
    assert np.any(grads <= delta) and np.any(grads > delta)
    value = flow_smoothness_penalty(flow, delta)
    assert tuple(value.shape) == () and value.dtype == tf.float32
    np.testing.assert_allclose(float(value), smoothness_numpy(flow, delta), rtol=1e-5)


def test_stencil_direction_and_channel_mapping():
    # A ramp along x in channel 0 only: x-gradient 2*slope inside, y-gradient 0 inside.
    flow = np.zeros((1, H, W, 2), "float32")
    flow[0, :, :, 0] = np.arange(W) * 0.1
    value = float(flow_smoothness_penalty(flow, delta=10.0))  # quadratic regime
    np.testing.assert_allclose(value, smoothness_numpy(flow, 10.0), rtol=1e-5)
    transposed = np.zeros((1, H, W, 2), "float32")
    transposed[0, :, :, 1] = np.arange(W) * 0.1
    np.testing.assert_allclose(float(flow_smoothness_penalty(transposed, 10.0)), value, rtol=1e-6)


def test_half_precision_input_returns_float32():
    flow = np.random.default_rng(1).normal(size=(B, H, W, 2)).astype("float16")
    value = flow_smoothness_penalty(flow)
    assert value.dtype == tf.float32
    np.testing.assert_allclose(float(value), smoothness_numpy(flow.astype("float32"), 1e-3), rtol=1e-5)


def test_bad_delta_raises():
    with pytest.raises(ValueError):
        flow_smoothness_penalty(np.zeros((1, 3, 3, 2), "float32"), delta=0.0)
