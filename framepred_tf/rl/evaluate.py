"""``evaluate(run_dir)``: raw returns of a trained policy over whole episodes, and a GIF of one.

``episodes`` games run side by side, each for exactly one episode (waiting for the first
``episodes`` to finish out of a longer stream would favour short episodes). Actions are
sampled from the policy, as in training; rewards are not clipped.
"""
import os
import sys

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.rl.env import AtariEnvs
from framepred_tf.rl.rollout import sample_actions
from framepred_tf.training import checkpoints, rundir
from framepred_tf.utils.io import atomic_path, write_json_atomic

EVAL_NAME = "eval.json"
GIF_SCALE = 2  # 84x84 agent frames shown at 168x168
GIF_FRAME_MS = 67  # 15 agent steps per second: Pong's 60 Hz with 4 frames per step


def policy_path(run_dir, which="best"):
    """The ``.keras`` file to evaluate: ``best.keras`` (``which="best"``) or the newest checkpoint."""
    if which == "best" and os.path.isfile(os.path.join(run_dir, rundir.BEST_NAME)):
        return os.path.join(run_dir, rundir.BEST_NAME)
    latest = checkpoints.latest_checkpoint(os.path.join(run_dir, rundir.CHECKPOINT_DIR))
    if latest is None:
        raise FramepredError(f"{run_dir} has no best.keras and no complete checkpoint yet; train it longer")
    return latest[0]


def load_policy(path):
    import keras

    from framepred_tf.rl import policy  # noqa: F401  (registers CnnLstmPolicy)
    from framepred_tf.rl import algorithms  # noqa: F401  (registers the optimizer of checkpoints)

    return keras.saving.load_model(path, compile=False)


def evaluate(run_dir, episodes=10, gif=None, which="best", seed=None, stream=None):
    """Play ``episodes`` episodes; write ``run_dir/eval.json`` (and ``gif``); return the summary dict."""
    from framepred_tf.rl.compiled import forward_function

    if episodes < 1:
        raise FramepredError(f"--episodes must be at least 1, got {episodes}")
    config = rundir.read_config(run_dir)
    if "game" not in config:
        raise FramepredError(f"{run_dir} is not an rl training run (its config.json has no game)")
    path = policy_path(run_dir, which)
    model = load_policy(path)
    forward = forward_function(model)
    seed = config["seed"] + 1_000_000 if seed is None else seed  # other games than training's first ones
    with AtariEnvs(config["game"], episodes, config["frame_stack"], clip_rewards=False) as envs:
        returns, frames = play_episodes(envs, model, forward, seed, record=gif is not None)
    summary = {"policy": path, "episodes": episodes, "mean": float(np.mean(returns)), "std": float(np.std(returns)),
               "returns": returns, "seed": seed}
    write_json_atomic(os.path.join(run_dir, EVAL_NAME), summary)
    if gif:
        save_gif(frames, gif)
    print(f"{config['game']} {config['algo']} {os.path.basename(path)}: mean return {summary['mean']:.2f} "
          f"± {summary['std']:.2f} over {episodes} episodes", file=stream or sys.stdout)
    return summary


def play_episodes(envs, model, forward, seed, record=False):
    """One episode in each of ``envs``' games; ``(raw returns, frames of game 0 if record)``."""
    n = envs.n_envs
    observations = envs.reset(seed)
    state, starts = model.initial_state(n), np.ones(n, np.float32)
    returns, totals, frames = [None] * n, np.zeros(n), []
    while any(r is None for r in returns):
        if record and returns[0] is None:
            frames.append(observations[0, :, :, -1])
        logits, _, state = forward(observations, state, starts)
        observations, rewards, dones, _ = envs.step(sample_actions(logits))
        totals += rewards
        for i in np.flatnonzero(dones):
            if returns[i] is None:
                returns[i] = float(totals[i])
        starts = dones.astype(np.float32)
    return returns, frames


def save_gif(frames, path):
    """Animated GIF of grayscale ``frames`` (84x84 uint8), written atomically."""
    from PIL import Image

    images = [Image.fromarray(np.asarray(f, np.uint8)).resize((f.shape[1] * GIF_SCALE, f.shape[0] * GIF_SCALE),
                                                              Image.NEAREST) for f in frames]
    with atomic_path(path, suffix=".gif") as tmp:
        images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=GIF_FRAME_MS, loop=0)
    return path
