"""``framepred-tf bench rl``: agent steps per second on this machine, with the paper presets.

Four figures, each after an untimed warm-up (tracing and compilation):

* the Atari envs alone (random actions), the floor of everything else;
* acting: the envs plus the compiled policy forward pass and action sampling;
* the whole PPO2 loop (rollouts of 8 × 128 and 4 epochs × 4 minibatches) and the whole
  A2C loop (16 × 5 and one step), each split into rollout and update time.

The issue's targets on the 2-core dev box are PPO2 ≥ 600 and A2C ≥ 1,000 steps/s.
"""
import os
import sys
import time

import keras
import numpy as np

from framepred_tf.rl import algorithms
from framepred_tf.rl.env import AtariEnvs
from framepred_tf.rl.rollout import Runner
from framepred_tf.rl.train import build_policy, resolve_config
from framepred_tf.training.runtime import resolve_precision, run_environment

A2C_UPDATES_PER_PPO2_UPDATE = 40  # about 3,200 A2C steps per 1,024-step PPO2 update timed


def run_rl_bench(algos, updates=3, precision="auto", stream=None):
    stream = stream or sys.stdout
    precision, note = resolve_precision(precision)
    import ale_py

    print(f"rl bench: backend {keras.backend.backend()}, precision {precision}, {os.cpu_count()} CPU cores, "
          f"ale-py {ale_py.__version__}" + (f" ({note})" if note else ""), file=stream)
    keras.utils.set_random_seed(0)
    with run_environment(precision, "none"):
        ppo2 = resolve_config("pong", "ppo2", "paper", {"precision": precision})
        _line(stream, f"envs only ({ppo2['n_envs']} envs, random actions)", *_envs_only(ppo2["n_envs"]))
        for algo in algos:
            config = ppo2 if algo == "ppo2" else resolve_config("pong", algo, "paper", {"precision": precision})
            count = updates if algo == "ppo2" else updates * A2C_UPDATES_PER_PPO2_UPDATE
            with AtariEnvs("pong", config["n_envs"], config["frame_stack"]) as envs:
                model = build_policy(config, envs)
                algorithm = algorithms.make_algorithm(model, config)
                runner = Runner(envs, algorithm.policy.forward, model.initial_state(config["n_envs"]),
                                config["n_steps"], seed=0)
                if algo == algos[0]:
                    _line(stream, f"acting ({config['n_envs']} envs, envs + policy forward + sampling)",
                          *_acting(runner, config))
                rollout_s, update_s = _loop(runner, algorithm, model, config, count)
            steps = count * config["n_envs"] * config["n_steps"]
            _line(stream, f"{algo} loop ({config['n_envs']} envs x {config['n_steps']} steps, {count} updates)",
                  steps, rollout_s + update_s,
                  f"rollout {rollout_s / count:.3f} s + update {update_s / count:.3f} s per update")
    print("targets on the 2-core dev box: ppo2 >= 600 steps/s, a2c >= 1000 steps/s", file=stream)


def _envs_only(n_envs, steps=400):
    with AtariEnvs("pong", n_envs) as envs:
        envs.reset(0)
        rng = np.random.default_rng(0)
        envs.step(rng.integers(0, envs.n_actions, n_envs))
        start = time.perf_counter()
        for _ in range(steps):
            envs.step(rng.integers(0, envs.n_actions, n_envs))
        return steps * n_envs, time.perf_counter() - start


def _acting(runner, config):
    runner.run()  # traces the forward pass
    start = time.perf_counter()
    runner.run()
    return config["n_envs"] * config["n_steps"], time.perf_counter() - start


def _loop(runner, algorithm, model, config, count):
    model.optimizer.learning_rate = config["lr"]
    algorithm.update(runner.run())  # traces the gradient step
    rollout_s = update_s = 0.0
    for _ in range(count):
        start = time.perf_counter()
        rollout = runner.run()
        middle = time.perf_counter()
        algorithm.update(rollout)
        rollout_s += middle - start
        update_s += time.perf_counter() - middle
    return rollout_s, update_s


def _line(stream, label, steps, seconds, detail=""):
    print(f"{label:<62} {steps / seconds:8.1f} steps/s" + (f"  ({detail})" if detail else ""), file=stream,
          flush=True)
