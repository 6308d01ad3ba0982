"""Numeric precision and multi-device execution of a run.

``--strategy``:

* ``none``: the default device.
* ``mirrored``: synchronous data parallelism over the local GPUs (or CPUs). TensorFlow uses
  ``tf.distribute.MirroredStrategy``; the global batch (``--batch-size``) is split across
  the replicas. JAX uses ``keras.distribution.DataParallel`` over ``jax.devices()``.
* ``multiworker``: ``tf.distribute.MultiWorkerMirroredStrategy`` across hosts, configured
  by the ``TF_CONFIG`` environment variable (TensorFlow backend only). Only the chief
  writes the run directory; the other workers write to a temporary directory. A worker
  that dies stops the others within seconds with a one-line error naming it; restart all
  of them with ``--resume`` and the chief's run directory.

``--precision mixed_bfloat16|mixed_float16`` sets the global Keras dtype policy before the
model is built; the models keep their losses and sigmoid outputs in float32, and Keras
wraps the optimizer in a ``LossScaleOptimizer`` for float16. ``--precision auto`` (the
quick presets) resolves, once at start-up, to ``mixed_bfloat16`` where the host computes
bfloat16 natively (a GPU, or a CPU with AVX512_BF16 or AMX-BF16: there a bfloat16 matmul
runs ~5x faster than float32) and to ``float32`` elsewhere; :func:`resolve_precision`
says which in one line. ``mixed_float16`` needs a GPU.
"""
import atexit
import contextlib
import dataclasses
import gc
import json
import os
import re

import keras

from framepred_tf.errors import FramepredError
from framepred_tf.training.choices import PRECISIONS, STRATEGIES


