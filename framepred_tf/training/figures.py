"""Prediction figures: a ground-truth row above one row per prediction for each sequence.

Figures are built with matplotlib's object API and the Agg canvas, never ``pyplot``, so
they work headless and do not touch the user's interactive backend. :func:`save_prediction`
also writes the animation of the same predictions beside the figure (``.gif``); its
``compare`` models (e.g. a shipped pretrained model) get a row and a panel of their own.
"""
import os
import textwrap

import keras
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from framepred_tf.errors import FramepredError
from framepred_tf.evaluation.figures import animation
from framepred_tf.utils.io import atomic_path

TRUTH_LABEL = "truth"
PREDICTION_LABEL = "predicted"  # the row of a single prediction array


def prediction_figure(targets, predictions, title=None):
    """Figure of ``targets`` vs ``predictions``: per sequence a truth row, then one row per prediction.

    ``predictions``: one array (row "predicted") or an ordered dict ``{row label: array}``.
    Sequences ``(N, T, H, W, C)`` give ``1 + len(predictions)`` rows per sequence with ``T``
    columns; single frames ``(N, H, W, C)`` (the CNN+LSTM's next frame) are shown as one
    truth row and one row per prediction with ``N`` columns.
    """
    targets = _as_sequences(targets)
    rows = [(TRUTH_LABEL, targets)] + [(label, _checked(label, frames, targets))
                                       for label, frames in labelled_predictions(predictions).items()]
    per_sequence, columns = len(rows), targets.shape[1]
    figure = Figure(figsize=(1.2 * columns, 1.25 * per_sequence * targets.shape[0] + (0.4 if title else 0)))
    FigureCanvasAgg(figure)
    axes = figure.subplots(per_sequence * targets.shape[0], columns, squeeze=False)
    for index in range(targets.shape[0]):
        for row, (label, frames) in enumerate(rows):
            for column in range(columns):
                _show(axes[per_sequence * index + row, column], frames[index, column])
            axes[per_sequence * index + row, 0].set_ylabel(_row_label(label), fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    return figure


def labelled_predictions(predictions):
    """``{row label: frames}``: a dict as given (non-empty), one array as ``{"predicted": array}``."""
    if not isinstance(predictions, dict):
        return {PREDICTION_LABEL: predictions}
    if not predictions:
        raise FramepredError("prediction_figure needs at least one prediction; got an empty dict")
    if TRUTH_LABEL in predictions:
        raise FramepredError(f"prediction label {TRUTH_LABEL!r} is taken by the ground-truth row; rename it")
    return predictions


def save_figure(figure, path):
    """Write ``figure`` as a PNG at ``path`` atomically."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path, suffix=".png") as tmp:
        figure.savefig(tmp, format="png", dpi=80)


def gif_path(path):
    """Where :func:`save_prediction` puts the animation of the figure at ``path``: ``.png`` -> ``.gif``."""
    return os.path.splitext(os.fspath(path))[0] + ".gif"


def save_prediction(model, inputs, targets, path, title=None, compare=None):
    """Predict ``inputs`` once per model; write the figure to ``path`` (PNG) and, for sequences, its GIF.

    ``inputs`` ``(N, T_in, H, W, C)``, ``targets`` ``(N, T, H, W, C)``. ``compare``: an
    ordered dict ``{label: keras model}`` of further models (a shipped pretrained one, say)
    that predict the same ``inputs``; each gets a row of the figure below ``model``'s
    ("predicted") and a panel of the animation. The animation
    (:func:`~framepred_tf.evaluation.figures.animation`: input frames, then truth beside
    each prediction) goes to :func:`gif_path` of ``path``; grey frame sequences only, so a
    CNN+LSTM's single RGB next frame gets the PNG alone.
    """
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    own_label = getattr(model, "registry_name", "prediction")
    compare = dict(compare or {})
    for label in compare:
        if label in (TRUTH_LABEL, PREDICTION_LABEL, own_label):
            raise FramepredError(f"compare label {label!r} is taken by the figure's own rows; rename it")
    predictions = predict_frames(model, inputs)
    compared = {label: predict_frames(other, inputs) for label, other in compare.items()}
    save_figure(prediction_figure(targets, {PREDICTION_LABEL: predictions, **compared}, title=title), path)
    if targets.ndim == 5 and targets.shape[-1] == 1 and inputs.ndim == 5 and inputs.shape[-1] == 1:
        animated = {own_label: predictions, **compared}
        animation(gif_path(path), inputs[..., 0], targets[..., 0], {k: v[..., 0] for k, v in animated.items()})


def predict_frames(model, inputs):
    """``model(inputs)`` as float32 NumPy."""
    # A direct call, not model.predict: a few sequences do not justify tracing a predict function.
    return keras.ops.convert_to_numpy(model(inputs, training=False)).astype("float32")


def fixed_batch_sample_fn(inputs, targets, title=None):
    """A ``sample_fn`` for :func:`~framepred_tf.training.standard_callbacks` on fixed sequences."""
    inputs, targets = np.asarray(inputs), np.asarray(targets)

    def sample_fn(model):
        return prediction_figure(targets, predict_frames(model, inputs), title=title)

    return sample_fn


def _as_sequences(frames):
    frames = np.asarray(frames, dtype="float32")
    return frames[None] if frames.ndim == 4 else frames


def _row_label(label, width=14):
    """``label`` broken at spaces into lines of about ``width`` characters, to fit beside one row."""
    return textwrap.fill(str(label), width, break_long_words=False, break_on_hyphens=False)


def _checked(label, frames, targets):
    """``frames`` as sequences; a one-line error unless they cover ``targets`` ``(N, T, ...)``."""
    frames = _as_sequences(frames)
    if frames.ndim != 5 or frames.shape[0] != targets.shape[0] or frames.shape[1] < targets.shape[1]:
        raise FramepredError(f"prediction {label!r} has shape {frames.shape}, which does not cover the "
                             f"targets' {targets.shape}")
    return frames


def _show(axis, frame):
    frame = np.clip(frame, 0.0, 1.0)
    if frame.shape[-1] == 1:
        axis.imshow(frame[..., 0], cmap="gray", vmin=0.0, vmax=1.0)
    else:
        axis.imshow(frame)
    axis.set_xticks([])
    axis.set_yticks([])
