"""GAE and n-step returns against plain per-env loops that follow each episode forward."""
import numpy as np
import pytest

from framepred_tf.rl.returns import explained_variance, gae_advantages, n_step_returns

GAMMA, LAM = 0.99, 0.95


def _rollout(seed, n_steps=9, n_envs=4):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=(n_steps, n_envs))
    values = rng.normal(size=(n_steps, n_envs))
    starts = (rng.random((n_steps, n_envs)) < 0.3).astype("float32")
    starts[4, 0] = starts[1, 1] = 1.0  # episode ends inside the rollout for sure
    last_values = rng.normal(size=n_envs)
    last_starts = np.array([0.0, 1.0, 0.0, 1.0])
    return rewards, values, starts, last_values, last_starts


def _ended_after(starts, last_starts, env, t):
    """Did the episode end with step t (the next frame starts a new one)?"""
    return bool(last_starts[env] if t == len(starts) - 1 else starts[t + 1, env])


def _gae_reference(rewards, values, starts, last_values, last_starts):
    """A_t = sum_l (gamma lam)^l delta_{t+l}, walking forward until the episode or the rollout ends."""
    n_steps, n_envs = rewards.shape
    advantages = np.zeros_like(rewards)
    for env in range(n_envs):
        for t in range(n_steps):
            total, weight = 0.0, 1.0
            for k in range(t, n_steps):
                ended = _ended_after(starts, last_starts, env, k)
                next_value = 0.0 if ended else (last_values[env] if k == n_steps - 1 else values[k + 1, env])
                total += weight * (rewards[k, env] + GAMMA * next_value - values[k, env])
                if ended:
                    break
                weight *= GAMMA * LAM
            advantages[t, env] = total
    return advantages


def _n_step_reference(rewards, starts, last_values, last_starts):
    """R_t = sum_l gamma^l r_{t+l} to the episode end, plus gamma^(T-t) V_last if it runs past the rollout."""
    n_steps, n_envs = rewards.shape
    returns = np.zeros_like(rewards)
    for env in range(n_envs):
        for t in range(n_steps):
            total = 0.0
            for k in range(t, n_steps):
                total += GAMMA ** (k - t) * rewards[k, env]
                if _ended_after(starts, last_starts, env, k):
                    break
            else:
                total += GAMMA ** (n_steps - t) * last_values[env]
            returns[t, env] = total
    return returns


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gae_equals_the_forward_sum(seed):
    rewards, values, starts, last_values, last_starts = _rollout(seed)
    advantages, returns = gae_advantages(rewards, values, starts, last_values, last_starts, GAMMA, LAM)
    expected = _gae_reference(rewards, values, starts, last_values, last_starts)
    np.testing.assert_allclose(advantages, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(returns, expected + values, rtol=1e-5, atol=1e-5)
    assert advantages.dtype == returns.dtype == np.float32


def test_gae_with_lambda_one_is_the_discounted_return_minus_the_value():
    rewards, values, starts, last_values, last_starts = _rollout(3)
    advantages, _ = gae_advantages(rewards, values, starts, last_values, last_starts, GAMMA, 1.0)
    expected = _n_step_reference(rewards, starts, last_values, last_starts) - values
    np.testing.assert_allclose(advantages, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_n_step_returns_equal_the_forward_sum(seed):
    rewards, _, starts, last_values, last_starts = _rollout(seed)
    returns = n_step_returns(rewards, starts, last_values, last_starts, GAMMA)
    np.testing.assert_allclose(returns, _n_step_reference(rewards, starts, last_values, last_starts),
                               rtol=1e-5, atol=1e-5)


def test_explained_variance():
    target = np.array([1.0, 2.0, 3.0, 4.0])
    assert explained_variance(target, target) == 1.0
    assert explained_variance(np.full(4, target.mean()), target) == pytest.approx(0.0)
    assert np.isnan(explained_variance(target, np.ones(4)))
