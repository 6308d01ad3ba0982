"""``train(model_name, preset=..., **overrides)``: one framepred-tf training run, start to finish.

Order matters for "nothing lost": the output directory is checked (writable, enough free
space) before any training step; a fresh run directory that fails during set-up is
removed again; a resumed run continues from its newest complete checkpoint with the same
global step, learning-rate position (``optimizer.iterations`` is part of the checkpoint)
and data position (batches are addressed by global step, see :mod:`.datasets`).
"""
import datetime
import os
import shutil
import sys
import tempfile

import keras

import framepred_tf
from framepred_tf.errors import FramepredError
from framepred_tf.models.pretrained import from_pretrained, list_pretrained, pretrained_entry
from framepred_tf.training import checkpoints, rundir
from framepred_tf.training.callbacks import standard_callbacks
from framepred_tf.training.datasets import build_run_data
from framepred_tf.training.figures import fixed_batch_sample_fn, save_prediction
from framepred_tf.training.runtime import resolve_precision, run_environment
from framepred_tf.training.schedules import check_optimizer_config, make_optimizer

# Settings of every run that a preset may leave out.
DEFAULTS = {
    "data": "moving_mnist",
    "model_overrides": {},
    "digits": "mnist5k",
    "num_digits": 2,
    "batch_size": 8,
    "epochs": 1,
    "steps_per_epoch": 10,
    "lr": 1e-3,
    "decay_steps": None,
    "decay_rate": 0.9,
    "val_size": 16,
    "checkpoint_every": 100,
    "keep_checkpoints": 3,
    "sample_every": 1,
    "log_every": 10,
    "seed": 0,
    "strategy": "none",
    "precision": "float32",
    "frames_dir": None,
    "frames_index": None,
    "time_limit": None,  # minutes of training in total, across resumes
}
# ``train`` keyword arguments that are settings of the run (``None`` = keep the preset's).
RUN_SETTINGS = ("digits", "epochs", "steps_per_epoch", "batch_size", "lr", "strategy", "precision", "seed",
                "frames_dir", "frames_index", "checkpoint_every", "log_every", "keep_checkpoints", "val_size",
                "sample_every", "decay_steps", "time_limit")
# What may change when a run is resumed: only its length and how often it reports.
RESUMABLE_SETTINGS = ("epochs", "checkpoint_every", "log_every", "keep_checkpoints", "sample_every", "time_limit")
# ``figure_pretrained="auto"``: the shipped ``<model>-cpu``, if there is one.
AUTO_PRETRAINED = "auto"


def train(model_name, *, preset="quick", out="runs", resume=None, figure=None, figure_pretrained=None,
          model_overrides=None, stream=None, **settings):
    """Train ``model_name``; return the run directory.

    ``settings`` are :data:`RUN_SETTINGS` (``None`` values are ignored), ``model_overrides``
    are merged into the preset's. With ``resume=RUN_DIR`` the run's own configuration is
    used and only :data:`RESUMABLE_SETTINGS` may be given. ``figure`` writes a prediction
    figure of the final model; ``figure_pretrained`` (a shipped pretrained name, or
    ``"auto"``, see :func:`resolve_figure_pretrained`) adds that model's row to it.
    """
    unknown = sorted(set(settings) - set(RUN_SETTINGS))
    if unknown:
        raise FramepredError(f"unknown training setting(s): {', '.join(unknown)}")
    settings = {key: value for key, value in settings.items() if value is not None}
    if resume:
        config = resumed_config(resume, model_name, settings, model_overrides)
    else:
        config = resolve_config(model_name, preset, settings, model_overrides)
        rundir.ensure_writable(out)
    figure_pretrained = resolve_figure_pretrained(figure_pretrained, figure, config, stream=stream)
    return _run(config, out=out, resume=resume, figure=figure, figure_pretrained=figure_pretrained, stream=stream)


def resolve_figure_pretrained(name, figure, config, stream=None):
    """The shipped pretrained model whose row the figure gets, or None; checked before training.

    ``name``: a :func:`~framepred_tf.models.pretrained.list_pretrained` name, or
    :data:`AUTO_PRETRAINED` for the shipped ``<model>-cpu`` of ``config["model"]`` when
    there is one (else None, said in one log line). One-line errors: ``name`` without a
    ``figure``, an unknown name, a run whose frames are not Moving MNIST's.
    """
    if not name:
        return None
    if not figure:
        raise FramepredError(f"--figure-pretrained {name} needs --figure PATH (the figure that gets its row)")
    if name == AUTO_PRETRAINED:
        name = f"{config['model']}-cpu"
        if name not in list_pretrained():
            print(f"framepred-tf: no shipped pretrained {name}; the figure shows truth and this run only",
                  file=stream or sys.stderr)
            return None
    pretrained_entry(name)  # an unknown name: one line listing the known ones
    if config.get("data", "moving_mnist") != "moving_mnist":
        raise FramepredError(f"--figure-pretrained {name}: pretrained models predict Moving MNIST frames, "
                             f"and {config['model']} is trained on {config.get('data')}")
    return name


