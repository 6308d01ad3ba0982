import keras
import numpy as np
import pytest
import tensorflow as tf

from framepred_tf.layers import ConvLSTM2D
from tests.layers._reference import conv_lstm_numpy

B, T, H, W, C, F = 2, 3, 5, 6, 2, 4


def _inputs(seed=0):
    return np.random.default_rng(seed).normal(size=(B, T, H, W, C)).astype("float32")


def _random_layer(**kwargs):
    kwargs.setdefault("return_sequences", True)
    layer = ConvLSTM2D(F, 3, bias_initializer="random_normal", peephole_initializer="random_normal", **kwargs)
    layer.build((None, T, H, W, C))
    return layer


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_output_shapes_match_compute_output_shape(return_sequences, return_state):
    layer = ConvLSTM2D(F, (3, 3), return_sequences=return_sequences, return_state=return_state)
    out = layer(_inputs())
    expected = layer.compute_output_shape((B, T, H, W, C))
    if return_state:
        assert [tuple(o.shape) for o in out] == [tuple(s) for s in expected]
        assert tuple(out[1].shape) == (B, H, W, F)
    else:
        assert tuple(out.shape) == tuple(expected)
    assert tuple(expected if not return_state else expected[0]) == (
        (B, T, H, W, F) if return_sequences else (B, H, W, F)
    )


@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_keras_conv_lstm_without_peepholes(return_sequences):
    x = _inputs()
    reference = keras.layers.ConvLSTM2D(
        F, 3, padding="same", return_sequences=return_sequences, bias_initializer="random_normal"
    )
    expected = reference(x)
    layer = ConvLSTM2D(F, 3, peephole=None, return_sequences=return_sequences)
    layer.build(x.shape)
    layer.set_weights(reference.get_weights())
    np.testing.assert_allclose(layer(x), expected, atol=1e-5)


@pytest.mark.parametrize("peephole", ["channel", "spatial"])
def test_matches_numpy_equation_3_1_with_peepholes(peephole):
    x = _inputs()
    layer = _random_layer(peephole=peephole, return_state=True)
    weights = [w.astype(np.float64) for w in layer.get_weights()]
    kernel, recurrent_kernel, bias, *peepholes = weights
    expected_shape = (F,) if peephole == "channel" else (1, H, W, F)
    assert [p.shape for p in peepholes] == [expected_shape] * 3
    rng = np.random.default_rng(7)
    state = [rng.normal(size=(B, H, W, F)).astype("float32") for _ in range(2)]
    outputs, h, c = layer(x, initial_state=state)
    ref_outputs, ref_h, ref_c = conv_lstm_numpy(x, kernel, recurrent_kernel, bias, peepholes, state)
    np.testing.assert_allclose(outputs, ref_outputs, atol=1e-5)
    np.testing.assert_allclose(h, ref_h, atol=1e-5)
    np.testing.assert_allclose(c, ref_c, atol=1e-5)


def test_peepholes_change_the_output():
    # Guards the reference test: with zero peepholes it could not see a dropped peephole term.
    x = _inputs()
    layer = _random_layer(peephole="channel")
    with_peep = np.asarray(layer(x))
    kernel, recurrent_kernel, bias, *_ = layer.get_weights()
    no_peep = conv_lstm_numpy(x, kernel, recurrent_kernel, bias)[0]
    assert np.abs(with_peep - no_peep).max() > 1e-3


def test_fused_variable_order_and_unit_forget_bias():
    layer = ConvLSTM2D(F, 3)
    layer.build((None, T, H, W, C))
    assert [w.name for w in layer.weights] == [
        "kernel", "recurrent_kernel", "bias", "peephole_input", "peephole_forget", "peephole_output",
    ]
    assert [tuple(w.shape) for w in layer.weights[:3]] == [(3, 3, C, 4 * F), (3, 3, F, 4 * F), (4 * F,)]
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias, np.r_[np.zeros(F), np.ones(F), np.zeros(2 * F)])
    # Keras initialises the same way, so fresh layers agree on the bias.
    reference = keras.layers.ConvLSTM2D(F, 3, padding="same")
    reference.build((None, T, H, W, C))
    np.testing.assert_array_equal(bias, reference.get_weights()[2])


