"""Numeric precision and multi-device execution of a run.

``--strategy``:

* ``none``: the default device.
* ``mirrored``: synchronous data parallelism over the local GPUs (or CPUs). TensorFlow uses
  ``tf.distribute.MirroredStrategy``; the global batch (``--batch-size``) is split across
  the replicas. JAX uses ``keras.distribution.DataParallel`` over ``jax.devices()``.
* ``multiworker``: ``tf.distribute.MultiWorkerMirroredStrategy`` across hosts, configured
  by the ``TF_CONFIG`` environment variable (TensorFlow backend only). Only the chief
  writes the run directory; the other workers write to a temporary directory.

``--precision mixed_bfloat16|mixed_float16`` sets the global Keras dtype policy before the
model is built; the models keep their losses and sigmoid outputs in float32, and Keras
wraps the optimizer in a ``LossScaleOptimizer`` for float16.
"""
import contextlib
import dataclasses
import json
import os

import keras

from framepred_tf.errors import FramepredError

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
STRATEGIES = ("none", "mirrored", "multiworker")


@contextlib.contextmanager
def run_environment(precision, strategy):
    """Set the dtype policy and the distribution of a run; restore the previous ones afterwards.

    Yields the run's :class:`Distribution`. Restoring keeps a library caller's process (or
    the next test) unaffected by a mixed-precision or data-parallel run.
    """
    if precision not in PRECISIONS:
        raise FramepredError(f"unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
    previous_policy = keras.mixed_precision.dtype_policy()
    previous_distribution = keras.distribution.distribution() if keras.backend.backend() == "jax" else None
    keras.mixed_precision.set_dtype_policy(precision)
    try:
        yield make_distribution(strategy)
    finally:
        keras.mixed_precision.set_dtype_policy(previous_policy)
        if keras.backend.backend() == "jax":
            keras.distribution.set_distribution(previous_distribution)


@dataclasses.dataclass
class Distribution:
    """How a run is spread over devices: a scope for building/compiling and who writes files."""

    name: str
    num_replicas: int = 1
    is_chief: bool = True
    strategy: object = None

    def scope(self):
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()


def make_distribution(name):
    """The :class:`Distribution` for ``--strategy name`` on the current Keras backend."""
    if name not in STRATEGIES:
        raise FramepredError(f"unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}")
    if name == "none":
        return Distribution(name)
    if keras.backend.backend() == "jax":
        return _jax_distribution(name)
    if keras.backend.backend() != "tensorflow":
        raise FramepredError(f"--strategy {name} needs the tensorflow or jax backend, not {keras.backend.backend()}")
    return _tf_distribution(name)


def _tf_distribution(name):
    import tensorflow as tf

    if name == "mirrored":
        strategy = tf.distribute.MirroredStrategy()
        return Distribution(name, strategy.num_replicas_in_sync, True, strategy)
    cluster = parse_tf_config(os.environ.get("TF_CONFIG"))
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    return Distribution(name, strategy.num_replicas_in_sync, is_chief_task(cluster), strategy)


def _jax_distribution(name):
    if name == "multiworker":
        raise FramepredError("--strategy multiworker needs the TensorFlow backend (KERAS_BACKEND=tensorflow); "
                             "on JAX use --strategy mirrored on each host after jax.distributed.initialize()")
    distribution = keras.distribution.DataParallel()
    keras.distribution.set_distribution(distribution)
    return Distribution(name, len(distribution.device_mesh.devices.ravel()), True, None)


def parse_tf_config(text):
    """Validate ``TF_CONFIG`` (``{"cluster": {"worker": [...]}, "task": {"type": ..., "index": ...}}``)."""
    if not text:
        raise FramepredError("--strategy multiworker needs the TF_CONFIG environment variable, e.g. "
                             'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                             '"task": {"type": "worker", "index": 0}}\'')
    try:
        config = json.loads(text)
        cluster, task = config["cluster"], config["task"]
        members = cluster[task["type"]]
        index = int(task["index"])
        if not isinstance(members, list) or not 0 <= index < len(members):
            raise ValueError(f"task index {index} outside the {len(members)} {task['type']} addresses")
    except (ValueError, KeyError, TypeError) as error:
        raise FramepredError(f"malformed TF_CONFIG ({type(error).__name__}: {error}); it needs 'cluster' with "
                             "address lists and 'task' with 'type' and 'index'") from None
    return config


def is_chief_task(config):
    """The chief writes the run directory: task ``chief``, or worker 0 when there is no chief."""
    task = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and int(task["index"]) == 0
