"""The rl pieces under KERAS_BACKEND=jax, in ONE subprocess, against the same steps on TensorFlow."""
import dataclasses
import importlib.util
import json
import pathlib

import numpy as np

from framepred_tf.rl import algorithms
from tests.backend_utils import requires_jax, run_on_backend
from tests.rl.conftest import algo_config, synthetic_rollout, tiny_policy

REPO = pathlib.Path(__file__).resolve().parents[2]

JAX_CHECKS = """
import io, json, sys, tempfile
sys.path.insert(0, REPO)
import keras, numpy as np
assert keras.backend.backend() == "jax"
from framepred_tf.rl import algorithms
from framepred_tf.rl.compiled import forward_function
from framepred_tf.rl.rollout import Rollout
from tests.rl.conftest import TINY_POLICY, algo_config, tiny_policy

data = np.load(DATA)
err, ok = {}, {}

# The acting step (jax.jit) carried over the rollout equals the sequence pass.
policy = tiny_policy()
policy.set_weights([data[f"w{i}"] for i in range(int(data["n_weights"]))])
forward = forward_function(policy)
obs, state, starts = data["seq_obs"], data["seq_state"], data["seq_starts"]
logits, values, final = forward(obs, state, starts)
err["seq_vs_tf_logits"] = float(np.abs(logits - data["seq_logits"]).max())
n_envs, n_steps = state.shape[0], obs.shape[0] // state.shape[0]
carried, worst = state, 0.0
for t in range(n_steps):
    rows = np.arange(n_envs) * n_steps + t
    step_logits, _, carried = forward(obs[rows], carried, starts[rows])
    worst = max(worst, float(np.abs(step_logits - logits[rows]).max()))
err["steps_vs_sequence"] = max(worst, float(np.abs(carried - final).max()))

# One PPO2 update (2 minibatch steps) and one A2C step from the same weights as on TF.
rollout = Rollout(**{key: data["r_" + key] for key in data["rollout_keys"]})
for algo in ("ppo2", "a2c"):
    config = algo_config(algo, **json.loads(str(data["config_" + algo])))
    model = tiny_policy()
    model.set_weights([data[f"w{i}"] for i in range(int(data["n_weights"]))])
    model.compile(optimizer=algorithms.make_optimizer(config))
    model.optimizer.learning_rate = config["lr"]
    np.random.seed(0)
    metrics = algorithms.make_algorithm(model, config).update(rollout)
    expected = json.loads(str(data["metrics_" + algo]))
    err[algo + "_metrics"] = max(abs(metrics[k] - expected[k]) / max(1e-3, abs(expected[k])) for k in expected)
    err[algo + "_weights"] = max(float(np.abs(a - data[f"{algo}_w{i}"]).max())
                                 for i, a in enumerate(model.get_weights()))
    ok[algo + "_optimizer_stepped"] = int(model.optimizer.iterations) == (2 if algo == "ppo2" else 1)

# .keras round trip on JAX.
path = tempfile.mkdtemp() + "/policy.keras"
policy.save(path)
reloaded = keras.saving.load_model(path)
err["keras_round_trip"] = float(np.abs(forward_function(reloaded)(obs, state, starts)[0] - logits).max())

# A two-update training run on the real Pong env (ale-py present).
if HAVE_ALE:
    from framepred_tf.rl.logger import read_progress
    from framepred_tf.rl.train import train

    run = train("pong", preset="quick", out=tempfile.mkdtemp(), policy_overrides=dict(TINY_POLICY), n_envs=2,
                timesteps=128, log_every=64, checkpoint_every=1, stdout=io.StringIO(), stderr=io.StringIO())
    rows = read_progress(run + "/progress.csv")
    ok["train_two_updates"] = [r["timesteps"] for r in rows] == ["64", "128"]
    ok["train_backend_recorded"] = json.load(open(run + "/config.json"))["keras_backend"] == "jax"
print(json.dumps({"err": err, "ok": ok}))
"""

TOLERANCES = {
    "seq_vs_tf_logits": 1e-5,
    "steps_vs_sequence": 1e-5,
    "ppo2_metrics": 1e-4,  # relative
    "ppo2_weights": 1e-5,  # measured 3e-8; an Adam step is 2.5e-4 per weight
    "a2c_metrics": 1e-4,
    "a2c_weights": 1e-7,
    "keras_round_trip": 0.0,
}
CONFIGS = {"ppo2": {"n_envs": 4, "n_steps": 3, "n_minibatches": 2, "n_epochs": 1},
           "a2c": {"n_envs": 4, "n_steps": 3}}


def _reference_data(path):
    """Weights, inputs and the TensorFlow results the JAX subprocess must reproduce."""
    policy = tiny_policy()
    weights = policy.get_weights()
    rng = np.random.default_rng(5)
    arrays = {f"w{i}": w for i, w in enumerate(weights)}
    obs = rng.integers(0, 256, (12, 36, 36, 1), dtype=np.uint8)
    state = rng.normal(size=(3, 16)).astype("float32")
    starts = np.zeros(12, "float32")
    starts[[2, 4, 11]] = 1.0
    arrays.update(n_weights=len(weights), seq_obs=obs, seq_state=state, seq_starts=starts,
                  seq_logits=np.asarray(policy((obs, state, starts))[0]))
    rollout = synthetic_rollout(3, 4, seed=3)
    for field in dataclasses.fields(rollout):
        arrays["r_" + field.name] = getattr(rollout, field.name)
    arrays["rollout_keys"] = np.array([f.name for f in dataclasses.fields(rollout)])
    for algo, changes in CONFIGS.items():
        config = algo_config(algo, **changes)
        model = tiny_policy()
        model.set_weights(weights)
        model.compile(optimizer=algorithms.make_optimizer(config))
        model.optimizer.learning_rate = config["lr"]
        np.random.seed(0)
        metrics = algorithms.make_algorithm(model, config).update(rollout)
        arrays["config_" + algo] = json.dumps(changes)
        arrays["metrics_" + algo] = json.dumps({k: v for k, v in metrics.items() if np.isfinite(v)})
        arrays.update({f"{algo}_w{i}": w for i, w in enumerate(model.get_weights())})
    np.savez(path, **arrays)


@requires_jax
def test_rl_on_jax_backend(tmp_path):
    data = tmp_path / "reference.npz"
    _reference_data(data)
    have_ale = importlib.util.find_spec("ale_py") is not None
    stdout = run_on_backend(f"REPO = {str(REPO)!r}\nDATA = {str(data)!r}\nHAVE_ALE = {have_ale}\n" + JAX_CHECKS)
    result = json.loads(stdout.strip().splitlines()[-1])
    assert set(result["err"]) == set(TOLERANCES)
    for name, tol in TOLERANCES.items():
        assert result["err"][name] <= tol, (name, result["err"][name])
    assert result["ok"] and all(result["ok"].values()), result["ok"]
