"""The cnn_lstm policy: sequences equal carried single steps, baselines' batch layout, .keras round trip."""
import keras
import numpy as np
import pytest

from framepred_tf.layers import batch_to_seq, seq_to_batch
from framepred_tf.rl.compiled import forward_function
from tests.rl.conftest import SMALL_FRAME, tiny_policy

N_ENVS, N_STEPS, UNITS = 3, 5, 8


def _inputs(seed=0):
    rng = np.random.default_rng(seed)
    observations = rng.integers(0, 256, (N_ENVS * N_STEPS, *SMALL_FRAME), dtype=np.uint8)
    state = rng.normal(size=(N_ENVS, 2 * UNITS)).astype("float32")
    starts = np.zeros((N_ENVS, N_STEPS), "float32")
    starts[0, 2] = starts[1, 0] = starts[2, 3] = starts[2, 4] = 1.0  # episode ends inside the rollout
    return observations, state, starts.reshape(-1)  # env-major: row env * n_steps + t


def _numpy(outputs):
    return [np.asarray(x) for x in outputs]


def test_sequence_equals_single_steps_carrying_the_state():
    policy = tiny_policy()
    observations, state, starts = _inputs()
    logits, values, final = _numpy(policy((observations, state, starts)))
    assert logits.shape == (N_ENVS * N_STEPS, 3) and values.shape == (N_ENVS * N_STEPS,)
    assert final.shape == (N_ENVS, 2 * UNITS)
    carried = state
    for t in range(N_STEPS):
        rows = np.arange(N_ENVS) * N_STEPS + t
        step_logits, step_values, carried = _numpy(policy((observations[rows], carried, starts[rows])))
        np.testing.assert_allclose(step_logits, logits[rows], atol=1e-5)
        np.testing.assert_allclose(step_values, values[rows], atol=1e-5)
    np.testing.assert_allclose(carried, final, atol=1e-5)


def test_an_episode_start_zeroes_the_state():
    policy = tiny_policy()
    observations, state, starts = _inputs()
    logits, _, _ = _numpy(policy((observations, state, starts)))
    # Env 0 starts an episode at t = 2: from there on it equals a fresh run from a zero state.
    rows = np.arange(2, N_STEPS)
    fresh, _, _ = _numpy(policy((observations[rows], np.zeros((1, 2 * UNITS), "float32"), starts[rows])))
    np.testing.assert_allclose(fresh, logits[rows], atol=1e-5)
    # ... and before it the given initial state matters.
    zero_start, _, _ = _numpy(policy((observations[:2], np.zeros((1, 2 * UNITS), "float32"), starts[:2])))
    assert np.abs(zero_start - logits[:2]).max() > 1e-4


def test_batch_to_seq_and_seq_to_batch_are_inverses_in_baselines_layout():
    # Row env * n_steps + t holds the pair (env, t).
    flat = np.array([[e, t] for e in range(N_ENVS) for t in range(N_STEPS)], "float32")
    sequence = [np.asarray(x) for x in batch_to_seq(flat, N_ENVS, N_STEPS)]
    assert len(sequence) == N_STEPS
    for t, step in enumerate(sequence):
        np.testing.assert_array_equal(step, [[e, t] for e in range(N_ENVS)])
    np.testing.assert_array_equal(np.asarray(seq_to_batch(sequence)), flat)
    frames = np.random.default_rng(1).normal(size=(N_ENVS * N_STEPS, 4, 4, 2)).astype("float32")
    np.testing.assert_array_equal(np.asarray(seq_to_batch(batch_to_seq(frames, N_ENVS, N_STEPS))), frames)


def test_compiled_forward_equals_the_eager_call():
    policy = tiny_policy()
    observations, state, starts = _inputs()
    rows = np.arange(N_ENVS) * N_STEPS
    eager = _numpy(policy((observations[rows], state, starts[rows])))
    compiled = forward_function(policy)(observations[rows], state, starts[rows])
    for a, b in zip(compiled, eager):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_keras_file_round_trip(tmp_path):
    policy = tiny_policy(n_actions=6)
    observations, state, starts = _inputs()
    path = tmp_path / "policy.keras"
    policy.save(path)
    reloaded = keras.saving.load_model(path)
    assert type(reloaded).__name__ == "CnnLstmPolicy"
    assert reloaded.get_config()["n_actions"] == 6 and reloaded.lstm_units == UNITS
    for a, b in zip(_numpy(reloaded((observations, state, starts))), _numpy(policy((observations, state, starts)))):
        np.testing.assert_array_equal(a, b)


def test_seed_sizes_and_initialisation():
    from framepred_tf.rl.policy import make_policy

    policy = make_policy("cnn_lstm", (84, 84, 1), 6, lstm_units=256)
    assert tuple(policy.lstm.cell.kernel.shape) == (512, 1024)
    assert tuple(policy.lstm.cell.recurrent_kernel.shape) == (256, 1024)  # the seed's hidden weights (256, 1024)
    assert tuple(policy.dense.kernel.shape) == (7 * 7 * 64, 512)  # Nature CNN on 84x84
    assert policy.initial_state(1).shape == (1, 512)  # the seed's packed state (1, 512)
    # Orthogonal heads: logits gain 0.01, so the first policy is nearly uniform.
    head = policy.policy_head.kernel.numpy()
    np.testing.assert_allclose(head.T @ head, 1e-4 * np.eye(6), atol=1e-9)


def test_bad_policy_name_is_one_line():
    from framepred_tf.errors import FramepredError
    from framepred_tf.rl.policy import make_policy

    with pytest.raises(FramepredError, match="unknown policy 'mlp'"):
        make_policy("mlp", SMALL_FRAME, 3)
    with pytest.raises(FramepredError, match="bad policy override"):
        make_policy("cnn_lstm", SMALL_FRAME, 3, lstm_size=3)


def test_mixed_bfloat16_keeps_the_lstm_and_the_heads_in_float32():
    from framepred_tf.training.runtime import run_environment

    with run_environment("mixed_bfloat16", "none"):
        policy = tiny_policy()
    assert policy.convs[0].compute_dtype == policy.dense.compute_dtype == "bfloat16"
    assert policy.lstm.compute_dtype == policy.policy_head.compute_dtype == "float32"
    observations, state, starts = _inputs()
    logits, values, final = policy((observations, state, starts))
    assert {keras.backend.standardize_dtype(x.dtype) for x in (logits, values, final)} == {"float32"}
    reference = tiny_policy()  # same seed, float32 throughout
    for mixed, exact in zip((logits, values, final), reference((observations, state, starts))):
        mixed, exact = np.asarray(mixed), np.asarray(exact)
        assert np.abs(mixed - exact).max() <= 0.02 * np.abs(exact).max()  # bfloat16's 8-bit mantissa


def test_scanned_lstm_equals_the_unrolled_one():
    # The policy unrolls its LSTM on TensorFlow and scans it on JAX (framepred_tf.layers.LSTM(unroll=False)).
    policy = tiny_policy()
    observations, state, starts = _inputs()
    unrolled = _numpy(policy((observations, state, starts)))
    policy.lstm.unroll = False
    for a, b in zip(_numpy(policy((observations, state, starts))), unrolled):
        np.testing.assert_allclose(a, b, atol=1e-6)
