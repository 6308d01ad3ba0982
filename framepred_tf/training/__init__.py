"""Training runs: run directories, callbacks, checkpoints, resume, distribution.

Public API (also used by the VQA training): :func:`create_run_dir`, :func:`write_config`,
:func:`standard_callbacks` and :func:`train` (what ``framepred-tf train`` calls).
"""
from framepred_tf.training.callbacks import TrainingDiverged, standard_callbacks
from framepred_tf.training.checkpoints import latest_checkpoint
from framepred_tf.training.rundir import create_run_dir, read_config, write_config


def train(model_name, *, preset="quick", **cli_overrides):
    """Train ``model_name`` with an experiment ``preset`` and overrides; return the run directory.

    Imported on first use so that ``import framepred_tf.training`` (for the callbacks) does
    not pull in the data pipeline.
    """
    from framepred_tf.training.trainer import train as _train

    return _train(model_name, preset=preset, **cli_overrides)


__all__ = ["TrainingDiverged", "create_run_dir", "latest_checkpoint", "read_config", "standard_callbacks",
           "train", "write_config"]
