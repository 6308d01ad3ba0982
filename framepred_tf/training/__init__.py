"""Training runs: run directories, callbacks, checkpoints, resume, distribution.

Public API (also used by the VQA training): :func:`create_run_dir`, :func:`write_config`,
:func:`standard_callbacks` and :func:`train` (what ``framepred-tf train`` calls).
"""
import importlib

from framepred_tf.training.rundir import create_run_dir, read_config, write_config

# Loaded on first use (PEP 562): the callbacks import Keras, and ``framepred_tf.training.cli``
# (imported for every ``framepred-tf --help``) must not.
_LAZY = {"TrainingDiverged": "callbacks", "standard_callbacks": "callbacks", "latest_checkpoint": "checkpoints"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f"framepred_tf.training.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'framepred_tf.training' has no attribute {name!r}")


def train(model_name, *, preset="quick", **cli_overrides):
    """Train ``model_name`` with an experiment ``preset`` and overrides; return the run directory.

    Imported on first use so that ``import framepred_tf.training`` (for the callbacks) does
    not pull in the data pipeline.
    """
    from framepred_tf.training.trainer import train as _train

    return _train(model_name, preset=preset, **cli_overrides)


__all__ = ["TrainingDiverged", "create_run_dir", "latest_checkpoint", "read_config", "standard_callbacks",
           "train", "write_config"]
