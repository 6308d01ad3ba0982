"""Advantages and returns of a rollout, in NumPy (baselines ``ppo2/runner.py`` and ``a2c/runner.py``).

All arrays are time-major ``(n_steps, n_envs)``. ``starts[t]`` is 1 where frame ``t`` is
the first of a new episode, i.e. the episode ended with step ``t - 1``; ``last_starts``
is the same flag for the frame after the rollout and ``last_values`` its value estimate.
"""
import numpy as np


def gae_advantages(rewards, values, starts, last_values, last_starts, gamma, lam):
    """Generalised advantage estimation (Schulman et al. 2016, eq. 16) and the returns ``A + V``.

    ``δ_t = r_t + γ V_{t+1} (1 - d_t) - V_t`` and ``A_t = δ_t + γ λ (1 - d_t) A_{t+1}``,
    where ``d_t`` says the episode ended with step ``t`` (so nothing is bootstrapped
    across an episode end).
    """
    rewards, values = np.asarray(rewards, np.float64), np.asarray(values, np.float64)
    next_values, next_live = _next(values, starts, last_values, last_starts)
    advantages = np.zeros_like(rewards)
    running = np.zeros(rewards.shape[1:])
    for t in reversed(range(rewards.shape[0])):
        delta = rewards[t] + gamma * next_values[t] * next_live[t] - values[t]
        running = delta + gamma * lam * next_live[t] * running
        advantages[t] = running
    return advantages.astype(np.float32), (advantages + values).astype(np.float32)


def n_step_returns(rewards, starts, last_values, last_starts, gamma):
    """A2C's discounted returns ``R_t = r_t + γ (1 - d_t) R_{t+1}``, bootstrapped with ``last_values``."""
    rewards = np.asarray(rewards, np.float64)
    _, next_live = _next(np.zeros_like(rewards), starts, last_values, last_starts)
    returns = np.zeros_like(rewards)
    running = np.asarray(last_values, np.float64)
    for t in reversed(range(rewards.shape[0])):
        running = rewards[t] + gamma * next_live[t] * running
        returns[t] = running
    return returns.astype(np.float32)


def explained_variance(predicted, target):
    """``1 - Var(target - predicted) / Var(target)`` (NaN when the target is constant)."""
    variance = np.var(target)
    return float("nan") if variance == 0 else float(1.0 - np.var(np.asarray(target) - predicted) / variance)


def _next(values, starts, last_values, last_starts):
    """Per step: the value of the next frame and ``1 - d_t`` (the episode goes on after step t)."""
    starts = np.asarray(starts, np.float64)
    next_values = np.concatenate([values[1:], np.asarray(last_values, np.float64)[None]], axis=0)
    next_starts = np.concatenate([starts[1:], np.asarray(last_starts, np.float64)[None]], axis=0)
    return next_values, 1.0 - next_starts
