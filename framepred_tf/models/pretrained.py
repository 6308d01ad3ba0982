"""Pretrained weights shipped with the package: ``list_pretrained()`` and ``from_pretrained(name)``.

Modelled on keras-hub's ``from_preset``: a name stands for one ``.keras`` file in the
pretrained folder, described by the folder's ``manifest.json``::

    {"format": 1,
     "models": {"convlstm-cpu": {"file": "convlstm-cpu.keras", "sha256": "…", "bytes": 1234567,
                                 "model": "convlstm", "run": "convlstm-20261201-120000",
                                 "config": {… the run's config.json …},
                                 "command": "framepred-tf train convlstm --preset cpu",
                                 "research": {"test_set": "research", "size": 1000, "cross_entropy": …}}}}

The folder is ``framepred_tf/pretrained/`` (package data), ``$FRAMEPRED_PRETRAINED_DIR`` or
the ``directory`` argument. Every file's sha256 is checked before it is loaded. Files are
added with :func:`export_pretrained` from a finished training run; nothing here imports
Keras until a model is actually loaded.
"""
import hashlib
import json
import os
import re

import numpy as np

from framepred_tf.errors import FramepredError
from framepred_tf.utils.io import atomic_path, write_json_atomic

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
ENV_VAR = "FRAMEPRED_PRETRAINED_DIR"
DEFAULT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pretrained")
MAX_FILE_BYTES = 5 * 10**6  # issue 13: each shipped file <= 5 MB
# The frames every pretrained model takes and returns: (B, 10, 64, 64, 1) in [0, 1].
FRAMES_SHAPE = (10, 64, 64, 1)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def pretrained_dir(directory=None):
    """The folder holding ``manifest.json``: ``directory``, ``$FRAMEPRED_PRETRAINED_DIR`` or the package's."""
    return os.fspath(directory or os.environ.get(ENV_VAR) or DEFAULT_DIR)


def read_manifest(directory=None):
    """``{name: entry}`` of the manifest (``{}`` when the folder has none yet)."""
    path = os.path.join(pretrained_dir(directory), MANIFEST_NAME)
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise FramepredError(f"cannot read the pretrained manifest {path} ({error}); reinstall framepred-tf") \
            from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("models"), dict):
        raise FramepredError(f"pretrained manifest {path} has no \"models\" table; reinstall framepred-tf")
    return manifest["models"]


def list_pretrained(directory=None):
    """Names accepted by :func:`from_pretrained`, sorted (``[]`` when none are shipped)."""
    return sorted(read_manifest(directory))


def pretrained_entry(name, directory=None):
    """The manifest entry of ``name``; an unknown name is a one-line error listing the known ones."""
    models = read_manifest(directory)
    if name not in models:
        known = ", ".join(sorted(models)) or "none (no pretrained weights are installed)"
        raise FramepredError(f"unknown pretrained model {name!r}; known names: {known}")
    return models[name]


def verified_path(name, directory=None):
    """Path of ``name``'s ``.keras`` file after checking that it exists and matches its sha256."""
    entry = pretrained_entry(name, directory)
    path = os.path.join(pretrained_dir(directory), entry["file"])
    if not os.path.isfile(path):
        raise FramepredError(f"pretrained weights file {path} for {name!r} is missing; reinstall framepred-tf")
    actual = file_sha256(path)
    if actual != entry["sha256"]:
        raise FramepredError(f"pretrained weights file {path} is corrupt: its sha256 {actual[:16]}… does not match "
                             f"the manifest's {entry['sha256'][:16]}…; reinstall framepred-tf")
    return path


def from_pretrained(name, directory=None):
    """The pretrained model ``name`` (a ``keras.Model``, not compiled).

    It takes ``(B, 10, 64, 64, 1)`` frames in [0, 1] and returns the next 10 frames as
    ``(B, 10, 64, 64, 1)`` probabilities.
    """
    path = verified_path(name, directory)
    return load_model_file(path)


