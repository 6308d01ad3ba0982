"""Checkpoint and resume: the same parameters and the same next update as an uninterrupted run."""
import io
import json
import os

import keras
import numpy as np
import pytest

from framepred_tf.errors import FramepredError
from framepred_tf.rl import algorithms
from framepred_tf.rl.logger import read_progress
from framepred_tf.training import checkpoints
from tests.rl.conftest import TINY_POLICY, algo_config, requires_ale, synthetic_rollout, tiny_policy


def _state(model):
    return [np.asarray(w) for w in model.get_weights()] + [np.asarray(v) for v in model.optimizer.variables]


def _compiled(config, seed):
    model = tiny_policy(seed=seed)
    model.compile(optimizer=algorithms.make_optimizer(config))
    return model, algorithms.make_algorithm(model, config)


@pytest.mark.parametrize("algo", ["ppo2", "a2c"])
def test_restored_checkpoint_takes_the_same_next_update(algo, tmp_path):
    config = algo_config(algo, n_envs=4, n_steps=3, n_minibatches=2, n_epochs=2, timesteps=4 * 3 * 10)
    first, second = synthetic_rollout(3, 4, seed=1), synthetic_rollout(3, 4, seed=2)

    def step(model, algorithm, update, rollout):
        model.optimizer.learning_rate = algorithms.learning_rate(config, update)
        return algorithm.update(rollout)

    np.random.seed(7)
    model, algorithm = _compiled(config, seed=0)
    step(model, algorithm, 0, first)
    checkpoints.save_checkpoint(model, tmp_path, {"global_step": 1, "updates": 1})
    expected_metrics = step(model, algorithm, 1, second)  # uses np.random for the minibatch order
    expected = _state(model)

    np.random.seed(12345)  # another process: other weights, another RNG position
    resumed, resumed_algorithm = _compiled(config, seed=99)
    weights, state = checkpoints.latest_checkpoint(tmp_path)
    checkpoints.restore_weights(resumed, weights)
    checkpoints.restore_rng_state(state["rng"])
    metrics = step(resumed, resumed_algorithm, state["updates"], second)
    for a, b in zip(_state(resumed), expected):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert metrics == pytest.approx(expected_metrics, rel=1e-5, abs=1e-7)
    assert int(resumed.optimizer.iterations) == int(model.optimizer.iterations) > 0


def _train(tmp_path, **kwargs):
    from framepred_tf.rl.train import train

    out, err = io.StringIO(), io.StringIO()
    run = train("pong", preset="quick", out=str(tmp_path), policy_overrides=dict(TINY_POLICY), stdout=out,
                stderr=err, **kwargs) if "resume" not in kwargs else train(None, stdout=out, stderr=err, **kwargs)
    return run, out.getvalue(), err.getvalue()


@requires_ale
@pytest.mark.slow
def test_time_limit_stops_with_a_checkpoint_and_resume_finishes(tmp_path):
    settings = {"n_envs": 2, "timesteps": 4 * 64, "log_every": 64, "checkpoint_every": 3}
    # 0.0001 min: the budget is spent during the first update, so the run stops after it.
    run, out, err = _train(tmp_path, time_limit=0.0001, **settings)
    assert os.path.basename(run).startswith("pong-ppo2-")
    assert "stopped at the --time-limit" in err and f"--resume {run}" in err
    assert [state["updates"] for _, _, state in checkpoints.complete_checkpoints(os.path.join(run, "checkpoints"))] == [1]
    assert out.splitlines() == [out.splitlines()[0]] and out.split()[0] == "64"  # one seed-format line
    first_minutes = float(read_progress(os.path.join(run, "progress.csv"))[0]["train_minutes"])

    with pytest.raises(FramepredError, match="is a ppo2 run, not a2c"):
        _train(tmp_path, resume=run, algo="a2c")
    with pytest.raises(FramepredError, match="cannot change envs when resuming"):
        _train(tmp_path, resume=run, n_envs=4)

    resumed, out, err = _train(tmp_path, resume=run, time_limit=60)
    assert resumed == run
    assert "resuming" in err and "from update 1 (64 timesteps" in err
    rows = read_progress(os.path.join(run, "progress.csv"))
    assert [int(r["timesteps"]) for r in rows] == [64, 128, 192, 256]
    assert [int(r["updates"]) for r in rows] == [1, 2, 3, 4]
    assert float(rows[-1]["train_minutes"]) > first_minutes  # counted across the resume
    assert checkpoints.latest_checkpoint(os.path.join(run, "checkpoints"))[1]["updates"] == 4
    assert os.path.isfile(os.path.join(run, "curve.png"))
    config = json.load(open(os.path.join(run, "config.json")))
    assert config["time_limit"] == 60 and config["algo"] == "ppo2" and config["game"] == "pong"
    assert keras.saving.load_model(checkpoints.latest_checkpoint(os.path.join(run, "checkpoints"))[0]).lstm_units == 8