def resolve_config(model_name, preset, settings=None, model_overrides=None):
    """The full configuration of a new run: defaults < preset < ``settings``; validated."""
    from experiments import load_preset
    from framepred_tf.models import model_class

    model_class(model_name)  # a one-line error naming the registered models
    config = dict(DEFAULTS)
    config.update(load_preset(model_name, preset))
    config.update(settings or {})
    config["model_overrides"] = {**config["model_overrides"], **(model_overrides or {})}
    if config["data"] == "frame_folder":
        # One frame size for the clips and the model; a model override wins over the preset.
        config["image_size"] = config["model_overrides"].setdefault("image_size", config.get("image_size", 128))
    config.update(model=model_name, preset=preset, framepred_tf_version=framepred_tf.__version__,
                  keras_backend=keras.backend.backend(),
                  created=datetime.datetime.now().isoformat(timespec="seconds"))
    validate_config(config)
    # Said once training starts (see _run_with), so an error in the set-up stays one line.
    config["precision"], config["precision_note"] = resolve_precision(config["precision"])
    return config


def validate_config(config):
    """One-line errors for settings that cannot work."""
    for key in ("epochs", "batch_size", "log_every", "keep_checkpoints", "sample_every"):
        _require_positive_int(config, key)
    for key in ("steps_per_epoch", "checkpoint_every", "decay_steps"):
        if config.get(key) is not None:
            _require_positive_int(config, key)
    limit = config.get("time_limit")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, float)) or not limit > 0):
        raise FramepredError(f"--time-limit must be a positive number of minutes, got {limit!r}")
    if not float(config["lr"]) > 0:
        raise FramepredError(f"--lr must be positive, got {config['lr']}")
    check_optimizer_config(config)
    if config["data"] == "moving_mnist" and (config.get("frames_dir") or config.get("frames_index")):
        raise FramepredError(f"--frames-dir/--frames-index apply to frame-folder models (cnn_lstm), "
                             f"not {config['model']}")
    if config.get("frames_dir") and config.get("frames_index"):
        raise FramepredError("give either --frames-dir or --frames-index, not both")
    for key in ("frames_dir", "frames_index"):
        if config.get(key) and not os.path.exists(config[key]):
            raise FramepredError(f"--{key.replace('_', '-')} {config[key]} does not exist")


def _require_positive_int(config, key):
    value = config.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FramepredError(f"--{key.replace('_', '-')} must be a positive integer, got {value!r}")


def resumed_config(run_dir, model_name, settings, model_overrides):
    """``run_dir``'s configuration with the :data:`RESUMABLE_SETTINGS` of ``settings`` applied."""
    config = rundir.read_config(run_dir)
    if model_name and model_name != config["model"]:
        raise FramepredError(f"{run_dir} is a {config['model']} run, not {model_name}")
    fixed = sorted(set(settings) - set(RESUMABLE_SETTINGS)) + (["override"] if model_overrides else [])
    if fixed:
        raise FramepredError(f"cannot change {', '.join(fixed)} when resuming; only {', '.join(RESUMABLE_SETTINGS)}")
    config.update(settings)
    validate_config(config)
    return config


def _run(config, *, out, resume, figure, figure_pretrained, stream):
    keras.utils.set_random_seed(config["seed"])
    with run_environment(config["precision"], config["strategy"]) as distribution:
        return _run_with(distribution, config, out=out, resume=resume, figure=figure,
                         figure_pretrained=figure_pretrained, stream=stream)


def _run_with(distribution, config, *, out, resume, figure, figure_pretrained, stream):
    run_dir = _output_dir(out, config, distribution, resume)
    try:
        data = build_run_data(config, resume or run_dir)
        config["steps_per_epoch"] = data.steps_per_epoch
        config["decay_steps"] = config.get("decay_steps") or data.steps_per_epoch
        with distribution.scope():
            model = build_model(config, data.sample[0])
        rundir.ensure_free_space(run_dir, checkpoint_bytes(model) * (config["keep_checkpoints"] + 2))
        with distribution.scope():  # restoring builds the optimizer's variables, which belong to the strategy
            start = _restore(model, resume, clean=distribution.is_chief) if resume else {"global_step": 0, "best": None}
    except BaseException:
        if run_dir != resume:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    if distribution.is_chief:
        rundir.write_config(run_dir, config)
    if config.get("precision_note") and not resume:
        print(f"framepred-tf: {config['precision_note']}", file=stream or sys.stderr)
    with distribution.lost_workers_reported(run_dir):
        _fit(model, data, config, run_dir, start, stream)
    if figure:
        compare = {f"pretrained {figure_pretrained}": from_pretrained(figure_pretrained)} if figure_pretrained else None
        save_prediction(model, *data.sample, figure, title=f"{config['model']} after training", compare=compare)
    return run_dir


