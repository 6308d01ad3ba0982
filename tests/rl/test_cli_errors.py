"""Bad input to `framepred-tf rl`: one line naming the value, exit status 2, nothing written."""
import json
import os
import sys

import pytest

from tests.rl.conftest import run_cli


def _error(argv):
    status, out, err = run_cli(argv)
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and lines[0].startswith("framepred-tf: error: "), (status, err)
    return lines[0]


def test_unknown_game_algo_and_preset(tmp_path):
    out = ["--out", str(tmp_path)]
    assert "unknown game 'breakout'; choose one of: pong" in _error(["rl", "train", "breakout", *out])
    assert "unknown algo 'dqn'; choose one of: ppo2, a2c" in _error(["rl", "train", "pong", "--algo", "dqn", *out])
    assert "unknown preset 'fast' for pong" in _error(["rl", "train", "pong", "--preset", "fast", *out])
    assert "unknown algo 'trpo'" in _error(["bench", "rl", "--algo", "trpo"])
    assert os.listdir(tmp_path) == []


def test_envs_not_divisible_by_the_minibatches(tmp_path):
    line = _error(["rl", "train", "pong", "--envs", "6", "--out", str(tmp_path)])
    assert "--envs 6 is not divisible by the 4 minibatches" in line
    assert "--timesteps 10 is less than one rollout" in _error(
        ["rl", "train", "pong", "--timesteps", "10", "--out", str(tmp_path)])
    assert "--time-limit must be a positive number" in _error(
        ["rl", "train", "pong", "--time-limit", "0", "--out", str(tmp_path)])
    assert os.listdir(tmp_path) == []


def test_missing_ale_py_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ale_py", None)  # `import ale_py` now raises ImportError
    line = _error(["rl", "train", "pong", "--out", str(tmp_path)])
    assert "need ale-py and gymnasium" in line and "pip install" in line
    assert os.listdir(tmp_path) == []


def test_resume_of_a_run_of_another_algo(tmp_path):
    run = tmp_path / "pong-a2c-20260101-000000"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"game": "pong", "algo": "a2c"}))
    line = _error(["rl", "train", "pong", "--algo", "ppo2", "--resume", str(run)])
    assert f"{run} is a a2c run, not ppo2" in line
    not_rl = tmp_path / "convlstm-20260101-000000"
    not_rl.mkdir()
    (not_rl / "config.json").write_text(json.dumps({"model": "convlstm"}))
    assert "is not an rl training run" in _error(["rl", "train", "--resume", str(not_rl)])


@pytest.mark.parametrize("argv, message", [
    (["rl", "eval", "--runs", "{tmp}"], "no pong run under"),
    (["rl", "eval", "{tmp}/missing"], "is not a directory"),
    (["rl", "plot", "{tmp}"], "has no progress.csv rows"),
    (["rl", "plot", "{tmp}", "--compare", "{tmp}/no-such-seed.txt"], "--compare"),
])
def test_eval_and_plot_errors(tmp_path, argv, message):
    assert message in _error([arg.replace("{tmp}", str(tmp_path)) for arg in argv])
