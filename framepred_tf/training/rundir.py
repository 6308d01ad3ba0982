"""Run directories: ``<parent>/<model>-<YYYYmmdd-HHMMSS>/`` with ``config.json`` and friends.

Everything a run writes lives in its run directory, so a run can be inspected, resumed
(``--resume RUN_DIR``) or deleted as one unit.
"""
import datetime
import json
import os
import shutil
import tempfile

from framepred_tf.errors import FramepredError
from framepred_tf.utils.io import write_json_atomic

CONFIG_NAME = "config.json"
CHECKPOINT_DIR = "checkpoints"
BEST_NAME = "best.keras"
HISTORY_NAME = "history.csv"
SAMPLES_DIR = "samples"
LOGS_DIR = "logs"

# Headroom on top of the checkpoint estimate: history, samples, TensorBoard events.
_FREE_SPACE_MARGIN = 50 * 2**20


def create_run_dir(parent, model_name):
    """Create and return a fresh ``parent/<model_name>-<YYYYmmdd-HHMMSS>`` directory.

    Two runs started in the same second get ``-2``, ``-3``, ... suffixes; ``os.mkdir``
    fails if the name is taken, so concurrent runs never share a directory.
    """
    ensure_writable(parent)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = os.path.join(os.fspath(parent), f"{model_name}-{stamp}")
    for attempt in range(1, 1000):
        path = base if attempt == 1 else f"{base}-{attempt}"
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        return path
    raise FramepredError(f"could not create a unique run directory under {parent}")


def ensure_writable(directory):
    """Create ``directory`` if needed and prove it is writable, or raise a one-line error."""
    directory = os.fspath(directory)
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile(prefix=".write-probe-", dir=directory):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise FramepredError(f"output directory {directory} is not writable ({reason}); "
                             "choose another with --out") from None


def ensure_free_space(directory, needed_bytes):
    """Raise a one-line error if the file system of ``directory`` has less than ``needed_bytes`` free."""
    needed = int(needed_bytes) + _FREE_SPACE_MARGIN
    free = shutil.disk_usage(os.fspath(directory)).free
    if free < needed:
        raise FramepredError(f"not enough free disk space in {directory}: {free / 2**20:.0f} MiB free, "
                             f"about {needed / 2**20:.0f} MiB needed for checkpoints; free space or use --out")


def write_config(run_dir, config):
    """Write the resolved run configuration to ``run_dir/config.json`` atomically."""
    write_json_atomic(os.path.join(os.fspath(run_dir), CONFIG_NAME), config)


def read_config(run_dir):
    """The configuration a run was started with; a one-line error if it is missing or broken."""
    path = os.path.join(os.fspath(run_dir), CONFIG_NAME)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise FramepredError(f"{path} not found; --resume needs a run directory made by framepred-tf train") from None
    except (OSError, ValueError) as error:
        raise FramepredError(f"cannot read {path}: {error}") from None
