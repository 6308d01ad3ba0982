"""Experiment presets: one plain-Python file per model with a ``PRESETS`` dict.

``paper`` reproduces the thesis' settings (full-size model, full MNIST digits, RMSProp and
its initial learning rate, ×0.9 staircase decay); ``quick`` is a reduced model on the
bundled 5,000-digit subset that finishes in minutes on a laptop CPU.

Keys of a preset (defaults in ``framepred_tf.training.trainer.DEFAULTS``):
``data`` (``moving_mnist`` or ``frame_folder``), ``model_overrides`` (keyword arguments of
``get_model``), ``digits``, ``batch_size``, ``epochs``, ``steps_per_epoch``, ``lr``,
``decay_steps`` (steps between ×``decay_rate`` learning-rate cuts; ``None``: one epoch),
``decay_rate``, ``val_size`` (validation sequences), ``checkpoint_every`` (steps),
``keep_checkpoints``, ``sample_every`` (epochs), ``log_every`` (steps), and for frame
folders ``image_size``, ``clips``/``frames_per_clip`` (the clips rendered when no
``--frames-dir`` is given) and ``val_fraction``.
"""
import copy
import importlib

from framepred_tf.errors import FramepredError

# The thesis's schedule, shared by the four Moving MNIST networks: mini-batches of 16,
# 625 steps (10,000 sequences) per epoch, learning rate ×0.9 once per epoch.
PAPER_SCHEDULE = {
    "digits": "mnist",
    "batch_size": 16,
    "epochs": 30,
    "steps_per_epoch": 625,
    "decay_steps": None,  # ×decay_rate once per epoch
    "decay_rate": 0.9,
    "val_size": 2000,
    "checkpoint_every": 200,
    "keep_checkpoints": 3,
    "sample_every": 1,
    "log_every": 30,
}
# Their quick runs: the bundled digits, small validation, frequent checkpoints and lines.
QUICK_SCHEDULE = {
    "digits": "mnist5k",
    "decay_steps": None,
    "decay_rate": 0.9,
    "val_size": 32,
    "checkpoint_every": 20,
    "keep_checkpoints": 3,
    "sample_every": 1,
    "log_every": 10,
}


def available_presets(model):
    """Names of the presets of ``model``'s experiment file."""
    return sorted(_module(model).PRESETS)


def load_preset(model, preset):
    """A fresh copy of ``experiments/<model>.py``'s ``PRESETS[preset]``."""
    presets = _module(model).PRESETS
    if preset not in presets:
        raise FramepredError(f"unknown preset {preset!r} for {model}; choose one of: {', '.join(sorted(presets))}")
    return copy.deepcopy(presets[preset])


def _module(model):
    try:
        return importlib.import_module(f"experiments.{model}")
    except ModuleNotFoundError as error:
        if error.name != f"experiments.{model}":
            raise
        raise FramepredError(f"no experiment presets for model {model!r} (experiments/{model}.py)") from None
