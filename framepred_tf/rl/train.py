"""``train(game, algo=..., preset=...)``: one recurrent actor-critic run on Atari, start to finish.

A run writes ``<out>/<game>-<algo>-<YYYYmmdd-HHMMSS>/`` (shared :mod:`~framepred_tf.training.rundir`):
``config.json``, ``progress.csv``, TensorBoard ``logs/``, ``checkpoints/`` (atomic, every
``checkpoint_every`` updates, the newest ``keep_checkpoints`` kept), ``best.keras`` and
``best.json`` (the highest mean reward of a console line) and ``curve.png``.

Resume (``resume=RUN_DIR``) restores from the newest complete checkpoint the network, the
optimizer (moments and step count), the update and timestep counters, the episode
statistics, the training time spent and the NumPy/Python RNG states, so the same
gradient steps follow the same data. The games themselves are not saved: a resumed run
starts new episodes (seeded from the restored RNG) with a fresh LSTM state, so its
rollouts differ from the ones an uninterrupted run would have collected. ``kill -9``
loses at most the updates since the last checkpoint; their ``progress.csv`` rows are
written again.

``time_limit`` (minutes) counts training time across resumes: the run stops cleanly,
with a checkpoint, once that much time is spent, and continues with
``resume=RUN_DIR, time_limit=<more>``. A resume may also raise ``timesteps``; the linear
learning-rate decay then spreads over the new total from the update reached.

A console line is written at the first update that reaches each multiple of
``log_every`` (PPO2's 1,024-step updates land on 40,960, 80,896, ...; A2C's 80-step
ones exactly on 40,000, 80,000, ...), and after the last update.
"""
import datetime
import json
import math
import os
import shutil
import sys
import time

import keras
import numpy as np

import framepred_tf
from framepred_tf.errors import FramepredError
from framepred_tf.rl import algorithms, logger
from framepred_tf.rl.choices import check_algorithm, check_game
from framepred_tf.rl.env import AtariEnvs, import_ale
from framepred_tf.rl.policy import make_policy
from framepred_tf.rl.rollout import Runner
from framepred_tf.training import checkpoints, rundir
from framepred_tf.training.choices import PRECISIONS
from framepred_tf.utils.io import atomic_path, write_json_atomic

# Settings of a run that the command line may give (``None``: keep the preset's).
SETTINGS = ("timesteps", "n_envs", "log_every", "checkpoint_every", "time_limit", "seed", "precision",
            "frame_stack", "env_threads")
# What may change when a run is resumed: its length and how often it reports.
RESUMABLE_SETTINGS = ("timesteps", "log_every", "checkpoint_every", "time_limit")
DEFAULTS = {"time_limit": None, "env_threads": None}
BEST_JSON = "best.json"


def train(game, *, algo=None, preset="paper", out="runs", resume=None, policy_overrides=None, stdout=None,
          stderr=None, **settings):
    """Train on ``game`` with ``algo`` (``ppo2``/``a2c``) and ``experiments/<game>.py``'s ``preset``.

    ``settings`` are :data:`SETTINGS`; with ``resume=RUN_DIR`` only
    :data:`RESUMABLE_SETTINGS` may be given and ``game``/``algo`` must match the run's.
    Returns the run directory.
    """
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise FramepredError(f"unknown rl training setting(s): {', '.join(unknown)}")
    settings = {key: value for key, value in settings.items() if value is not None}
    if resume:
        config = resumed_config(resume, game, algo, settings, policy_overrides)
    else:
        config = resolve_config(game, algo or "ppo2", preset, settings, policy_overrides)
    import_ale()  # a missing ale-py is reported before anything is written
    if not resume:
        rundir.ensure_writable(out)
    return _run(config, out=out, resume=resume, stdout=stdout, stderr=stderr or sys.stderr)


def resolve_config(game, algo, preset, settings=None, policy_overrides=None):
    """The full configuration of a new run: defaults < ``PRESETS[preset][algo]`` < ``settings``."""
    from experiments import load_preset

    check_game(game)
    check_algorithm(algo)
    config = dict(DEFAULTS)
    config.update(load_preset(game, preset)[algo])
    config.update(settings or {})
    config["policy_overrides"] = {**config["policy_overrides"], **(policy_overrides or {})}
    config.update(game=game, preset=preset, framepred_tf_version=framepred_tf.__version__,
                  keras_backend=keras.backend.backend(), created=datetime.datetime.now().isoformat(timespec="seconds"))
    validate_config(config)
    return config