def _output_dir(out, config, distribution, resume):
    """Where this process writes: the (new or resumed) run directory, or scratch for a non-chief worker.

    Only the chief of a multi-worker run writes the run directory; the other workers write
    to a scratch directory (they must still save, since saving may involve collectives).
    """
    if not distribution.is_chief:
        return tempfile.mkdtemp(prefix=f"framepred-{config['model']}-worker-")
    return resume or rundir.create_run_dir(out, config["model"])


def build_model(config, sample_inputs):
    """The compiled model of ``config`` with its variables created (call inside the strategy scope)."""
    from framepred_tf.models import get_model

    model = get_model(config["model"], **config["model_overrides"])
    model.compile(optimizer=make_optimizer(config))
    model(keras.ops.convert_to_tensor(sample_inputs[:1]))
    return model


def checkpoint_bytes(model):
    """Upper estimate of one checkpoint: the weights plus RMSProp's equally large slot, float32."""
    return 2 * 4 * sum(int(keras.ops.size(v)) for v in model.weights)


def _restore(model, run_dir, clean=True):
    """Load the newest complete checkpoint of ``run_dir``; return its state (step 0 if none)."""
    directory = os.path.join(run_dir, rundir.CHECKPOINT_DIR)
    for name in checkpoints.remove_temporaries(directory) if clean else ():
        print(f"framepred-tf: removed {name}, left by an interrupted save", file=sys.stderr)
    latest = checkpoints.latest_checkpoint(directory)
    if latest is None:
        return {"global_step": 0, "best": None}
    weights, state = latest
    checkpoints.restore_weights(model, weights)
    checkpoints.restore_rng_state(state["rng"])
    print(f"framepred-tf: resuming {run_dir} from step {state['global_step']} ({os.path.basename(weights)})",
          file=sys.stderr)
    return state


def fit_segments(start_step, steps_per_epoch, epochs):
    """``[(first_step, steps_per_epoch, initial_epoch, end_epoch)]`` of the ``fit`` calls from ``start_step``.

    A checkpoint in the middle of an epoch first needs a one-epoch ``fit`` over that epoch's
    remaining steps, then one ``fit`` over the remaining whole epochs.
    """
    epoch, done = divmod(start_step, steps_per_epoch)
    segments = []
    if done and epoch < epochs:
        segments.append((start_step, steps_per_epoch - done, epoch, epoch + 1))
        epoch += 1
    if epoch < epochs:
        segments.append((epoch * steps_per_epoch, steps_per_epoch, epoch, epochs))
    return segments


def _fit(model, data, config, run_dir, start, stream):
    spe = data.steps_per_epoch
    callbacks = standard_callbacks(
        run_dir, log_every=config["log_every"], checkpoint_every=config["checkpoint_every"],
        sample_fn=fixed_batch_sample_fn(*data.sample, title=config["model"]), sample_every=config["sample_every"],
        total_steps=config["epochs"] * spe, keep_checkpoints=config["keep_checkpoints"],
        initial_step=start["global_step"], initial_epoch=start["global_step"] // spe, best=start.get("best"),
        stream=stream, time_limit=config.get("time_limit"), train_seconds=start.get("train_seconds", 0.0),
        epoch_totals=start.get("epoch_totals"))
    clock = callbacks[0]
    for first_step, steps, initial_epoch, end_epoch in fit_segments(start["global_step"], spe, config["epochs"]):
        # shuffle=False: Keras would otherwise permute the batches, out of step with the global step.
        model.fit(data.stream(first_step, steps * (end_epoch - initial_epoch)), steps_per_epoch=steps,
                  validation_data=data.validation, validation_batch_size=config["batch_size"],
                  initial_epoch=initial_epoch, epochs=end_epoch, shuffle=False, callbacks=callbacks, verbose=0)
        if clock.stopped_by:
            print(f"framepred-tf: stopped at the --time-limit of {config['time_limit']:g} min after step "
                  f"{clock.global_step} of {config['epochs'] * spe}; checkpoint, best.keras, history and samples "
                  f"are saved; continue with --resume {run_dir} --time-limit MINUTES (more than "
                  f"{config['time_limit']:g})", file=stream or sys.stderr)
            break