def test_per_gate_layout_matches_seed_checkpoint_and_fused_math():
    x = _inputs()
    per_gate = _random_layer(gate_variables="per_gate", peephole="spatial")
    names = [w.name for w in per_gate.weights]
    assert len(names) == 15
    assert names[:3] == ["inputx2state_kernel", "inputh2state_kernel", "inputh2state_bias"]
    assert names[-3:] == ["peephole_input", "peephole_forget", "peephole_output"]
    shapes = {w.name: tuple(w.shape) for w in per_gate.weights}
    assert shapes["cellx2state_kernel"] == (3, 3, C, F)
    assert shapes["outputh2state_kernel"] == (3, 3, F, F)
    assert shapes["forgeth2state_bias"] == (F,)
    assert shapes["peephole_forget"] == (1, H, W, F)

    weights = per_gate.get_weights()
    gates = [weights[3 * g:3 * g + 3] for g in range(4)]
    fused = ConvLSTM2D(F, 3, peephole="spatial", return_sequences=True)
    fused.build((None, T, H, W, C))
    fused.set_weights(
        [np.concatenate([g[i] for g in gates], axis=-1) for i in range(3)] + weights[12:]
    )
    np.testing.assert_allclose(per_gate(x), fused(x), atol=1e-6)


def test_per_gate_unit_forget_bias():
    layer = ConvLSTM2D(F, 3, gate_variables="per_gate")
    layer.build((None, T, H, W, C))
    biases = {w.name: np.asarray(w) for w in layer.weights if w.name.endswith("bias")}
    np.testing.assert_array_equal(biases["forgeth2state_bias"], np.ones(F))
    np.testing.assert_array_equal(biases["inputh2state_bias"], np.zeros(F))


def test_causal_in_time():
    x = _inputs()
    layer = _random_layer()
    base = np.asarray(layer(x))
    for t in range(T - 1):
        perturbed = x.copy()
        perturbed[:, t + 1:] += np.random.default_rng(t).normal(size=perturbed[:, t + 1:].shape)
        out = np.asarray(layer(perturbed))
        np.testing.assert_array_equal(out[:, : t + 1], base[:, : t + 1])
        assert np.abs(out[:, t + 1:] - base[:, t + 1:]).max() > 1e-4


def test_step_and_sequence_match_call():
    x = _inputs()
    layer = _random_layer(peephole="spatial", return_state=True)
    outputs, h_call, c_call = layer(x)
    state = layer.get_initial_state(B, H, W)
    assert [tuple(s.shape) for s in state] == [(B, H, W, F)] * 2
    assert not np.any(np.asarray(state[0])) and not np.any(np.asarray(state[1]))
    stepped = []
    for t in range(T):
        h, state = layer.step(x[:, t], state)
        stepped.append(np.asarray(h))
    np.testing.assert_allclose(np.stack(stepped, axis=1), outputs, atol=1e-6)
    np.testing.assert_allclose(state[1], c_call, atol=1e-6)
    # Splitting a sequence and carrying the state across gives the same result.
    first, mid_state = layer.sequence(x[:, :1], layer.get_initial_state(B, H, W))
    rest, (h_end, c_end) = layer.sequence(x[:, 1:], mid_state)
    np.testing.assert_allclose(np.concatenate([first, rest], axis=1), outputs, atol=1e-6)
    np.testing.assert_allclose(h_end, h_call, atol=1e-6)


def test_unknown_time_length_uses_scan_and_agrees():
    x = _inputs()
    layer = _random_layer()
    expected = layer(x)
    traced = tf.function(layer, input_signature=[tf.TensorSpec((None, None, H, W, C), tf.float32)])
    np.testing.assert_allclose(traced(x), expected, atol=1e-6)


def test_mixed_precision_computes_in_bfloat16():
    x = _inputs()
    full = _random_layer()
    mixed = ConvLSTM2D(F, 3, return_sequences=True, dtype="mixed_bfloat16")
    mixed.build((None, T, H, W, C))
    mixed.set_weights(full.get_weights())
    assert all(w.dtype == "float32" for w in mixed.weights)
    out = mixed(x)
    assert keras.backend.standardize_dtype(out.dtype) == "bfloat16"
    h, _ = mixed.step(x[:, 0], mixed.get_initial_state(B, H, W))
    assert keras.backend.standardize_dtype(h.dtype) == "bfloat16"
    np.testing.assert_allclose(np.asarray(out, np.float32), full(x), atol=5e-2)


