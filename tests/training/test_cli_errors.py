"""Bad arguments end with one ``framepred-tf: error: ...`` line and exit status 2, before training."""
import os
import shutil

from framepred_tf.training import rundir
from tests.training.conftest import run_cli


def _assert_one_line_error(argv, pattern):
    status, _, err = run_cli(argv)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("framepred-tf: error: "), err
    assert pattern in lines[0]


def test_unknown_model(tmp_path):
    _assert_one_line_error(["train", "no_such_model", "--out", str(tmp_path)], "unknown model 'no_such_model'")


def test_unknown_preset(tmp_path):
    _assert_one_line_error(["train", "convlstm", "--preset", "huge", "--out", str(tmp_path)], "unknown preset 'huge'")


def test_negative_epochs(tmp_path):
    _assert_one_line_error(["train", "convlstm", "--epochs", "-3", "--out", str(tmp_path)],
                           "--epochs must be a positive integer, got -3")


def test_missing_frames_dir(tmp_path):
    _assert_one_line_error(["train", "cnn_lstm", "--frames-dir", str(tmp_path / "nope"), "--out", str(tmp_path)],
                           "does not exist")


def test_frames_dir_for_a_moving_mnist_model(tmp_path):
    _assert_one_line_error(["train", "convlstm", "--frames-dir", str(tmp_path), "--out", str(tmp_path)],
                           "apply to frame-folder models")


def test_unwritable_out(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    _assert_one_line_error(["train", "convlstm", "--out", str(blocker / "runs")], "is not writable")


def test_bad_override(tmp_path):
    _assert_one_line_error(["train", "convlstm", "--override", "filters", "--out", str(tmp_path)], "KEY=VALUE")


def test_resume_of_a_non_run(tmp_path):
    _assert_one_line_error(["train", "--resume", str(tmp_path)], "config.json not found")


def test_disk_full_is_reported_before_training(tmp_path, monkeypatch):
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(rundir.shutil, "disk_usage", lambda path: usage._replace(free=10 * 2**20))
    _assert_one_line_error(["train", "convlstm", "--override", "filters=(4,)", "--override", "kernel_size=3",
                            "--out", str(tmp_path)], "not enough free disk space")
    assert os.listdir(tmp_path) == []  # the half-made run directory is removed again
