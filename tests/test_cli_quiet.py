"""The command line answers help and argument errors without TensorFlow, and stays quiet.

The subprocess tests run the CLI as a user's shell would: without the suite's
``TF_CPP_MIN_LOG_LEVEL`` (tests/conftest.py sets it for the in-process tests).
"""
import logging
import os
import pathlib
import subprocess
import sys

import pytest

from framepred_tf import cli
from framepred_tf.errors import FramepredError

REPO = pathlib.Path(__file__).resolve().parents[1]


def _run(args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in cli.QUIET_ENVIRONMENT}
    environment.update(PYTHONPATH=str(REPO), **env)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=environment, timeout=300,
                          cwd=REPO)


def test_building_the_parser_imports_neither_tensorflow_nor_keras():
    code = ("import framepred_tf.cli, sys; framepred_tf.cli.build_parser(); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    result = _run(["-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_an_unknown_model_is_one_line_on_stderr():
    result = _run(["-m", "framepred_tf.cli", "train", "nosuchmodel"])
    assert result.returncode == 2
    assert result.stderr.startswith("framepred-tf: error: unknown model 'nosuchmodel'; choose one of: cnn_lstm")
    assert result.stderr.count("\n") == 1, result.stderr


def test_an_error_after_tensorflow_loaded_is_still_one_line(tmp_path):
    # The bad override is found after `import tensorflow`, whose absl/oneDNN notices go to fd 2.
    result = _run(["-m", "framepred_tf.cli", "train", "convlstm", "--override", "bogus=1", "--out", str(tmp_path)])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "unknown argument(s) bogus" in result.stderr


def test_global_flags_may_come_before_or_after_the_command():
    parser = cli.build_parser()
    assert parser.parse_args(["train", "convlstm"]).verbose is False
    assert parser.parse_args(["--verbose", "train", "convlstm"]).verbose is True
    assert parser.parse_args(["train", "convlstm", "--verbose"]).verbose is True
    args = parser.parse_args(["--traceback", "vqa", "eval", "--verbose"])
    assert args.traceback is True and args.verbose is True


def test_traceback_reraises_the_framepred_error(capsys):
    assert cli.main(["train", "nosuchmodel"]) == 2
    assert "unknown model" in capsys.readouterr().err
    with pytest.raises(FramepredError, match="unknown model 'nosuchmodel'"):
        cli.main(["--traceback", "train", "nosuchmodel"])


def test_native_log_lines_are_filtered_and_the_rest_kept(capfd):
    with cli.filtered_native_stderr():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, b"I0000 00:00:1796163021.806340    5824 port.cc:153] oneDNN custom operations are on.\n")
        os.write(2, b"W1201 22:10:30.123456    5824 cpu_feature_guard.cc:227] something\n")
        os.write(2, b"a Python warning: keep me\n")
    assert capfd.readouterr().err == "a Python warning: keep me\n"


def test_quiet_tensorflow_restores_what_it_changed(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setenv("GRPC_VERBOSITY", "DEBUG")  # a user's own setting is kept
    logging.getLogger("tensorflow").setLevel(logging.INFO)
    finders = list(sys.meta_path)
    with cli.quiet_tensorflow():
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3" and os.environ["GRPC_VERBOSITY"] == "DEBUG"
        assert logging.getLogger("tensorflow").level == logging.ERROR
    assert "TF_CPP_MIN_LOG_LEVEL" not in os.environ and os.environ["GRPC_VERBOSITY"] == "DEBUG"
    assert logging.getLogger("tensorflow").level == logging.INFO
    assert sys.meta_path == finders


def test_main_prints_help_without_a_command(capsys):
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "usage: framepred-tf" in err and "--verbose" in err and "--traceback" in err
