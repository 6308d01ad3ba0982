import keras
import numpy as np
import pytest
import tensorflow as tf

from framepred_tf.layers import LSTM, LSTMCell, batch_to_seq, seq_to_batch

B, T, D, U = 3, 5, 4, 6


def _inputs(seed=0):
    return np.random.default_rng(seed).normal(size=(B, T, D)).astype("float32")


def _layer(**kwargs):
    layer = LSTM(U, bias_initializer="random_normal", **kwargs)
    layer.build((None, T, D))
    return layer


@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_keras_lstm(return_sequences):
    x = _inputs()
    reference = keras.layers.LSTM(U, return_sequences=return_sequences, bias_initializer="random_normal")
    expected = reference(x)
    layer = LSTM(U, return_sequences=return_sequences)
    layer.build(x.shape)
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    layer.set_weights(reference.get_weights())
    out = layer(x)
    assert tuple(out.shape) == ((B, T, U) if return_sequences else (B, U))
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_packed_state_is_cell_then_hidden():
    x = _inputs()
    reference = keras.layers.LSTM(U, return_state=True, bias_initializer="random_normal")
    _, ref_h, ref_c = reference(x)
    layer = LSTM(U, return_state=True)
    layer.build(x.shape)
    layer.set_weights(reference.get_weights())
    last, state = layer(x)
    assert tuple(state.shape) == (B, 2 * U)
    np.testing.assert_allclose(state, np.concatenate([ref_c, ref_h], axis=-1), atol=1e-5)
    np.testing.assert_allclose(last, ref_h, atol=1e-5)
    assert layer.compute_output_shape((None, T, D)) == [(None, U), (None, 2 * U)]


def test_initial_state_is_used():
    x = _inputs()
    layer = _layer(return_state=True)
    state0 = np.random.default_rng(3).normal(size=(B, 2 * U)).astype("float32")
    reference = keras.layers.LSTM(U, return_state=True)
    reference.build(x.shape)
    reference.set_weights(layer.get_weights())
    _, ref_h, ref_c = reference(x, initial_state=[state0[:, U:], state0[:, :U]])
    _, state = layer(x, initial_state=state0)
    np.testing.assert_allclose(state, np.concatenate([ref_c, ref_h], axis=-1), atol=1e-5)


def test_mask_resets_state_like_a_fresh_run():
    x = _inputs()
    layer = _layer(return_sequences=True)
    state0 = np.random.default_rng(4).normal(size=(B, 2 * U)).astype("float32")
    mask = np.zeros((B, T), "float32")
    reset_at = 2
    mask[0, reset_at] = 1.0  # episode of env 0 ended before step 2
    out = np.asarray(layer(x, initial_state=state0, mask=mask))
    fresh = np.asarray(layer(x[:, reset_at:]))
    np.testing.assert_allclose(out[0, reset_at:], fresh[0], atol=1e-6)
    # Rows without a reset are untouched by the mask.
    unmasked = np.asarray(layer(x, initial_state=state0))
    np.testing.assert_array_equal(out[1:], unmasked[1:])
    np.testing.assert_array_equal(out[0, :reset_at], unmasked[0, :reset_at])
    assert np.abs(out[0, reset_at:] - unmasked[0, reset_at:]).max() > 1e-4
    # A bool mask means the same thing.
    np.testing.assert_array_equal(layer(x, initial_state=state0, mask=mask.astype(bool)), out)


def test_cell_step_matches_layer_including_done():
    x = _inputs()
    layer = _layer(return_sequences=True, return_state=True)
    mask = (np.random.default_rng(5).random((B, T)) < 0.3).astype("float32")
    state0 = np.random.default_rng(6).normal(size=(B, 2 * U)).astype("float32")
    outputs, final = layer(x, initial_state=state0, mask=mask)
    cell = LSTMCell(U)
    cell.build((None, D))
    cell.set_weights(layer.get_weights())
    state = state0
    for t in range(T):
        h, state = cell(x[:, t], state, done=mask[:, t])
        assert tuple(state.shape) == (B, 2 * U)
        np.testing.assert_allclose(h, outputs[:, t], atol=1e-6)
        np.testing.assert_allclose(np.asarray(state)[:, U:], h, atol=0)
    np.testing.assert_allclose(state, final, atol=1e-6)


def test_unknown_time_length_uses_scan_and_agrees():
    x = _inputs()
    mask = np.zeros((B, T), "float32")
    mask[1, 3] = 1.0
    layer = _layer(return_sequences=True, return_state=True)
    expected = layer(x, mask=mask)
    traced = tf.function(
        lambda a, m: layer(a, mask=m),
        input_signature=[tf.TensorSpec((None, None, D), tf.float32), tf.TensorSpec((None, None), tf.float32)],
    )
    for e, a in zip(expected, traced(x, mask)):
        np.testing.assert_allclose(a, e, atol=1e-6)


def test_batch_to_seq_layout_and_round_trip():
    n_envs, n_steps = 3, 4
    x = np.arange(n_envs * n_steps * 2, dtype="float32").reshape(n_envs * n_steps, 2)
    seq = batch_to_seq(x, n_envs, n_steps)
    assert len(seq) == n_steps and all(tuple(s.shape) == (n_envs, 2) for s in seq)
    for env in range(n_envs):
        for step in range(n_steps):
            np.testing.assert_array_equal(np.asarray(seq[step])[env], x[env * n_steps + step])
    np.testing.assert_array_equal(seq_to_batch(seq), x)
    images = np.random.default_rng(0).normal(size=(n_envs * n_steps, 2, 3, 1)).astype("float32")
    np.testing.assert_array_equal(seq_to_batch(batch_to_seq(images, n_envs, n_steps)), images)


def test_config_round_trip():
    layer = LSTM(U, return_sequences=True, return_state=True, unit_forget_bias=False, name="policy_lstm")
    clone = LSTM.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    cell = LSTMCell(U, recurrent_initializer="glorot_uniform")
    assert LSTMCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_unit_forget_bias():
    layer = LSTM(U)
    layer.build((None, T, D))
    np.testing.assert_array_equal(layer.get_weights()[2], np.r_[np.zeros(U), np.ones(U), np.zeros(2 * U)])


def test_save_and_reload_functional_model(keras_round_trip):
    inputs = keras.Input((T, D))
    mask = keras.Input((T,))
    seq = LSTM(U, return_sequences=True, bias_initializer="random_normal")(inputs, mask=mask)
    last, state = LSTM(U, return_state=True)(seq)
    model = keras.Model([inputs, mask], [last, state])
    done = np.zeros((B, T), "float32")
    done[0, 1] = 1.0
    keras_round_trip(model, [_inputs(), done])


@pytest.mark.parametrize("units", [0, -3, 2.5])
def test_bad_units_raise(units):
    with pytest.raises(ValueError):
        LSTM(units)
    with pytest.raises(ValueError):
        LSTMCell(units)