def load_model_file(path):
    """``keras.saving.load_model(path, compile=False)`` with the package's layers registered."""
    from framepred_tf.models import load_model

    try:
        return load_model(path, compile=False)
    except Exception as error:  # noqa: BLE001  (any load failure is a bad file for the user)
        raise FramepredError(f"cannot load {path}: {type(error).__name__}: {' '.join(str(error).split())}") from None


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_pretrained(run_dir, name, *, research_figures=None, command=None, directory=None):
    """Save ``run_dir``'s ``best.keras`` into the pretrained folder as ``name``; return the file's path.

    The shipped file holds the model's architecture and weights only: the optimizer state that
    ``best.keras`` keeps for resuming (twice the weights for Adam) is left out. Checks that
    this file is at most :data:`MAX_FILE_BYTES` and that the model maps
    ``(1, 10, 64, 64, 1)`` frames to ``(1, 10, 64, 64, 1)``. ``research_figures`` (a dict)
    defaults to the run's largest stored ``research`` evaluation (``framepred-tf eval
    RUN_DIR --test-set research``); ``command`` (the training command) defaults to the
    run config's ``"command"``. The file and then the manifest are written atomically, so
    a reader sees the old or the new entry, never half of one.
    """
    from framepred_tf.training.rundir import best_model_path, read_config

    if not isinstance(name, str) or not _NAME.match(name):
        raise FramepredError(f"pretrained name {name!r} must be lower-case letters, digits, '.', '_' or '-'")
    source = best_model_path(run_dir)
    config = read_config(run_dir)
    model = load_model_file(source)
    _check_frames_contract(model, source)
    command = command or config.get("command")
    if not command:
        raise FramepredError(f"{run_dir}: pass command= (the command that trained the run); its config has none")
    research = research_figures if research_figures is not None else stored_research_figures(run_dir)
    folder = pretrained_dir(directory)
    target = os.path.join(folder, f"{name}.keras")
    with atomic_path(target, suffix=".keras") as tmp:
        model.save(tmp)  # loaded without compiling: no optimizer state
        size = os.path.getsize(tmp)
        if size > MAX_FILE_BYTES:
            raise FramepredError(f"{source} holds a model of {size / 1e6:.3g} MB without its optimizer, over the "
                                 f"{MAX_FILE_BYTES / 1e6:g} MB limit of a shipped file; export a smaller model")
        digest = file_sha256(tmp)
    models = read_manifest(directory)
    models[name] = {"file": os.path.basename(target), "sha256": digest, "bytes": size,
                    "model": config.get("model"), "run": os.path.basename(os.path.abspath(run_dir)),
                    "config": config, "command": command, "research": research}
    write_json_atomic(os.path.join(folder, MANIFEST_NAME), {"format": MANIFEST_FORMAT, "models": models})
    return target


def stored_research_figures(run_dir):
    """The largest ``research`` evaluation stored in ``run_dir/eval/`` as a dict of averages."""
    folder = os.path.join(os.fspath(run_dir), "eval")
    found = []
    for entry in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        match = re.fullmatch(r"research-n(\d+)-(.+)\.npz", entry)
        if match:
            found.append((int(match.group(1)), match.group(2), os.path.join(folder, entry)))
    if not found:
        raise FramepredError(f"{folder} holds no research evaluation; run framepred-tf eval {run_dir} "
                             "--test-set research --test-size 1000 first, or pass research_figures=")
    size, digits, path = max(found)
    with np.load(path) as stored:
        cross_entropy = stored["cross_entropy"]
        figures = {"test_set": "research", "size": size, "digits": digits,
                   "cross_entropy": float(cross_entropy.mean()),
                   "cross_entropy_frame_1": float(cross_entropy[:, 0].mean()),
                   f"cross_entropy_frame_{FRAMES_SHAPE[0]}": float(cross_entropy[:, -1].mean())}
        figures.update({name: float(stored[name].mean()) for name in ("mse", "mae", "ssim", "psnr")})
    return figures


def _check_frames_contract(model, path):
    zeros = np.zeros((1, *FRAMES_SHAPE), np.float32)
    try:
        shape = tuple(np.shape(model.predict_on_batch(zeros)))
    except Exception as error:  # noqa: BLE001  (any failure means the model does not fit the contract)
        raise FramepredError(f"{path} does not take (B, 10, 64, 64, 1) frames ({type(error).__name__}); "
                             "only Moving MNIST frame predictors can be shipped") from None
    if shape != (1, *FRAMES_SHAPE):
        raise FramepredError(f"{path} returns {shape} for (1, 10, 64, 64, 1) frames, expected (1, 10, 64, 64, 1)")
