"""Crash-safe checkpoints: ``ckpt-<step>.keras`` (weights + optimizer) and ``ckpt-<step>.json``.

A checkpoint is *complete* once its JSON file exists: the ``.keras`` archive is written
first (to a temporary name, then renamed), the JSON marker second. ``kill -9`` at any
moment therefore leaves either the previous complete checkpoint or the new one; a stray
``.tmp-*`` file from an interrupted write is never mistaken for a checkpoint and is removed
when a run resumes.
"""
import glob
import json
import os
import random
import re
import zipfile

import numpy as np

from framepred_tf.utils.io import atomic_path, write_json_atomic

_MARKER = re.compile(r"^ckpt-(\d+)\.json$")


def checkpoint_paths(directory, step):
    """``(weights_path, marker_path)`` of the checkpoint at global ``step``."""
    base = os.path.join(os.fspath(directory), f"ckpt-{int(step)}")
    return base + ".keras", base + ".json"


def save_checkpoint(model, directory, state, keep=3):
    """Save ``model`` (with optimizer state) and the JSON ``state`` for ``state["global_step"]``.

    The RNG states of Python and NumPy are added to the marker so a resumed run continues
    the same random streams. Only the newest ``keep`` complete checkpoints are kept.
    """
    weights, marker = checkpoint_paths(directory, state["global_step"])
    with atomic_path(weights, suffix=".keras") as tmp:
        model.save(tmp)
    write_json_atomic(marker, dict(state, rng=capture_rng_state()))
    prune_checkpoints(directory, keep)
    return weights


def complete_checkpoints(directory):
    """``[(step, weights_path, state)]`` of all complete checkpoints, newest first."""
    found = []
    for marker in glob.glob(os.path.join(os.fspath(directory), "ckpt-*.json")):
        match = _MARKER.match(os.path.basename(marker))
        if not match:
            continue
        state = _read_marker(marker)
        weights = marker[: -len(".json")] + ".keras"
        if state is not None and zipfile.is_zipfile(weights):
            found.append((int(match.group(1)), weights, state))
    return sorted(found, key=lambda item: item[0], reverse=True)


def latest_checkpoint(directory):
    """``(weights_path, state)`` of the newest complete checkpoint, or ``None``."""
    checkpoints = complete_checkpoints(directory)
    if not checkpoints:
        return None
    _, weights, state = checkpoints[0]
    return weights, state


def prune_checkpoints(directory, keep):
    """Delete all but the newest ``keep`` complete checkpoints (marker first, then weights)."""
    for _, weights, _ in complete_checkpoints(directory)[keep:]:
        for path in (weights[: -len(".keras")] + ".json", weights):
            _remove(path)


def remove_temporaries(directory):
    """Delete ``.tmp-*`` leftovers of writes that were interrupted; return their names."""
    leftovers = sorted(glob.glob(os.path.join(os.fspath(directory), ".tmp-*")))
    for path in leftovers:
        _remove(path)
    return [os.path.basename(path) for path in leftovers]


def restore_weights(model, weights_path):
    """Load a checkpoint's model and optimizer variables into an already compiled ``model``.

    The optimizer must exist before its variables can be filled in, so it is built first
    (Keras would otherwise skip the optimizer state with a warning).
    """
    if model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(weights_path)


def capture_rng_state():
    """JSON-serialisable state of Python's and NumPy's global random generators."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss = random.getstate()
    return {
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
        "python": [version, list(internal), gauss],
    }


def restore_rng_state(rng):
    """Inverse of :func:`capture_rng_state`."""
    kind, keys, pos, has_gauss, cached = rng["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    version, internal, gauss = rng["python"]
    random.setstate((version, tuple(internal), gauss))


def _read_marker(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
