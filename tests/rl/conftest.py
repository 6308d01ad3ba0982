"""Shared pieces of the rl tests: a tiny policy, synthetic rollouts, the Atari skip mark, CLI runs."""
import contextlib
import glob
import importlib.util
import io
import os
import pathlib

import keras
import numpy as np
import pytest

from framepred_tf.rl.rollout import Rollout

# The smallest Nature-CNN that still takes the real 84x84 frames (and 36x36 synthetic ones).
TINY_POLICY = {"lstm_units": 8, "dense_units": 16, "conv_filters": (4, 8, 8)}
TINY_OVERRIDES = ["--override", "lstm_units=8", "--override", "dense_units=16", "--override", "conv_filters=(4,8,8)"]
SMALL_FRAME = (36, 36, 1)  # the smallest frame the Nature CNN's valid convolutions accept

requires_ale = pytest.mark.skipif(importlib.util.find_spec("ale_py") is None,
                                  reason="ale-py is not installed (pip install -e . installs it)")

# The seed's learning curves, read like the other offline data beside the checkout.
_SEEDS = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
if "FRAMEPRED_RL_SEED_CURVES" not in os.environ:
    _found = sorted(glob.glob(str(_SEEDS / "001_*.txt")))
    if _found:
        os.environ["FRAMEPRED_RL_SEED_CURVES"] = _found[0]


def tiny_policy(n_actions=3, frame=SMALL_FRAME, seed=0, **overrides):
    from framepred_tf.rl.policy import make_policy

    keras.utils.set_random_seed(seed)
    return make_policy("cnn_lstm", frame, n_actions, **{**TINY_POLICY, **overrides})


def synthetic_rollout(n_steps, n_envs, n_actions=3, units=8, frame=SMALL_FRAME, seed=0):
    """A rollout with episode starts inside it and distinct initial LSTM states."""
    rng = np.random.default_rng(seed)
    starts = (rng.random((n_steps, n_envs)) < 0.25).astype("float32")
    return Rollout(
        observations=rng.integers(0, 256, (n_steps, n_envs, *frame), dtype=np.uint8),
        starts=starts,
        actions=rng.integers(0, n_actions, (n_steps, n_envs)).astype("int32"),
        rewards=rng.choice([-1.0, 0.0, 0.0, 1.0], (n_steps, n_envs)).astype("float32"),
        values=rng.normal(size=(n_steps, n_envs)).astype("float32"),
        neglogp=rng.uniform(0.5, 1.5, (n_steps, n_envs)).astype("float32"),
        initial_state=rng.normal(size=(n_envs, 2 * units)).astype("float32"),
        last_values=rng.normal(size=n_envs).astype("float32"),
        last_starts=(rng.random(n_envs) < 0.5).astype("float32"),
    )


def algo_config(algo, **changes):
    """The paper preset of ``algo`` with ``changes`` (a full, validated config)."""
    from framepred_tf.rl.train import resolve_config

    return resolve_config("pong", algo, "paper", changes)


def run_cli(argv):
    """Run ``framepred-tf argv`` in-process; return ``(status, stdout, stderr)``."""
    from framepred_tf.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()
