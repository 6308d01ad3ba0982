"""``framepred-tf train`` end to end for every model, with tiny widths and a few steps."""
import csv
import json
import os

import keras
import numpy as np
import pytest

import framepred_tf  # noqa: F401  (registers the models with Keras for load_model)
from tests.training.conftest import FRAME_MODELS, SEED_LINE

CONFIG_KEYS = {"model", "preset", "model_overrides", "digits", "batch_size", "epochs", "steps_per_epoch", "lr",
               "seed", "strategy", "precision", "framepred_tf_version", "keras_backend", "created"}


def _assert_run_dir(run_dir, model, console, samples=("epoch_0001.png", "epoch_0002.png")):
    assert os.path.basename(run_dir).startswith(model + "-")
    with open(os.path.join(run_dir, "config.json")) as f:
        config = json.load(f)
    assert CONFIG_KEYS <= set(config) and config["model"] == model and config["epochs"] == 2
    with open(os.path.join(run_dir, "history.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["epoch"] for row in rows] == ["1", "2"] and {"loss", "val_loss", "lr"} <= set(rows[0])
    assert all(np.isfinite(float(row["val_loss"])) for row in rows)
    assert sorted(os.listdir(os.path.join(run_dir, "samples"))) == list(samples)
    assert sorted(os.listdir(os.path.join(run_dir, "checkpoints"))) == [
        f"ckpt-{step}.{ext}" for step in (2, 3, 4) for ext in ("json", "keras")]
    step_lines = [line for line in console.splitlines() if "Step:" in line]
    assert len(step_lines) == 4 and all(SEED_LINE.match(line) for line in step_lines), console
    return keras.saving.load_model(os.path.join(run_dir, "best.keras"))


@pytest.mark.slow
@pytest.mark.parametrize("model", FRAME_MODELS)
def test_frame_model_quick_run(model, tiny_cli_run):
    run_dir, console = tiny_cli_run(model)
    best = _assert_run_dir(run_dir, model, console)
    inputs = np.random.default_rng(0).random((2, 10, 64, 64, 1), dtype=np.float32)
    predicted = keras.ops.convert_to_numpy(best(inputs))
    assert predicted.shape == (2, 10, 64, 64, 1)
    assert predicted.min() >= 0.0 and predicted.max() <= 1.0


@pytest.mark.slow
def test_cnn_lstm_renders_its_clips_and_trains(tiny_cli_run, tmp_path):
    figure = tmp_path / "figure.png"
    run_dir, console = tiny_cli_run("cnn_lstm", "--figure", str(figure))
    # The quick preset draws a sample every 5 epochs and after the last one.
    best = _assert_run_dir(run_dir, "cnn_lstm", console, samples=("epoch_0002.png",))
    assert len(os.listdir(os.path.join(run_dir, "clips"))) == 12  # the quick preset's rendered clips
    assert os.path.getsize(figure) > 0
    frames = np.random.default_rng(0).random((1, 16, 32, 32, 3), dtype=np.float32)
    assert tuple(best(frames).shape) == (1, 32, 32, 3)
