"""Fixtures for the evaluation tests: synthetic test sets and tiny fabricated "trained" runs.

The report and ``eval`` are exercised against fake test-set loaders (moving squares, a
handful of sequences) so the suite never needs the 10,000-sequence sets.
"""
import json
import os

import numpy as np
import pytest

from framepred_tf.errors import DataSourceError

UNAVAILABLE = {"srivastava": "mnist_test_seq.npy not found (offline)", "emnist": "EMNIST not available offline"}


def moving_squares(n, num_squares=2, seq_len=20, size=64, side=6, seed=0):
    """``(n, seq_len, size, size)`` float32: ``num_squares`` bright squares moving with constant velocity."""
    rng = np.random.default_rng(seed)
    sequences = np.zeros((n, seq_len, size, size), np.float32)
    for i in range(n):
        for _ in range(num_squares):
            y, x = rng.integers(0, size - side - 20, size=2)
            dy, dx = rng.integers(0, 2, size=2)
            for t in range(seq_len):
                sequences[i, t, y + dy * t:y + dy * t + side, x + dx * t:x + dx * t + side] = 1.0
    return sequences


def fake_loader(calls=None, n_override=None):
    """A ``loader(name, size, digits)`` like ``framepred_tf.data.test_set`` on moving squares."""

    def loader(name, size, digits):
        if calls is not None:
            calls.append(name)
        if name in UNAVAILABLE:
            raise DataSourceError(UNAVAILABLE[name])
        squares = int(name.split("-")[1]) if name.startswith("digits-") else 2
        seed = sum(map(ord, name))  # a different, fixed set per name
        return moving_squares(n_override or size, num_squares=squares, seed=seed)

    return loader


def fake_training_generator(n, seed):
    return moving_squares(n, seed=1000 + seed)


def save_tiny_model(path, seed):
    """A functional Keras model with the contract's I/O, saved as ``best.keras``."""
    import keras

    inputs = keras.Input((10, 64, 64, 1))
    outputs = keras.layers.Conv3D(
        1, 3, padding="same", activation="sigmoid",
        kernel_initializer=keras.initializers.RandomNormal(stddev=0.3, seed=seed),
        bias_initializer=keras.initializers.Constant(-2.0),
    )(inputs)
    model = keras.Model(inputs, outputs)
    model.save(path)
    return model


def make_run(runs_dir, name, model, seed=0, preset="quick", with_model=True):
    """Fabricate ``runs_dir/name`` with ``config.json`` (and ``best.keras``)."""
    run_dir = os.path.join(runs_dir, name)
    os.makedirs(run_dir, exist_ok=True)
    config = {"model": model, "preset": preset, "model_overrides": {}, "digits": "mnist5k",
              "batch_size": 4, "epochs": 1, "steps_per_epoch": 1, "lr": 1e-3, "seed": seed}
    with open(os.path.join(run_dir, "config.json"), "w") as f:
        json.dump(config, f)
    if with_model:
        save_tiny_model(os.path.join(run_dir, "best.keras"), seed)
    return run_dir


@pytest.fixture(scope="session")
def runs_dir(tmp_path_factory):
    """Two tiny trained runs (convlstm, stae), an older convlstm run, and runs to be skipped."""
    root = str(tmp_path_factory.mktemp("runs"))
    make_run(root, "convlstm-20240101-000000", "convlstm", seed=5)
    make_run(root, "convlstm-20240102-000000", "convlstm", seed=1)
    make_run(root, "stae-20240101-120000", "stae", seed=2, preset="paper")
    make_run(root, "cnn_lstm-20240101-000000", "cnn_lstm", seed=3, with_model=False)
    make_run(root, "vpn-20240101-000000", "vpn", seed=4, with_model=False)
    os.makedirs(os.path.join(root, "vqa_mlp-20240101-000000"))
    return root
