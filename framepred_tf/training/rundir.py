"""Run directories: ``<parent>/<prefix>-<YYYYmmdd-HHMMSS>[-N]/`` with ``config.json`` and friends.

Everything a run writes lives in its run directory, so a run can be inspected, resumed
(``--resume RUN_DIR``) or deleted as one unit. The prefix is the model name (``convlstm``,
``vqa_lstm``) or any name with dashes (``pong-dqn``); ``-N`` tells apart runs started in the
same second. This module writes run directories and is the one reader of them: the file
names below, :func:`read_config`, :func:`best_model_path`, and which run is the newest
(:func:`run_sort_key`, :func:`list_runs`, :func:`newest_run`).
"""
import datetime
import json
import os
import re
import shutil
import tempfile

from framepred_tf.errors import FramepredError
from framepred_tf.utils.io import write_json_atomic

CONFIG_NAME = "config.json"
CHECKPOINT_DIR = "checkpoints"
BEST_NAME = "best.keras"
HISTORY_NAME = "history.csv"
WALLCLOCK_NAME = "wallclock.csv"  # training minutes at each history row
SAMPLES_DIR = "samples"
LOGS_DIR = "logs"
STAMP_FORMAT = "%Y%m%d-%H%M%S"
RUN_NAME = re.compile(r"^(?P<prefix>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<index>\d+))?$")

# Headroom on top of the checkpoint estimate: history, samples, TensorBoard events.
_FREE_SPACE_MARGIN = 50 * 2**20


def create_run_dir(parent, model_name):
    """Create and return a fresh ``parent/<model_name>-<YYYYmmdd-HHMMSS>`` directory.

    Two runs started in the same second get ``-2``, ``-3``, ... suffixes; ``os.mkdir``
    fails if the name is taken, so concurrent runs never share a directory.
    """
    ensure_writable(parent)
    stamp = datetime.datetime.now().strftime(STAMP_FORMAT)
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
        raise FramepredError(f"{path} not found: {run_dir} is not a training run directory "
                             "(made by framepred-tf train); check the path") from None
    except (OSError, ValueError) as error:
        raise FramepredError(f"cannot read {path}: {error}") from None


def best_model_path(run_dir):
    """``run_dir/best.keras``; a one-line error if ``run_dir`` is not a run that saved one."""
    run_dir = os.fspath(run_dir)
    path = os.path.join(run_dir, BEST_NAME)
    if not os.path.isfile(path):
        if not os.path.isfile(os.path.join(run_dir, CONFIG_NAME)):
            raise FramepredError(f"{run_dir} is not a training run directory (no {CONFIG_NAME}); "
                                 "give a run directory made by framepred-tf train or a .keras file")
        raise FramepredError(f"{path} not found: the run has not saved a best model yet; train it longer")
    return path


def run_sort_key(run_dir):
    """The order of runs, oldest first: the start time in the name, then the same-second index.

    A directory whose name has no ``-YYYYmmdd-HHMMSS`` (renamed by hand) counts from its
    ``config.json``'s modification time instead.
    """
    run_dir = os.fspath(run_dir)
    name = os.path.basename(os.path.normpath(run_dir))
    match = RUN_NAME.match(name)
    if match:
        started = datetime.datetime.strptime(match["stamp"], STAMP_FORMAT).timestamp()
        return started, int(match["index"] or 1), name
    return os.path.getmtime(os.path.join(run_dir, CONFIG_NAME)), 0, name


def list_runs(parent, prefix=None):
    """Run directories (with ``config.json``) directly under ``parent``, oldest first.

    ``prefix``: a name or a tuple of names; only ``<prefix>-<YYYYmmdd-HHMMSS>[-N]`` runs of
    those are listed. A missing ``parent`` has no runs.
    """
    parent = os.fspath(parent)
    if not os.path.isdir(parent):
        return []
    prefixes = (prefix,) if isinstance(prefix, str) else prefix
    runs = []
    for name in os.listdir(parent):
        path = os.path.join(parent, name)
        if not os.path.isfile(os.path.join(path, CONFIG_NAME)):
            continue
        match = RUN_NAME.match(name)
        if prefixes is not None and not (match and match["prefix"] in prefixes):
            continue
        runs.append(path)
    return sorted(runs, key=run_sort_key)


def newest_run(parent, prefix=None, accept=None):
    """The newest of :func:`list_runs` ``(parent, prefix)`` for which ``accept(path)`` is true, or None."""
    for path in reversed(list_runs(parent, prefix)):
        if accept is None or accept(path):
            return path
    return None
