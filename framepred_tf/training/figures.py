"""Prediction figures: a ground-truth row above a prediction row for each sequence.

Figures are built with matplotlib's object API and the Agg canvas, never ``pyplot``, so
they work headless and do not touch the user's interactive backend. :func:`save_prediction`
also writes the animation of the same predictions beside the figure (``.gif``).
"""
import os

import keras
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from framepred_tf.evaluation.figures import animation
from framepred_tf.utils.io import atomic_path


def prediction_figure(targets, predictions, title=None):
    """Figure of ``targets`` vs ``predictions``.

    Sequences ``(N, T, H, W, C)`` give two rows per sequence (ground truth, prediction) with
    ``T`` columns; single frames ``(N, H, W, C)`` (the CNN+LSTM's next frame) are shown as one
    ground-truth row and one prediction row with ``N`` columns.
    """
    targets, predictions = _as_sequences(targets), _as_sequences(predictions)
    rows, columns = 2 * targets.shape[0], targets.shape[1]
    figure = Figure(figsize=(1.2 * columns, 1.25 * rows + (0.4 if title else 0)))
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False)
    for index in range(targets.shape[0]):
        for row, (label, frames) in enumerate((("truth", targets[index]), ("predicted", predictions[index]))):
            for column in range(columns):
                _show(axes[2 * index + row, column], frames[column])
            axes[2 * index + row, 0].set_ylabel(label, fontsize=8)
    if title:
        figure.suptitle(title, fontsize=10)
    return figure


def save_figure(figure, path):
    """Write ``figure`` as a PNG at ``path`` atomically."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_path(path, suffix=".png") as tmp:
        figure.savefig(tmp, format="png", dpi=80)


def gif_path(path):
    """Where :func:`save_prediction` puts the animation of the figure at ``path``: ``.png`` -> ``.gif``."""
    return os.path.splitext(os.fspath(path))[0] + ".gif"


def save_prediction(model, inputs, targets, path, title=None):
    """Predict ``inputs`` once; write the figure to ``path`` (PNG) and, for sequences, its GIF.

    ``inputs`` ``(N, T_in, H, W, C)``, ``targets`` ``(N, T, H, W, C)``. The animation
    (:func:`~framepred_tf.evaluation.figures.animation`: input frames, then truth beside
    prediction) goes to :func:`gif_path` of ``path``; grey frame sequences only, so a
    CNN+LSTM's single RGB next frame gets the PNG alone.
    """
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    predictions = predict_frames(model, inputs)
    save_figure(prediction_figure(targets, predictions, title=title), path)
    if targets.ndim == 5 and targets.shape[-1] == 1 and inputs.ndim == 5 and inputs.shape[-1] == 1:
        label = getattr(model, "registry_name", "prediction")
        animation(gif_path(path), inputs[..., 0], targets[..., 0], {label: predictions[..., 0]})


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


def _show(axis, frame):
    frame = np.clip(frame, 0.0, 1.0)
    if frame.shape[-1] == 1:
        axis.imshow(frame[..., 0], cmap="gray", vmin=0.0, vmax=1.0)
    else:
        axis.imshow(frame)
    axis.set_xticks([])
    axis.set_yticks([])
