"""standard_callbacks on a plain Keras model: logs, history, checkpoints, best model, NaN guard."""
import csv
import io
import json
import math
import os

import keras
import numpy as np
import pytest

from framepred_tf.training import TrainingDiverged, standard_callbacks
from framepred_tf.training.checkpoints import (complete_checkpoints, latest_checkpoint, remove_temporaries,
                                                restore_weights)
from framepred_tf.training.figures import prediction_figure
from tests.training.conftest import SEED_LINE, plain_data, plain_model


def _fit(run_dir, model=None, epochs=3, **kwargs):
    model = model or plain_model()
    x, y = plain_data()
    stream = io.StringIO()
    callbacks = standard_callbacks(run_dir, stream=stream, **kwargs)
    model.fit(x, y, batch_size=4, epochs=epochs, validation_data=plain_data(8, seed=1), shuffle=False,
              callbacks=callbacks, verbose=0)
    return model, stream.getvalue()


def test_run_directory_contents(tmp_path):
    run_dir = tmp_path / "run"
    sample_fn = lambda model: prediction_figure(np.zeros((2, 8, 8, 1)), np.ones((2, 8, 8, 1)))  # noqa: E731
    model, console = _fit(run_dir, log_every=4, checkpoint_every=5, keep_checkpoints=2, sample_fn=sample_fn)

    lines = console.splitlines()
    step_lines = [line for line in lines if "Step:" in line]
    assert len(step_lines) == 6  # 24 steps, a line every 4
    assert all(SEED_LINE.match(line) for line in step_lines), step_lines
    assert "Step:24 " in step_lines[-1] and "Estimated:0:00:00" in step_lines[-1]

    with open(run_dir / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["epoch"] for row in rows] == ["1", "2", "3"]
    assert {"epoch", "step", "loss", "val_loss", "lr"} <= set(rows[0])
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])
    assert math.isclose(float(rows[0]["lr"]), 1e-2, rel_tol=1e-6)

    kept = complete_checkpoints(run_dir / "checkpoints")
    assert [step for step, _, _ in kept] == [24, 20]  # newest two of 5, 8, 10, 15, 16, 20, 24
    _, state = latest_checkpoint(run_dir / "checkpoints")
    assert state["global_step"] == 24 and state["epochs_completed"] == 3
    assert set(state["rng"]) == {"numpy", "python"}
    assert state["best"] == pytest.approx(min(float(row["val_loss"]) for row in rows))

    best = keras.saving.load_model(run_dir / "best.keras")
    x = plain_data(4, seed=2)[0]
    assert best.predict(x, verbose=0).shape == (4, 1)
    assert sorted(os.listdir(run_dir / "samples")) == ["epoch_0001.png", "epoch_0002.png", "epoch_0003.png"]
    events = [name for _, _, names in os.walk(run_dir / "logs") for name in names if "tfevents" in name]
    assert events, "tensorboard is an install requirement: the run must keep TensorBoard logs"
    assert not [name for name in os.listdir(run_dir / "checkpoints") if name.startswith(".tmp-")]


def test_checkpoint_restores_optimizer_state(tmp_path):
    model, _ = _fit(tmp_path / "run", epochs=1, checkpoint_every=3)
    weights, state = latest_checkpoint(tmp_path / "run" / "checkpoints")
    restored = plain_model(seed=5)
    restore_weights(restored, weights)
    assert int(restored.optimizer.iterations) == state["global_step"] == 8
    for a, b in zip(model.optimizer.variables, restored.optimizer.variables):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))


def test_nan_loss_stops_with_step_and_keeps_last_good_checkpoint(tmp_path):
    x, y = plain_data()
    y[13] = np.nan  # batch 4 (steps 1-based: step 4) of the first epoch... and of every epoch
    model = plain_model()
    callbacks = standard_callbacks(tmp_path / "run", checkpoint_every=2, stream=io.StringIO())
    with pytest.raises(TrainingDiverged, match=r"became nan at step 4 \(epoch 1\).*ckpt-2\.keras"):
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, callbacks=callbacks, verbose=0)
    steps = [step for step, _, _ in complete_checkpoints(tmp_path / "run" / "checkpoints")]
    assert steps == [2]
    restored = plain_model()
    restore_weights(restored, tmp_path / "run" / "checkpoints" / "ckpt-2.keras")
    assert all(np.isfinite(w).all() for w in restored.get_weights())


def test_incomplete_checkpoints_are_ignored_and_leftovers_removed(tmp_path):
    _fit(tmp_path / "run", epochs=1, checkpoint_every=4)
    directory = tmp_path / "run" / "checkpoints"
    # A crash after the weights but before the marker, and a half-written temporary file.
    (directory / "ckpt-99.keras").write_bytes(b"PK\x03\x04 truncated")
    (directory / ".tmp-ckpt-100.keras-abc.keras").write_bytes(b"partial")
    (directory / "ckpt-98.json").write_text(json.dumps({"global_step": 98}))  # marker, weights missing
    weights, state = latest_checkpoint(directory)
    assert os.path.basename(weights) == "ckpt-8.keras" and state["global_step"] == 8
    assert remove_temporaries(directory) == [".tmp-ckpt-100.keras-abc.keras"]
    assert not (directory / ".tmp-ckpt-100.keras-abc.keras").exists()
