"""PPO2's recurrent minibatches, the learning-rate decay, TF1-style RMSProp, action sampling."""
import keras
import numpy as np
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.rl import algorithms
from framepred_tf.rl.rollout import env_major, sample_actions
from tests.rl.conftest import algo_config, synthetic_rollout, tiny_policy


def test_recurrent_minibatches_are_whole_env_sequences():
    np.random.seed(0)
    n_envs, n_steps = 8, 4
    batches = algorithms.recurrent_minibatches(n_envs, n_steps, 4)
    assert len(batches) == 4
    assert sorted(np.concatenate([envs for envs, _ in batches]).tolist()) == list(range(n_envs))
    for envs, rows in batches:
        assert len(envs) == 2
        np.testing.assert_array_equal(rows, np.concatenate([np.arange(e * n_steps, (e + 1) * n_steps) for e in envs]))
    orders = {tuple(np.concatenate([e for e, _ in algorithms.recurrent_minibatches(8, 4, 4)])) for _ in range(5)}
    assert len(orders) > 1  # shuffled each epoch


def test_ppo2_update_feeds_whole_sequences_with_their_initial_states():
    config = algo_config("ppo2", n_envs=4, n_steps=3, n_minibatches=2, n_epochs=2)
    model = tiny_policy()
    model.compile(optimizer=algorithms.make_optimizer(config))
    ppo2 = algorithms.make_algorithm(model, config)
    rollout = synthetic_rollout(3, 4)
    seen, real_update = [], ppo2.policy.update
    ppo2.policy.update = lambda batch: (seen.append(batch), real_update(batch))[1]
    metrics = ppo2.update(rollout)
    assert len(seen) == 4  # 2 epochs x 2 minibatches
    advantages, returns = ppo2.targets(rollout)
    for epoch in (seen[:2], seen[2:]):
        covered = []
        for batch in epoch:
            assert batch["observations"].shape == (6, 36, 36, 1)
            envs = [int(np.flatnonzero((rollout.initial_state == s).all(axis=1))[0]) for s in batch["states"]]
            covered += envs
            for k, env in enumerate(envs):  # sequence k of the batch is env `env`, steps in order
                rows = slice(3 * k, 3 * k + 3)
                np.testing.assert_array_equal(batch["observations"][rows], rollout.observations[:, env])
                np.testing.assert_array_equal(batch["starts"][rows], rollout.starts[:, env])
                np.testing.assert_array_equal(batch["actions"][rows], rollout.actions[:, env])
                np.testing.assert_allclose(batch["returns"][rows], returns[:, env])
            # Advantages are normalised per minibatch (baselines).
            assert abs(batch["advantages"].mean()) < 1e-5 and batch["advantages"].std() == pytest.approx(1, rel=1e-4)
        assert sorted(covered) == [0, 1, 2, 3]
    assert set(metrics) >= {"policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction",
                            "explained_variance", "loss"}


def test_a2c_update_takes_one_step_on_the_whole_rollout():
    config = algo_config("a2c", n_envs=2, n_steps=5)
    model = tiny_policy()
    model.compile(optimizer=algorithms.make_optimizer(config))
    a2c = algorithms.make_algorithm(model, config)
    rollout = synthetic_rollout(5, 2)
    before = [w.copy() for w in model.get_weights()]
    metrics = a2c.update(rollout)
    assert int(model.optimizer.iterations) == 1
    assert any(np.abs(a - b).max() > 0 for a, b in zip(model.get_weights(), before))
    advantages, returns = a2c.targets(rollout)
    np.testing.assert_allclose(advantages, returns - rollout.values, rtol=1e-6)
    assert np.isfinite(metrics["loss"])


def test_env_major_is_baselines_sf01():
    array = np.arange(2 * 3 * 2).reshape(2, 3, 2)  # (steps, envs, feature)
    flat = env_major(array)
    for env in range(3):
        for t in range(2):
            np.testing.assert_array_equal(flat[env * 2 + t], array[t, env])


def test_learning_rate_decays_linearly_to_zero():
    config = algo_config("ppo2", timesteps=10 * 1024)
    assert algorithms.n_updates(config) == 10
    assert algorithms.learning_rate(config, 0) == pytest.approx(2.5e-4)
    assert algorithms.learning_rate(config, 9) == pytest.approx(2.5e-5)


def test_envs_must_divide_into_the_minibatches():
    with pytest.raises(FramepredError, match=r"--envs 6 is not divisible by the 4 minibatches"):
        algo_config("ppo2", n_envs=6)
    with pytest.raises(FramepredError, match="--envs 6 is not divisible"):
        algorithms.recurrent_minibatches(6, 2, 4)


def test_tf1_rmsprop_starts_its_mean_squares_at_one_and_clips_the_global_norm():
    variable = keras.Variable(np.array([1.0, -2.0], "float32"))
    gradient = np.array([0.5, 3.0], "float32")
    optimizer = algorithms.make_optimizer(algo_config("a2c"))
    optimizer.learning_rate = 0.1
    optimizer.apply([gradient], [variable])
    clipped = gradient * 0.5 / np.linalg.norm(gradient)  # baselines' global-norm clip at 0.5
    mean_square = 0.99 * 1.0 + 0.01 * clipped**2
    expected = np.array([1.0, -2.0]) - 0.1 * clipped / np.sqrt(mean_square + 1e-5)
    np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-6)


def test_gumbel_sampling_follows_the_softmax():
    np.random.seed(0)
    logits = np.tile(np.log(np.array([[0.1, 0.2, 0.7]])), (20000, 1))
    counts = np.bincount(sample_actions(logits), minlength=3) / 20000
    np.testing.assert_allclose(counts, [0.1, 0.2, 0.7], atol=0.015)
