"""Shared helpers of the training tests: tiny models, a plain Keras model, CLI runs."""
import contextlib
import io
import os
import re

import keras
import numpy as np
import pytest

# Smallest useful widths of each registered model (CPU seconds per step).
TINY = {
    "convlstm": {"filters": (8, 8, 8), "kernel_size": 3},
    "encoder_forecaster": {"filters": (8, 8, 8), "kernel_size": 3},
    "stae": {"encoder_filters": 4, "lstm_filters": 8, "flow_filters": (4, 4), "flow_kernel_size": 5},
    # The quick vpn preset works on 4x4 patches: the masked layers need widths divisible by 16.
    "vpn": {"filters": 32, "encoder_blocks": 1, "decoder_blocks": 1, "lstm_kernel_size": 3, "output_filters": 16},
    "cnn_lstm": {"base_filters": 4, "lstm_units": 16, "image_size": 32},
}
FRAME_MODELS = ("convlstm", "encoder_forecaster", "stae", "vpn")

# The seed's progress line, e.g.
# 2018/7/5 17:01:41 Step:30 Loss:46551884.000000 (Training Loss:430186956.800) Epoch:1 LR:0.000729
#   (4.125sec/step) Estimated:0:06:31      (one line)
SEED_LINE = re.compile(
    r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}:\d{2} Step:\d+ Loss:-?\d+\.\d{6} \(Training Loss:-?\d+\.\d{3}\) "
    r"Epoch:\d+ LR:\S+ \(\d+\.\d{3}sec/step\) Estimated:\d+:\d{2}:\d{2}$")


def override_args(model):
    """``--override KEY=VALUE`` arguments of the tiny variant of ``model``."""
    args = []
    for key, value in TINY[model].items():
        args += ["--override", f"{key}={value!r}".replace(" ", "")]
    return args


def run_cli(argv):
    """Run ``framepred-tf argv`` in-process; return ``(status, stdout, stderr)``."""
    from framepred_tf.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def plain_model(seed=0):
    """A tiny compiled Keras model (no framepred model needed) for callback tests."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2), loss="mse")
    return model


def plain_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32")).astype("float32")


# Two epochs of two steps with a checkpoint per step: enough for every run-directory artefact
# and for resuming from the middle of the second epoch.
TINY_RUN = ["--steps-per-epoch", "2", "--epochs", "2", "--batch-size", "2", "--val-size", "2", "--log-every", "1",
            "--checkpoint-every", "1"]


@pytest.fixture(scope="session")
def tiny_cli_run(tmp_path_factory):
    """``run(model, *extra) -> (run_dir, console)``: one ``framepred-tf train`` per model and session.

    Training dominates the suite's time, so the run-directory checks and the resume test
    share these runs.
    """
    runs = {}

    def run(model, *extra):
        if model not in runs:
            out = tmp_path_factory.mktemp(f"runs-{model}")
            status, console, err = run_cli(["train", model, "--out", str(out), *override_args(model), *TINY_RUN,
                                            *extra])
            assert status == 0, err
            (name,) = os.listdir(out)
            runs[model] = (str(out / name), console)
        return runs[model]

    return run
