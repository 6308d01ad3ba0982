"""Prediction figures with extra rows: labelled predictions, a compared pretrained model, --figure-pretrained.

A tiny ConvLSTM (4x4 patches, 4 filters; tests/conftest.py) is exported into a temporary pretrained folder
(``FRAMEPRED_PRETRAINED_DIR``), as ``make demo --figure-pretrained`` would find a shipped one.
"""
import io
import os

import keras
import numpy as np
import pytest
from PIL import Image

from framepred_tf import models
from framepred_tf.errors import FramepredError
from framepred_tf.evaluation import figures as animation_figures
from framepred_tf.models import pretrained
from framepred_tf.training import trainer
from framepred_tf.training.figures import gif_path, prediction_figure, save_prediction
from tests.conftest import TINY_CONVLSTM_COMMAND, TINY_RESEARCH_FIGURES
from tests.evaluation.conftest import moving_squares
from tests.training.conftest import run_cli

COMMAND, FIGURES = TINY_CONVLSTM_COMMAND, TINY_RESEARCH_FIGURES


def _ylabels(figure, columns):
    """The y labels of the first column of ``figure``'s axes grid, top to bottom."""
    return [axis.get_ylabel() for axis in figure.axes[::columns]]


def test_a_dict_of_predictions_gives_one_row_each_below_the_truth():
    targets = np.zeros((2, 3, 8, 8, 1), np.float32)
    figure = prediction_figure(targets, {"this run": targets + 0.5, "pretrained x": targets + 1.0})
    assert len(figure.axes) == 3 * 2 * 3
    assert _ylabels(figure, 3) == ["truth", "this run", "pretrained x"] * 2


def test_one_array_keeps_truth_and_predicted_rows_also_for_single_frames():
    sequences = np.zeros((2, 4, 8, 8, 1), np.float32)
    assert _ylabels(prediction_figure(sequences, sequences), 4) == ["truth", "predicted"] * 2
    frames = np.zeros((3, 8, 8, 3), np.float32)  # the CNN+LSTM's next frame: one sequence of 3 columns
    figure = prediction_figure(frames, {"a": frames, "b": frames})
    assert len(figure.axes) == 3 * 3 and _ylabels(figure, 3) == ["truth", "a", "b"]


def test_a_prediction_of_the_wrong_shape_is_one_line_naming_it():
    targets = np.zeros((2, 3, 8, 8, 1), np.float32)
    with pytest.raises(FramepredError, match="prediction 'short' has shape") as error:
        prediction_figure(targets, {"ok": targets, "short": targets[:, :2]})
    assert "\n" not in str(error.value)


def test_save_prediction_draws_a_compared_pretrained_model(shipped_tiny_convlstm, tiny_convlstm_run, tmp_path):
    model = keras.saving.load_model(os.path.join(tiny_convlstm_run, "best.keras"), compile=False)
    compared = models.from_pretrained("tiny-convlstm")
    sequences = moving_squares(2, seed=4)[..., np.newaxis]
    path = tmp_path / "demo_prediction.png"
    save_prediction(model, sequences[:, :10], sequences[:, 10:], path, title="demo",
                    compare={"pretrained tiny-convlstm": compared})
    assert path.stat().st_size > 1000 and os.path.isfile(gif_path(path))
    with Image.open(gif_path(path)) as image:  # panels: truth, this run, the pretrained model
        assert image.n_frames == 20
        scale, pad = animation_figures._SCALE, animation_figures._PAD
        assert image.width == pad + 3 * (64 * scale + pad)


def test_unknown_figure_pretrained_is_one_line_before_training(tmp_path, monkeypatch):
    monkeypatch.setenv(pretrained.ENV_VAR, str(tmp_path / "no-pretrained"))
    out = tmp_path / "runs"
    status, _, err = run_cli(["train", "convlstm", "--out", str(out), "--figure", str(tmp_path / "f.png"),
                              "--figure-pretrained", "nosuch"])
    (line,) = err.strip().splitlines()
    assert status == 2 and line.startswith("framepred-tf: error: unknown pretrained model 'nosuch'")
    assert os.listdir(out) == []  # no run directory: training never started
    status, _, err = run_cli(["train", "convlstm", "--out", str(out), "--figure-pretrained", "auto"])
    (line,) = err.strip().splitlines()
    assert status == 2 and "--figure-pretrained auto needs --figure PATH" in line
    assert os.listdir(out) == []


def test_auto_picks_the_shipped_model_cpu_or_says_there_is_none(shipped_tiny_convlstm, tiny_convlstm_run, tmp_path):
    config = {"model": "convlstm", "data": "moving_mnist"}
    stream = io.StringIO()
    assert trainer.resolve_figure_pretrained("auto", "f.png", config, stream=stream) is None
    assert stream.getvalue() == ("framepred-tf: no shipped pretrained convlstm-cpu; "
                                 "the figure shows truth and this run only\n")
    assert trainer.resolve_figure_pretrained("tiny-convlstm", "f.png", config) == "tiny-convlstm"
    pretrained.export_pretrained(tiny_convlstm_run, "convlstm-cpu", research_figures=FIGURES, command=COMMAND,
                                 directory=shipped_tiny_convlstm)
    stream = io.StringIO()
    assert trainer.resolve_figure_pretrained("auto", "f.png", config, stream=stream) == "convlstm-cpu"
    assert stream.getvalue() == ""
    with pytest.raises(FramepredError, match="pretrained models predict Moving MNIST frames"):
        trainer.resolve_figure_pretrained("tiny-convlstm", "f.png", {"model": "cnn_lstm", "data": "frame_folder"})