def test_config_round_trip():
    layer = ConvLSTM2D(
        F, (3, 1), peephole="spatial", return_sequences=True, return_state=True, gate_variables="per_gate",
        unit_forget_bias=False, peephole_initializer="ones", name="clstm",
    )
    clone = ConvLSTM2D.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.kernel_size == (3, 1) and clone.gate_variables == "per_gate"


def test_save_and_reload_functional_model(keras_round_trip):
    inputs = keras.Input((T, H, W, C))
    seq = ConvLSTM2D(F, 3, peephole="spatial", return_sequences=True, peephole_initializer="random_normal")(inputs)
    last, h, c = ConvLSTM2D(F, 3, gate_variables="per_gate", return_state=True)(seq)
    model = keras.Model(inputs, [last, c])
    keras_round_trip(model, _inputs())


def test_initial_state_in_functional_model():
    inputs = keras.Input((T, H, W, C))
    h0, c0 = keras.Input((H, W, F)), keras.Input((H, W, F))
    out = ConvLSTM2D(F, 3, return_sequences=True)(inputs, initial_state=[h0, c0])
    assert tuple(out.shape) == (None, T, H, W, F)
    model = keras.Model([inputs, h0, c0], out)
    zeros = np.zeros((B, H, W, F), "float32")
    np.testing.assert_allclose(model([_inputs(), zeros, zeros]), model.layers[-1](_inputs()), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filters": 0, "kernel_size": 3},
        {"filters": 4, "kernel_size": (3, 3, 3)},
        {"filters": 4, "kernel_size": 0},
        {"filters": 4, "kernel_size": 3, "peephole": "pixel"},
        {"filters": 4, "kernel_size": 3, "gate_variables": "split"},
    ],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError):
        ConvLSTM2D(**kwargs)


def test_spatial_peephole_needs_static_spatial_size():
    with pytest.raises(ValueError, match="spatial"):
        ConvLSTM2D(F, 3, peephole="spatial").build((None, T, None, None, C))


@pytest.mark.parametrize("implementation", ["per_gate", "stacked"])
@pytest.mark.parametrize("peephole", [None, "channel"])
def test_both_implementations_match_numpy_equation_3_1(implementation, peephole):
    x = _inputs()
    layer = _random_layer(peephole=peephole, return_state=True, implementation=implementation)
    kernel, recurrent_kernel, bias, *peepholes = [w.astype(np.float64) for w in layer.get_weights()]
    outputs, h, c = layer(x)
    zeros = [np.zeros((B, H, W, F), "float32")] * 2
    ref_outputs, ref_h, ref_c = conv_lstm_numpy(x, kernel, recurrent_kernel, bias, peepholes or None, zeros)
    np.testing.assert_allclose(outputs, ref_outputs, atol=1e-5)
    np.testing.assert_allclose(c, ref_c, atol=1e-5)
    assert layer.get_config()["implementation"] == implementation


def test_unknown_implementation_is_refused():
    with pytest.raises(ValueError, match="implementation must be one of"):
        ConvLSTM2D(F, 3, implementation="cudnn")


def test_steps_with_prepared_weights_equal_the_sequence():
    x = _inputs()
    layer = _random_layer(peephole="channel")
    state = layer.get_initial_state(B, H, W)
    expected, _ = layer.sequence(x, state)
    weights = layer.gate_weights()
    outputs = []
    for t in range(T):
        h, state = layer.step(x[:, t], state, weights)
        outputs.append(h)
    np.testing.assert_allclose(np.stack(outputs, axis=1), expected, atol=1e-6)


def test_mixed_bfloat16_keeps_the_cell_state_in_float32():
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    try:
        layer = ConvLSTM2D(F, 3, return_state=True, return_sequences=True)
        outputs, h, c = layer(_inputs())
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert layer._conv_layout() == "stacked"
    assert keras.backend.standardize_dtype(outputs.dtype) == "bfloat16"
    assert keras.backend.standardize_dtype(c.dtype) == "float32"
    # The same weights in float32 give nearly the same output (bfloat16 keeps ~3 digits).
    reference = ConvLSTM2D(F, 3, return_sequences=True)
    reference.build(_inputs().shape)
    reference.set_weights(layer.get_weights())
    np.testing.assert_allclose(np.asarray(outputs, "float32"), reference(_inputs()), atol=3e-2)