def validate_config(config):
    """One-line errors, naming the flag, for settings that cannot work."""
    for key in ("n_envs", "n_steps", "timesteps", "log_every", "checkpoint_every", "keep_checkpoints"):
        value = config.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise FramepredError(f"--{_flag(key)} must be a positive integer, got {value!r}")
    if config["algo"] == "ppo2" and config["n_envs"] % config["n_minibatches"]:
        raise FramepredError(f"--envs {config['n_envs']} is not divisible by the {config['n_minibatches']} "
                             f"minibatches of ppo2; use a multiple of {config['n_minibatches']}")
    batch = config["n_envs"] * config["n_steps"]
    if config["timesteps"] < batch:
        raise FramepredError(f"--timesteps {config['timesteps']} is less than one rollout "
                             f"({config['n_envs']} envs x {config['n_steps']} steps = {batch})")
    limit = config.get("time_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0):
        raise FramepredError(f"--time-limit must be a positive number of minutes, got {limit!r}")
    if config["frame_stack"] not in (1, 4):
        raise FramepredError(f"--frame-stack must be 1 or 4, got {config['frame_stack']!r}")
    if config["precision"] not in PRECISIONS:
        raise FramepredError(f"--precision {config['precision']!r} is unknown; choose one of: {', '.join(PRECISIONS)}")


def _flag(key):
    return {"n_envs": "envs", "n_steps": "steps"}.get(key, key.replace("_", "-"))


def resumed_config(run_dir, game, algo, settings, policy_overrides):
    """``run_dir``'s configuration with the :data:`RESUMABLE_SETTINGS` of ``settings`` applied."""
    config = rundir.read_config(run_dir)
    if "algo" not in config or "game" not in config:
        raise FramepredError(f"{run_dir} is not an rl training run (its config.json has no game and algo)")
    if game and game != config["game"]:
        raise FramepredError(f"{run_dir} is a {config['game']} run, not {game}")
    if algo and algo != config["algo"]:
        raise FramepredError(f"{run_dir} is a {config['algo']} run, not {algo}; resume it with "
                             f"--algo {config['algo']} (or without --algo)")
    fixed = sorted(set(settings) - set(RESUMABLE_SETTINGS)) + (["override"] if policy_overrides else [])
    if fixed:
        raise FramepredError(f"cannot change {', '.join(_flag(key) for key in fixed)} when resuming; only "
                             f"{', '.join(_flag(key) for key in RESUMABLE_SETTINGS)}")
    config.update(settings)
    validate_config(config)
    return config


def _run(config, *, out, resume, stdout, stderr):
    from framepred_tf.training.runtime import resolve_precision, run_environment

    config["precision"], note = resolve_precision(config["precision"])
    if note:
        print(f"framepred-tf: {note}", file=stderr)
    keras.utils.set_random_seed(config["seed"])
    with run_environment(config["precision"], "none"):
        run_dir = resume or rundir.create_run_dir(out, f"{config['game']}-{config['algo']}")
        try:
            envs = AtariEnvs(config["game"], config["n_envs"], config["frame_stack"], threads=config["env_threads"])
            model = build_policy(config, envs)
            rundir.ensure_free_space(run_dir, checkpoint_bytes(model) * (config["keep_checkpoints"] + 2))
            start = restore(model, envs, run_dir, stderr) if resume else fresh_start()
        except BaseException:
            if not resume:
                shutil.rmtree(run_dir, ignore_errors=True)
            raise
        rundir.write_config(run_dir, config)
        with envs:
            _train_loop(config, run_dir, model, envs, start, stdout, stderr)
    return run_dir


def build_policy(config, envs):
    """The compiled policy of ``config`` for ``envs``' frames and actions."""
    model = make_policy(config["policy"], envs.observation_shape, envs.n_actions, **config["policy_overrides"])
    model.compile(optimizer=algorithms.make_optimizer(config))
    return model


def checkpoint_bytes(model):
    """Upper estimate of one checkpoint: the weights and Adam's two slots, float32."""
    return 3 * 4 * model.count_params()


def fresh_start():
    return {"updates": 0, "timesteps": 0, "train_seconds": 0.0, "episodes": 0, "recent_returns": []}


def restore(model, envs, run_dir, stderr):
    """Load ``run_dir``'s newest complete checkpoint into ``model`` and the RNGs; return its state."""
    directory = os.path.join(run_dir, rundir.CHECKPOINT_DIR)
    for name in checkpoints.remove_temporaries(directory):
        print(f"framepred-tf: removed {name}, left by an interrupted save", file=stderr)
    latest = checkpoints.latest_checkpoint(directory)
    if latest is None:
        print(f"framepred-tf: {run_dir} has no complete checkpoint yet; starting it from the beginning", file=stderr)
        return fresh_start()
    weights, state = latest
    checkpoints.restore_weights(model, weights)
    checkpoints.restore_rng_state(state["rng"])
    envs.restore_episode_log(state["recent_returns"], state["episodes"])
    print(f"framepred-tf: resuming {run_dir} from update {state['updates']} ({state['timesteps']} timesteps, "
          f"{os.path.basename(weights)}); the games restart", file=stderr)
    return state


def _train_loop(config, run_dir, model, envs, start, stdout, stderr):
    algorithm = algorithms.make_algorithm(model, config)
    # The games' seeds come from the (restored) NumPy RNG, so a resume is reproducible too.
    runner = Runner(envs, algorithm.policy.forward, model.initial_state(config["n_envs"]), config["n_steps"],
                    seed=int(np.random.randint(2**31 - 1)))
    run_log = logger.RunLogger(run_dir, config["timesteps"], up_to_timesteps=start["timesteps"], stdout=stdout,
                               stderr=stderr)
    clock = _TrainClock(start["train_seconds"])
    batch = config["n_envs"] * config["n_steps"]
    total = algorithms.n_updates(config)
    limit = 60.0 * config["time_limit"] if config.get("time_limit") else math.inf
    update, timesteps = start["updates"], start["timesteps"]
    best = _read_best(run_dir)
    interval, mark, saved = [], (time.monotonic(), timesteps), update
    while update < total and clock.seconds() < limit:
        lr = algorithms.learning_rate(config, update)
        model.optimizer.learning_rate = lr
        metrics = algorithm.update(runner.run())
        if not math.isfinite(metrics["loss"]):
            _diverged(run_dir, update, metrics["loss"])
        update, timesteps = update + 1, timesteps + batch
        interval.append(dict(metrics, learning_rate=lr))
        if _crossed(timesteps, batch, config["log_every"]) or update == total:
            now = time.monotonic()
            row = _log_row(interval, envs, update, timesteps, (timesteps - mark[1]) / (now - mark[0]), clock)
            run_log.log(row, clock.seconds())
            best = _keep_best(model, run_dir, row, best)
            interval, mark = [], (now, timesteps)
        if update % config["checkpoint_every"] == 0 or update == total:
            _checkpoint(model, run_dir, config, update, timesteps, clock, envs)
            saved = update
    if update != saved:
        _checkpoint(model, run_dir, config, update, timesteps, clock, envs)
    if run_log.rows:  # none when a resumed run's time limit was already spent
        from framepred_tf.rl.plot import save_curves

        save_curves([run_dir], os.path.join(run_dir, logger.CURVE_NAME))
    if update < total:
        print(f"framepred-tf: stopped at the --time-limit of {config['time_limit']:g} min after {timesteps} "
              f"timesteps ({update}/{total} updates); continue with --resume {run_dir} --time-limit "
              f"<more minutes>", file=stderr)


def _crossed(timesteps, batch, every):
    """Did the last ``batch`` steps pass a multiple of ``every`` (the seed's lines at 40,000, 80,000, ...)?"""
    return timesteps // every > (timesteps - batch) // every


class _TrainClock:
    """Training seconds, counted across resumes."""

    def __init__(self, before):
        self.before = float(before)
        self.began = time.monotonic()

    def seconds(self):
        return self.before + time.monotonic() - self.began


def _log_row(interval, envs, update, timesteps, fps, clock):
    row = {key: float(np.mean([m[key] for m in interval])) for key in interval[0] if key != "loss"}
    row.update(timesteps=timesteps, mean_reward=envs.mean_recent_return(), fps=fps, episodes=envs.episodes,
               updates=update, train_minutes=clock.seconds() / 60.0)
    return row


def _read_best(run_dir):
    try:
        with open(os.path.join(run_dir, BEST_JSON), encoding="utf-8") as f:
            return float(json.load(f)["mean_reward"])
    except (OSError, ValueError, KeyError):
        return -math.inf


def _keep_best(model, run_dir, row, best):
    """Save ``best.keras`` (then ``best.json``) when the mean reward beats ``best``; return the new best."""
    reward = row["mean_reward"]
    if not math.isfinite(reward) or reward <= best:
        return best
    with atomic_path(os.path.join(run_dir, rundir.BEST_NAME), suffix=".keras") as tmp:
        model.save(tmp)
    write_json_atomic(os.path.join(run_dir, BEST_JSON), {"mean_reward": reward, "timesteps": row["timesteps"],
                                                         "episodes": row["episodes"]})
    return reward


def _checkpoint(model, run_dir, config, update, timesteps, clock, envs):
    state = {"global_step": update, "updates": update, "timesteps": timesteps, "train_seconds": clock.seconds(),
             "episodes": envs.episodes, "recent_returns": list(envs.recent_returns), "saved": time.time()}
    checkpoints.save_checkpoint(model, os.path.join(run_dir, rundir.CHECKPOINT_DIR), state,
                                keep=config["keep_checkpoints"])


def _diverged(run_dir, update, loss):
    from framepred_tf.training.callbacks import TrainingDiverged

    latest = checkpoints.latest_checkpoint(os.path.join(run_dir, rundir.CHECKPOINT_DIR))
    kept = f"the last good checkpoint is {latest[0]}" if latest else "no checkpoint was written yet"
    raise TrainingDiverged(f"the loss became {loss} at update {update + 1}; stopped, {kept}")