# CPU flags (Linux /proc/cpuinfo names) of native bfloat16 arithmetic.
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo="/proc/cpuinfo"):
    """The CPU feature flags the kernel reports (an empty set where there is no /proc/cpuinfo)."""
    try:
        with open(cpuinfo, encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        pass
    return set()


def accelerator_platform():
    """``"gpu"`` (or the JAX platform name) when the Keras backend sees an accelerator, else ``None``."""
    if keras.backend.backend() == "jax":
        import jax

        platform = jax.devices()[0].platform
        return None if platform == "cpu" else platform
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return "gpu" if tf.config.list_physical_devices("GPU") else None
    return None


def resolve_precision(requested, *, flags=None, accelerator=None, backend=None):
    """``(precision, note)``: the dtype policy a run uses for ``--precision requested``.

    ``note`` is the one log line that says why ``auto`` chose what it chose (``None`` for an
    explicit choice). ``flags``/``accelerator``/``backend`` default to this host's and
    Keras's (tests pass others). A precision the host cannot run is a one-line error naming
    ``--precision``.
    """
    if requested not in PRECISIONS:
        raise FramepredError(f"--precision {requested!r} is unknown; choose one of: {', '.join(PRECISIONS)}")
    accelerator = accelerator_platform() if accelerator is None else accelerator or None
    if requested == "mixed_float16" and accelerator is None:
        raise FramepredError("--precision mixed_float16 needs a GPU and this host has none; use --precision "
                             "auto, mixed_bfloat16 or float32")
    if requested != "auto":
        return requested, None
    if accelerator is not None:
        return "mixed_bfloat16", f"precision auto: mixed_bfloat16 ({accelerator} found)"
    if (backend or keras.backend.backend()) == "jax":
        # Measured on a Zen 4 with AVX512_BF16 (docs/RESULTS.md): XLA:CPU's bfloat16 matrix
        # products run at half its float32 speed, and the quick convlstm step took 551 ms in
        # mixed_bfloat16 against 395 ms in float32.
        return "float32", "precision auto: float32 (JAX on the CPU: XLA computes bfloat16 slower than float32)"
    native = sorted(set(BFLOAT16_CPU_FLAGS) & (cpu_flags() if flags is None else set(flags)))
    if native:
        return "mixed_bfloat16", f"precision auto: mixed_bfloat16 (the CPU has {' and '.join(native)})"
    return "float32", ("precision auto: float32 (the CPU has neither AVX512_BF16 nor AMX-BF16, so bfloat16 "
                       "would be emulated and slower)")


@contextlib.contextmanager
def run_environment(precision, strategy):
    """Set the dtype policy and the distribution of a run; restore the previous ones afterwards.

    Yields the run's :class:`Distribution`. Restoring keeps a library caller's process (or
    the next test) unaffected by a mixed-precision or data-parallel run.
    """
    if precision not in PRECISIONS:
        raise FramepredError(f"unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
    if precision == "auto":
        precision, _ = resolve_precision(precision)
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
    cluster: dict = None  # the parsed TF_CONFIG of a multi-worker run

    def scope(self):
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    @contextlib.contextmanager
    def lost_workers_reported(self, run_dir):
        """Inside, a multi-worker peer that stops answering ends the run with a one-line error.

        TensorFlow notices a killed peer by its missing coordination-service heartbeats (or
        its closed connection) and aborts the pending collectives with a long traceback.
        """
        if self.cluster is None:
            yield
            return
        import tensorflow as tf

        try:
            yield
        except (tf.errors.UnavailableError, tf.errors.AbortedError, tf.errors.DeadlineExceededError) as error:
            # The failed fit leaves its tf.data iterator in a reference cycle. Collected only
            # during interpreter shutdown, it would wait forever for its prefetch thread, whose
            # generator call can no longer take the GIL then: the process would hang at exit.
            atexit.register(gc.collect)
            raise FramepredError(lost_worker_message(error, self.cluster, run_dir, self.is_chief)) from None


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
    strategy = _keras_multi_worker_strategy(tf)
    return Distribution(name, strategy.num_replicas_in_sync, is_chief_task(cluster), strategy, cluster)


def _keras_multi_worker_strategy(tf):
    """A ``MultiWorkerMirroredStrategy`` whose ``reduce`` accepts what Keras 3's ``fit`` passes it.

    Keras 3 (keras-team/keras#20585) hands a multi-worker strategy the whole ``(x, y)``
    batch in one ``reduce`` call, which only ``MirroredStrategy`` takes, and averages each
    scalar loss and metric over ``axis=0``, which a scalar does not have. Each value is
    therefore reduced on its own, a scalar over the replicas only (the mean the single-host
    path of Keras takes).
    """

    class KerasMultiWorkerStrategy(tf.distribute.MultiWorkerMirroredStrategy):
        def reduce(self, reduce_op, value, axis=None):
            reduce_one = super().reduce

            def reduce_value(item):
                local = item.values[0] if isinstance(item, tf.distribute.DistributedValues) else item
                return reduce_one(reduce_op, item, axis=None if local.shape.rank == 0 else axis)

            return tf.nest.map_structure(reduce_value, value)

    return KerasMultiWorkerStrategy()


# A task name in TensorFlow's errors: /job:worker/replica:0/task:1 or /job:worker/task:1.
_TASK_NAME = re.compile(r"/job:(\w+)(?:/replica:\d+)?/task:(\d+)")


def lost_worker_message(error, cluster, run_dir, is_chief):
    """The one line for ``error``, TensorFlow's report that a peer of the multi-worker run is gone.

    It names the peers (job, index and ``TF_CONFIG`` address) the error mentions and says how
    to continue: from the chief's run directory, which a non-chief worker does not know.
    """
    own = (cluster["task"]["type"], int(cluster["task"]["index"]))
    peers = []
    for job, index in _TASK_NAME.findall(str(error)):
        addresses = cluster["cluster"].get(job, [])
        name = f"{job} {index} ({addresses[int(index)] if int(index) < len(addresses) else 'unknown address'})"
        if (job, int(index)) != own and name not in peers:
            peers.append(name)
    lost = ", ".join(peers) or "contact with the other workers"
    resume = f"--resume {run_dir}" if is_chief else "--resume CHIEF_RUN_DIR (the run directory the chief printed)"
    return (f"lost {lost} of the multi-worker run ({type(error).__name__}: it stopped answering); "
            f"restart every worker with {resume} to continue from the newest checkpoint")


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
